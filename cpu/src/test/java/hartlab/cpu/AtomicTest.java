package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;

/** LR/SC reservations and every AMO in both widths. */
class AtomicTest {
  static final long D = Rig.DATA;

  @Test
  void lrScSucceeds() {
    Rig rig = new Rig();
    rig.mem.putLong(D, 41);
    rig.hart.setReg(A1, D);
    Hart h = rig.exec(Rig.code().i(lrD(A0, A1)).i(addi(A2, A0, 1)).i(scD(A3, A1, A2)).ecall());
    assertEquals(41, h.reg(A0));
    assertEquals(0, h.reg(A3));
    assertEquals(42, rig.mem.getLong(D));
  }

  @Test
  void lrWSignExtendsAndScWWritesAWord() {
    Rig rig = new Rig();
    rig.mem.putLong(D, 0x1111_1111_8000_0000L);
    rig.hart.setReg(A1, D);
    rig.hart.setReg(A2, 0x7777_7777_0000_0005L);
    Hart h = rig.exec(Rig.code().i(lrW(A0, A1)).i(scW(A3, A1, A2)).ecall());
    assertEquals(0xFFFF_FFFF_8000_0000L, h.reg(A0));
    assertEquals(0, h.reg(A3));
    assertEquals(0x1111_1111_0000_0005L, rig.mem.getLong(D));
  }

  @Test
  void scWithoutReservationFails() {
    Rig rig = new Rig();
    rig.hart.setReg(A1, D);
    rig.hart.setReg(A2, 99);
    Hart h = rig.exec(Rig.code().i(scD(A3, A1, A2)).ecall());
    assertEquals(1, h.reg(A3));
    assertEquals(0, rig.mem.getLong(D));
  }

  @Test
  void secondScFailsBecauseAnyScClearsTheReservation() {
    Rig rig = new Rig();
    rig.hart.setReg(A1, D);
    rig.hart.setReg(A2, 5);
    Hart h = rig.exec(Rig.code().i(lrD(A0, A1)).i(scD(A3, A1, A2)).i(scD(A4, A1, A2)).ecall());
    assertEquals(0, h.reg(A3));
    assertEquals(1, h.reg(A4));
  }

  @Test
  void scToAnotherAddressOrWidthFails() {
    Rig rig = new Rig();
    rig.hart.setReg(A1, D);
    rig.hart.setReg(A5, D + 8);
    rig.hart.setReg(A2, 5);
    Hart h =
        rig.exec(
            Rig.code().i(lrD(A0, A1)).i(scD(A3, A5, A2)).i(lrD(A0, A1)).i(scW(A4, A1, A2)).ecall());
    assertEquals(1, h.reg(A3));
    assertEquals(1, h.reg(A4));
    assertEquals(0, rig.mem.getLong(D));
    assertEquals(0, rig.mem.getLong(D + 8));
  }

  @Test
  void clearReservationMakesScFail() {
    Rig rig = new Rig();
    rig.hart.setReg(A1, D);
    rig.hart.setReg(A2, 5);
    rig.load(Rig.code().i(lrD(A0, A1)).ecall().i(scD(A3, A1, A2)).ecall());
    rig.runToEcall();
    rig.hart.clearReservation(); // as the kernel does on every trap
    rig.hart.setPc(rig.hart.pc() + 4);
    assertEquals(1, rig.runToEcall().reg(A3));
  }

  @Test
  void interveningStoreByAnotherHartMakesScFail() {
    Rig rig = new Rig();
    Rig other = new Rig(rig, 1);
    rig.mem.putLong(D, 10);
    rig.hart.setReg(A1, D);
    rig.hart.setReg(A2, 11);
    // Hart 0: LR, then ECALL (we run hart 1 meanwhile), then SC.
    Program p0 = Rig.code().i(lrD(A0, A1)).ecall().i(scD(A3, A1, A2)).ecall();
    rig.load(p0);
    rig.runToEcall();
    other.hart.setReg(A1, D);
    other.hart.setReg(A2, 20);
    Program p1 = new Program(Rig.CODE + 0x4000).i(sd(A2, A1, 0)).ecall();
    other.load(p1);
    other.runToEcall();
    rig.hart.setPc(rig.hart.pc() + 4);
    Hart h = rig.runToEcall();
    assertEquals(1, h.reg(A3));
    assertEquals(20, rig.mem.getLong(D));
  }

  @Test
  void misalignedAtomicsTrap() {
    Rig rig = new Rig();
    rig.hart.setReg(A1, D + 4);
    rig.load(Rig.code().i(lrD(A0, A1)).ecall());
    assertEquals(Cause.LOAD_MISALIGNED, rig.trap());
    assertEquals(D + 4, rig.hart.trapValue());
    rig.load(Rig.code().i(scD(A0, A1, A2)).ecall());
    assertEquals(Cause.STORE_MISALIGNED, rig.trap());
    rig.hart.setReg(A1, D + 2);
    rig.load(Rig.code().i(amo(AMOADD, 2, A0, A1, A2)).ecall());
    assertEquals(Cause.STORE_MISALIGNED, rig.trap());
    assertEquals(D + 2, rig.hart.trapValue());
    assertEquals(Rig.CODE, rig.hart.pc());
  }

