package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * F and D instructions run by the interpreter, on the corners the spec spells out: NaN-boxing,
 * canonical NaNs, signed zeros, subnormals and tininess after rounding, overflow and underflow in
 * every rounding mode, saturating conversions, FCLASS, FMIN/FMAX and compares with NaNs, reserved
 * and dynamic rounding modes, the FP CSRs, loads and stores (compressed, misaligned), and the
 * kernel-facing state API. Expected values are written out here, not computed.
 */
class FpTest {
  static final int S = 0, D = 1;
  static final int NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
  static final long BOX = 0xFFFFFFFF00000000L;

  static final long ONE = d(1.0), TWO = d(2.0), MAX = 0x7fefffffffffffffL;
  static final long INF = 0x7ff0000000000000L, NINF = 0xfff0000000000000L;
  static final long QNAN = 0x7ff8000000000000L, SNAN = 0x7ff0000000000001L;
  static final long MIN_NORMAL = 0x0010000000000000L, NZERO = 0x8000000000000000L;

  static long d(double v) {
    return Double.doubleToRawLongBits(v);
  }

  static long s(float v) {
    return BOX | (Float.floatToRawIntBits(v) & 0xFFFFFFFFL);
  }

  static long sb(int bits) {
    return BOX | (bits & 0xFFFFFFFFL);
  }

  /** One hart with preset registers; {@link #run} executes instructions up to an appended ECALL. */
  static final class Fp {
    final Rig rig = new Rig();

    Fp f(int r, long bits) {
      rig.hart.setFpReg(r, bits);
      return this;
    }

    Fp x(int r, long v) {
      rig.hart.setReg(r, v);
      return this;
    }

    Fp fcsr(int v) {
      rig.hart.setFcsr(v);
      return this;
    }

    Fp run(int... insns) {
      Program p = Rig.code();
      for (int insn : insns) {
        p.i(insn);
      }
      rig.exec(p.ecall());
      return this;
    }

    long f(int r) {
      return rig.hart.fpReg(r);
    }

    long x(int r) {
      return rig.hart.reg(r);
    }

    int flags() {
      return rig.hart.fcsr() & 0x1f;
    }
  }

  /** Runs one instruction with f1 = a, f2 = b, f3 = c and returns the hart; result in f10 or a0. */
  static Fp op(int insn, long a, long b, long c) {
    return new Fp().f(1, a).f(2, b).f(3, c).run(insn);
  }

  static void expect(Fp h, int reg, long bits, int flags, String what) {
    assertEquals(
        String.format("0x%016x flags %s", bits, FpOracle.flagNames(flags)),
        String.format("0x%016x flags %s", h.f(reg), FpOracle.flagNames(h.flags())),
        what);
  }

  static void expectX(Fp h, long v, int flags, String what) {
    assertEquals(
        String.format("0x%016x flags %s", v, FpOracle.flagNames(flags)),
        String.format("0x%016x flags %s", h.x(A0), FpOracle.flagNames(h.flags())),
        what);
  }

  // ---- NaN-boxing (spec 12.2) ----

  @Test
  void singlesReadFromUnboxedRegistersAreTheCanonicalNaN() {
    long unboxed = 0x000000003f800000L; // 1.0f without its box
    expect(op(fadd(S, 10, 1, 2, RNE), unboxed, s(1), 0), 10, BOX | 0x7fc00000, 0, "fadd.s");
    expect(
        op(fadd(S, 10, 1, 2, RNE), 0xFFFFFFFE3f800000L, s(1), 0), 10, BOX | 0x7fc00000, 0, "box");
    // fsgnj injects a sign into the canonical NaN; fclass sees a quiet NaN; fcvt.d.s widens it.
    expect(op(fsgnj(S, 1, 10, 1, 2), unboxed, s(1), 0), 10, BOX | 0xffc00000L, 0, "fsgnjn.s");
    Fp h = op(fclass(S, A0, 1), unboxed, 0, 0);
    assertEquals(1 << 9, h.x(A0), "fclass.s");
    expect(op(fcvtDS(10, 1, RNE), unboxed, 0, 0), 10, QNAN, 0, "fcvt.d.s");
    expectX(op(fcvtToInt(S, 0, A0, 1, RNE), unboxed, 0, 0), 0x7fffffff, NV, "fcvt.w.s");
  }

