package hartlab.cpu;

import java.util.Random;

/**
 * Random floating-point operands for tests, drawn to hit the corners: zeros, infinities, quiet and
 * signalling NaNs with payloads, subnormals, the normal range's edges, values next to integers and
 * to the integer formats' bounds, small integers (exact results), and operands derived from each
 * other (equal, negated, one ulp apart, products cancelling an addend) so that exact cancellation,
 * ties and tiny results actually occur.
 */
final class FpValues {
  private final Random rnd;

  FpValues(Random rnd) {
    this.rnd = rnd;
  }

  // ---- doubles ----

  long double64() {
    int k = rnd.nextInt(100);
    if (k < 6) {
      return rnd.nextBoolean() ? 0L : 0x8000000000000000L;
    }
    if (k < 9) {
      return sign(0x7ff0000000000000L);
    }
    if (k < 12) { // quiet NaN, canonical or with a payload
      return rnd.nextBoolean() ? SoftFloat.NAN_D : sign(0x7ff8000000000000L | bitsBelow(51));
    }
    if (k < 15) { // signalling NaN: quiet bit clear, payload nonzero
      return sign(0x7ff0000000000000L | 1L + (bitsBelow(51) & ((1L << 51) - 2)));
    }
    if (k < 22) { // subnormal
      long frac = rnd.nextInt(4) == 0 ? rnd.nextInt(8) + 1 : bitsBelow(52) | 1;
      return sign(frac);
    }
    if (k < 27) { // the edges of the normal range
      long[] edges = {
        0x0010000000000000L, 0x0010000000000001L, 0x000fffffffffffffL, 0x7fefffffffffffffL,
        0x7feffffffffffffeL, 0x7fe0000000000000L, 0x0020000000000000L, 0x001fffffffffffffL
      };
      return sign(edges[rnd.nextInt(edges.length)]);
    }
    if (k < 40) { // small integers, halves and quarters: exact results, ties
      double v = rnd.nextInt(2001) - 1000;
      v = v / (1 << rnd.nextInt(3));
      return Double.doubleToRawLongBits(v);
    }
    if (k < 50) { // near the integer formats' bounds
      double[] bounds = {0x1p31, 0x1p32, 0x1p63, 0x1p64, 0x1p24, 0x1p53, 1, 0.5};
      double b = bounds[rnd.nextInt(bounds.length)];
      double v;
      switch (rnd.nextInt(5)) {
        case 0:
          v = b;
          break;
        case 1:
          v = Math.nextUp(b);
          break;
        case 2:
          v = Math.nextDown(b);
          break;
        case 3:
          v = b - 1;
          break;
        default:
          v = b + rnd.nextInt(5) * 0.25 - 0.5;
          break;
      }
      return Double.doubleToRawLongBits(rnd.nextBoolean() ? v : -v);
    }
    if (k < 58) { // near 1 with a random low part
      long bits = 0x3ff0000000000000L | bitsBelow(rnd.nextInt(53));
      bits += (long) (rnd.nextInt(5) - 2) << 52;
      return sign(bits);
    }
    if (k < 66) { // exponents near the underflow and overflow thresholds, for products
      int exp = rnd.nextBoolean() ? 1 + rnd.nextInt(60) : 0x7fe - rnd.nextInt(60);
      if (rnd.nextBoolean()) {
        exp = 1023 + (rnd.nextBoolean() ? -1 : 1) * (450 + rnd.nextInt(120));
      }
      return sign(((long) exp << 52) | bitsBelow(52));
    }
    // anything finite
    return sign(((long) (1 + rnd.nextInt(0x7fe)) << 52) | bitsBelow(52));
  }

  /** An operand related to {@code a}, or an independent one. */
  long double64Near(long a) {
    if (SoftFloat.isNaN64(a) || (a & 0x7ff0000000000000L) == 0x7ff0000000000000L) {
      return double64();
    }
    double x = Double.longBitsToDouble(a);
    switch (rnd.nextInt(12)) {
      case 0:
        return a;
      case 1:
        return a ^ 0x8000000000000000L;
      case 2:
        return Double.doubleToRawLongBits(Math.nextUp(x));
      case 3:
        return Double.doubleToRawLongBits(-Math.nextDown(x));
      case 4:
        return Double.doubleToRawLongBits(Math.scalb(x, -53 - rnd.nextInt(3)));
      case 5:
        return Double.doubleToRawLongBits(Math.ulp(x) * (rnd.nextInt(7) - 3) / 2);
      case 6:
        return Double.doubleToRawLongBits(Math.scalb(x, rnd.nextInt(200) - 100));
      default:
        return double64();
    }
  }

  /** An addend for a*b + c: often one that cancels most of a*b. */
  long addend64(long a, long b) {
    double p = Double.longBitsToDouble(a) * Double.longBitsToDouble(b);
    if (!Double.isFinite(p) || rnd.nextInt(3) == 0) {
      return double64Near(a);
    }
    switch (rnd.nextInt(4)) {
      case 0:
        return Double.doubleToRawLongBits(-p);
      case 1:
        return Double.doubleToRawLongBits(-Math.nextUp(p));
      case 2:
        return Double.doubleToRawLongBits(Math.ulp(p) * (rnd.nextInt(5) - 2) / 2);
      default:
        return Double.doubleToRawLongBits(-p + Math.ulp(p) * (rnd.nextInt(9) - 4));
    }
  }

  // ---- singles ----

