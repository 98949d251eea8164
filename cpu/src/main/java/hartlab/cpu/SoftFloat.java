package hartlab.cpu;

/**
 * IEEE 754-2008 binary32 and binary64 arithmetic as the RISC-V F and D extensions define it
 * (unprivileged spec 20191213, chapters 11 and 12): all five rounding modes, the five accrued
 * exception flags, canonical NaNs, tininess detected after rounding. Operands and results are raw
 * bit patterns ({@code int} for single, {@code long} for double); NaN-boxing is the caller's
 * ({@link FpUnit}'s) business.
 *
 * <p>Java arithmetic rounds to nearest-even only, so every operation has two paths:
 *
 * <ul>
 *   <li>a <b>fast path</b> for the common case (finite operands, a result comfortably inside the
 *       normal range): the host's round-to-nearest result plus the exact sign of its error from an
 *       error-free transformation (TwoSum for sums, {@code Math.fma} residuals for products,
 *       quotients and square roots). The error says whether the result is inexact and which way a
 *       directed mode must move it ({@code Math.nextUp}/{@code nextDown}); an exact error also
 *       finds the ties that round-to-nearest-max-magnitude breaks the other way. Single precision
 *       is computed in double and rounded once, from the double result and the sign of its error
 *       ({@link #toSingle}), so there is no double rounding.
 *   <li>an <b>exact slow path</b> for everything else (NaN, infinities, zeros, results that may be
 *       tiny or overflow, fused multiply-adds whose error the fast path cannot see): the exact
 *       result as an integer significand, an exponent and a sticky bit, computed with {@code long}
 *       arithmetic (128-bit products via {@code Math.multiplyHigh}), rounded by {@link #roundPack},
 *       the one place that knows about subnormals, overflow and the flags. It allocates nothing.
 * </ul>
 *
 * <p>One instance per hart: {@link #flags} accrues the exception flags (fflags) of every operation,
 * so the methods are instance methods of this final class, statically bound and small enough to
 * inline. Hart-local, like the rest of the FP state.
 */
final class SoftFloat {
  // Rounding modes: the rm field and frm encodings (spec 11.2, Table 11.1).
  static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4, DYN = 7;

  // Accrued exception flags: fflags bits (spec 11.2, Table 11.2).
  static final int NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

  /** The canonical NaNs (spec 11.3): positive, quiet bit only. */
  static final int NAN_S = 0x7fc00000;

  static final long NAN_D = 0x7ff8000000000000L;

  /** Formats for the exact path. */
  static final int SINGLE = 0, DOUBLE = 1;

  // Conversion kinds for toInt: fcvt.w, fcvt.wu, fcvt.l, fcvt.lu.
  static final int W = 0, WU = 1, L = 2, LU = 3;

  private static final int SIGN_S = 0x80000000;
  private static final long SIGN_D = 0x8000000000000000L;
  private static final long FRAC_D = 0x000fffffffffffffL;
  private static final long HIDDEN_D = 1L << 52;
  private static final long ONE_D = 0x3ff0000000000000L;

  // Per format (index SINGLE, DOUBLE): fraction bits, exponent range, and the encodings overflow
  // produces.
  private static final int[] FRAC = {23, 52};
  private static final int[] EMIN = {-126, -1022};
  private static final int[] EMAX = {127, 1023};
  private static final long[] SIGN = {0x80000000L, SIGN_D};
  private static final long[] INF = {0x7f800000L, 0x7ff0000000000000L};
  private static final long[] MAX = {0x7f7fffffL, 0x7fefffffffffffffL};

  /**
   * A double result at least this large (2^-969, the smallest normal times 2^53) is not tiny and
   * the residual of the operation that produced it is exactly representable (no part of it
   * underflows), so the fast path can trust it. Smaller results take the exact path.
   */
  private static final double SAFE_MIN = 0x1p-969;

  /** Accrued exception flags (fflags): operations OR bits in; only the CSR instructions clear. */
  int flags;

  // ---- classification of raw bits -----------------------------------------------------------

  static boolean isNaN32(int a) {
    return (a & 0x7fffffff) > 0x7f800000;
  }

  static boolean isNaN64(long a) {
    return (a & ~SIGN_D) > 0x7ff0000000000000L;
  }

  /** A signalling NaN has the quiet bit (the fraction's MSB) clear (spec 11.3). */
  static boolean isSNaN32(int a) {
    return isNaN32(a) && (a & 0x00400000) == 0;
  }

  static boolean isSNaN64(long a) {
    return isNaN64(a) && (a & 0x0008000000000000L) == 0;
  }

  /** Infinity or NaN: the exponent field is all ones. */
  private static boolean notFinite32(int a) {
    return (a & 0x7f800000) == 0x7f800000;
  }

  private static boolean isInf64(long a) {
    return (a & ~SIGN_D) == 0x7ff0000000000000L;
  }

  private static boolean isZero64(long a) {
    return (a & ~SIGN_D) == 0;
  }

  /**
   * FCLASS (spec 11.9, Table 11.5): one bit set, 0 -inf, 1 -normal, 2 -subnormal, 3 -0, 4 +0, 5
   * +subnormal, 6 +normal, 7 +inf, 8 signalling NaN, 9 quiet NaN.
   */
  static int classify32(int a) {
    boolean neg = a < 0;
    int exp = (a >>> 23) & 0xff;
    int frac = a & 0x7fffff;
    if (exp == 0xff) {
      return frac == 0 ? (neg ? 1 : 1 << 7) : (frac & 0x400000) != 0 ? 1 << 9 : 1 << 8;
    }
    if (exp == 0) {
      return frac == 0 ? (neg ? 1 << 3 : 1 << 4) : (neg ? 1 << 2 : 1 << 5);
    }
    return neg ? 1 << 1 : 1 << 6;
  }