  @Test
  void transfersMoveBitsWithoutLooking() {
    Fp h = op(fmvX(S, A0, 1), 0x12345678_87654321L, 0, 0);
    assertEquals(0xffffffff87654321L, h.x(A0), "fmv.x.w sign-extends the low word, boxed or not");
    h = new Fp().x(A1, 0x1111111180000000L).run(fmvF(S, 10, A1));
    assertEquals(BOX | 0x80000000L, h.f(10), "fmv.w.x boxes");
    h = new Fp().x(A1, 0x7ff0000000000001L).run(fmvF(D, 10, A1), fmvX(D, A0, 10));
    assertEquals(SNAN, h.f(10), "fmv.d.x keeps a signalling NaN");
    assertEquals(SNAN, h.x(A0));
    assertEquals(0, h.flags());
    // flw boxes; fsw stores the low word of an unboxed register as it is.
    Fp m = new Fp().x(A1, Rig.DATA).f(2, 0x0000000012345678L);
    m.rig.mem.putInt(Rig.DATA, 0x7f800001); // a signalling NaN
    m.run(flw(10, A1, 0), fsw(2, A1, 8), fld(11, A1, 0));
    assertEquals(BOX | 0x7f800001L, m.f(10), "flw");
    assertEquals(0x12345678, m.rig.mem.getInt(Rig.DATA + 8), "fsw");
    assertEquals(0, m.flags());
  }

  // ---- canonical NaN, signed zeros (spec 11.3) ----

  @Test
  void arithmeticReturnsTheCanonicalNaN() {
    expect(op(fadd(D, 10, 1, 2, RNE), SNAN | NZERO, ONE, 0), 10, QNAN, NV, "sNaN + 1");
    expect(op(fadd(D, 10, 1, 2, RNE), 0xfff8000000000123L, ONE, 0), 10, QNAN, 0, "-qNaN + 1");
    expect(op(fmul(S, 10, 1, 2, RNE), sb(0x7f800000), s(0), 0), 10, BOX | 0x7fc00000, NV, "inf*0");
    expect(op(fsub(D, 10, 1, 2, RNE), INF, INF, 0), 10, QNAN, NV, "inf-inf");
    expect(op(fdiv(D, 10, 1, 2, RNE), 0, NZERO, 0), 10, QNAN, NV, "0/-0");
    expect(op(fsqrt(D, 10, 1, RNE), d(-1), 0, 0), 10, QNAN, NV, "sqrt(-1)");
    expect(op(fdiv(D, 10, 1, 2, RNE), d(-3), 0, 0), 10, NINF, DZ, "-3/0");
    expect(op(fcvtSD(10, 1, RNE), SNAN, 0, 0), 10, BOX | 0x7fc00000, NV, "fcvt.s.d sNaN");
  }

  @Test
  void signedZeros() {
    expect(op(fadd(D, 10, 1, 2, RNE), NZERO, NZERO, 0), 10, NZERO, 0, "-0 + -0");
    expect(op(fadd(D, 10, 1, 2, RNE), 0, NZERO, 0), 10, 0, 0, "+0 + -0");
    expect(op(fadd(D, 10, 1, 2, RDN), 0, NZERO, 0), 10, NZERO, 0, "+0 + -0 down");
    expect(op(fsub(D, 10, 1, 2, RDN), d(3), d(3), 0), 10, NZERO, 0, "3 - 3 down");
    expect(op(fsub(D, 10, 1, 2, RUP), d(3), d(3), 0), 10, 0, 0, "3 - 3 up");
    expect(op(fadd(S, 10, 1, 2, RDN), s(1), s(-1), 0), 10, s(-0f), 0, "1 + -1 down, single");
    expect(op(fmul(D, 10, 1, 2, RNE), NZERO, d(5), 0), 10, NZERO, 0, "-0 * 5");
    expect(op(fsqrt(D, 10, 1, RNE), NZERO, 0, 0), 10, NZERO, 0, "sqrt(-0)");
    expect(op(fmadd(D, 10, 1, 2, 3, RNE), 0, d(-5), NZERO), 10, NZERO, 0, "0*-5 + -0");
    expect(op(fmadd(D, 10, 1, 2, 3, RNE), d(2), d(3), d(-6)), 10, 0, 0, "2*3 - 6");
    expect(op(fmadd(D, 10, 1, 2, 3, RDN), d(2), d(3), d(-6)), 10, NZERO, 0, "2*3 - 6 down");
    expect(op(fnmadd(D, 10, 1, 2, 3, RNE), 0, d(5), 0), 10, NZERO, 0, "-(0*5) - 0");
  }

