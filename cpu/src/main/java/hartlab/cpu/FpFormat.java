package hartlab.cpu;

/**
 * The binary32 and binary64 encodings (IEEE 754-2008 3.4) as raw bits: the field masks, the
 * canonical NaNs of RISC-V, and the predicates and field extractors every part of the soft-float
 * code reads operands with. Pure functions of their arguments; no flags, no rounding.
 */
final class FpFormat {
  /** The canonical NaNs (spec 11.3): positive, quiet bit only. */
  static final int NAN_S = 0x7fc00000;

  static final long NAN_D = 0x7ff8000000000000L;

  /** Formats for the exact path. */
  static final int SINGLE = 0, DOUBLE = 1;

  static final int SIGN_S = 0x80000000;
  static final long SIGN_D = 0x8000000000000000L;
  static final long FRAC_D = 0x000fffffffffffffL;
  static final long HIDDEN_D = 1L << 52;
  static final long ONE_D = 0x3ff0000000000000L;
  static final long INF_D = 0x7ff0000000000000L;

  private FpFormat() {}

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
  static boolean notFinite32(int a) {
    return (a & 0x7f800000) == 0x7f800000;
  }

  static boolean isInf64(long a) {
    return (a & ~SIGN_D) == 0x7ff0000000000000L;
  }

  static boolean isZero64(long a) {
    return (a & ~SIGN_D) == 0;
  }

  /** Significand of a finite double, hidden bit included (value = sig * 2^exp). */
  static long sigOf(long a) {
    long frac = a & FRAC_D;
    return (a & 0x7ff0000000000000L) == 0 ? frac : frac | HIDDEN_D;
  }

  static int expOf(long a) {
    int e = (int) (a >>> 52) & 0x7ff;
    return (e == 0 ? 1 : e) - 1075;
  }
}
