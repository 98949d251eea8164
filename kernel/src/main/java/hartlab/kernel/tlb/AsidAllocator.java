package hartlab.kernel.tlb;

import hartlab.kernel.mm.Mm;
import java.util.BitSet;

/**
 * Generation-based ASID allocation, as arm64 and riscv Linux do it.
 *
 * <p>An mm's context is {@code generation | asid}. It stays valid while the generation is current;
 * when ASIDs run out, the generation advances (a rollover): every ASID is free again except those
 * of the mms loaded on a hart right now (reserved, so running mms keep theirs), and every hart must
 * flush its whole TLB before it next switches mm, because the ASIDs in it may now name other mms.
 * ASID 0 belongs to the kernel.
 *
 * <p>A reservation names the mm itself, not the context value it had at the rollover: a hart may
 * run an mm through several rollovers without switching, while other harts carry the mm into newer
 * generations, and all that time its ASID must stay the one this hart loaded (flushes name {@code
 * mm.asid}). Linux gets the same effect by rewriting the reserved value whenever an mm is found
 * under it (check_update_reserved_asid).
 *
 * <p>More harts than ASIDs. Linux never lets it come to that: arm64 warns unless there are more
 * ASIDs than CPUs, and riscv turns its allocator off unless there are twice as many. Here every
 * width runs on up to 64 harts, so when the mms loaded on the harts hold every user ASID there is
 * none to give, even after a rollover. Handing out ASID 0 (the kernel's), or quietly reusing
 * another mm's ASID, would let a hart translate one mm's addresses with another's TLB entries.
 * Instead the mm gets a <em>shared</em> context ({@link #SHARED}): an ASID another mm holds too in
 * this generation. A hart that loads a shared context flushes its whole TLB first and stays
 * flush-pending, so it flushes again before its next switch: while it runs the mm, its entries
 * under that ASID are that mm's alone, and none survive it. TLBs are per hart, so harts running the
 * ASID's other mm are not disturbed. The shared mm, too, keeps its one ASID on every hart for the
 * rest of the generation, and through rollovers while some hart holds it. A rollover that would
 * free no ASID is not made: it would only make every hart flush.
 *
 * <p>Thread-safe: one short lock around every decision, as Linux's cpu_asid_lock.
 */
public final class AsidAllocator {
  /**
   * Marks a shared context (see the class comment); above any generation a run reaches, as a
   * generation advances by {@code 1 << bits} per rollover.
   */
  static final long SHARED = 1L << 62;

  private final int bits;
  private final long asidMask;
  private final BitSet used;

  /** Per hart, the mm it has loaded (null: the kernel's table). */
  private final Mm[] active;

  /** Per hart, the mm whose ASID it reserved at the last rollover. */
  private final Mm[] reserved;

  private final boolean[] flushPending;
  private long generation;
  private int hint = 1;
  private int shareHint = 1;
  private long rollovers;

  /** Result of {@link #switchTo}: the ASID to load, and whether to flush the whole TLB first. */
  record Switch(int asid, boolean flushAll) {}

  public AsidAllocator(int bits, int harts) {
    if (bits < 2 || bits > 16) {
      throw new IllegalArgumentException("ASID bits must be 2..16, got " + bits);
    }
    this.bits = bits;
    this.asidMask = (1L << bits) - 1;
    this.used = new BitSet(1 << bits);
    this.active = new Mm[harts];
    this.reserved = new Mm[harts];
    this.flushPending = new boolean[harts];
    this.generation = 1L << bits;
    used.set(0);
  }

  /** Called on {@code hart} while switching to {@code mm}: makes its context current. */
  synchronized Switch switchTo(Mm mm, int hart) {
    if ((mm.context & ~(asidMask | SHARED)) != generation) {
      mm.context = newContext(mm);
      mm.asid = (int) (mm.context & asidMask);
    }
    boolean shared = (mm.context & SHARED) != 0;
    // A shared ASID's entries on this hart may be the other mm's: flush now, and again before the
    // next switch, so that they are never the other mm's while this one runs, nor after.
    boolean flush = flushPending[hart] || shared;
    flushPending[hart] = shared;
    active[hart] = mm;
    return new Switch((int) (mm.context & asidMask), flush);
  }