  // ---- subnormals, tininess after rounding (spec 11.4), overflow ----

  @Test
  void subnormalsAndTininessAfterRounding() {
    expect(op(fmul(D, 10, 1, 2, RNE), MIN_NORMAL, d(0.5), 0), 10, 1L << 51, 0, "exact subnormal");
    expect(op(fdiv(D, 10, 1, 2, RNE), 1, TWO, 0), 10, 0, UF | NX, "min/2 to even: 0");
    expect(op(fdiv(D, 10, 1, 2, RUP), 1, TWO, 0), 10, 1, UF | NX, "min/2 up");
    expect(op(fdiv(D, 10, 1, 2, RMM), 1, TWO, 0), 10, 1, UF | NX, "min/2 away");
    // (1 - 2^-53) * 2^-1022 is exact at 53 bits below 2^-1022: tiny, and it rounds up to the
    // smallest normal: UF although the result is normal.
    expect(
        op(fmul(D, 10, 1, 2, RNE), 0x3fefffffffffffffL, MIN_NORMAL, 0),
        10,
        MIN_NORMAL,
        UF | NX,
        "tiny, rounds to normal");
    // (1 - 2^-23)(1 + 2^-23) * 2^-126 = (1 - 2^-46) * 2^-126 rounds to 2^-126 even with an
    // unbounded exponent: not tiny, only inexact. Towards zero it stays below: tiny.
    expect(
        op(fmul(S, 10, 1, 2, RNE), sb(0x3f7ffffe), sb(0x00800001), 0),
        10,
        sb(0x00800000),
        NX,
        "not tiny after rounding");
    expect(
        op(fmul(S, 10, 1, 2, RTZ), sb(0x3f7ffffe), sb(0x00800001), 0),
        10,
        sb(0x007fffff),
        UF | NX,
        "tiny towards zero");
  }

  @Test
  void overflowAndUnderflowInEveryRoundingMode() {
    long[] pos = {INF, MAX, MAX, INF, INF}; // RNE RTZ RDN RUP RMM
    long[] neg = {NINF, MAX | NZERO, NINF, MAX | NZERO, NINF};
    for (int rm = 0; rm < 5; rm++) {
      expect(op(fmul(D, 10, 1, 2, rm), MAX, TWO, 0), 10, pos[rm], OF | NX, "MAX*2 rm " + rm);
      expect(op(fmul(D, 10, 1, 2, rm), MAX, d(-2), 0), 10, neg[rm], OF | NX, "MAX*-2 rm " + rm);
    }
    // 2^-1000 * 2^-100: below the smallest subnormal, far from a tie.
    long[] tinyPos = {0, 0, 0, 1, 0};
    long[] tinyNeg = {NZERO, NZERO, NZERO | 1, NZERO, NZERO};
    for (int rm = 0; rm < 5; rm++) {
      expect(
          op(fmul(D, 10, 1, 2, rm), d(0x1p-1000), d(0x1p-100), 0),
          10,
          tinyPos[rm],
          UF | NX,
          "tiny rm " + rm);
      expect(
          op(fmul(D, 10, 1, 2, rm), d(-0x1p-1000), d(0x1p-100), 0),
          10,
          tinyNeg[rm],
          UF | NX,
          "-tiny rm " + rm);
    }
    // A quarter ulp above MAX: RTZ keeps MAX with no overflow, RUP overflows.
    expect(op(fadd(D, 10, 1, 2, RTZ), MAX, d(0x1p969), 0), 10, MAX, NX, "MAX + ulp/4 RTZ");
    expect(op(fadd(D, 10, 1, 2, RUP), MAX, d(0x1p969), 0), 10, INF, OF | NX, "MAX + ulp/4 RUP");
    expect(
        op(fadd(S, 10, 1, 2, RTZ), sb(0x7f7fffff), sb(0x7f7fffff), 0),
        10,
        sb(0x7f7fffff),
        OF | NX,
        "single 2*MAX towards zero");
  }