  static int classify64(long a) {
    boolean neg = a < 0;
    int exp = (int) (a >>> 52) & 0x7ff;
    long frac = a & FRAC_D;
    if (exp == 0x7ff) {
      return frac == 0 ? (neg ? 1 : 1 << 7) : (frac & (1L << 51)) != 0 ? 1 << 9 : 1 << 8;
    }
    if (exp == 0) {
      return frac == 0 ? (neg ? 1 << 3 : 1 << 4) : (neg ? 1 << 2 : 1 << 5);
    }
    return neg ? 1 << 1 : 1 << 6;
  }

  // ---- NaN results ---------------------------------------------------------------------------

  /**
   * The result of an operation with a NaN operand: the canonical NaN, NV if any operand signals
   * (spec 11.3: RISC-V does not propagate payloads).
   */
  private int nan32(int a, int b, int c) {
    if (isSNaN32(a) || isSNaN32(b) || isSNaN32(c)) {
      flags |= NV;
    }
    return NAN_S;
  }

  private long nan64(long a, long b, long c) {
    if (isSNaN64(a) || isSNaN64(b) || isSNaN64(c)) {
      flags |= NV;
    }
    return NAN_D;
  }

  private int invalid32() {
    flags |= NV;
    return NAN_S;
  }

  private long invalid64() {
    flags |= NV;
    return NAN_D;
  }

  // ---- binary64 arithmetic -------------------------------------------------------------------

  long add64(long a, long b, int rm) {
    double x = Double.longBitsToDouble(a);
    double y = Double.longBitsToDouble(b);
    double r = x + y;
    double ar = Math.abs(r);
    if (ar >= SAFE_MIN && ar <= Double.MAX_VALUE) {
      // TwoSum (Knuth): r + err == x + y exactly. An intermediate overflow shows as a non-finite
      // err, never as a wrong finite one.
      double bv = r - x;
      double err = (x - (r - bv)) + (y - bv);
      if (err == 0) {
        return Double.doubleToRawLongBits(r);
      }
      if (Double.isFinite(err)) {
        return inexact64(r, err, rm);
      }
    }
    return addSlow64(a, b, rm);
  }

  long sub64(long a, long b, int rm) {
    return add64(a, b ^ SIGN_D, rm);
  }

  long mul64(long a, long b, int rm) {
    double x = Double.longBitsToDouble(a);
    double y = Double.longBitsToDouble(b);
    double r = x * y;
    double ar = Math.abs(r);
    if (ar >= SAFE_MIN && ar <= Double.MAX_VALUE) {
      double err = Math.fma(x, y, -r); // x*y - r, exact above SAFE_MIN
      return err == 0 ? Double.doubleToRawLongBits(r) : inexact64(r, err, rm);
    }
    return mulSlow64(a, b, rm);
  }

  long div64(long a, long b, int rm) {
    double x = Double.longBitsToDouble(a);
    double y = Double.longBitsToDouble(b);
    double q = x / y;
    double aq = Math.abs(q);
    if (aq >= SAFE_MIN && aq <= Double.MAX_VALUE && Math.abs(x) >= SAFE_MIN) {
      // The remainder x - q*y is exact; the true quotient is q + rem/y. A quotient of two 53-bit
      // numbers is never a midpoint, so only the error's sign matters: MIN_VALUE carries it.
      double rem = Math.fma(-q, y, x);
      if (rem == 0) {
        return Double.doubleToRawLongBits(q);
      }
      return inexact64(q, (rem > 0) == (y > 0) ? Double.MIN_VALUE : -Double.MIN_VALUE, rm);
    }
    return divSlow64(a, b, rm);
  }

  long sqrt64(long a, int rm) {
    double x = Double.longBitsToDouble(a);
    if (x >= SAFE_MIN && x <= Double.MAX_VALUE) {
      double r = Math.sqrt(x);
      double rem = Math.fma(-r, r, x); // x - r*r, exact; a square root is never a midpoint either
      if (rem == 0) {
        return Double.doubleToRawLongBits(r);
      }
      return inexact64(r, rem > 0 ? Double.MIN_VALUE : -Double.MIN_VALUE, rm);
    }
    return sqrtSlow64(a, rm);
  }

  /**
   * a*b + c with one rounding. The variants negate operands first (FMSUB: c; FNMSUB: a; FNMADD: a
   * and c), which is exactly what the spec's -(a*b)±c means, signed zeros included.
   */
  long fma64(long a, long b, long c, int rm) {
    double x = Double.longBitsToDouble(a);
    double y = Double.longBitsToDouble(b);
    double z = Double.longBitsToDouble(c);
    double r = Math.fma(x, y, z);
    double ar = Math.abs(r);
    if (ar >= SAFE_MIN && ar <= Double.MAX_VALUE) {
      // The error a*b + c - r equals a*b - t with t = r - c, if that subtraction is exact (TwoSum
      // residual zero: always when r and c are within a factor two, as in most accumulations).
      // Then fma(a, b, -t) is a*b - t rounded once: zero exactly when the result is exact, else
      // of the error's sign, provided a*b has no bits below the subnormal range (|a*b| large
      // enough, or a zero factor).
      double t = r - z;
      double bv = t - r;
      double terr = (r - (t - bv)) + (-z - bv);
      double p = Math.abs(x * y);
      if (terr == 0 && Math.abs(t) <= Double.MAX_VALUE && (p >= SAFE_MIN || x == 0 || y == 0)) {
        double e = Math.fma(x, y, -t);
        if (e == 0) {
          return Double.doubleToRawLongBits(r);
        }
        // |e| == ulp/2 may be a tie that RMM breaks away from zero, or a rounded smaller error:
        // only the exact path can tell.
        if (rm != RMM || Math.abs(e) != Math.ulp(r) * 0.5) {
          return inexact64(r, Math.copySign(Double.MIN_VALUE, e), rm);
        }
      }
    }
    return fmaSlow64(a, b, c, rm);
  }