  /** The hart runs no user mm now (idle with lazy TLB off, or the mm died). */
  synchronized void leave(int hart) {
    active[hart] = null;
  }

  /** A context of the current generation for {@code mm}, whose own is stale. */
  private long newContext(Mm mm) {
    long old = mm.context;
    int asid = (int) (old & asidMask);
    if (old != 0) {
      if (isReserved(mm)) {
        return generation | (old & (SHARED | asidMask)); // loaded through the rollover: keeps it
      }
      if (!used.get(asid)) {
        used.set(asid);
        return generation | asid;
      }
    }
    asid = used.nextClearBit(hint);
    if (asid > asidMask) {
      if (!rolloverFreesAnAsid()) {
        return generation | shareAsid() | SHARED;
      }
      rollover();
      asid = used.nextClearBit(1);
    }
    used.set(asid);
    hint = asid + 1;
    return generation | asid;
  }

  private boolean isReserved(Mm mm) {
    for (Mm r : reserved) {
      if (r == mm) {
        return true;
      }
    }
    return false;
  }

  /** The mm a hart reserves at a rollover: the one it has loaded, else the one it kept before. */
  private Mm reservedAtRollover(int hart) {
    return active[hart] != null ? active[hart] : reserved[hart];
  }

  /**
   * Whether a rollover would leave some user ASID unreserved: false when the mms loaded on the
   * harts hold every one of them.
   */
  private boolean rolloverFreesAnAsid() {
    BitSet kept = new BitSet();
    for (int h = 0; h < active.length; h++) {
      Mm m = reservedAtRollover(h);
      if (m != null) {
        kept.set(m.asid);
      }
    }
    return kept.nextClearBit(1) <= asidMask;
  }

  /** The ASID to share when none is free: each in turn, never 0. */
  private int shareAsid() {
    int asid = shareHint;
    shareHint = asid == asidMask ? 1 : asid + 1;
    return asid;
  }

  private void rollover() {
    rollovers++;
    generation += 1L << bits;
    used.clear();
    used.set(0);
    for (int h = 0; h < active.length; h++) {
      Mm m = reservedAtRollover(h);
      reserved[h] = m;
      if (m != null) {
        used.set(m.asid);
      }
      flushPending[h] = true;
    }
    hint = 1;
  }

  /**
   * Whether {@code hart}'s TLB entries tagged with {@code mm}'s ASID can only be {@code mm}'s: what
   * the coherence checkers may hold against it. A shared ASID names other mms' entries on the other
   * harts, and an mm's ASID shows nothing of it on a hart that has not loaded it since its last
   * full flush, so neither the ASID nor mm_cpumask (which keeps a hart's bit after it switched
   * away) can answer this alone.
   */
  synchronized boolean entriesBelongTo(int hart, Mm mm) {
    if (active[hart] == mm) {
      return true; // loaded under its ASID, which keeps it while loaded (see the class comment)
    }
    if (flushPending[hart] || (mm.context & SHARED) != 0) {
      // A rollover left entries of any mm of the old generation; a shared ASID's entries of mm
      // left this hart with the flush when it switched away, so those are another mm's now.
      return false;
    }
    // Here the hart has flushed since the last rollover; the ASID's one unshared holder in this
    // generation is mm if its context is current, or if it kept its ASID through the rollover.
    return (mm.context & ~asidMask) == generation || isReserved(mm);
  }

  /** Whether {@code hart} still has to flush after a rollover (its TLB may hold reused ASIDs). */
  synchronized boolean flushPending(int hart) {
    return flushPending[hart];
  }

  public synchronized long rollovers() {
    return rollovers;
  }
}