  @Test
  void roundingModesOnATie() {
    // 1 + 2^-53 is halfway between 1 and 1 + 2^-52.
    long[] up = {ONE, ONE, ONE, d(1 + 0x1p-52), d(1 + 0x1p-52)};
    for (int rm = 0; rm < 5; rm++) {
      int flags = NX;
      expect(op(fadd(D, 10, 1, 2, rm), ONE, d(0x1p-53), 0), 10, up[rm], flags, "tie rm " + rm);
    }
    // 1/3 in single, each mode.
    int[] third = {0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab};
    for (int rm = 0; rm < 5; rm++) {
      expect(op(fdiv(S, 10, 1, 2, rm), s(1), s(3), 0), 10, sb(third[rm]), NX, "1/3 rm " + rm);
    }
  }

  @Test
  void fusedMultiplyAddRoundsOnce() {
    // (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly; a separate multiply would round to 0.
    expect(
        op(fmadd(D, 10, 1, 2, 3, RNE), d(1 + 0x1p-30), d(1 - 0x1p-30), d(-1)),
        10,
        d(-0x1p-60),
        0,
        "fmadd.d");
    expect(
        op(fmsub(S, 10, 1, 2, 3, RNE), s(1 + 0x1p-13f), s(1 - 0x1p-13f), s(1)),
        10,
        s(-0x1p-26f),
        0,
        "fmsub.s");
    expect(op(fnmsub(D, 10, 1, 2, 3, RNE), d(2), d(3), d(7)), 10, d(1), 0, "fnmsub: -(2*3) + 7");
    // inf * 0 sets NV even when the addend is a quiet NaN (spec 11.6).
    expect(op(fmadd(D, 10, 1, 2, 3, RNE), INF, 0, QNAN), 10, QNAN, NV, "inf*0 + qNaN");
    expect(op(fmadd(D, 10, 1, 2, 3, RNE), ONE, ONE, QNAN), 10, QNAN, 0, "1*1 + qNaN");
  }

  // ---- conversions: saturation (spec 11.7, Table 11.4) ----

  @Test
  void conversionsToIntegersSaturate() {
    // {source, kind (0 w, 1 wu, 2 l, 3 lu), rm, expected, flags}
    Object[][] cases = {
      {QNAN, 0, RNE, 0x7fffffffL, NV},
      {INF, 0, RNE, 0x7fffffffL, NV},
      {NINF, 0, RNE, 0xffffffff80000000L, NV},
      {d(0x1p31), 0, RNE, 0x7fffffffL, NV},
      {d(-0x1p31), 0, RNE, 0xffffffff80000000L, 0},
      {d(2147483647.5), 0, RNE, 0x7fffffffL, NV}, // rounds to 2^31: out of range
      {d(2147483647.5), 0, RTZ, 0x7fffffffL, NX},
      {d(-1), 1, RNE, 0L, NV},
      {d(-0.5), 1, RNE, 0L, NX}, // rounds to -0: in range
      {d(-0.5), 1, RDN, 0L, NV}, // rounds to -1
      {d(4294967295.0), 1, RNE, -1L, 0}, // 0xffffffff, sign-extended
      {d(0x1p32), 1, RNE, -1L, NV},
      {QNAN, 1, RNE, -1L, NV},
      {d(0x1p63), 2, RNE, Long.MAX_VALUE, NV},
      {d(-0x1p63), 2, RNE, Long.MIN_VALUE, 0},
      {NINF, 2, RNE, Long.MIN_VALUE, NV},
      {QNAN, 2, RNE, Long.MAX_VALUE, NV},
      {d(0x1p64), 3, RNE, -1L, NV},
      {d(0x1.fffffffffffffp63), 3, RNE, 0xfffffffffffff800L, 0},
      {d(-0.9), 3, RTZ, 0L, NX},
      {NINF, 3, RNE, 0L, NV},
      {d(1.5), 2, RNE, 2L, NX},
      {d(2.5), 2, RNE, 2L, NX},
      {d(2.5), 2, RMM, 3L, NX},
      {d(-2.5), 2, RMM, -3L, NX},
      {d(-2.5), 2, RDN, -3L, NX},
      {d(-2.5), 2, RUP, -2L, NX},
      {d(0.49999999999999994), 2, RMM, 0L, NX},
    };
    for (Object[] c : cases) {
      long src = (Long) c[0];
      int kind = (Integer) c[1];
      int rm = (Integer) c[2];
      Fp h = op(fcvtToInt(D, kind, A0, 1, rm), src, 0, 0);
      expectX(
          h,
          (Long) c[3],
          (Integer) c[4],
          String.format("fcvt kind %d of 0x%x rm %d", kind, src, rm));
    }
    expectX(
        op(fcvtToInt(S, 1, A0, 1, RNE), s(3e9f), 0, 0),
        3000000000L | 0xffffffff00000000L,
        0,
        "fcvt.wu.s");
    expectX(op(fcvtToInt(S, 3, A0, 1, RNE), s(-0f), 0, 0), 0, 0, "fcvt.lu.s -0");
  }