  /**
   * Finishes a fast-path result: {@code r} is the round-to-nearest-even result, inside [SAFE_MIN,
   * MAX_VALUE], and {@code err} (nonzero) is exact - r, exactly, or with the right sign and a
   * magnitude that is never ulp(r)/2 when the exact value cannot be a tie. Accrues NX (and OF if a
   * directed mode steps past MAX_VALUE).
   */
  private long inexact64(double r, double err, int rm) {
    flags |= NX;
    switch (rm) {
      case RNE:
        return Double.doubleToRawLongBits(r);
      case RTZ:
        if ((r > 0) != (err > 0)) {
          r = r > 0 ? Math.nextDown(r) : Math.nextUp(r);
        }
        break;
      case RDN:
        if (err < 0) {
          r = Math.nextDown(r);
        }
        break;
      case RUP:
        if (err > 0) {
          r = Math.nextUp(r);
        }
        break;
      default: // RMM: differs from RNE only on a tie that RNE broke towards zero
        if ((r > 0) == (err > 0) && Math.abs(err) == Math.ulp(r) * 0.5) {
          r = r > 0 ? Math.nextUp(r) : Math.nextDown(r);
        }
        break;
    }
    if (Double.isInfinite(r)) {
      flags |= OF;
    }
    return Double.doubleToRawLongBits(r);
  }

  private long addSlow64(long a, long b, int rm) {
    if (isNaN64(a) || isNaN64(b)) {
      return nan64(a, b, 0);
    }
    boolean ia = isInf64(a);
    boolean ib = isInf64(b);
    if (ia || ib) {
      return ia && ib && (a ^ b) < 0 ? invalid64() : ia ? a : b;
    }
    return addCore(a, b, DOUBLE, rm);
  }

  private long mulSlow64(long a, long b, int rm) {
    if (isNaN64(a) || isNaN64(b)) {
      return nan64(a, b, 0);
    }
    if (isInf64(a) || isInf64(b)) {
      return isZero64(a) || isZero64(b) ? invalid64() : ((a ^ b) & SIGN_D) | INF[DOUBLE];
    }
    return mulCore(a, b, DOUBLE, rm);
  }

  private long divSlow64(long a, long b, int rm) {
    if (isNaN64(a) || isNaN64(b)) {
      return nan64(a, b, 0);
    }
    long sign = (a ^ b) & SIGN_D;
    boolean ia = isInf64(a);
    boolean ib = isInf64(b);
    if (ia) {
      return ib ? invalid64() : sign | INF[DOUBLE];
    }
    if (ib) {
      return sign;
    }
    if (isZero64(b)) {
      if (isZero64(a)) {
        return invalid64();
      }
      flags |= DZ;
      return sign | INF[DOUBLE];
    }
    return divCore(a, b, DOUBLE, rm);
  }

  private long sqrtSlow64(long a, int rm) {
    if (isNaN64(a)) {
      return nan64(a, 0, 0);
    }
    if (isZero64(a)) {
      return a; // sqrt(-0) = -0
    }
    if (a < 0) {
      return invalid64();
    }
    if (isInf64(a)) {
      return a;
    }
    return sqrtCore(a, DOUBLE, rm);
  }

  private long fmaSlow64(long a, long b, long c, int rm) {
    boolean infTimesZero =
        (isInf64(a) && isZero64(b)) || (isZero64(a) && isInf64(b)); // spec 11.6: NV even with NaN c
    if (isNaN64(a) || isNaN64(b) || isNaN64(c)) {
      if (infTimesZero) {
        flags |= NV;
      }
      return nan64(a, b, c);
    }
    if (infTimesZero) {
      return invalid64();
    }
    long productSign = (a ^ b) & SIGN_D;
    if (isInf64(a) || isInf64(b)) {
      return isInf64(c) && (c & SIGN_D) != productSign ? invalid64() : productSign | INF[DOUBLE];
    }
    if (isInf64(c)) {
      return c;
    }
    return fmaCore(a, b, c, DOUBLE, rm);
  }

  // ---- binary32 arithmetic: computed in double, rounded once by toSingle ---------------------

  int add32(int a, int b, int rm) {
    if (notFinite32(a) || notFinite32(b)) {
      if (isNaN32(a) || isNaN32(b)) {
        return nan32(a, b, 0);
      }
      return notFinite32(a) && notFinite32(b) && (a ^ b) < 0 ? invalid32() : notFinite32(a) ? a : b;
    }
    double x = Float.intBitsToFloat(a);
    double y = Float.intBitsToFloat(b);
    double d = x + y;
    if (d == 0) {
      return (int) zeroSum(a < 0, b < 0, SINGLE, rm); // a sum that is zero is exact
    }
    double bv = d - x;
    return toSingle(d, (x - (d - bv)) + (y - bv), rm);
  }

  int sub32(int a, int b, int rm) {
    return add32(a, b ^ SIGN_S, rm);
  }

  int mul32(int a, int b, int rm) {
    if (notFinite32(a) || notFinite32(b)) {
      if (isNaN32(a) || isNaN32(b)) {
        return nan32(a, b, 0);
      }
      return (a & 0x7fffffff) == 0 || (b & 0x7fffffff) == 0
          ? invalid32()
          : ((a ^ b) & SIGN_S) | 0x7f800000;
    }
    // Two 24-bit significands: the double product is exact.
    return toSingle((double) Float.intBitsToFloat(a) * Float.intBitsToFloat(b), 0, rm);
  }