  int single32() {
    int k = rnd.nextInt(100);
    if (k < 6) {
      return rnd.nextBoolean() ? 0 : 0x80000000;
    }
    if (k < 9) {
      return sign32(0x7f800000);
    }
    if (k < 12) {
      return rnd.nextBoolean() ? SoftFloat.NAN_S : sign32(0x7fc00000 | rnd.nextInt(1 << 22));
    }
    if (k < 15) {
      return sign32(0x7f800000 | (1 + rnd.nextInt((1 << 22) - 1)));
    }
    if (k < 22) {
      return sign32(rnd.nextInt(4) == 0 ? rnd.nextInt(8) + 1 : rnd.nextInt(1 << 23) | 1);
    }
    if (k < 27) {
      int[] edges = {
        0x00800000,
        0x00800001,
        0x007fffff,
        0x7f7fffff,
        0x7f7ffffe,
        0x7f000000,
        0x01000000,
        0x00ffffff
      };
      return sign32(edges[rnd.nextInt(edges.length)]);
    }
    if (k < 40) {
      float v = rnd.nextInt(2001) - 1000;
      return Float.floatToRawIntBits(v / (1 << rnd.nextInt(3)));
    }
    if (k < 50) {
      float[] bounds = {0x1p31f, 0x1p32f, 0x1p63f, 0x1p64f, 0x1p24f, 1, 0.5f};
      float b = bounds[rnd.nextInt(bounds.length)];
      float v;
      switch (rnd.nextInt(4)) {
        case 0:
          v = b;
          break;
        case 1:
          v = Math.nextUp(b);
          break;
        case 2:
          v = Math.nextDown(b);
          break;
        default:
          v = b + rnd.nextInt(5) * 0.25f - 0.5f;
          break;
      }
      return Float.floatToRawIntBits(rnd.nextBoolean() ? v : -v);
    }
    if (k < 58) {
      int bits = 0x3f800000 | (rnd.nextInt(1 << 23) & ((1 << rnd.nextInt(24)) - 1));
      return sign32(bits + ((rnd.nextInt(5) - 2) << 23));
    }
    if (k < 66) {
      int exp = rnd.nextBoolean() ? 1 + rnd.nextInt(30) : 0xfe - rnd.nextInt(30);
      return sign32((exp << 23) | rnd.nextInt(1 << 23));
    }
    return sign32(((1 + rnd.nextInt(0xfe)) << 23) | rnd.nextInt(1 << 23));
  }

  int single32Near(int a) {
    if ((a & 0x7f800000) == 0x7f800000) {
      return single32();
    }
    float x = Float.intBitsToFloat(a);
    switch (rnd.nextInt(12)) {
      case 0:
        return a;
      case 1:
        return a ^ 0x80000000;
      case 2:
        return Float.floatToRawIntBits(Math.nextUp(x));
      case 3:
        return Float.floatToRawIntBits(-Math.nextDown(x));
      case 4:
        return Float.floatToRawIntBits(Math.scalb(x, -24 - rnd.nextInt(3)));
      case 5:
        return Float.floatToRawIntBits(Math.ulp(x) * (rnd.nextInt(7) - 3) / 2);
      case 6:
        return Float.floatToRawIntBits(Math.scalb(x, rnd.nextInt(60) - 30));
      default:
        return single32();
    }
  }

  int addend32(int a, int b) {
    double p = (double) Float.intBitsToFloat(a) * Float.intBitsToFloat(b);
    float pf = (float) p;
    if (!Float.isFinite(pf) || rnd.nextInt(3) == 0) {
      return single32Near(a);
    }
    switch (rnd.nextInt(4)) {
      case 0:
        return Float.floatToRawIntBits(-pf);
      case 1:
        return Float.floatToRawIntBits(-Math.nextUp(pf));
      case 2:
        return Float.floatToRawIntBits(Math.ulp(pf) * (rnd.nextInt(5) - 2) / 2);
      default:
        return Float.floatToRawIntBits(-pf + Math.ulp(pf) * (rnd.nextInt(9) - 4));
    }
  }

  /**
   * A 64-bit FP register holding a single: NaN-boxed, or (now and then) not, which makes it read as
   * the canonical NaN.
   */
  long boxed(int single) {
    int k = rnd.nextInt(20);
    if (k == 0) {
      return single & 0xFFFFFFFFL; // upper half zero
    }
    if (k == 1) {
      return ((long) rnd.nextInt() << 32) | (single & 0xFFFFFFFFL);
    }
    if (k == 2) {
      return 0xFFFFFFFE00000000L | (single & 0xFFFFFFFFL);
    }
    return 0xFFFFFFFF00000000L | (single & 0xFFFFFFFFL);
  }

  // ---- integers ----

  long integer() {
    switch (rnd.nextInt(6)) {
      case 0:
        {
          long[] edges = {
            0,
            1,
            -1,
            Integer.MAX_VALUE,
            Integer.MIN_VALUE,
            0xFFFFFFFFL,
            0x80000000L,
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            (1L << 24) + 1,
            (1L << 53) + 1,
            -(1L << 53) - 1,
            (1L << 24) - 1,
            0xFFFFFFFF00000000L
          };
          return edges[rnd.nextInt(edges.length)];
        }
      case 1:
        return rnd.nextInt(2001) - 1000;
      case 2:
        return rnd.nextInt();
      case 3: // an odd number of a random width: rounds in every format
        return (rnd.nextLong() >>> rnd.nextInt(64)) | 1;
      case 4:
        return -((rnd.nextLong() >>> rnd.nextInt(64)) | 1);
      default:
        return rnd.nextLong();
    }
  }

  int roundingMode() {
    return rnd.nextInt(5);
  }

  private long bitsBelow(int n) {
    return n == 0 ? 0 : rnd.nextLong() >>> (64 - n);
  }

  private long sign(long bits) {
    return rnd.nextBoolean() ? bits : bits | 0x8000000000000000L;
  }

  private int sign32(int bits) {
    return rnd.nextBoolean() ? bits : bits | 0x80000000;
  }
}
