package hartlab.cpu;

import static hartlab.cpu.FpFormat.*;
import static hartlab.cpu.SoftFloat.*;

/**
 * FCVT (spec 11.7, 12.5): float to integer with the RISC-V saturation, integer to float, and
 * between single and double. Integer results are returned as RV64 writes them (W forms
 * sign-extended); rounding and flags go through the {@link SoftFloat} passed in.
 */
final class FpConversion {
  // Conversion kinds for toInt: fcvt.w, fcvt.wu, fcvt.l, fcvt.lu.
  static final int W = 0, WU = 1, L = 2, LU = 3;

  private FpConversion() {}

  /** FCVT.D.S: exact; a NaN becomes the canonical NaN (NV if it signals). */
  static long f32ToF64(SoftFloat sf, int a) {
    if (isNaN32(a)) {
      if (isSNaN32(a)) {
        sf.flags |= NV;
      }
      return NAN_D;
    }
    return Double.doubleToRawLongBits(Float.intBitsToFloat(a));
  }

  /** FCVT.S.D: rounds under rm. */
  static int f64ToF32(SoftFloat sf, long a, int rm) {
    if (isNaN64(a)) {
      if (isSNaN64(a)) {
        sf.flags |= NV;
      }
      return NAN_S;
    }
    if (isInf64(a)) {
      return (int) ((a >>> 32) & SIGN_S) | 0x7f800000;
    }
    return sf.toSingle(Double.longBitsToDouble(a), 0, rm);
  }

  /**
   * FCVT.{W,WU,L,LU}.{S,D} of x (a single widened to double exactly, or a double) under rm, with
   * the saturation of spec 11.7, Table 11.4: a NaN or an out-of-range rounded value (infinities
   * included) gives the nearest bound (a NaN the largest), sets NV and nothing else; an in-range
   * value sets NX if rounding changed it. W and WU results are sign-extended from 32 bits, as RV64
   * writes them.
   */
  static long toInt(SoftFloat sf, double x, int kind, int rm) {
    if (x != x) {
      sf.flags |= NV;
      return kind == W ? Integer.MAX_VALUE : kind == L ? Long.MAX_VALUE : -1L;
    }
    double r = roundToIntegral(x, rm);
    switch (kind) {
      case W:
        if (r < -0x1p31 || r > 0x1p31 - 1) {
          sf.flags |= NV;
          return r < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
        break;
      case WU:
        if (r < 0 || r > 0x1p32 - 1) { // -0.0 < 0 is false: a value rounding to -0 is in range
          sf.flags |= NV;
          return r < 0 ? 0 : -1L;
        }
        break;
      case L:
        if (r < -0x1p63 || r >= 0x1p63) {
          sf.flags |= NV;
          return r < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        break;
      default: // LU
        if (r < 0 || r >= 0x1p64) {
          sf.flags |= NV;
          return r < 0 ? 0 : -1L;
        }
        break;
    }
    if (r != x) {
      sf.flags |= NX;
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
  private static double roundToIntegral(double x, int rm) {
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
  static int i64ToF32(SoftFloat sf, long v, int rm) {
    if (v >= -(1L << 24) && v <= 1L << 24) {
      return Float.floatToRawIntBits(v);
    }
    return (int) fromMagnitude(sf, v < 0, v < 0 ? -v : v, SINGLE, rm);
  }

  /** FCVT.S.WU, FCVT.S.LU: v unsigned (WU sources zero-extended by the caller). */
  static int u64ToF32(SoftFloat sf, long v, int rm) {
    if (v >= 0 && v <= 1L << 24) {
      return Float.floatToRawIntBits(v);
    }
    return (int) fromMagnitude(sf, false, v, SINGLE, rm);
  }

  static long i64ToF64(SoftFloat sf, long v, int rm) {
    if (v >= -(1L << 53) && v <= 1L << 53) {
      return Double.doubleToRawLongBits(v);
    }
    return fromMagnitude(sf, v < 0, v < 0 ? -v : v, DOUBLE, rm);
  }

  static long u64ToF64(SoftFloat sf, long v, int rm) {
    if (v >= 0 && v <= 1L << 53) {
      return Double.doubleToRawLongBits(v);
    }
    return fromMagnitude(sf, false, v, DOUBLE, rm);
  }

  /** An integer of magnitude {@code mag} (unsigned, nonzero) rounded into fmt. */
  private static long fromMagnitude(SoftFloat sf, boolean neg, long mag, int fmt, int rm) {
    if (mag < 0) { // 2^63 or more: halve it, keeping the dropped bit as sticky
      return sf.roundPack(neg, 1, (mag >>> 1) | (mag & 1), fmt, rm);
    }
    return sf.roundPack(neg, 0, mag, fmt, rm);
  }
}
