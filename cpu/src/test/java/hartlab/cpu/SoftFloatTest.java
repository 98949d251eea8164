package hartlab.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import hartlab.cpu.FpOracle.Fmt;
import hartlab.cpu.FpOracle.Result;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SoftFloat} against {@link FpOracle} on random operands from {@link FpValues}, every
 * operation in every rounding mode: result bits and flags must agree exactly. The fast paths and
 * the exact path both get exercised (the operand mix has plenty of tiny, huge and cancelling
 * values), and the exact path is also checked on its own through the cores with ordinary operands.
 * {@code -Dhartlab.softfloat.cases=N} sets the cases per operation (default 20000).
 */
class SoftFloatTest {
  private static final int CASES = Integer.getInteger("hartlab.softfloat.cases", 20_000);

  interface Ours {
    long apply(SoftFloat sf, long a, long b, long c, int rm);
  }

  interface Ref {
    Result apply(long a, long b, long c, int rm);
  }

  /** Runs CASES random cases; {@code single} draws singles (in the low 32 bits). */
  private static void check(String name, boolean single, int seed, Ours ours, Ref ref) {
    check(name, single, single, seed, ours, ref);
  }

  /** {@code singleResult}: the result is a single (compared in the low 32 bits). */
  private static void check(
      String name, boolean single, boolean singleResult, int seed, Ours ours, Ref ref) {
    Random rnd = new Random(seed);
    FpValues v = new FpValues(rnd);
    for (int n = 0; n < CASES; n++) {
      long a;
      long b;
      long c;
      if (single) {
        int x = v.single32();
        int y = v.single32Near(x);
        a = x & 0xFFFFFFFFL;
        b = y & 0xFFFFFFFFL;
        c = v.addend32(x, y) & 0xFFFFFFFFL;
      } else {
        a = v.double64();
        b = v.double64Near(a);
        c = v.addend64(a, b);
      }
      if (rnd.nextInt(4) == 0) { // swap so relations go both ways
        long t = a;
        a = b;
        b = t;
      }
      int rm = v.roundingMode();
      SoftFloat sf = new SoftFloat();
      long got = ours.apply(sf, a, b, c, rm);
      if (singleResult) {
        got &= 0xFFFFFFFFL;
      }
      Result want = ref.apply(a, b, c, rm);
      if (got != want.bits() || sf.flags != want.flags()) {
        fail(
            String.format(
                "%s(a=0x%x, b=0x%x, c=0x%x) rm=%d: expected %s, got 0x%x flags %s",
                name, a, b, c, rm, want, got, FpOracle.flagNames(sf.flags)));
      }
    }
  }

  // ---- double ----

  @Test
  void add64() {
    check(
        "add64",
        false,
        1,
        (s, a, b, c, rm) -> s.add64(a, b, rm),
        (a, b, c, rm) -> FpOracle.add(a, b, Fmt.D, rm));
  }

  @Test
  void sub64() {
    check(
        "sub64",
        false,
        2,
        (s, a, b, c, rm) -> s.sub64(a, b, rm),
        (a, b, c, rm) -> FpOracle.sub(a, b, Fmt.D, rm));
  }

  @Test
  void mul64() {
    check(
        "mul64",
        false,
        3,
        (s, a, b, c, rm) -> s.mul64(a, b, rm),
        (a, b, c, rm) -> FpOracle.mul(a, b, Fmt.D, rm));
  }

  @Test
  void div64() {
    check(
        "div64",
        false,
        4,
        (s, a, b, c, rm) -> s.div64(a, b, rm),
        (a, b, c, rm) -> FpOracle.div(a, b, Fmt.D, rm));
  }

  @Test
  void sqrt64() {
    check(
        "sqrt64",
        false,
        5,
        (s, a, b, c, rm) -> s.sqrt64(a, rm),
        (a, b, c, rm) -> FpOracle.sqrt(a, Fmt.D, rm));
  }

  @Test
  void fma64() {
    check(
        "fma64",
        false,
        6,
        (s, a, b, c, rm) -> s.fma64(a, b, c, rm),
        (a, b, c, rm) -> FpOracle.fma(a, b, c, Fmt.D, rm));
  }

