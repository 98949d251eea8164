package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Every RV64C form: its expansion executes like the 32-bit instruction, and reserved forms trap.
 */
class CompressedTest {
  static final long D = Rig.DATA;

  /**
   * Runs compressed halfwords (then a 32-bit ECALL) with registers preset by pairs {reg, value}.
   */
  static Hart run(long[] regs, int... halves) {
    Rig rig = new Rig();
    for (int k = 0; k < regs.length; k += 2) {
      rig.hart.setReg((int) regs[k], regs[k + 1]);
    }
    Program p = Rig.code();
    for (int h : halves) {
      p.c(h);
    }
    return rig.exec(p.ecall());
  }

  @Test
  void goldenEncodingsFromGnuAs() {
    // Encodings as riscv64-linux-gnu-as emits them, to pin the encoder and decoder to the
    // toolchain.
    assertEquals(0x0001, cNop());
    assertEquals(0x9002, cEbreak());
    assertEquals(0x8082, cJr(RA)); // ret
    assertEquals(0x7139, cAddi16sp(-64));
    assertEquals(0xFC06, cSdsp(RA, 56));
    assertEquals(0x70E2, cLdsp(RA, 56));
    assertEquals(0x852E, cMv(A0, A1));
    assertEquals(0x0080, cAddi4spn(S0, 64));
    assertEquals(0x4501, cLi(A0, 0));
    assertEquals(0x1141, cAddi(SP, -16));
  }

  @Test
  void stackPointerForms() {
    Hart h =
        run(
            new long[] {SP, 0x10000},
            cAddi4spn(S0, 1020),
            cAddi4spn(S1, 4),
            cAddi16sp(-512),
            cMv(A0, SP),
            cAddi16sp(496),
            cMv(A1, SP));
    assertEquals(0x10000 + 1020, h.reg(S0));
    assertEquals(0x10000 + 4, h.reg(S1));
    assertEquals(0x10000 - 512, h.reg(A0));
    assertEquals(0x10000 - 16, h.reg(A1));
  }

  @Test
  void registerBasedLoadsAndStores() {
    Rig rig = new Rig();
    rig.mem.putLong(D + 248, 0x8000_0000_FFFF_FFFFL);
    rig.mem.putLong(D + 124, 0xFFFF_FFFF_8765_4321L);
    rig.hart.setReg(S1, D);
    rig.hart.setReg(A5, 0x1122_3344_5566_7788L);
    Program p =
        Rig.code()
            .c(cLd(A0, S1, 248))
            .c(cLw(A1, S1, 124))
            .c(cSd(A5, S1, 8))
            .c(cSw(A5, S1, 68))
            .c(cLw(A2, S1, 0))
            .ecall();
    Hart h = rig.exec(p);
    assertEquals(0x8000_0000_FFFF_FFFFL, h.reg(A0));
    assertEquals(0xFFFF_FFFF_8765_4321L, h.reg(A1));
    assertEquals(0x1122_3344_5566_7788L, rig.mem.getLong(D + 8));
    assertEquals(0x5566_7788, rig.mem.getInt(D + 68));
    assertEquals(0, h.reg(A2));
  }

  @Test
  void stackLoadsAndStores() {
    Rig rig = new Rig();
    rig.hart.setReg(SP, D);
    rig.hart.setReg(S2, 0xCAFE_F00D_DEAD_BEEFL);
    rig.mem.putLong(D + 504, 77);
    rig.mem.putInt(D + 252, -5);
    Program p =
        Rig.code()
            .c(cSdsp(S2, 8))
            .c(cSwsp(S2, 16))
            .c(cLdsp(T3, 504))
            .c(cLwsp(T4, 252))
            .c(cLdsp(T5, 8))
            .c(cLwsp(T6, 16))
            .ecall();
    Hart h = rig.exec(p);
    assertEquals(0xCAFE_F00D_DEAD_BEEFL, rig.mem.getLong(D + 8));
    assertEquals(0xDEAD_BEEF, rig.mem.getInt(D + 16));
    assertEquals(77, h.reg(T3));
    assertEquals(-5, h.reg(T4));
    assertEquals(0xCAFE_F00D_DEAD_BEEFL, h.reg(T5));
    assertEquals(0xFFFF_FFFF_DEAD_BEEFL, h.reg(T6));
  }

