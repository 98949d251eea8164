package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Loads with sign and zero extension, stores of every width, misaligned accesses (also across
 * pages).
 */
class LoadStoreTest {
  static final long D = Rig.DATA;

  @Test
  void loadsExtend() {
    Rig rig = new Rig();
    rig.mem.putLong(D, 0x8182_8384_8586_8788L);
    rig.hart.setReg(A1, D);
    Hart h =
        rig.exec(
            Rig.code()
                .i(lb(S0, A1, 0))
                .i(lbu(S1, A1, 0))
                .i(lh(S2, A1, 0))
                .i(lhu(S3, A1, 0))
                .i(lw(S4, A1, 0))
                .i(lwu(S5, A1, 0))
                .i(ld(S6, A1, 0))
                .i(lb(S7, A1, 7))
                .ecall());
    assertEquals(0xFFFF_FFFF_FFFF_FF88L, h.reg(S0));
    assertEquals(0x88L, h.reg(S1));
    assertEquals(0xFFFF_FFFF_FFFF_8788L, h.reg(S2));
    assertEquals(0x8788L, h.reg(S3));
    assertEquals(0xFFFF_FFFF_8586_8788L, h.reg(S4));
    assertEquals(0x8586_8788L, h.reg(S5));
    assertEquals(0x8182_8384_8586_8788L, h.reg(S6));
    assertEquals(0xFFFF_FFFF_FFFF_FF81L, h.reg(S7));
  }

  @Test
  void positiveValuesZeroFill() {
    Rig rig = new Rig();
    rig.mem.putLong(D, 0x0102_0304_0506_0708L);
    rig.hart.setReg(A1, D + 8);
    Hart h = rig.exec(Rig.code().i(lb(S0, A1, -8)).i(lh(S1, A1, -8)).i(lw(S2, A1, -8)).ecall());
    assertEquals(0x08, h.reg(S0));
    assertEquals(0x0708, h.reg(S1));
    assertEquals(0x0506_0708, h.reg(S2));
  }

  @Test
  void storesOfEachWidth() {
    Rig rig = new Rig();
    rig.hart.setReg(A1, D);
    rig.hart.setReg(A2, 0x1122_3344_5566_7788L);
    rig.exec(
        Rig.code()
            .i(sd(A2, A1, 0))
            .i(sw(A2, A1, 8))
            .i(sh(A2, A1, 16))
            .i(sb(A2, A1, 24))
            .i(sb(A2, A1, -1))
            .ecall());
    assertEquals(0x1122_3344_5566_7788L, rig.mem.getLong(D));
    assertEquals(0x5566_7788L, rig.mem.getLong(D + 8));
    assertEquals(0x7788L, rig.mem.getLong(D + 16));
    assertEquals(0x88L, rig.mem.getLong(D + 24));
    assertEquals((byte) 0x88, rig.mem.getByte(D - 1));
  }

  @Test
  void misalignedWithinAPage() {
    Rig rig = new Rig();
    rig.hart.setReg(A1, D + 1);
    rig.hart.setReg(A2, 0x8877_6655_4433_2211L);
    Hart h =
        rig.exec(
            Rig.code()
                .i(sd(A2, A1, 0))
                .i(ld(S0, A1, 0))
                .i(lw(S1, A1, 2))
                .i(lhu(S2, A1, 4))
                .i(sh(A2, A1, 10))
                .i(sw(A2, A1, 20))
                .ecall());
    assertEquals(0x8877_6655_4433_2211L, rig.mem.getLong(D + 1));
    assertEquals(0x8877_6655_4433_2211L, h.reg(S0));
    assertEquals(0x6655_4433L, h.reg(S1));
    assertEquals(0x6655L, h.reg(S2));
    assertEquals((short) 0x2211, rig.mem.getShort(D + 11));
    assertEquals(0x4433_2211, rig.mem.getInt(D + 21));
  }

  @Test
  void misalignedAcrossAPageBoundary() {
    long edge = D + 0x1000;
    for (int before = 1; before < 8; before++) {
      Rig rig = new Rig();
      long va = edge - before;
      rig.hart.setReg(A1, va);
      rig.hart.setReg(A2, 0x8877_6655_4433_2211L);
      Hart h =
          rig.exec(
              Rig.code()
                  .i(sd(A2, A1, 0))
                  .i(ld(S0, A1, 0))
                  .i(lw(S1, A1, 0))
                  .i(lwu(S2, A1, 0))
                  .i(lh(S3, A1, 0))
                  .i(lhu(S4, A1, 0))
                  .ecall());
      assertEquals(0x8877_6655_4433_2211L, rig.mem.getLong(va), "bytes before edge " + before);
      assertEquals(0x8877_6655_4433_2211L, h.reg(S0));
      assertEquals(0x4433_2211L, h.reg(S1));
      assertEquals(0x4433_2211L, h.reg(S2));
      assertEquals(0x2211L, h.reg(S3));
      assertEquals(0x2211L, h.reg(S4));
    }
    Rig rig = new Rig();
    rig.hart.setReg(A1, edge - 1);
    rig.hart.setReg(A2, 0xFFFF_FFFF_8180_7F7EL);
    Hart h =
        rig.exec(
            Rig.code()
                .i(sw(A2, A1, 0))
                .i(lw(S1, A1, 0))
                .i(lh(S2, A1, 0))
                .i(sh(A2, A1, 0))
                .i(lhu(S3, A1, 0))
                .ecall());
    assertEquals(0xFFFF_FFFF_8180_7F7EL, h.reg(S1));
    assertEquals(0x7F7EL, h.reg(S2));
    assertEquals(0x7F7EL, h.reg(S3));
  }

  @Test
  void accessOutsideRamIsAnAccessFault() {
    Rig rig = new Rig();
    rig.hart.setReg(A1, 1L << 40);
    rig.load(Rig.code().i(ld(A0, A1, 8)).ecall());
    assertEquals(Cause.LOAD_ACCESS_FAULT, rig.trap());
    assertEquals((1L << 40) + 8, rig.hart.trapValue());
    assertEquals(Rig.CODE, rig.hart.pc());

    rig.load(Rig.code().i(addi(A0, ZERO, 1)).i(sb(A0, A1, -1)).ecall());
    assertEquals(Cause.STORE_ACCESS_FAULT, rig.trap());
    assertEquals((1L << 40) - 1, rig.hart.trapValue());
    assertEquals(Rig.CODE + 4, rig.hart.pc());
  }

  @Test
  void misalignedStoreRunningOffTheEndOfRamFaultsWithoutWriting() {
    Rig rig = new Rig();
    long end = rig.mem.size();
    rig.hart.setReg(A1, end - 3);
    rig.hart.setReg(A2, -1);
    rig.load(Rig.code().i(sd(A2, A1, 0)).ecall());
    assertEquals(Cause.STORE_ACCESS_FAULT, rig.trap());
    assertEquals(end, rig.hart.trapValue());
    assertEquals(0, rig.mem.getByte(end - 3));
    rig.load(Rig.code().i(lw(A0, A1, 0)).ecall());
    assertEquals(Cause.LOAD_ACCESS_FAULT, rig.trap());
    assertEquals(end, rig.hart.trapValue());
  }
}
