package hartlab.cpu;

import static hartlab.cpu.FpFormat.*;
import static hartlab.cpu.SoftFloat.*;

/**
 * FADD, FSUB, FMUL, FDIV, FSQRT and the fused multiply-adds in single and double (spec 11.6, 12.6):
 * the fast paths on host doubles with error-free transformations, and the special operands (NaNs,
 * infinities, zeros, division by zero) that never need rounding. Whatever the fast path cannot
 * vouch for goes to {@link FpExactArithmetic}; every inexact result is finished by the {@link
 * SoftFloat} passed in, which accrues the flags.
 */
final class FpArithmetic {
  /**
   * A double result at least this large (2^-969, the smallest normal times 2^53) is not tiny and
   * the residual of the operation that produced it is exactly representable (no part of it
   * underflows), so the fast path can trust it. Smaller results take the exact path.
   */
  private static final double SAFE_MIN = 0x1p-969;

  private FpArithmetic() {}

  // ---- binary64 arithmetic -------------------------------------------------------------------

  static long add64(SoftFloat sf, long a, long b, int rm) {
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
        return sf.inexact64(r, err, rm);
      }
    }
    return addSlow64(sf, a, b, rm);
  }

  static long sub64(SoftFloat sf, long a, long b, int rm) {
    return add64(sf, a, b ^ SIGN_D, rm);
  }

  static long mul64(SoftFloat sf, long a, long b, int rm) {
    double x = Double.longBitsToDouble(a);
    double y = Double.longBitsToDouble(b);
    double r = x * y;
    double ar = Math.abs(r);
    if (ar >= SAFE_MIN && ar <= Double.MAX_VALUE) {
      double err = Math.fma(x, y, -r); // x*y - r, exact above SAFE_MIN
      return err == 0 ? Double.doubleToRawLongBits(r) : sf.inexact64(r, err, rm);
    }
    return mulSlow64(sf, a, b, rm);
  }

  static long div64(SoftFloat sf, long a, long b, int rm) {
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
      return sf.inexact64(q, (rem > 0) == (y > 0) ? Double.MIN_VALUE : -Double.MIN_VALUE, rm);
    }
    return divSlow64(sf, a, b, rm);
  }

  static long sqrt64(SoftFloat sf, long a, int rm) {
    double x = Double.longBitsToDouble(a);
    if (x >= SAFE_MIN && x <= Double.MAX_VALUE) {
      double r = Math.sqrt(x);
      double rem = Math.fma(-r, r, x); // x - r*r, exact; a square root is never a midpoint either
      if (rem == 0) {
        return Double.doubleToRawLongBits(r);
      }
      return sf.inexact64(r, rem > 0 ? Double.MIN_VALUE : -Double.MIN_VALUE, rm);
    }
    return sqrtSlow64(sf, a, rm);
  }

  /**
   * a*b + c with one rounding. The variants negate operands first (FMSUB: c; FNMSUB: a; FNMADD: a
   * and c), which is exactly what the spec's -(a*b)±c means, signed zeros included.
   */
  static long fma64(SoftFloat sf, long a, long b, long c, int rm) {
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
          return sf.inexact64(r, Math.copySign(Double.MIN_VALUE, e), rm);
        }
      }
    }
    return fmaSlow64(sf, a, b, c, rm);
  }

  private static long addSlow64(SoftFloat sf, long a, long b, int rm) {
    if (isNaN64(a) || isNaN64(b)) {
      return sf.nan64(a, b, 0);
    }
    boolean ia = isInf64(a);
    boolean ib = isInf64(b);
    if (ia || ib) {
      return ia && ib && (a ^ b) < 0 ? sf.invalid64() : ia ? a : b;
    }
    return FpExactArithmetic.addCore(sf, a, b, DOUBLE, rm);
  }

  private static long mulSlow64(SoftFloat sf, long a, long b, int rm) {
    if (isNaN64(a) || isNaN64(b)) {
      return sf.nan64(a, b, 0);
    }
    if (isInf64(a) || isInf64(b)) {
      return isZero64(a) || isZero64(b) ? sf.invalid64() : ((a ^ b) & SIGN_D) | INF_D;
    }
    return FpExactArithmetic.mulCore(sf, a, b, DOUBLE, rm);
  }

  private static long divSlow64(SoftFloat sf, long a, long b, int rm) {
    if (isNaN64(a) || isNaN64(b)) {
      return sf.nan64(a, b, 0);
    }
    long sign = (a ^ b) & SIGN_D;
    boolean ia = isInf64(a);
    boolean ib = isInf64(b);
    if (ia) {
      return ib ? sf.invalid64() : sign | INF_D;
    }
    if (ib) {
      return sign;
    }
    if (isZero64(b)) {
      if (isZero64(a)) {
        return sf.invalid64();
      }
      sf.flags |= DZ;
      return sign | INF_D;
    }
    return FpExactArithmetic.divCore(sf, a, b, DOUBLE, rm);
  }

  private static long sqrtSlow64(SoftFloat sf, long a, int rm) {
    if (isNaN64(a)) {
      return sf.nan64(a, 0, 0);
    }
    if (isZero64(a)) {
      return a; // sqrt(-0) = -0
    }
    if (a < 0) {
      return sf.invalid64();
    }
    if (isInf64(a)) {
      return a;
    }
    return FpExactArithmetic.sqrtCore(sf, a, DOUBLE, rm);
  }

  private static long fmaSlow64(SoftFloat sf, long a, long b, long c, int rm) {
    boolean infTimesZero =
        (isInf64(a) && isZero64(b)) || (isZero64(a) && isInf64(b)); // spec 11.6: NV even with NaN c
    if (isNaN64(a) || isNaN64(b) || isNaN64(c)) {
      if (infTimesZero) {
        sf.flags |= NV;
      }
      return sf.nan64(a, b, c);
    }
    if (infTimesZero) {
      return sf.invalid64();
    }
    long productSign = (a ^ b) & SIGN_D;
    if (isInf64(a) || isInf64(b)) {
      return isInf64(c) && (c & SIGN_D) != productSign ? sf.invalid64() : productSign | INF_D;
    }
    if (isInf64(c)) {
      return c;
    }
    return FpExactArithmetic.fmaCore(sf, a, b, c, DOUBLE, rm);
  }

  // ---- binary32 arithmetic: computed in double, rounded once by toSingle ---------------------

  static int add32(SoftFloat sf, int a, int b, int rm) {
    if (notFinite32(a) || notFinite32(b)) {
      if (isNaN32(a) || isNaN32(b)) {
        return sf.nan32(a, b, 0);
      }
      return notFinite32(a) && notFinite32(b) && (a ^ b) < 0
          ? sf.invalid32()
          : notFinite32(a) ? a : b;
    }
    double x = Float.intBitsToFloat(a);
    double y = Float.intBitsToFloat(b);
    double d = x + y;
    if (d == 0) {
      return (int) zeroSum(a < 0, b < 0, SINGLE, rm); // a sum that is zero is exact
    }
    double bv = d - x;
    return sf.toSingle(d, (x - (d - bv)) + (y - bv), rm);
  }

  static int sub32(SoftFloat sf, int a, int b, int rm) {
    return add32(sf, a, b ^ SIGN_S, rm);
  }

  static int mul32(SoftFloat sf, int a, int b, int rm) {
    if (notFinite32(a) || notFinite32(b)) {
      if (isNaN32(a) || isNaN32(b)) {
        return sf.nan32(a, b, 0);
      }
      return (a & 0x7fffffff) == 0 || (b & 0x7fffffff) == 0
          ? sf.invalid32()
          : ((a ^ b) & SIGN_S) | 0x7f800000;
    }
    // Two 24-bit significands: the double product is exact.
    return sf.toSingle((double) Float.intBitsToFloat(a) * Float.intBitsToFloat(b), 0, rm);
  }

  static int div32(SoftFloat sf, int a, int b, int rm) {
    int sign = (a ^ b) & SIGN_S;
    if (notFinite32(a) || notFinite32(b) || (b & 0x7fffffff) == 0) {
      if (isNaN32(a) || isNaN32(b)) {
        return sf.nan32(a, b, 0);
      }
      if (notFinite32(a)) {
        return notFinite32(b) ? sf.invalid32() : sign | 0x7f800000;
      }
      if (notFinite32(b)) {
        return sign;
      }
      if ((a & 0x7fffffff) == 0) {
        return sf.invalid32(); // 0/0
      }
      sf.flags |= DZ;
      return sign | 0x7f800000;
    }
    double x = Float.intBitsToFloat(a);
    double y = Float.intBitsToFloat(b);
    double q = x / y;
    double rem = Math.fma(-q, y, x);
    return sf.toSingle(
        q, rem == 0 ? 0 : (rem > 0) == (y > 0) ? Double.MIN_VALUE : -Double.MIN_VALUE, rm);
  }

  static int sqrt32(SoftFloat sf, int a, int rm) {
    if (isNaN32(a)) {
      return sf.nan32(a, 0, 0);
    }
    if ((a & 0x7fffffff) == 0) {
      return a;
    }
    if (a < 0) {
      return sf.invalid32();
    }
    if (notFinite32(a)) {
      return a;
    }
    double x = Float.intBitsToFloat(a);
    double r = Math.sqrt(x);
    double rem = Math.fma(-r, r, x);
    return sf.toSingle(r, rem == 0 ? 0 : rem > 0 ? Double.MIN_VALUE : -Double.MIN_VALUE, rm);
  }

  static int fma32(SoftFloat sf, int a, int b, int c, int rm) {
    if (notFinite32(a) || notFinite32(b) || notFinite32(c)) {
      return fmaSpecial32(sf, a, b, c);
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
    return sf.toSingle(d, (p - (d - bv)) + (z - bv), rm);
  }

  private static int fmaSpecial32(SoftFloat sf, int a, int b, int c) {
    boolean za = (a & 0x7fffffff) == 0;
    boolean zb = (b & 0x7fffffff) == 0;
    boolean ia = notFinite32(a) && !isNaN32(a);
    boolean ib = notFinite32(b) && !isNaN32(b);
    boolean infTimesZero = (ia && zb) || (za && ib);
    if (isNaN32(a) || isNaN32(b) || isNaN32(c)) {
      if (infTimesZero) {
        sf.flags |= NV;
      }
      return sf.nan32(a, b, c);
    }
    if (infTimesZero) {
      return sf.invalid32();
    }
    int productSign = (a ^ b) & SIGN_S;
    if (ia || ib) {
      return notFinite32(c) && (c & SIGN_S) != productSign
          ? sf.invalid32()
          : productSign | 0x7f800000;
    }
    return c; // c is the infinity
  }
}