  @Test
  void conversionsFromIntegersRound() {
    Fp h =
        new Fp()
            .x(A1, 16777217)
            .run(fcvtFromInt(S, 0, 10, A1, RNE), fcvtFromInt(S, 0, 11, A1, RUP));
    assertEquals(s(16777216f), h.f(10));
    assertEquals(s(16777218f), h.f(11));
    assertEquals(NX, h.flags());
    h = new Fp().x(A1, -1).run(fcvtFromInt(D, 1, 10, A1, RNE), fcvtFromInt(D, 3, 11, A1, RTZ));
    assertEquals(d(4294967295.0), h.f(10), "fcvt.d.wu takes the low word unsigned");
    assertEquals(d(0x1.fffffffffffffp63), h.f(11), "fcvt.d.lu of 2^64-1 towards zero");
    h =
        new Fp()
            .x(A1, Long.MIN_VALUE)
            .run(fcvtFromInt(S, 2, 10, A1, RNE), fcvtFromInt(D, 0, 11, A1, RNE));
    assertEquals(s(-0x1p63f), h.f(10));
    assertEquals(d(0), h.f(11), "fcvt.d.w takes the low word: 0");
    assertEquals(0, h.flags());
    // double to single: rounding, overflow, underflow
    expect(op(fcvtSD(10, 1, RNE), d(0x1p200), 0, 0), 10, sb(0x7f800000), OF | NX, "overflow");
    expect(op(fcvtSD(10, 1, RTZ), d(0x1p200), 0, 0), 10, sb(0x7f7fffff), OF | NX, "overflow rtz");
    expect(op(fcvtSD(10, 1, RNE), d(0x1p-160), 0, 0), 10, sb(0), UF | NX, "underflow");
    expect(op(fcvtSD(10, 1, RNE), d(0x1p-149), 0, 0), 10, sb(1), 0, "exact subnormal");
    expect(op(fcvtDS(10, 1, RNE), sb(0x7f800001), 0, 0), 10, QNAN, NV, "fcvt.d.s sNaN");
  }

  // ---- classify, min/max, compares ----

  @Test
  void classifyEveryClass() {
    long[] doubles = {NINF, d(-1), NZERO | 1, NZERO, 0, 1, d(1), INF, SNAN, QNAN};
    int[] singles = {
      0xff800000,
      0xbf800000,
      0x80000001,
      0x80000000,
      0,
      1,
      0x3f800000,
      0x7f800000,
      0x7f800001,
      0x7fc00000
    };
    for (int k = 0; k < 10; k++) {
      assertEquals(1L << k, op(fclass(D, A0, 1), doubles[k], 0, 0).x(A0), "fclass.d class " + k);
      assertEquals(1L << k, op(fclass(S, A0, 1), sb(singles[k]), 0, 0).x(A0), "fclass.s " + k);
    }
  }

