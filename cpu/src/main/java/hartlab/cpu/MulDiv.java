package hartlab.cpu;

/**
 * The M extension's arithmetic where Java's operators disagree with RISC-V (unprivileged spec,
 * chapter "M" Standard Extension, table "Semantics for division by zero and division overflow"):
 *
 * <pre>
 *   condition           dividend  divisor  DIVU[W]    REMU[W]  DIV[W]     REM[W]
 *   division by zero    x         0        2^L - 1    x        -1         x
 *   overflow (signed)   -2^(L-1)  -1       -          -        -2^(L-1)   0
 * </pre>
 *
 * Java throws on division by zero and already wraps on overflow ({@code MIN / -1 == MIN}, {@code
 * MIN % -1 == 0}), so only the zero divisor needs a test. W forms operate on the low 32 bits and
 * sign-extend their 32-bit result, DIVUW/REMUW included.
 */
final class MulDiv {
  private MulDiv() {}

  /** High 64 bits of signed {@code a} times unsigned {@code b}. */
  static long mulhsu(long a, long b) {
    // b as unsigned is b + 2^64 when b < 0, adding a * 2^64 to the product: a to the high half.
    return Math.multiplyHigh(a, b) + ((b >> 63) & a);
  }

  /** High 64 bits of unsigned {@code a} times unsigned {@code b}. */
  static long mulhu(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }

  static long div(long a, long b) {
    return b == 0 ? -1 : a / b;
  }

  static long divu(long a, long b) {
    return b == 0 ? -1 : Long.divideUnsigned(a, b);
  }

  static long rem(long a, long b) {
    return b == 0 ? a : a % b;
  }

  static long remu(long a, long b) {
    return b == 0 ? a : Long.remainderUnsigned(a, b);
  }

  static long divw(long a, long b) {
    int x = (int) a;
    int y = (int) b;
    return y == 0 ? -1 : x / y;
  }

  static long divuw(long a, long b) {
    int x = (int) a;
    int y = (int) b;
    return y == 0 ? -1 : Integer.divideUnsigned(x, y);
  }

  static long remw(long a, long b) {
    int x = (int) a;
    int y = (int) b;
    return y == 0 ? x : x % y;
  }

  static long remuw(long a, long b) {
    int x = (int) a;
    int y = (int) b;
    return y == 0 ? x : Integer.remainderUnsigned(x, y);
  }
}
