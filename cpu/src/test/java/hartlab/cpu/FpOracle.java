package hartlab.cpu;

import java.math.BigInteger;

/**
 * A slow, obviously-exact IEEE 754 reference for tests, written separately from {@link SoftFloat}
 * and by a different method: every finite operand becomes a BigInteger times a power of two, the
 * operation is done exactly on rationals, and {@link #round} rounds the rational by integer
 * division, deciding tininess by rounding a second time with an unbounded exponent. The special
 * cases (NaN, infinities, signed zeros) follow the RISC-V spec's text, restated here.
 */
final class FpOracle {
  /** Encoding (a single's in the low 32 bits) and the flags raised. */
  record Result(long bits, int flags) {
    @Override
    public String toString() {
      return String.format("0x%x flags %s", bits, flagNames(flags));
    }
  }

  static final int NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

  static String flagNames(int f) {
    StringBuilder b = new StringBuilder();
    String[] n = {"NX", "UF", "OF", "DZ", "NV"};
    for (int i = 4; i >= 0; i--) {
      if ((f & (1 << i)) != 0) {
        b.append(b.length() > 0 ? "|" : "").append(n[i]);
      }
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  /** A binary interchange format. */
  enum Fmt {
    S(24, 8),
    D(53, 11);

    final int p; // precision, hidden bit included
    final int expBits;
    final int emax;
    final int emin;

    Fmt(int p, int expBits) {
      this.p = p;
      this.expBits = expBits;
      this.emax = (1 << (expBits - 1)) - 1;
      this.emin = 1 - emax;
    }

    long signBit() {
      return 1L << (p + expBits - 1);
    }

    long expMask() {
      return ((1L << expBits) - 1) << (p - 1);
    }

    long fracMask() {
      return (1L << (p - 1)) - 1;
    }

    long inf() {
      return expMask();
    }

    long maxFinite() {
      return expMask() - 1;
    }

    long canonicalNaN() {
      return expMask() | (1L << (p - 2));
    }

    boolean isNaN(long b) {
      return (b & expMask()) == expMask() && (b & fracMask()) != 0;
    }

    boolean isSNaN(long b) {
      return isNaN(b) && (b & (1L << (p - 2))) == 0;
    }

    boolean isInf(long b) {
      return (b & ~signBit()) == inf();
    }

    boolean isZero(long b) {
      return (b & ~signBit()) == 0;
    }

    boolean neg(long b) {
      return (b & signBit()) != 0;
    }

    /** Magnitude significand of a finite value: value = sig * 2^exp(b). */
    BigInteger sig(long b) {
      long e = (b & expMask()) >>> (p - 1);
      long f = b & fracMask();
      return BigInteger.valueOf(e == 0 ? f : f | (1L << (p - 1)));
    }

    int exp(long b) {
      int e = (int) ((b & expMask()) >>> (p - 1));
      return (e == 0 ? 1 : e) - emax - (p - 1);
    }
  }

  private FpOracle() {}

  private static Result nan(Fmt f, boolean signalling) {
    return new Result(f.canonicalNaN(), signalling ? NV : 0);
  }

  private static Result exactZero(Fmt f, boolean neg) {
    return new Result(neg ? f.signBit() : 0, 0);
  }

  /**
   * Rounds (-1)^neg * num/den * 2^k (num, den > 0) into f under rm, IEEE 754-2008 section 4.3 and
   * 7.4-7.6, tininess after rounding.
   */
  static Result round(boolean neg, BigInteger num, BigInteger den, int k, Fmt f, int rm) {
    // e with 2^e <= value < 2^(e+1)
    int s = num.bitLength() - den.bitLength();
    BigInteger dn = s >= 0 ? den.shiftLeft(s) : den;
    BigInteger nn = s >= 0 ? num : num.shiftLeft(-s);
    int e = s + k - (nn.compareTo(dn) < 0 ? 1 : 0);
    int lsb = Math.max(e, f.emin) - (f.p - 1);
    BigInteger[] qr = divide(num, den, k - lsb);
    BigInteger q = qr[0];
    boolean inexact = qr[1].signum() != 0;
    int cmpHalf = qr[1].shiftLeft(1).compareTo(qr[2]);
    if (inexact && up(neg, q, cmpHalf, rm)) {
      q = q.add(BigInteger.ONE);
    }
    int flags = inexact ? NX : 0;
    long bits;
    if (e >= f.emin) {
      int eFinal = e;
      if (q.bitLength() > f.p) { // carried to 2^p
        q = q.shiftRight(1);
        eFinal++;
      }
      if (eFinal > f.emax) {
        boolean toInf = rm == 0 || rm == 4 || (rm == 2 && neg) || (rm == 3 && !neg);
        bits = toInf ? f.inf() : f.maxFinite();
        return new Result(neg ? bits | f.signBit() : bits, NX | OF);
      }
      bits = ((long) (eFinal + f.emax) << (f.p - 1)) | (q.longValue() & f.fracMask());
    } else {
      bits = q.longValue(); // a carry into 2^(p-1) encodes the smallest normal by itself
      if (inexact) {
        // Tiny unless rounding with an unbounded exponent range reaches 2^emin.
        BigInteger[] u = divide(num, den, k - (e - (f.p - 1)));
        BigInteger qu = u[0];
        if (u[1].signum() != 0 && up(neg, qu, u[1].shiftLeft(1).compareTo(u[2]), rm)) {
          qu = qu.add(BigInteger.ONE);
        }
        boolean tiny = !(qu.bitLength() > f.p && e + 1 >= f.emin);
        if (tiny) {
          flags |= UF;
        }
      }
    }
    return new Result(neg ? bits | f.signBit() : bits, flags);
  }

  /** {floor(num * 2^shift / den), remainder, divisor}. */
  private static BigInteger[] divide(BigInteger num, BigInteger den, int shift) {
    BigInteger a = shift >= 0 ? num.shiftLeft(shift) : num;
    BigInteger b = shift >= 0 ? den : den.shiftLeft(-shift);
    BigInteger[] qr = a.divideAndRemainder(b);
    return new BigInteger[] {qr[0], qr[1], b};
  }

  private static boolean up(boolean neg, BigInteger q, int cmpHalf, int rm) {
    switch (rm) {
      case 0:
        return cmpHalf > 0 || (cmpHalf == 0 && q.testBit(0));
      case 1:
        return false;
      case 2:
        return neg;
      case 3:
        return !neg;
      default:
        return cmpHalf >= 0;
    }
  }

  /** A signed exact value n * 2^k as (num, k) with sign; rounding helper for sums. */
  private static Result roundSigned(BigInteger n, int k, Fmt f, int rm) {
    return round(n.signum() < 0, n.abs(), BigInteger.ONE, k, f, rm);
  }

  private static BigInteger signed(long b, Fmt f) {
    BigInteger s = f.sig(b);
    return f.neg(b) ? s.negate() : s;
  }

  // ---- operations on encodings of format f ----

  static Result add(long a, long b, Fmt f, int rm) {
    if (f.isNaN(a) || f.isNaN(b)) {
      return nan(f, f.isSNaN(a) || f.isSNaN(b));
    }
    if (f.isInf(a) || f.isInf(b)) {
      if (f.isInf(a) && f.isInf(b) && f.neg(a) != f.neg(b)) {
        return nan(f, true);
      }
      return new Result(f.isInf(a) ? a : b, 0);
    }
    int k = Math.min(f.exp(a), f.exp(b));
    BigInteger sum = signed(a, f).shiftLeft(f.exp(a) - k).add(signed(b, f).shiftLeft(f.exp(b) - k));
    if (sum.signum() == 0) {
      boolean neg = f.neg(a) == f.neg(b) ? f.neg(a) : rm == 2;
      return exactZero(f, neg);
    }
    return roundSigned(sum, k, f, rm);
  }

  static Result sub(long a, long b, Fmt f, int rm) {
    return add(a, b ^ f.signBit(), f, rm);
  }

  static Result mul(long a, long b, Fmt f, int rm) {
    boolean neg = f.neg(a) != f.neg(b);
    if (f.isNaN(a) || f.isNaN(b)) {
      return nan(f, f.isSNaN(a) || f.isSNaN(b));
    }
    if (f.isInf(a) || f.isInf(b)) {
      if (f.isZero(a) || f.isZero(b)) {
        return nan(f, true);
      }
      return new Result(neg ? f.inf() | f.signBit() : f.inf(), 0);
    }
    if (f.isZero(a) || f.isZero(b)) {
      return exactZero(f, neg);
    }
    return round(neg, f.sig(a).multiply(f.sig(b)), BigInteger.ONE, f.exp(a) + f.exp(b), f, rm);
  }

  static Result div(long a, long b, Fmt f, int rm) {
    boolean neg = f.neg(a) != f.neg(b);
    long inf = neg ? f.inf() | f.signBit() : f.inf();
    if (f.isNaN(a) || f.isNaN(b)) {
      return nan(f, f.isSNaN(a) || f.isSNaN(b));
    }
    if (f.isInf(a)) {
      return f.isInf(b) ? nan(f, true) : new Result(inf, 0);
    }
    if (f.isInf(b)) {
      return exactZero(f, neg);
    }
    if (f.isZero(b)) {
      return f.isZero(a) ? nan(f, true) : new Result(inf, DZ);
    }
    if (f.isZero(a)) {
      return exactZero(f, neg);
    }
    return round(neg, f.sig(a), f.sig(b), f.exp(a) - f.exp(b), f, rm);
  }

  static Result sqrt(long a, Fmt f, int rm) {
    if (f.isNaN(a)) {
      return nan(f, f.isSNaN(a));
    }
    if (f.isZero(a)) {
      return new Result(a, 0);
    }
    if (f.neg(a)) {
      return nan(f, true);
    }
    if (f.isInf(a)) {
      return new Result(a, 0);
    }
    // sqrt(n * 2^k) = sqrt(n * 2^(k - 2j)) * 2^j with an integer radicand of 2p + 8 bits or more.
    BigInteger n = f.sig(a);
    int k = f.exp(a);
    int j = Math.floorDiv(k - Math.max(0, 2 * f.p + 8 - n.bitLength()), 2);
    BigInteger w = n.shiftLeft(k - 2 * j);
    BigInteger s = w.sqrt();
    if (s.multiply(s).equals(w)) {
      return round(false, s, BigInteger.ONE, j, f, rm);
    }
    // s < sqrt(w) < s + 1; s has p + 4 bits or more, so s + 1/2 rounds as sqrt(w) does.
    return round(false, s.shiftLeft(1).add(BigInteger.ONE), BigInteger.ONE, j - 1, f, rm);
  }

  static Result fma(long a, long b, long c, Fmt f, int rm) {
    boolean infZero =
        (f.isInf(a) && f.isZero(b)) || (f.isZero(a) && f.isInf(b)); // NV even with a NaN addend
    if (f.isNaN(a) || f.isNaN(b) || f.isNaN(c)) {
      Result r = nan(f, f.isSNaN(a) || f.isSNaN(b) || f.isSNaN(c));
      return infZero ? new Result(r.bits(), r.flags() | NV) : r;
    }
    if (infZero) {
      return nan(f, true);
    }
    boolean np = f.neg(a) != f.neg(b);
    if (f.isInf(a) || f.isInf(b)) {
      if (f.isInf(c) && f.neg(c) != np) {
        return nan(f, true);
      }
      return new Result(np ? f.inf() | f.signBit() : f.inf(), 0);
    }
    if (f.isInf(c)) {
      return new Result(c, 0);
    }
    BigInteger prod = f.sig(a).multiply(f.sig(b));
    if (np) {
      prod = prod.negate();
    }
    int kp = f.exp(a) + f.exp(b);
    int kc = f.exp(c);
    int k = Math.min(kp, kc);
    BigInteger sum = prod.shiftLeft(kp - k).add(signed(c, f).shiftLeft(kc - k));
    if (sum.signum() == 0) {
      boolean pz = prod.signum() == 0;
      boolean cz = f.isZero(c);
      boolean neg = (pz && cz && np == f.neg(c)) ? np : rm == 2;
      return exactZero(f, neg);
    }
    return roundSigned(sum, k, f, rm);
  }

  static Result minMax(long a, long b, Fmt f, boolean min) {
    int flags = f.isSNaN(a) || f.isSNaN(b) ? NV : 0;
    if (f.isNaN(a) && f.isNaN(b)) {
      return new Result(f.canonicalNaN(), flags);
    }
    if (f.isNaN(a) || f.isNaN(b)) {
      return new Result(f.isNaN(a) ? b : a, flags);
    }
    int c = compare(a, b, f);
    if (c == 0) { // -0 < +0 here only
      boolean aBelow = f.neg(a) && !f.neg(b);
      c = aBelow ? -1 : f.neg(b) && !f.neg(a) ? 1 : 0;
    }
    return new Result((c <= 0) == min ? a : b, flags);
  }

  /** Numeric order of two non-NaN encodings (-0 equals +0). */
  static int compare(long a, long b, Fmt f) {
    return value(a, f).compareTo(value(b, f));
  }

  private static java.math.BigDecimal value(long b, Fmt f) {
    if (f.isInf(b)) {
      java.math.BigDecimal big = java.math.BigDecimal.TEN.pow(400);
      return f.neg(b) ? big.negate() : big;
    }
    java.math.BigDecimal m = new java.math.BigDecimal(signed(b, f));
    int e = f.exp(b);
    return e >= 0
        ? m.multiply(new java.math.BigDecimal(BigInteger.ONE.shiftLeft(e)))
        : m.divide(new java.math.BigDecimal(BigInteger.ONE.shiftLeft(-e)));
  }

  /** feq (quiet), flt and fle (signalling): result 0/1 in bits. */
  static Result compareOp(long a, long b, Fmt f, int which) {
    if (f.isNaN(a) || f.isNaN(b)) {
      boolean signal = which != 0 || f.isSNaN(a) || f.isSNaN(b);
      return new Result(0, signal ? NV : 0);
    }
    int c = compare(a, b, f);
    boolean r = which == 0 ? c == 0 : which == 1 ? c < 0 : c <= 0;
    return new Result(r ? 1 : 0, 0);
  }

  /** FCVT to an integer (kind 0 w, 1 wu, 2 l, 3 lu); result sign-extended from 32 bits for w/wu. */
  static Result toInt(long a, Fmt f, int kind, int rm) {
    BigInteger lo =
        kind == 0
            ? BigInteger.valueOf(Integer.MIN_VALUE)
            : kind == 2 ? BigInteger.valueOf(Long.MIN_VALUE) : BigInteger.ZERO;
    BigInteger hi =
        kind == 0
            ? BigInteger.valueOf(Integer.MAX_VALUE)
            : kind == 1
                ? BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE)
                : kind == 2
                    ? BigInteger.valueOf(Long.MAX_VALUE)
                    : BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    if (f.isNaN(a)) {
      return new Result(sext(hi, kind), NV);
    }
    if (f.isInf(a)) {
      return new Result(sext(f.neg(a) ? lo : hi, kind), NV);
    }
    boolean neg = f.neg(a);
    BigInteger[] qr = divide(f.sig(a), BigInteger.ONE, f.exp(a));
    BigInteger q = qr[0];
    boolean inexact = qr[1].signum() != 0;
    if (inexact && up(neg, q, qr[1].shiftLeft(1).compareTo(qr[2]), rm)) {
      q = q.add(BigInteger.ONE);
    }
    BigInteger v = neg ? q.negate() : q;
    if (v.compareTo(lo) < 0) {
      return new Result(sext(lo, kind), NV);
    }
    if (v.compareTo(hi) > 0) {
      return new Result(sext(hi, kind), NV);
    }
    return new Result(sext(v, kind), inexact ? NX : 0);
  }

  private static long sext(BigInteger v, int kind) {
    return kind <= 1 ? (long) v.intValue() : v.longValue();
  }

  /** FCVT from an integer: v signed, or unsigned when {@code unsigned}. */
  static Result fromInt(long v, boolean unsigned, Fmt f, int rm) {
    BigInteger n = unsigned ? new BigInteger(Long.toUnsignedString(v)) : BigInteger.valueOf(v);
    if (n.signum() == 0) {
      return new Result(0, 0);
    }
    return round(n.signum() < 0, n.abs(), BigInteger.ONE, 0, f, rm);
  }

  /** FCVT between formats. */
  static Result convert(long a, Fmt from, Fmt to, int rm) {
    if (from.isNaN(a)) {
      return nan(to, from.isSNaN(a));
    }
    boolean neg = from.neg(a);
    if (from.isInf(a)) {
      return new Result(neg ? to.inf() | to.signBit() : to.inf(), 0);
    }
    if (from.isZero(a)) {
      return exactZero(to, neg);
    }
    return round(neg, from.sig(a), BigInteger.ONE, from.exp(a), to, rm);
  }

  static int classify(long a, Fmt f) {
    boolean neg = f.neg(a);
    if (f.isNaN(a)) {
      return f.isSNaN(a) ? 1 << 8 : 1 << 9;
    }
    if (f.isInf(a)) {
      return neg ? 1 : 1 << 7;
    }
    if (f.isZero(a)) {
      return neg ? 1 << 3 : 1 << 4;
    }
    boolean sub = (a & f.expMask()) == 0;
    return neg ? (sub ? 1 << 2 : 1 << 1) : (sub ? 1 << 5 : 1 << 6);
  }
}