  @Test
  void fmaVariants64() {
    long sign = 0x8000000000000000L;
    check(
        "fnmadd64",
        false,
        7,
        (s, a, b, c, rm) -> s.fma64(a ^ sign, b, c ^ sign, rm),
        (a, b, c, rm) -> FpOracle.fma(a ^ sign, b, c ^ sign, Fmt.D, rm));
    check(
        "fmsub64",
        false,
        8,
        (s, a, b, c, rm) -> s.fma64(a, b, c ^ sign, rm),
        (a, b, c, rm) -> FpOracle.fma(a, b, c ^ sign, Fmt.D, rm));
  }

  @Test
  void minMaxCompare64() {
    check(
        "min64",
        false,
        9,
        (s, a, b, c, rm) -> s.min64(a, b),
        (a, b, c, rm) -> FpOracle.minMax(a, b, Fmt.D, true));
    check(
        "max64",
        false,
        10,
        (s, a, b, c, rm) -> s.max64(a, b),
        (a, b, c, rm) -> FpOracle.minMax(a, b, Fmt.D, false));
    check(
        "eq64",
        false,
        11,
        (s, a, b, c, rm) -> s.eq64(a, b) ? 1 : 0,
        (a, b, c, rm) -> FpOracle.compareOp(a, b, Fmt.D, 0));
    check(
        "lt64",
        false,
        12,
        (s, a, b, c, rm) -> s.lt64(a, b) ? 1 : 0,
        (a, b, c, rm) -> FpOracle.compareOp(a, b, Fmt.D, 1));
    check(
        "le64",
        false,
        13,
        (s, a, b, c, rm) -> s.le64(a, b) ? 1 : 0,
        (a, b, c, rm) -> FpOracle.compareOp(a, b, Fmt.D, 2));
    check(
        "class64",
        false,
        14,
        (s, a, b, c, rm) -> SoftFloat.classify64(a),
        (a, b, c, rm) -> new Result(FpOracle.classify(a, Fmt.D), 0));
  }

  @Test
  void conversions64() {
    for (int kind = 0; kind < 4; kind++) {
      int k = kind;
      check(
          "toInt64/" + k,
          false,
          20 + k,
          (s, a, b, c, rm) -> s.toInt(Double.longBitsToDouble(a), k, rm),
          (a, b, c, rm) -> FpOracle.toInt(a, Fmt.D, k, rm));
    }
    check(
        "f64ToF32",
        false,
        true,
        24,
        (s, a, b, c, rm) -> s.f64ToF32(a, rm),
        (a, b, c, rm) -> FpOracle.convert(a, Fmt.D, Fmt.S, rm));
    Random rnd = new Random(25);
    FpValues v = new FpValues(rnd);
    for (int n = 0; n < CASES; n++) {
      long i = v.integer();
      int rm = v.roundingMode();
      checkInt(
          "i64ToF64", i, rm, s -> s.i64ToF64(i, rm), FpOracle.fromInt(i, false, Fmt.D, rm), false);
      checkInt(
          "u64ToF64", i, rm, s -> s.u64ToF64(i, rm), FpOracle.fromInt(i, true, Fmt.D, rm), false);
      checkInt(
          "i64ToF32", i, rm, s -> s.i64ToF32(i, rm), FpOracle.fromInt(i, false, Fmt.S, rm), true);
      checkInt(
          "u64ToF32", i, rm, s -> s.u64ToF32(i, rm), FpOracle.fromInt(i, true, Fmt.S, rm), true);
    }
  }

  private static void checkInt(
      String name,
      long i,
      int rm,
      java.util.function.ToLongFunction<SoftFloat> ours,
      Result want,
      boolean single) {
    SoftFloat sf = new SoftFloat();
    long got = ours.applyAsLong(sf);
    if (single) {
      got &= 0xFFFFFFFFL;
    }
    assertEquals(
        want.toString(),
        String.format("0x%x flags %s", got, FpOracle.flagNames(sf.flags)),
        name + "(" + i + ") rm=" + rm);
  }

  // ---- single ----

  @Test
  void add32() {
    check(
        "add32",
        true,
        31,
        (s, a, b, c, rm) -> s.add32((int) a, (int) b, rm),
        (a, b, c, rm) -> FpOracle.add(a, b, Fmt.S, rm));
    check(
        "sub32",
        true,
        32,
        (s, a, b, c, rm) -> s.sub32((int) a, (int) b, rm),
        (a, b, c, rm) -> FpOracle.sub(a, b, Fmt.S, rm));
  }