  @Test
  void minMaxAndComparesWithNaNsAndZeros() {
    expect(op(fmin(D, 10, 1, 2), SNAN, d(1), 0), 10, d(1), NV, "fmin(sNaN, 1)");
    expect(op(fmax(D, 10, 1, 2), d(1), QNAN, 0), 10, d(1), 0, "fmax(1, qNaN)");
    expect(op(fmin(D, 10, 1, 2), QNAN, SNAN, 0), 10, QNAN, NV, "fmin(qNaN, sNaN)");
    expect(op(fmax(S, 10, 1, 2), sb(0x7f800001), sb(0x7fc00000), 0), 10, sb(0x7fc00000), NV, "s");
    expect(op(fmin(D, 10, 1, 2), 0, NZERO, 0), 10, NZERO, 0, "fmin(+0, -0)");
    expect(op(fmin(D, 10, 1, 2), NZERO, 0, 0), 10, NZERO, 0, "fmin(-0, +0)");
    expect(op(fmax(D, 10, 1, 2), NZERO, 0, 0), 10, 0, 0, "fmax(-0, +0)");
    expect(op(fmax(S, 10, 1, 2), s(0), s(-0f), 0), 10, s(0), 0, "fmax.s(+0, -0)");
    expectX(op(feq(D, A0, 1, 2), QNAN, d(1), 0), 0, 0, "feq qNaN: quiet");
    expectX(op(feq(D, A0, 1, 2), SNAN, d(1), 0), 0, NV, "feq sNaN");
    expectX(op(flt(D, A0, 1, 2), QNAN, d(1), 0), 0, NV, "flt qNaN: signalling");
    expectX(op(fle(S, A0, 1, 2), s(1), sb(0x7fc00000), 0), 0, NV, "fle.s qNaN");
    expectX(op(fle(S, A0, 1, 2), s(-0f), s(0), 0), 1, 0, "-0 <= +0");
    expectX(op(flt(S, A0, 1, 2), s(-0f), s(0), 0), 0, 0, "-0 < +0 is false");
    expectX(op(feq(D, A0, 1, 2), NZERO, 0, 0), 1, 0, "-0 == +0");
  }

  // ---- rounding-mode legality (spec 11.2) ----

  @Test
  void dynamicRoundingWithAnInvalidFrmIsIllegal() {
    for (int frm = 5; frm < 8; frm++) {
      int insn = fadd(D, 10, 1, 2, DYN);
      Fp h = new Fp().f(1, ONE).f(2, ONE).f(10, 0x1234).fcsr(frm << 5 | NV);
      h.rig.load(Rig.code().i(insn).ecall());
      assertEquals(Cause.ILLEGAL_INSTRUCTION, h.rig.trap(), "frm " + frm);
      assertEquals(insn & 0xFFFFFFFFL, h.rig.hart.trapValue());
      assertEquals(Rig.CODE, h.rig.hart.pc());
      assertEquals(0, h.rig.hart.instret());
      assertEquals(0x1234, h.f(10), "rd unchanged");
      assertEquals(frm << 5 | NV, h.rig.hart.fcsr(), "fcsr unchanged");
    }
    // The same frm is harmless to static modes and to instructions without rounding.
    Fp h = new Fp().f(1, ONE).f(2, TWO).fcsr(7 << 5);
    h.run(fadd(D, 10, 1, 2, RNE), fsgnj(D, 1, 11, 1, 2), fmin(D, 12, 1, 2));
    assertEquals(d(3), h.f(10));
    // Each valid frm is taken by a dynamic instruction: 1/3 in each mode.
    long[] third = {
      0x3fd5555555555555L,
      0x3fd5555555555555L,
      0x3fd5555555555555L,
      0x3fd5555555555556L,
      0x3fd5555555555555L
    };
    for (int frm = 0; frm < 5; frm++) {
      h = new Fp().f(1, ONE).f(2, d(3)).fcsr(frm << 5).run(fdiv(D, 10, 1, 2, DYN));
      assertEquals(third[frm], h.f(10), "frm " + frm);
    }
    // fsrmi sets frm for what follows.
    h = new Fp().f(1, ONE).f(2, d(3)).run(fsrmi(ZERO, RUP), fdiv(D, 10, 1, 2, DYN));
    assertEquals(third[RUP], h.f(10));
  }

  // ---- the FP CSRs (spec 11.2) ----