  int div32(int a, int b, int rm) {
    int sign = (a ^ b) & SIGN_S;
    if (notFinite32(a) || notFinite32(b) || (b & 0x7fffffff) == 0) {
      if (isNaN32(a) || isNaN32(b)) {
        return nan32(a, b, 0);
      }
      if (notFinite32(a)) {
        return notFinite32(b) ? invalid32() : sign | 0x7f800000;
      }
      if (notFinite32(b)) {
        return sign;
      }
      if ((a & 0x7fffffff) == 0) {
        return invalid32(); // 0/0
      }
      flags |= DZ;
      return sign | 0x7f800000;
    }
    double x = Float.intBitsToFloat(a);
    double y = Float.intBitsToFloat(b);
    double q = x / y;
    double rem = Math.fma(-q, y, x);
    return toSingle(
        q, rem == 0 ? 0 : (rem > 0) == (y > 0) ? Double.MIN_VALUE : -Double.MIN_VALUE, rm);
  }

  int sqrt32(int a, int rm) {
    if (isNaN32(a)) {
      return nan32(a, 0, 0);
    }
    if ((a & 0x7fffffff) == 0) {
      return a;
    }
    if (a < 0) {
      return invalid32();
    }
    if (notFinite32(a)) {
      return a;
    }
    double x = Float.intBitsToFloat(a);
    double r = Math.sqrt(x);
    double rem = Math.fma(-r, r, x);
    return toSingle(r, rem == 0 ? 0 : rem > 0 ? Double.MIN_VALUE : -Double.MIN_VALUE, rm);
  }

  int fma32(int a, int b, int c, int rm) {
    if (notFinite32(a) || notFinite32(b) || notFinite32(c)) {
      return fmaSpecial32(a, b, c);
    }
    double x = Float.intBitsToFloat(a);
    double y = Float.intBitsToFloat(b);
    double z = Float.intBitsToFloat(c);
    double p = x * y; // exact
    double d = p + z;
    if (d == 0) {
      return (int) zeroSum((a ^ b) < 0, c < 0, SINGLE, rm);
    }
    double bv = d - p;
    return toSingle(d, (p - (d - bv)) + (z - bv), rm);
  }

  private int fmaSpecial32(int a, int b, int c) {
    boolean za = (a & 0x7fffffff) == 0;
    boolean zb = (b & 0x7fffffff) == 0;
    boolean ia = notFinite32(a) && !isNaN32(a);
    boolean ib = notFinite32(b) && !isNaN32(b);
    boolean infTimesZero = (ia && zb) || (za && ib);
    if (isNaN32(a) || isNaN32(b) || isNaN32(c)) {
      if (infTimesZero) {
        flags |= NV;
      }
      return nan32(a, b, c);
    }
    if (infTimesZero) {
      return invalid32();
    }
    int productSign = (a ^ b) & SIGN_S;
    if (ia || ib) {
      return notFinite32(c) && (c & SIGN_S) != productSign ? invalid32() : productSign | 0x7f800000;
    }
    return c; // c is the infinity
  }

  /**
   * Rounds the exact value d + err to single under rm. d is a finite double; err is the exact error
   * of d, or has its sign and a magnitude below half an ulp of d (MIN_VALUE), or is 0 when d is
   * exact. No single and no single midpoint lies strictly between d and the exact value (both are
   * doubles), so d and the sign of err decide the rounding; only a d that is exactly a midpoint
   * needs err to break the tie.
   */
  private int toSingle(double d, double err, int rm) {
    float f = (float) d;
    if (err == 0 && f == d) {
      return Float.floatToRawIntBits(f);
    }
    float af = Math.abs(f);
    if (rm == RNE
        && af > Float.MIN_NORMAL
        && af <= Float.MAX_VALUE
        && (err == 0 || (Double.doubleToRawLongBits(d) & 0x1fffffffL) != 0x10000000L)) {
      // Normal, not tiny, no overflow, and either d is exact or it is not a midpoint: the host's
      // rounding of d is the rounding of the exact value.
      flags |= NX;
      return Float.floatToRawIntBits(f);
    }
    return (int) jamPack(d, err, SINGLE, rm);
  }

  // ---- comparisons, min/max (spec 11.6, 11.8) ------------------------------------------------

  /**
   * A single as the double of the same value, for the operations that only order or pick their
   * operands: finite values and infinities widen exactly, and a NaN keeps its sign and payload with
   * the quiet bit landing on the double's quiet bit, so it stays quiet or signalling.
   */
  static long widen(int a) {
    if ((a & 0x7f800000) == 0x7f800000) {
      return ((long) (a & SIGN_S) << 32) | 0x7ff0000000000000L | ((long) (a & 0x7fffff) << 29);
    }
    return Double.doubleToRawLongBits(Float.intBitsToFloat(a));
  }

  /**
   * The inverse of {@link #widen} for what min/max return: widened singles or the canonical NaN.
   */
  private static int narrow(long r) {
    return r == NAN_D ? NAN_S : Float.floatToRawIntBits((float) Double.longBitsToDouble(r));
  }

  int min32(int a, int b) {
    return narrow(minMax64(widen(a), widen(b), true));
  }

  int max32(int a, int b) {
    return narrow(minMax64(widen(a), widen(b), false));
  }

  long min64(long a, long b) {
    return minMax64(a, b, true);
  }

  long max64(long a, long b) {
    return minMax64(a, b, false);
  }

