package hartlab.cpu;

import static hartlab.cpu.FpFormat.*;
import static hartlab.cpu.SoftFloat.*;

/**
 * The exact path of {@link FpArithmetic}: sum, product, quotient, square root and fused
 * multiply-add of finite doubles as an exact integer significand, an exponent and a sticky bit
 * ({@code long} arithmetic, 128-bit products via {@code Math.multiplyHigh}), rounded once into
 * single or double by {@link SoftFloat#roundPack}. Slow but always right, and allocation-free;
 * taken for results that may be tiny or overflow and for fused multiply-adds whose error the fast
 * path cannot see. The tests also drive these cores directly with ordinary operands.
 */
final class FpExactArithmetic {
  private FpExactArithmetic() {}

  /**
   * The sum of two finite doubles, rounded into fmt. Both significands are left-justified to bit 61
   * (bit 62 takes the carry), the smaller operand is shifted right to the larger one's exponent
   * with the bits shifted out jammed into bit 0, then added or subtracted.
   */
  static long addCore(SoftFloat sf, long a, long b, int fmt, int rm) {
    long sa = sigOf(a);
    long sb = sigOf(b);
    boolean na = a < 0;
    boolean nb = b < 0;
    if (sa == 0 || sb == 0) {
      if (sa == 0 && sb == 0) {
        return zeroSum(na, nb, fmt, rm);
      }
      return sa == 0
          ? sf.roundPack(nb, expOf(b), sb, fmt, rm)
          : sf.roundPack(na, expOf(a), sa, fmt, rm);
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
    return sf.roundPack(na, ea, s, fmt, rm);
  }

  /** The product of two finite doubles, rounded into fmt, from the exact 106-bit product. */
  static long mulCore(SoftFloat sf, long a, long b, int fmt, int rm) {
    boolean neg = (a ^ b) < 0;
    long sa = sigOf(a);
    long sb = sigOf(b);
    if (sa == 0 || sb == 0) {
      return zero(neg, fmt);
    }
    return sf.roundPack128(neg, expOf(a) + expOf(b), Math.multiplyHigh(sa, sb), sa * sb, fmt, rm);
  }

  /**
   * The quotient of two finite doubles (b nonzero), rounded into fmt. Both significands are scaled
   * to [1, 2), where the host's quotient q is within half an ulp of the true one and the exact
   * remainder (an fma) says on which side: q's significand with two more bits, minus or plus a
   * quarter ulp, stands for the true quotient at every coarser rounding position.
   */
  static long divCore(SoftFloat sf, long a, long b, int fmt, int rm) {
    boolean neg = (a ^ b) < 0;
    long sa = sigOf(a);
    long sb = sigOf(b);
    if (sa == 0) {
      return zero(neg, fmt);
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
    return sf.roundPack(neg, expOf(qb) - 2 + ea - eb, sig, fmt, rm);
  }

  /** The square root of a positive finite double, rounded into fmt, as divCore does it. */
  static long sqrtCore(SoftFloat sf, long a, int fmt, int rm) {
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
    return sf.roundPack(false, expOf(rb) - 2 + bigE / 2, sig, fmt, rm);
  }

  /**
   * a*b + c for finite doubles, rounded once into fmt: the exact 106-bit product and the addend,
   * both left-justified to bit 125 of a 128-bit pair (hi, lo), aligned with jamming, added or
   * subtracted, then rounded.
   */
  static long fmaCore(SoftFloat sf, long a, long b, long c, int fmt, int rm) {
    boolean np = (a ^ b) < 0;
    boolean nc = c < 0;
    long sa = sigOf(a);
    long sb = sigOf(b);
    long sc = sigOf(c);
    if (sa == 0 || sb == 0) { // an exact zero product
      return sc == 0 ? zeroSum(np, nc, fmt, rm) : sf.roundPack(nc, expOf(c), sc, fmt, rm);
    }
    int ep = expOf(a) + expOf(b);
    long ph = Math.multiplyHigh(sa, sb);
    long pl = sa * sb;
    if (sc == 0) {
      return sf.roundPack128(np, ep, ph, pl, fmt, rm);
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
    return sf.roundPack128(nb, eb, rh, rl, fmt, rm);
  }
}