  @Test
  void csrInstructionsOnFflagsFrmAndFcsr() {
    Fp h =
        new Fp()
            .x(A1, 0x1ff)
            .run(
                csrrw(A2, FCSR, A1), // fcsr = 0xff (bit 8 ignored), a2 = old 0
                csrrs(A3, FRM, ZERO), // read frm: 7
                csrrci(A4, FFLAGS, 0b00101), // a4 = 0x1f, clear NX and OF
                csrrs(A5, FCSR, ZERO), // 0xfa
                csrrwi(A6, FRM, 2), // frm = 2, a6 = 7
                csrrsi(A7, FFLAGS, 0), // read, no write
                csrrc(T0, FCSR, A1), // clears everything; t0 = 0x5a
                frcsr(T1));
    assertEquals(0, h.x(A2));
    assertEquals(7, h.x(A3));
    assertEquals(0x1f, h.x(A4));
    assertEquals(0xfa, h.x(A5));
    assertEquals(7, h.x(A6));
    assertEquals(0x1a, h.x(A7));
    assertEquals(0x5a, h.x(T0));
    assertEquals(0, h.x(T1));
    // Flags accrue: an inexact then a divide by zero.
    h =
        new Fp()
            .f(1, ONE)
            .f(2, d(3))
            .f(3, 0)
            .run(fdiv(D, 10, 1, 2, RNE), fdiv(D, 11, 1, 3, RNE), frflags(A0));
    assertEquals(NX | DZ, h.x(A0));
  }

  // ---- loads and stores ----

  @Test
  void compressedAndMisalignedLoadsAndStores() {
    Fp h = new Fp().x(S0, Rig.DATA).x(SP, Rig.DATA + 0x100).f(9, d(Math.PI)).f(0, d(Math.E));
    Program p =
        Rig.code()
            .c(cFsd(S1, S0, 16)) // f9 -> DATA+16
            .c(cFld(A0, S0, 16)) // f10
            .c(cFsdsp(0, 8)) // f0 -> SP+8
            .c(cFldsp(31, 8)) // f31
            .c(cFldsp(0, 16 + 0)) // f0 from SP+16 (zero)
            .li(A1, Rig.DATA + 0xFFC) // at a page end
            .i(fsd(9, A1, 0)) // misaligned across the page boundary
            .i(fld(12, A1, 0))
            .li(A1, Rig.DATA + 0xFFE)
            .i(fsw(9, A1, 0)) // the low word of pi, across the boundary
            .i(flw(13, A1, 0));
    h.rig.exec(p.ecall());
    assertEquals(d(Math.PI), h.f(10), "c.fsd/c.fld");
    assertEquals(d(Math.E), h.f(31), "c.fsdsp/c.fldsp");
    assertEquals(0, h.f(0), "c.fldsp into f0");
    assertEquals(d(Math.PI), h.f(12), "misaligned fsd/fld");
    assertEquals(BOX | (d(Math.PI) & 0xFFFFFFFFL), h.f(13), "misaligned fsw/flw");
  }

  // ---- the kernel's API ----

  @Test
  void saveLoadFcsrAndDirty() {
    Rig rig = new Rig();
    Hart h = rig.hart;
    long[] regs = new long[32];
    for (int k = 0; k < 32; k++) {
      regs[k] = 0x4000000000000000L + k;
    }
    h.loadFpRegisters(regs);
    h.setFcsr(0x3ff);
    assertEquals(0xff, h.fcsr(), "fcsr keeps bits 7:0");
    assertTrue(h.fpDirty());
    h.clearFpDirty();
    assertFalse(h.fpDirty());
    long[] out = new long[32];
    h.saveFpRegisters(out);
    assertEquals(java.util.Arrays.toString(regs), java.util.Arrays.toString(out));
    // A store leaves the state clean; any other FP instruction dirties it.
    rig.hart.setReg(A1, Rig.DATA);
    rig.exec(Rig.code().i(fsd(3, A1, 0)).ecall());
    assertFalse(h.fpDirty(), "fsd");
    rig.exec(Rig.code().i(fsgnj(D, 0, 4, 4, 4)).ecall());
    assertTrue(h.fpDirty(), "fmv.d");
  }
}