  static long amoOnce(int funct5, int width, long memBefore, long src, long[] memAfter) {
    Rig rig = new Rig();
    rig.mem.putLong(D, memBefore);
    rig.hart.setReg(A1, D);
    rig.hart.setReg(A2, src);
    Hart h = rig.exec(Rig.code().i(amo(funct5, width, A0, A1, A2)).ecall());
    memAfter[0] = rig.mem.getLong(D);
    return h.reg(A0);
  }

  void checkAmo(String name, int funct5, LongBinaryOperator d, LongBinaryOperator w) {
    long[] pairs = {
      0, 1, -1, 5, Long.MIN_VALUE, Long.MAX_VALUE, 0x0000_0001_8000_0000L, 0x7FFF_FFFFL
    };
    long[] after = new long[1];
    for (long m : pairs) {
      for (long s : pairs) {
        assertEquals(m, amoOnce(funct5, 3, m, s, after), name + ".d old " + m + "," + s);
        assertEquals(d.applyAsLong(m, s), after[0], name + ".d new " + m + "," + s);
        // .W: operates on the low word, returns it sign-extended, leaves the high word alone.
        assertEquals(
            (long) (int) m, amoOnce(funct5, 2, m, s, after), name + ".w old " + m + "," + s);
        long newWord = w.applyAsLong((int) m, (int) s) & 0xFFFF_FFFFL;
        assertEquals(
            (m & 0xFFFF_FFFF_0000_0000L) | newWord, after[0], name + ".w new " + m + "," + s);
      }
    }
  }

  @Test
  void amos() {
    checkAmo("amoswap", AMOSWAP, (m, s) -> s, (m, s) -> s);
    checkAmo("amoadd", AMOADD, (m, s) -> m + s, (m, s) -> (int) m + (int) s);
    checkAmo("amoxor", AMOXOR, (m, s) -> m ^ s, (m, s) -> m ^ s);
    checkAmo("amoand", AMOAND, (m, s) -> m & s, (m, s) -> m & s);
    checkAmo("amoor", AMOOR, (m, s) -> m | s, (m, s) -> m | s);
    checkAmo("amomin", AMOMIN, Math::min, (m, s) -> Math.min((int) m, (int) s));
    checkAmo("amomax", AMOMAX, Math::max, (m, s) -> Math.max((int) m, (int) s));
    checkAmo(
        "amominu",
        AMOMINU,
        (m, s) -> Long.compareUnsigned(m, s) <= 0 ? m : s,
        (m, s) -> Integer.compareUnsigned((int) m, (int) s) <= 0 ? m : s);
    checkAmo(
        "amomaxu",
        AMOMAXU,
        (m, s) -> Long.compareUnsigned(m, s) >= 0 ? m : s,
        (m, s) -> Integer.compareUnsigned((int) m, (int) s) >= 0 ? m : s);
  }

  @Test
  void amoWithRdX0StillStores() {
    long[] after = new long[1];
    Rig rig = new Rig();
    rig.hart.setReg(A1, D);
    rig.hart.setReg(A2, 3);
    rig.exec(Rig.code().i(amo(AMOADD, 3, ZERO, A1, A2)).i(amo(AMOADD, 3, ZERO, A1, A2)).ecall());
    assertEquals(6, rig.mem.getLong(D));
    assertEquals(0, rig.hart.reg(ZERO));
  }

  /**
   * Runs {@code p} to its ECALL on two harts at once (two threads), each with a1 = D, a2 = 1, a3 =
   * n.
   */
  static Rig raceTwoHarts(Program p, int n) throws InterruptedException {
    Rig rig = new Rig();
    Rig other = new Rig(rig, 1);
    for (Rig r : new Rig[] {rig, other}) {
      r.hart.setReg(A1, D);
      r.hart.setReg(A2, 1);
      r.hart.setReg(A3, n);
    }
    rig.load(p);
    other.hart.setPc(p.origin);
    Thread t = new Thread(other::runToEcall);
    t.start();
    rig.runToEcall();
    t.join();
    return rig;
  }

  @Test
  void twoHartsIncrementingWithAmoAddLoseNothing() throws Exception {
    int n = 200_000;
    Program p =
        Rig.code()
            .label("loop")
            .i(amo(AMOADD, 2, ZERO, A1, A2))
            .i(addi(A3, A3, -1))
            .to("loop", off -> bne(A3, ZERO, off))
            .ecall();
    assertEquals(2 * n, raceTwoHarts(p, n).mem.getInt(D));
  }

  @Test
  void twoHartsIncrementingWithLrScLoseNothing() throws Exception {
    int n = 100_000;
    Program p =
        Rig.code()
            .label("loop")
            .i(lrD(A0, A1))
            .i(add(A0, A0, A2))
            .i(scD(A4, A1, A0))
            .to("loop", off -> bne(A4, ZERO, off))
            .i(addi(A3, A3, -1))
            .to("loop", off -> bne(A3, ZERO, off))
            .ecall();
    assertEquals(2L * n, raceTwoHarts(p, n).mem.getLong(D));
  }
}
