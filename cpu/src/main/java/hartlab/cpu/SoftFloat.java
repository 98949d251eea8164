package hartlab.cpu;

import static hartlab.cpu.FpFormat.*;

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
 * <p>The operations are static methods of one class per kind, each taking the hart's SoftFloat to
 * round into and accrue flags on: {@link FpArithmetic} (add, subtract, multiply, divide, square
 * root, fused multiply-add: the fast paths and the special operands), {@link FpExactArithmetic}
 * (the exact path's cores), {@link FpConversion} (integer and format conversions, with the RISC-V
 * saturation) and {@link FpCompare} (comparisons, min/max, classification); {@link FpFormat} reads
 * the encodings. This class is what they share: the accrued flags, and the rounding core that turns
 * a fast-path result or an exact value into an encoding and the flags it raises.
 *
 * <p>One instance per hart: {@link #flags} accrues the exception flags (fflags) of every operation.
 * Everything is statically bound and small enough to inline. Hart-local, like the rest of the FP
 * state.
 */
final class SoftFloat {
  // Rounding modes: the rm field and frm encodings (spec 11.2, Table 11.1).
  static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4, DYN = 7;

  // Accrued exception flags: fflags bits (spec 11.2, Table 11.2).
  static final int NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

  // Per format (index SINGLE, DOUBLE): fraction bits, exponent range, and the encodings overflow
  // produces.
  private static final int[] FRAC = {23, 52};
  private static final int[] EMIN = {-126, -1022};
  private static final int[] EMAX = {127, 1023};
  private static final long[] SIGN = {0x80000000L, SIGN_D};
  private static final long[] INF = {0x7f800000L, 0x7ff0000000000000L};
  private static final long[] MAX = {0x7f7fffffL, 0x7fefffffffffffffL};

  /** Accrued exception flags (fflags): operations OR bits in; only the CSR instructions clear. */
  int flags;

  // ---- NaN results ---------------------------------------------------------------------------

  /**
   * The result of an operation with a NaN operand: the canonical NaN, NV if any operand signals
   * (spec 11.3: RISC-V does not propagate payloads).
   */
  int nan32(int a, int b, int c) {
    if (isSNaN32(a) || isSNaN32(b) || isSNaN32(c)) {
      flags |= NV;
    }
    return NAN_S;
  }

  long nan64(long a, long b, long c) {
    if (isSNaN64(a) || isSNaN64(b) || isSNaN64(c)) {
      flags |= NV;
    }
    return NAN_D;
  }

  int invalid32() {
    flags |= NV;
    return NAN_S;
  }

  long invalid64() {
    flags |= NV;
    return NAN_D;
  }

  // ---- finishing a fast-path result ---------------------------------------------------------

  /**
   * Finishes a fast-path result: {@code r} is the round-to-nearest-even result, inside [SAFE_MIN,
   * MAX_VALUE] (see {@link FpArithmetic}), and {@code err} (nonzero) is exact - r, exactly, or with
   * the right sign and a magnitude that is never ulp(r)/2 when the exact value cannot be a tie.
   * Accrues NX (and OF if a directed mode steps past MAX_VALUE).
   */
  long inexact64(double r, double err, int rm) {
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

  /**
   * Rounds the exact value d + err to single under rm. d is a finite double; err is the exact error
   * of d, or has its sign and a magnitude below half an ulp of d (MIN_VALUE), or is 0 when d is
   * exact. No single and no single midpoint lies strictly between d and the exact value (both are
   * doubles), so d and the sign of err decide the rounding; only a d that is exactly a midpoint
   * needs err to break the tie.
   */
  int toSingle(double d, double err, int rm) {
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

  // ---- zeros --------------------------------------------------------------------------------

  /** The zero of fmt with the given sign. */
  static long zero(boolean neg, int fmt) {
    return neg ? SIGN[fmt] : 0;
  }

  /**
   * The zero that an exact zero sum of operands with signs na and nb has (IEEE 754-2008 6.3): their
   * sign when they agree, else +0, except -0 when rounding down.
   */
  static long zeroSum(boolean na, boolean nb, int fmt, int rm) {
    return zero(na == nb ? na : rm == RDN, fmt);
  }

  // ---- rounding an exact value --------------------------------------------------------------

  /**
   * Rounds (-1)^neg * (hi:lo) * 2^exp (a nonzero 128-bit magnitude below 2^127) into fmt: the top
   * 63 bits are kept and the rest jammed into bit 0.
   */
  long roundPack128(boolean neg, int exp, long hi, long lo, int fmt, int rm) {
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