  @Test
  void mulDivSqrt32() {
    check(
        "mul32",
        true,
        33,
        (s, a, b, c, rm) -> s.mul32((int) a, (int) b, rm),
        (a, b, c, rm) -> FpOracle.mul(a, b, Fmt.S, rm));
    check(
        "div32",
        true,
        34,
        (s, a, b, c, rm) -> s.div32((int) a, (int) b, rm),
        (a, b, c, rm) -> FpOracle.div(a, b, Fmt.S, rm));
    check(
        "sqrt32",
        true,
        35,
        (s, a, b, c, rm) -> s.sqrt32((int) a, rm),
        (a, b, c, rm) -> FpOracle.sqrt(a, Fmt.S, rm));
  }

  @Test
  void fma32() {
    check(
        "fma32",
        true,
        36,
        (s, a, b, c, rm) -> s.fma32((int) a, (int) b, (int) c, rm),
        (a, b, c, rm) -> FpOracle.fma(a, b, c, Fmt.S, rm));
    int sign = 0x80000000;
    check(
        "fnmsub32",
        true,
        37,
        (s, a, b, c, rm) -> s.fma32((int) a ^ sign, (int) b, (int) c, rm),
        (a, b, c, rm) -> FpOracle.fma(a ^ 0x80000000L, b, c, Fmt.S, rm));
  }

  @Test
  void minMaxCompareConvert32() {
    check(
        "min32",
        true,
        40,
        (s, a, b, c, rm) -> s.min32((int) a, (int) b),
        (a, b, c, rm) -> FpOracle.minMax(a, b, Fmt.S, true));
    check(
        "max32",
        true,
        41,
        (s, a, b, c, rm) -> s.max32((int) a, (int) b),
        (a, b, c, rm) -> FpOracle.minMax(a, b, Fmt.S, false));
    check(
        "eq32",
        true,
        false,
        42,
        (s, a, b, c, rm) -> s.eq32((int) a, (int) b) ? 1 : 0,
        (a, b, c, rm) -> FpOracle.compareOp(a, b, Fmt.S, 0));
    check(
        "lt32",
        true,
        false,
        43,
        (s, a, b, c, rm) -> s.lt32((int) a, (int) b) ? 1 : 0,
        (a, b, c, rm) -> FpOracle.compareOp(a, b, Fmt.S, 1));
    check(
        "le32",
        true,
        false,
        44,
        (s, a, b, c, rm) -> s.le32((int) a, (int) b) ? 1 : 0,
        (a, b, c, rm) -> FpOracle.compareOp(a, b, Fmt.S, 2));
    check(
        "class32",
        true,
        false,
        45,
        (s, a, b, c, rm) -> SoftFloat.classify32((int) a),
        (a, b, c, rm) -> new Result(FpOracle.classify(a, Fmt.S), 0));
    check(
        "f32ToF64",
        true,
        false,
        46,
        (s, a, b, c, rm) -> s.f32ToF64((int) a),
        (a, b, c, rm) -> FpOracle.convert(a, Fmt.S, Fmt.D, rm));
    for (int kind = 0; kind < 4; kind++) {
      int k = kind;
      check(
          "toInt32/" + k,
          true,
          false,
          47 + k,
          (s, a, b, c, rm) -> s.toInt(Float.intBitsToFloat((int) a), k, rm),
          (a, b, c, rm) -> FpOracle.toInt(a, Fmt.S, k, rm));
    }
  }

  // ---- the exact path alone, on operands the fast path would take ----

  @Test
  void coresAgreeWithTheOracleOnOrdinaryOperands() {
    Random rnd = new Random(60);
    FpValues v = new FpValues(rnd);
    int done = 0;
    while (done < CASES) {
      long a = v.double64();
      long b = v.double64Near(a);
      long c = v.addend64(a, b);
      if (notFinite(a) || notFinite(b) || notFinite(c) || (b & ~(1L << 63)) == 0) {
        continue;
      }
      int rm = v.roundingMode();
      for (Fmt f : Fmt.values()) {
        int fmt = f == Fmt.S ? SoftFloat.SINGLE : SoftFloat.DOUBLE;
        // The cores take doubles and round into fmt; the oracle computes on the same doubles.
        coreCheck(
            "addCore", a, b, c, f, rm, s -> s.addCore(a, b, fmt, rm), oracleIn(f, rm, 0, a, b, c));
        coreCheck(
            "mulCore", a, b, c, f, rm, s -> s.mulCore(a, b, fmt, rm), oracleIn(f, rm, 1, a, b, c));
        coreCheck(
            "divCore", a, b, c, f, rm, s -> s.divCore(a, b, fmt, rm), oracleIn(f, rm, 2, a, b, c));
        coreCheck(
            "fmaCore",
            a,
            b,
            c,
            f,
            rm,
            s -> s.fmaCore(a, b, c, fmt, rm),
            oracleIn(f, rm, 3, a, b, c));
        if (a > 0 && (a & 0x7fffffffffffffffL) != 0) {
          coreCheck(
              "sqrtCore", a, b, c, f, rm, s -> s.sqrtCore(a, fmt, rm), oracleIn(f, rm, 4, a, b, c));
        }
      }
      done++;
    }
  }