  @Test
  void immediateForms() {
    Hart h =
        run(
            new long[] {A0, 10, A1, 0x7FFF_FFFF, S0, -1, S1, -1, A2, 0xF0F0},
            cAddi(A0, -32),
            cAddiw(A1, 1),
            cLi(A3, 31),
            cLi(A4, -32),
            cLui(A5, -1),
            cLui(A6, 0x1F),
            cSrli(S0, 60),
            cSrai(S1, 63),
            cAndi(A2, -16),
            cSlli(A3, 33),
            cNop());
    assertEquals(-22, h.reg(A0));
    assertEquals(Integer.MIN_VALUE, h.reg(A1)); // addiw wraps and sign-extends
    assertEquals(31L << 33, h.reg(A3));
    assertEquals(-32, h.reg(A4));
    assertEquals(-4096, h.reg(A5)); // nzimm is sign-extended from bit 17
    assertEquals(31 << 12, h.reg(A6));
    assertEquals(0xF, h.reg(S0));
    assertEquals(-1, h.reg(S1));
    assertEquals(0xF0F0, h.reg(A2));
  }

  @Test
  void shiftsByZeroAndByThirtyTwoAndMore() {
    Hart h =
        run(
            new long[] {S0, 0x8000_0000_0000_0001L, S1, 0x8000_0000_0000_0001L, A0, 3},
            cSrli(S0, 32),
            cSrai(S1, 33),
            cSlli(A0, 63));
    assertEquals(0x8000_0000L, h.reg(S0));
    assertEquals(0xFFFF_FFFF_C000_0000L, h.reg(S1));
    assertEquals(Long.MIN_VALUE, h.reg(A0));
  }

  @Test
  void registerForms() {
    Hart h =
        run(
            new long[] {
              S0,
              12,
              S1,
              5,
              A0,
              0b1100,
              A1,
              0b1010,
              A2,
              0b1100,
              A3,
              0b1100,
              A4,
              0x7FFF_FFFF,
              A5,
              1,
              T0,
              100,
              T1,
              23
            },
            cSub(S0, S1),
            cXor(A0, A1),
            cOr(A2, A1),
            cAnd(A3, A1),
            cAddw(A4, A5),
            cMv(T2, T0),
            cAdd(T0, T1));
    assertEquals(7, h.reg(S0));
    assertEquals(0b0110, h.reg(A0));
    assertEquals(0b1110, h.reg(A2));
    assertEquals(0b1000, h.reg(A3));
    assertEquals(Integer.MIN_VALUE, h.reg(A4));
    assertEquals(100, h.reg(T2));
    assertEquals(123, h.reg(T0));
    Hart w = run(new long[] {S0, 0x1_0000_0000L, S1, 1}, cSubw(S0, S1));
    assertEquals(-1, w.reg(S0));
  }

  @Test
  void jumpsAndBranches() {
    // c.j forward over a c.li; c.beqz taken / not taken; c.bnez backward loop.
    Program p =
        Rig.code()
            .cTo("a", Asm::cJ)
            .c(cLi(A0, 1))
            .label("a")
            .cTo("b", off -> cBeqz(S0, off))
            .c(cLi(A1, 1))
            .label("b")
            .cTo("c", off -> cBeqz(S1, off))
            .c(cLi(A2, 1))
            .label("c")
            .label("loop")
            .c(cAddi(A3, 1))
            .c(cAddi(S1, -1))
            .cTo("loop", off -> cBnez(S1, off))
            .ecall();
    Rig rig = new Rig();
    rig.hart.setReg(S1, 5);
    Hart h = rig.exec(p);
    assertEquals(0, h.reg(A0));
    assertEquals(0, h.reg(A1));
    assertEquals(1, h.reg(A2));
    assertEquals(5, h.reg(A3));
  }