  /**
   * FMIN/FMAX (spec 11.6, IEEE 754-2019 minimumNumber/maximumNumber): -0 is below +0; one NaN
   * operand gives the other operand, two give the canonical NaN; a signalling NaN sets NV either
   * way.
   */
  private long minMax64(long a, long b, boolean min) {
    boolean an = isNaN64(a);
    boolean bn = isNaN64(b);
    if (an || bn) {
      if (isSNaN64(a) || isSNaN64(b)) {
        flags |= NV;
      }
      return an && bn ? NAN_D : an ? b : a;
    }
    double x = Double.longBitsToDouble(a);
    double y = Double.longBitsToDouble(b);
    if (x != y) {
      return (x < y) == min ? a : b;
    }
    return min ? a | b : a & b; // equal: only zeros differ, and only in the sign bit
  }

  boolean eq32(int a, int b) {
    return eq64(widen(a), widen(b));
  }

  boolean lt32(int a, int b) {
    return lt64(widen(a), widen(b));
  }

  boolean le32(int a, int b) {
    return le64(widen(a), widen(b));
  }

  /** FEQ: a quiet comparison, NV only for a signalling NaN (spec 11.8). */
  boolean eq64(long a, long b) {
    if (isNaN64(a) || isNaN64(b)) {
      if (isSNaN64(a) || isSNaN64(b)) {
        flags |= NV;
      }
      return false;
    }
    return Double.longBitsToDouble(a) == Double.longBitsToDouble(b);
  }

  /** FLT and FLE are signalling comparisons: NV for any NaN (spec 11.8). */
  boolean lt64(long a, long b) {
    if (isNaN64(a) || isNaN64(b)) {
      flags |= NV;
      return false;
    }
    return Double.longBitsToDouble(a) < Double.longBitsToDouble(b);
  }

  boolean le64(long a, long b) {
    if (isNaN64(a) || isNaN64(b)) {
      flags |= NV;
      return false;
    }
    return Double.longBitsToDouble(a) <= Double.longBitsToDouble(b);
  }

  // ---- conversions (spec 11.7, 12.5) ---------------------------------------------------------

  /** FCVT.D.S: exact; a NaN becomes the canonical NaN (NV if it signals). */
  long f32ToF64(int a) {
    if (isNaN32(a)) {
      if (isSNaN32(a)) {
        flags |= NV;
      }
      return NAN_D;
    }
    return Double.doubleToRawLongBits(Float.intBitsToFloat(a));
  }

  /** FCVT.S.D: rounds under rm. */
  int f64ToF32(long a, int rm) {
    if (isNaN64(a)) {
      if (isSNaN64(a)) {
        flags |= NV;
      }
      return NAN_S;
    }
    if (isInf64(a)) {
      return (int) ((a >>> 32) & SIGN_S) | 0x7f800000;
    }
    return toSingle(Double.longBitsToDouble(a), 0, rm);
  }

