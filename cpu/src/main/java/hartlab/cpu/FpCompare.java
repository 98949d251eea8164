package hartlab.cpu;

import static hartlab.cpu.FpFormat.*;
import static hartlab.cpu.SoftFloat.*;

/**
 * The FP operations that inspect or order their operands and never round (spec 11.8, 11.9, 12.6):
 * FCLASS, FEQ, FLT, FLE, FMIN and FMAX. Singles are compared as the doubles of the same value
 * ({@link #widen}); the only flag raised is NV, on the {@link SoftFloat} passed in.
 */
final class FpCompare {
  private FpCompare() {}

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

  /**
   * A single as the double of the same value, for the operations that only order or pick their
   * operands: finite values and infinities widen exactly, and a NaN keeps its sign and payload with
   * the quiet bit landing on the double's quiet bit, so it stays quiet or signalling.
   */
  private static long widen(int a) {
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

  static int min32(SoftFloat sf, int a, int b) {
    return narrow(minMax64(sf, widen(a), widen(b), true));
  }

  static int max32(SoftFloat sf, int a, int b) {
    return narrow(minMax64(sf, widen(a), widen(b), false));
  }

  static long min64(SoftFloat sf, long a, long b) {
    return minMax64(sf, a, b, true);
  }

  static long max64(SoftFloat sf, long a, long b) {
    return minMax64(sf, a, b, false);
  }

  /**
   * FMIN/FMAX (spec 11.6, IEEE 754-2019 minimumNumber/maximumNumber): -0 is below +0; one NaN
   * operand gives the other operand, two give the canonical NaN; a signalling NaN sets NV either
   * way.
   */
  private static long minMax64(SoftFloat sf, long a, long b, boolean min) {
    boolean an = isNaN64(a);
    boolean bn = isNaN64(b);
    if (an || bn) {
      if (isSNaN64(a) || isSNaN64(b)) {
        sf.flags |= NV;
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

  static boolean eq32(SoftFloat sf, int a, int b) {
    return eq64(sf, widen(a), widen(b));
  }

  static boolean lt32(SoftFloat sf, int a, int b) {
    return lt64(sf, widen(a), widen(b));
  }

  static boolean le32(SoftFloat sf, int a, int b) {
    return le64(sf, widen(a), widen(b));
  }

  /** FEQ: a quiet comparison, NV only for a signalling NaN (spec 11.8). */
  static boolean eq64(SoftFloat sf, long a, long b) {
    if (isNaN64(a) || isNaN64(b)) {
      if (isSNaN64(a) || isSNaN64(b)) {
        sf.flags |= NV;
      }
      return false;
    }
    return Double.longBitsToDouble(a) == Double.longBitsToDouble(b);
  }

  /** FLT and FLE are signalling comparisons: NV for any NaN (spec 11.8). */
  static boolean lt64(SoftFloat sf, long a, long b) {
    if (isNaN64(a) || isNaN64(b)) {
      sf.flags |= NV;
      return false;
    }
    return Double.longBitsToDouble(a) < Double.longBitsToDouble(b);
  }

  static boolean le64(SoftFloat sf, long a, long b) {
    if (isNaN64(a) || isNaN64(b)) {
      sf.flags |= NV;
      return false;
    }
    return Double.longBitsToDouble(a) <= Double.longBitsToDouble(b);
  }
}
