package hartlab.cpu;

import static hartlab.cpu.AluTest.run;
import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** The M extension, with division by zero and signed overflow as the spec defines them. */
class MulDivTest {
  static final long MIN = Long.MIN_VALUE, MAX = Long.MAX_VALUE;
  static final long[] VALUES = {
    0,
    1,
    -1,
    2,
    -2,
    3,
    7,
    -7,
    MIN,
    MAX,
    MIN + 1,
    0x1234_5678_9ABC_DEF0L,
    0xFFFF_FFFFL,
    0x8000_0000L,
    Integer.MIN_VALUE,
    Integer.MAX_VALUE
  };
  static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

  static BigInteger unsigned(long v) {
    BigInteger b = BigInteger.valueOf(v);
    return v < 0 ? b.add(TWO64) : b;
  }

  static long high(BigInteger product) {
    return product.shiftRight(64).longValue();
  }

  @Test
  void multiplies() {
    for (long a : VALUES) {
      for (long b : VALUES) {
        String s = a + " * " + b;
        BigInteger sa = BigInteger.valueOf(a), sb = BigInteger.valueOf(b);
        assertEquals(a * b, run(mul(A0, A1, A2), a, b), "mul " + s);
        assertEquals(high(sa.multiply(sb)), run(mulh(A0, A1, A2), a, b), "mulh " + s);
        assertEquals(high(sa.multiply(unsigned(b))), run(mulhsu(A0, A1, A2), a, b), "mulhsu " + s);
        assertEquals(
            high(unsigned(a).multiply(unsigned(b))), run(mulhu(A0, A1, A2), a, b), "mulhu " + s);
        assertEquals((long) ((int) a * (int) b), run(mulw(A0, A1, A2), a, b), "mulw " + s);
      }
    }
  }

  @Test
  void dividesByNonZero() {
    for (long a : VALUES) {
      for (long b : VALUES) {
        if (b == 0 || (a == MIN && b == -1)) {
          continue;
        }
        String s = a + " / " + b;
        assertEquals(a / b, run(div(A0, A1, A2), a, b), "div " + s);
        assertEquals(a % b, run(rem(A0, A1, A2), a, b), "rem " + s);
        assertEquals(Long.divideUnsigned(a, b), run(divu(A0, A1, A2), a, b), "divu " + s);
        assertEquals(Long.remainderUnsigned(a, b), run(remu(A0, A1, A2), a, b), "remu " + s);
        int x = (int) a, y = (int) b;
        if (y == 0 || (x == Integer.MIN_VALUE && y == -1)) {
          continue;
        }
        assertEquals((long) (x / y), run(divw(A0, A1, A2), a, b), "divw " + s);
        assertEquals((long) (x % y), run(remw(A0, A1, A2), a, b), "remw " + s);
        assertEquals(
            (long) Integer.divideUnsigned(x, y), run(divuw(A0, A1, A2), a, b), "divuw " + s);
        assertEquals(
            (long) Integer.remainderUnsigned(x, y), run(remuw(A0, A1, A2), a, b), "remuw " + s);
      }
    }
  }

  @Test
  void divisionByZero() {
    for (long a : new long[] {0, 1, -1, MIN, MAX, 0x1_8000_0001L}) {
      assertEquals(-1, run(div(A0, A1, A2), a, 0));
      assertEquals(-1, run(divu(A0, A1, A2), a, 0)); // 2^64 - 1
      assertEquals(a, run(rem(A0, A1, A2), a, 0));
      assertEquals(a, run(remu(A0, A1, A2), a, 0));
      assertEquals(-1, run(divw(A0, A1, A2), a, 0));
      assertEquals(-1, run(divuw(A0, A1, A2), a, 0)); // 2^32 - 1, sign-extended
      assertEquals((long) (int) a, run(remw(A0, A1, A2), a, 0));
      assertEquals((long) (int) a, run(remuw(A0, A1, A2), a, 0));
    }
    // W forms look only at the low word of the divisor.
    assertEquals(-1, run(divw(A0, A1, A2), 5, 0x1_0000_0000L));
  }

  @Test
  void signedOverflow() {
    assertEquals(MIN, run(div(A0, A1, A2), MIN, -1));
    assertEquals(0, run(rem(A0, A1, A2), MIN, -1));
    assertEquals((long) Integer.MIN_VALUE, run(divw(A0, A1, A2), Integer.MIN_VALUE, -1));
    assertEquals(0, run(remw(A0, A1, A2), Integer.MIN_VALUE, -1));
  }

  @Test
  void unsignedWordResultsAreSignExtended() {
    assertEquals(0xFFFF_FFFF_8000_0000L, run(divuw(A0, A1, A2), 0x8000_0000L, 1));
    assertEquals(0xFFFF_FFFF_FFFF_FFFFL, run(remuw(A0, A1, A2), 0xFFFF_FFFFL, 0));
    assertEquals(0xFFFF_FFFF_8000_0000L, run(mulw(A0, A1, A2), 0x4000_0000L, 2));
  }
}