  /**
   * FCVT.{W,WU,L,LU}.{S,D} of x (a single widened to double exactly, or a double) under rm, with
   * the saturation of spec 11.7, Table 11.4: a NaN or an out-of-range rounded value (infinities
   * included) gives the nearest bound (a NaN the largest), sets NV and nothing else; an in-range
   * value sets NX if rounding changed it. W and WU results are sign-extended from 32 bits, as RV64
   * writes them.
   */
  long toInt(double x, int kind, int rm) {
    if (x != x) {
      flags |= NV;
      return kind == W ? Integer.MAX_VALUE : kind == L ? Long.MAX_VALUE : -1L;
    }
    double r = roundToIntegral(x, rm);
    switch (kind) {
      case W:
        if (r < -0x1p31 || r > 0x1p31 - 1) {
          flags |= NV;
          return r < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
        break;
      case WU:
        if (r < 0 || r > 0x1p32 - 1) { // -0.0 < 0 is false: a value rounding to -0 is in range
          flags |= NV;
          return r < 0 ? 0 : -1L;
        }
        break;
      case L:
        if (r < -0x1p63 || r >= 0x1p63) {
          flags |= NV;
          return r < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        break;
      default: // LU
        if (r < 0 || r >= 0x1p64) {
          flags |= NV;
          return r < 0 ? 0 : -1L;
        }
        break;
    }
    if (r != x) {
      flags |= NX;
    }
    switch (kind) {
      case W:
        return (int) r;
      case WU:
        return (int) (long) r;
      case L:
        return (long) r;
      default:
        return r >= 0x1p63 ? (long) (r - 0x1p63) + Long.MIN_VALUE : (long) r;
    }
  }

  /** x rounded to an integral value under rm, exactly. */
  static double roundToIntegral(double x, int rm) {
    if (!(Math.abs(x) < 0x1p52)) {
      return x; // already integral, or infinite
    }
    switch (rm) {
      case RNE:
        return Math.rint(x);
      case RTZ:
        return x < 0 ? Math.ceil(x) : Math.floor(x);
      case RDN:
        return Math.floor(x);
      case RUP:
        return Math.ceil(x);
      default:
        {
          // RMM. Not floor(|x| + 0.5): that sum rounds for |x| just below 0.5. The fraction
          // |x| - floor(|x|) is exact below 2^52.
          double ax = Math.abs(x);
          double t = Math.floor(ax);
          return Math.copySign(ax - t >= 0.5 ? t + 1 : t, x);
        }
    }
  }

  /** FCVT.S.W and friends: a signed 64-bit value (W sources arrive sign-extended). */
  int i64ToF32(long v, int rm) {
    if (v >= -(1L << 24) && v <= 1L << 24) {
      return Float.floatToRawIntBits(v);
    }
    return (int) fromMagnitude(v < 0, v < 0 ? -v : v, SINGLE, rm);
  }

  /** FCVT.S.WU, FCVT.S.LU: v unsigned (WU sources zero-extended by the caller). */
  int u64ToF32(long v, int rm) {
    if (v >= 0 && v <= 1L << 24) {
      return Float.floatToRawIntBits(v);
    }
    return (int) fromMagnitude(false, v, SINGLE, rm);
  }

  long i64ToF64(long v, int rm) {
    if (v >= -(1L << 53) && v <= 1L << 53) {
      return Double.doubleToRawLongBits(v);
    }
    return fromMagnitude(v < 0, v < 0 ? -v : v, DOUBLE, rm);
  }

  long u64ToF64(long v, int rm) {
    if (v >= 0 && v <= 1L << 53) {
      return Double.doubleToRawLongBits(v);
    }
    return fromMagnitude(false, v, DOUBLE, rm);
  }

  /** An integer of magnitude {@code mag} (unsigned, nonzero) rounded into fmt. */
  private long fromMagnitude(boolean neg, long mag, int fmt, int rm) {
    if (mag < 0) { // 2^63 or more: halve it, keeping the dropped bit as sticky
      return roundPack(neg, 1, (mag >>> 1) | (mag & 1), fmt, rm);
    }
    return roundPack(neg, 0, mag, fmt, rm);
  }

  // ---- the exact path ------------------------------------------------------------------------

  /** Significand of a finite double, hidden bit included (value = sig * 2^exp). */
  private static long sigOf(long a) {
    long frac = a & FRAC_D;
    return (a & 0x7ff0000000000000L) == 0 ? frac : frac | HIDDEN_D;
  }

  private static int expOf(long a) {
    int e = (int) (a >>> 52) & 0x7ff;
    return (e == 0 ? 1 : e) - 1075;
  }

  /**
   * The zero that an exact zero sum of operands with signs na and nb has (IEEE 754-2008 6.3): their
   * sign when they agree, else +0, except -0 when rounding down.
   */
  static long zeroSum(boolean na, boolean nb, int fmt, int rm) {
    boolean neg = na == nb ? na : rm == RDN;
    return neg ? SIGN[fmt] : 0;
  }

  /**
   * The sum of two finite doubles, rounded into fmt. Both significands are left-justified to bit 61
   * (bit 62 takes the carry), the smaller operand is shifted right to the larger one's exponent
   * with the bits shifted out jammed into bit 0, then added or subtracted.
   */
  long addCore(long a, long b, int fmt, int rm) {
    long sa = sigOf(a);
    long sb = sigOf(b);
    boolean na = a < 0;
    boolean nb = b < 0;
    if (sa == 0 || sb == 0) {
      if (sa == 0 && sb == 0) {
        return zeroSum(na, nb, fmt, rm);
      }
      return sa == 0 ? roundPack(nb, expOf(b), sb, fmt, rm) : roundPack(na, expOf(a), sa, fmt, rm);
    }
    int ea = expOf(a);
    int eb = expOf(b);
    // 1. Left-justify: now the exponents order the magnitudes, and each significand has at least
    // nine zero bits below its last set bit.
    int la = Long.numberOfLeadingZeros(sa) - 2;
    sa <<= la;
    ea -= la;
    int lb = Long.numberOfLeadingZeros(sb) - 2;
    sb <<= lb;
    eb -= lb;
    // 2. a is the larger magnitude.
    if (eb > ea || (eb == ea && sb > sa)) {
      long ts = sa;
      sa = sb;
      sb = ts;
      int te = ea;
      ea = eb;
      eb = te;
      boolean tn = na;
      na = nb;
      nb = tn;
    }
    // 3. Align b, jamming. Bits are lost only for a shift of ten or more, and then a - b keeps
    // its MSB at bit 60 or above: the jammed bit stays far below the rounding position.
    int d = ea - eb;
    if (d != 0) {
      sb = d < 63 ? (sb >>> d) | ((sb & ((1L << d) - 1)) != 0 ? 1 : 0) : 1;
    }
    long s = na == nb ? sa + sb : sa - sb;
    if (s == 0) {
      return zeroSum(na, nb, fmt, rm);
    }
    return roundPack(na, ea, s, fmt, rm);
  }

  /** The product of two finite doubles, rounded into fmt, from the exact 106-bit product. */
  long mulCore(long a, long b, int fmt, int rm) {
    boolean neg = (a ^ b) < 0;
    long sa = sigOf(a);
    long sb = sigOf(b);
    if (sa == 0 || sb == 0) {
      return neg ? SIGN[fmt] : 0;
    }
    return roundPack128(neg, expOf(a) + expOf(b), Math.multiplyHigh(sa, sb), sa * sb, fmt, rm);
  }

  /**
   * The quotient of two finite doubles (b nonzero), rounded into fmt. Both significands are scaled
   * to [1, 2), where the host's quotient q is within half an ulp of the true one and the exact
   * remainder (an fma) says on which side: q's significand with two more bits, minus or plus a
   * quarter ulp, stands for the true quotient at every coarser rounding position.
   */
  long divCore(long a, long b, int fmt, int rm) {
    boolean neg = (a ^ b) < 0;
    long sa = sigOf(a);
    long sb = sigOf(b);
    if (sa == 0) {
      return neg ? SIGN[fmt] : 0;
    }
    int ea = expOf(a);
    int eb = expOf(b);
    int la = Long.numberOfLeadingZeros(sa) - 11;
    sa <<= la;
    ea -= la;
    int lb = Long.numberOfLeadingZeros(sb) - 11;
    sb <<= lb;
    eb -= lb;
    double x = Double.longBitsToDouble(ONE_D | (sa & FRAC_D));
    double y = Double.longBitsToDouble(ONE_D | (sb & FRAC_D));
    double q = x / y;
    double rem = Math.fma(-q, y, x);
    long qb = Double.doubleToRawLongBits(q);
    long sig = ((qb & FRAC_D) | HIDDEN_D) << 2;
    sig += rem > 0 ? 1 : rem < 0 ? -1 : 0;
    // a/b = (x/y) * 2^(ea - eb), and q = qsig * 2^expOf(q).
    return roundPack(neg, expOf(qb) - 2 + ea - eb, sig, fmt, rm);
  }

  /** The square root of a positive finite double, rounded into fmt, as divCore does it. */
  long sqrtCore(long a, int fmt, int rm) {
    long s = sigOf(a);
    int e = expOf(a);
    int l = Long.numberOfLeadingZeros(s) - 11;
    s <<= l;
    e -= l;
    // a = m * 2^E with m in [1, 2); make E even, m in [1, 4).
    int bigE = e + 52;
    double m = Double.longBitsToDouble(ONE_D | (s & FRAC_D));
    if ((bigE & 1) != 0) {
      m *= 2;
      bigE -= 1;
    }
    double r = Math.sqrt(m);
    double rem = Math.fma(-r, r, m);
    long rb = Double.doubleToRawLongBits(r);
    long sig = ((rb & FRAC_D) | HIDDEN_D) << 2;
    sig += rem > 0 ? 1 : rem < 0 ? -1 : 0;
    return roundPack(false, expOf(rb) - 2 + bigE / 2, sig, fmt, rm);
  }

  /**
   * a*b + c for finite doubles, rounded once into fmt: the exact 106-bit product and the addend,
   * both left-justified to bit 125 of a 128-bit pair (hi, lo), aligned with jamming, added or
   * subtracted, then rounded.
   */
  long fmaCore(long a, long b, long c, int fmt, int rm) {
    boolean np = (a ^ b) < 0;
    boolean nc = c < 0;
    long sa = sigOf(a);
    long sb = sigOf(b);
    long sc = sigOf(c);
    if (sa == 0 || sb == 0) { // an exact zero product
      return sc == 0 ? zeroSum(np, nc, fmt, rm) : roundPack(nc, expOf(c), sc, fmt, rm);
    }
    int ep = expOf(a) + expOf(b);
    long ph = Math.multiplyHigh(sa, sb);
    long pl = sa * sb;
    if (sc == 0) {
      return roundPack128(np, ep, ph, pl, fmt, rm);
    }
    // 1. Left-justify the product to bit 125: at least 20 zero bits stay below its last set bit.
    int msbP = ph != 0 ? 127 - Long.numberOfLeadingZeros(ph) : 63 - Long.numberOfLeadingZeros(pl);
    int s = 125 - msbP;
    if (s >= 64) {
      ph = pl << (s - 64);
      pl = 0;
    } else {
      ph = (ph << s) | (pl >>> (64 - s));
      pl <<= s;
    }
    ep -= s;
    // 2. The addend likewise (53 bits at most: the shift is 73 or more).
    int sz = 125 - (63 - Long.numberOfLeadingZeros(sc));
    long ch;
    long cl;
    if (sz >= 64) {
      ch = sc << (sz - 64);
      cl = 0;
    } else {
      ch = sc >>> (64 - sz);
      cl = sc << sz;
    }
    int ec = expOf(c) - sz;
    // 3. (bh, bl) is the larger magnitude, (xh, xl) the smaller.
    long bh = ph;
    long bl = pl;
    int eb = ep;
    boolean nb = np;
    long xh = ch;
    long xl = cl;
    int ex = ec;
    boolean nx = nc;
    if (ec > ep || (ec == ep && (ch != ph ? ch > ph : Long.compareUnsigned(cl, pl) > 0))) {
      bh = ch;
      bl = cl;
      eb = ec;
      nb = nc;
      xh = ph;
      xl = pl;
      ex = ep;
      nx = np;
    }
    // 4. Align the smaller, jamming: bits are lost only for a shift of 20 or more, which leaves a
    // difference with its MSB at bit 124 or above.
    int d = eb - ex;
    boolean sticky;
    if (d == 0) {
      sticky = false;
    } else if (d < 64) {
      sticky = (xl << (64 - d)) != 0;
      xl = (xl >>> d) | (xh << (64 - d));
      xh >>>= d;
    } else if (d == 64) {
      sticky = xl != 0;
      xl = xh;
      xh = 0;
    } else if (d < 128) {
      sticky = xl != 0 || (xh << (128 - d)) != 0;
      xl = xh >>> (d - 64);
      xh = 0;
    } else {
      sticky = true; // xh, xl are not both zero
      xl = 0;
      xh = 0;
    }
    if (sticky) {
      xl |= 1;
    }
    // 5. Add or subtract the 128-bit magnitudes.
    long rl;
    long rh;
    if (nb == nx) {
      rl = bl + xl;
      rh = bh + xh + (Long.compareUnsigned(rl, bl) < 0 ? 1 : 0);
    } else {
      rl = bl - xl;
      rh = bh - xh - (Long.compareUnsigned(bl, xl) < 0 ? 1 : 0);
    }
    if (rh == 0 && rl == 0) {
      return zeroSum(np, nc, fmt, rm);
    }
    return roundPack128(nb, eb, rh, rl, fmt, rm);
  }

  /**
   * Rounds (-1)^neg * (hi:lo) * 2^exp (a nonzero 128-bit magnitude below 2^127) into fmt: the top
   * 63 bits are kept and the rest jammed into bit 0.
   */
  private long roundPack128(boolean neg, int exp, long hi, long lo, int fmt, int rm) {
    if (hi == 0) {
      if (lo >= 0) {
        return roundPack(neg, exp, lo, fmt, rm);
      }
      return roundPack(neg, exp + 1, (lo >>> 1) | (lo & 1), fmt, rm);
    }
    int k = 65 - Long.numberOfLeadingZeros(hi); // shift right by k: the MSB lands on bit 62
    long sig;
    boolean sticky;
    if (k < 64) {
      sig = (hi << (64 - k)) | (lo >>> k);
      sticky = (lo << (64 - k)) != 0;
    } else if (k == 64) {
      sig = hi;
      sticky = lo != 0;
    } else {
      sig = hi >>> 1;
      sticky = ((hi & 1) | lo) != 0;
    }
    return roundPack(neg, exp + k, sticky ? sig | 1 : sig, fmt, rm);
  }

  /**
   * Rounds d + err (see {@link #toSingle}) into fmt: d's significand, left-justified, gets two more
   * bits; the true value lies strictly between that and its neighbour one unit away in the
   * direction of err, which the last bit, set or borrowed from, stands for.
   */
  private long jamPack(double d, double err, int fmt, int rm) {
    long bits = Double.doubleToRawLongBits(d);
    long sig = sigOf(bits);
    if (sig == 0) {
      throw new IllegalStateException("SoftFloat.jamPack: inexact zero " + err);
    }
    int exp = expOf(bits);
    int l = Long.numberOfLeadingZeros(sig) - 11;
    sig <<= l + 2;
    exp -= l + 2;
    boolean neg = bits < 0;
    if (err != 0) {
      sig += (err > 0) != neg ? 1 : -1; // away from zero, or towards it
    }
    return roundPack(neg, exp, sig, fmt, rm);
  }

  /**
   * Rounds the exact value (-1)^neg * sig * 2^exp into fmt under rm and accrues NX, UF and OF. sig
   * is positive. If the exact value had nonzero bits below sig's bit 0, the caller jammed them into
   * bit 0 (set it) and gave sig at least fmt's precision plus two bits, so the round bit is exact.
   * Returns the encoding (a single's in the low 32 bits).
   */
  long roundPack(boolean neg, int exp, long sig, int fmt, int rm) {
    final int frac = FRAC[fmt];
    final int emin = EMIN[fmt];
    int msb = 63 - Long.numberOfLeadingZeros(sig);
    int e = exp + msb; // the value lies in [2^e, 2^(e+1))
    // 1. The last kept bit: precision (frac + 1 bits) below e, but never below the subnormal
    // LSB 2^(emin - frac).
    boolean subnormal = e < emin;
    int shift = msb - frac + (subnormal ? emin - e : 0);
    long q;
    boolean inexact;
    if (shift <= 0) {
      q = sig << -shift;
      inexact = false;
    } else {
      q = shift < 64 ? sig >>> shift : 0;
      long rest = shift < 64 ? sig & ((1L << shift) - 1) : sig;
      inexact = rest != 0;
      if (inexact && roundsUp(neg, q, rest, shift, rm)) {
        q++;
      }
    }
    long bits;
    if (!subnormal) {
      // 2. q is in [2^frac, 2^(frac+1)]; a carry to 2^(frac+1) moves into the next binade, and
      // adding q to the exponent field minus one adds the hidden bit (and the carry) in.
      if (e + (int) (q >>> (frac + 1)) > EMAX[fmt]) {
        return overflow(neg, fmt, rm);
      }
      bits = ((long) (e + EMAX[fmt] - 1) << frac) + q;
      if (inexact) {
        flags |= NX;
      }
    } else {
      // 3. Subnormal: the exponent field is 0, or 1 when q rounded up to 2^frac (2^emin, the
      // smallest normal). Tininess is detected after rounding (spec 11.4): the value is tiny unless
      // rounding it to full precision with an unbounded exponent reaches 2^emin, which only a
      // value in the binade just below can do.
      bits = q;
      if (inexact) {
        boolean tiny = true;
        int shiftU = msb - frac;
        if (e == emin - 1 && shiftU > 0) {
          long qU = sig >>> shiftU;
          long restU = sig & ((1L << shiftU) - 1);
          if (restU != 0 && roundsUp(neg, qU, restU, shiftU, rm)) {
            qU++;
          }
          tiny = (qU >>> (frac + 1)) == 0;
        }
        flags |= tiny ? NX | UF : NX;
      }
    }
    return neg ? bits | SIGN[fmt] : bits;
  }

  /** Whether dropping the nonzero low {@code shift} bits {@code rest} rounds the kept part q up. */
  private static boolean roundsUp(boolean neg, long q, long rest, int shift, int rm) {
    switch (rm) {
      case RNE:
        {
          int c = compareHalf(rest, shift);
          return c > 0 || (c == 0 && (q & 1) != 0);
        }
      case RTZ:
        return false;
      case RDN:
        return neg;
      case RUP:
        return !neg;
      default: // RMM
        return compareHalf(rest, shift) >= 0;
    }
  }

  /** Compares rest (below 2^shift, shift >= 1) with half of 2^shift. */
  private static int compareHalf(long rest, int shift) {
    if (shift >= 64) {
      return -1; // half is 2^63 or more; rest is a positive long
    }
    return Long.compare(rest, 1L << (shift - 1));
  }

  /**
   * The result of a rounding whose exponent exceeds fmt's: infinity or the largest finite number,
   * by direction (IEEE 754-2008 7.4); OF and NX.
   */
  private long overflow(boolean neg, int fmt, int rm) {
    flags |= OF | NX;
    boolean toInfinity = rm == RNE || rm == RMM || (rm == RDN && neg) || (rm == RUP && !neg);
    long mag = toInfinity ? INF[fmt] : MAX[fmt];
    return neg ? mag | SIGN[fmt] : mag;
  }
}