  private static boolean notFinite(long a) {
    return (a & 0x7ff0000000000000L) == 0x7ff0000000000000L;
  }

  /**
   * The oracle on double operands with a result rounded into f: computed as a double op in an
   * extended format wide enough to be exact isn't available, so compute the exact rational and
   * round it directly.
   */
  private static Result oracleIn(Fmt f, int rm, int op, long a, long b, long c) {
    java.math.BigInteger sa = Fmt.D.sig(a);
    java.math.BigInteger sb = Fmt.D.sig(b);
    int ea = Fmt.D.exp(a);
    int eb = Fmt.D.exp(b);
    boolean na = a < 0;
    boolean nb = b < 0;
    java.math.BigInteger one = java.math.BigInteger.ONE;
    switch (op) {
      case 0:
        {
          int k = Math.min(ea, eb);
          java.math.BigInteger x = (na ? sa.negate() : sa).shiftLeft(ea - k);
          java.math.BigInteger y = (nb ? sb.negate() : sb).shiftLeft(eb - k);
          java.math.BigInteger s = x.add(y);
          if (s.signum() == 0) {
            boolean neg = na == nb ? na : rm == 2;
            return new Result(neg ? f.signBit() : 0, 0);
          }
          return FpOracle.round(s.signum() < 0, s.abs(), one, k, f, rm);
        }
      case 1:
        if (sa.signum() == 0 || sb.signum() == 0) {
          return new Result(na != nb ? f.signBit() : 0, 0);
        }
        return FpOracle.round(na != nb, sa.multiply(sb), one, ea + eb, f, rm);
      case 2:
        if (sa.signum() == 0) {
          return new Result(na != nb ? f.signBit() : 0, 0);
        }
        return FpOracle.round(na != nb, sa, sb, ea - eb, f, rm);
      case 3:
        {
          java.math.BigInteger sc = Fmt.D.sig(c);
          int ec = Fmt.D.exp(c);
          java.math.BigInteger p = sa.multiply(sb);
          boolean np = na != nb;
          int kp = ea + eb;
          int k = Math.min(kp, ec);
          java.math.BigInteger s =
              (np ? p.negate() : p)
                  .shiftLeft(kp - k)
                  .add((c < 0 ? sc.negate() : sc).shiftLeft(ec - k));
          if (s.signum() == 0) {
            boolean neg = (p.signum() == 0 && sc.signum() == 0 && np == (c < 0)) ? np : rm == 2;
            return new Result(neg ? f.signBit() : 0, 0);
          }
          return FpOracle.round(s.signum() < 0, s.abs(), one, k, f, rm);
        }
      default:
        {
          // sqrt via the oracle's own method on a double, then rounded into f: redo it here.
          int j = Math.floorDiv(ea - Math.max(0, 2 * f.p + 8 - sa.bitLength()), 2);
          java.math.BigInteger w = sa.shiftLeft(ea - 2 * j);
          java.math.BigInteger r = w.sqrt();
          if (r.multiply(r).equals(w)) {
            return FpOracle.round(false, r, one, j, f, rm);
          }
          return FpOracle.round(false, r.shiftLeft(1).add(one), one, j - 1, f, rm);
        }
    }
  }

  private static void coreCheck(
      String name,
      long a,
      long b,
      long c,
      Fmt f,
      int rm,
      java.util.function.ToLongFunction<SoftFloat> ours,
      Result want) {
    SoftFloat sf = new SoftFloat();
    long got = ours.applyAsLong(sf);
    if (got != want.bits() || sf.flags != want.flags()) {
      fail(
          String.format(
              "%s into %s (a=0x%x, b=0x%x, c=0x%x) rm=%d: expected %s, got 0x%x flags %s",
              name, f, a, b, c, rm, want, got, FpOracle.flagNames(sf.flags)));
    }
  }
}