  @Test
  void longCompressedJumpsAndBranches() {
    // c.j reaches +-2 KiB, c.beqz +-256 bytes; test the far ends.
    Program p = Rig.code().cTo("far", Asm::cJ);
    for (int k = 0; k < 1022; k++) {
      p.c(cAddi(A0, 1));
    }
    p.label("far").cTo("near", off -> cBnez(S0, off));
    for (int k = 0; k < 126; k++) {
      p.c(cAddi(A1, 1));
    }
    p.label("near").ecall();
    Rig rig = new Rig();
    rig.hart.setReg(S0, 1);
    Hart h = rig.exec(p);
    assertEquals(2046, p.address("far") - Rig.CODE);
    assertEquals(0, h.reg(A0));
    assertEquals(0, h.reg(A1));
  }

  @Test
  void jrAndJalrLinkTwoBytesOn() {
    Program p = Rig.code().c(cJalr(S0)).ecall().label("f").c(cMv(A0, RA)).c(cJr(RA));
    Rig rig = new Rig();
    rig.hart.setReg(S0, p.address("f"));
    Hart h = rig.exec(p);
    assertEquals(Rig.CODE + 2, h.reg(A0));
    assertEquals(Rig.CODE + 2, h.pc()); // returned to the ECALL after the 2-byte c.jalr
    // c.jalr ra: rs1 == link register
    Program q = Rig.code().c(cJalr(RA)).ecall().label("g").c(cLi(A0, 7)).ecall();
    Rig r2 = new Rig();
    r2.hart.setReg(RA, q.address("g"));
    Hart h2 = r2.exec(q);
    assertEquals(7, h2.reg(A0));
    assertEquals(Rig.CODE + 2, h2.reg(RA));
  }

  @Test
  void ebreak() {
    Rig rig = new Rig();
    rig.load(Rig.code().c(cNop()).c(cEbreak()).ecall());
    assertEquals(Cause.BREAKPOINT, rig.trap());
    assertEquals(Rig.CODE + 2, rig.hart.pc());
    assertEquals(1, rig.hart.instret());
  }

  static void assertIllegal(int half) {
    Rig rig = new Rig();
    rig.load(Rig.code().c(half).c(cNop()).ecall());
    assertEquals(Cause.ILLEGAL_INSTRUCTION, rig.trap(), String.format("0x%04x", half));
    assertEquals(half, rig.hart.trapValue(), String.format("tval of 0x%04x", half));
    assertEquals(Rig.CODE, rig.hart.pc());
  }

  @Test
  void reservedAndAbsentEncodingsAreIllegal() {
    assertIllegal(0x0000); // the all-zero halfword
    assertIllegal(cAddi4spn(S0, 0)); // c.addi4spn nzuimm = 0 (with rd' != 0)
    assertIllegal(cAddi16sp(0));
    assertIllegal(cLui(A0, 0));
    assertIllegal(cAddiw(ZERO, 1));
    assertIllegal(cLwsp(ZERO, 4));
    assertIllegal(cLdsp(ZERO, 8));
    assertIllegal(cJr(ZERO));
    assertIllegal(0b100_1_11_000_10_000_01); // CA with bit12 = 1, funct2 = 10: reserved
    assertIllegal(0b100_1_11_000_11_000_01);
    assertIllegal(0b100_000_000_00_000_00); // quadrant 0 funct3 100: reserved
  }

  @Test
  void hintsExecuteAsNothing() {
    Hart h =
        run(
            new long[] {A0, 5},
            cAddi(ZERO, 3),
            cLi(ZERO, 7),
            cMv(ZERO, A0),
            cAdd(ZERO, A0),
            cSlli(ZERO, 3),
            cLui(ZERO, 1),
            cAddi(A0, 0));
    assertEquals(0, h.reg(ZERO));
    assertEquals(5, h.reg(A0));
  }

  @Test
  void mixedWidthsInterleave() {
    Program p =
        Rig.code().c(cLi(A0, 1)).i(addi(A0, A0, 2)).c(cAddi(A0, 4)).i(slli(A0, A0, 1)).ecall();
    Hart h = new Rig().exec(p);
    assertEquals(14, h.reg(A0));
    assertEquals(4, h.instret());
    assertEquals(Rig.CODE + 12, h.pc());
  }
}
