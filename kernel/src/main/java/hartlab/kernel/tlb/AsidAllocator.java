package hartlab.kernel.tlb;

import hartlab.kernel.mm.Mm;
import java.util.BitSet;

/**
 * Generation-based ASID allocation, as arm64 and riscv Linux do it.
 *
 * <p>An mm's context is {@code generation | asid}. It stays valid while the generation is current;
 * when ASIDs run out, the generation advances (a rollover): every ASID is free again except those
 * loaded on a hart right now (reserved, so running mms keep theirs), and every hart must flush its
 * whole TLB before it next switches mm, because the ASIDs in it may now name other mms. ASID 0
 * belongs to the kernel.
 *
 * <p>Thread-safe: one short lock around every decision, as Linux's cpu_asid_lock.
 */
public final class AsidAllocator {
  private final int bits;
  private final long asidMask;
  private final BitSet used;
  private final long[] active;
  private final long[] reserved;
  private final boolean[] flushPending;
  private long generation;
  private int hint = 1;
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
    this.active = new long[harts];
    this.reserved = new long[harts];
    this.flushPending = new boolean[harts];
    this.generation = 1L << bits;
    used.set(0);
  }

  /** Called on {@code hart} while switching to {@code mm}: makes its context current. */
  synchronized Switch switchTo(Mm mm, int hart) {
    if ((mm.context & ~asidMask) != generation) {
      mm.context = newContext(mm.context);
      mm.asid = (int) (mm.context & asidMask);
    }
    boolean flush = flushPending[hart];
    flushPending[hart] = false;
    active[hart] = mm.context;
    return new Switch((int) (mm.context & asidMask), flush);
  }

  /** The hart runs no user mm now (idle with lazy TLB off, or the mm died). */
  synchronized void leave(int hart) {
    active[hart] = 0;
  }

  private long newContext(long old) {
    int asid = (int) (old & asidMask);
    if (old != 0) {
      for (long r : reserved) {
        if (r == old) {
          return generation | asid; // loaded on some hart through the rollover: keeps its ASID
        }
      }
      if (!used.get(asid)) {
        used.set(asid);
        return generation | asid;
      }
    }
    asid = used.nextClearBit(hint);
    if (asid > asidMask) {
      rollover();
      asid = used.nextClearBit(1);
    }
    used.set(asid);
    hint = asid + 1;
    return generation | asid;
  }

  private void rollover() {
    rollovers++;
    generation += 1L << bits;
    used.clear();
    used.set(0);
    for (int h = 0; h < active.length; h++) {
      long ctx = active[h] != 0 ? active[h] : reserved[h];
      reserved[h] = ctx;
      if (ctx != 0) {
        used.set((int) (ctx & asidMask));
      }
      flushPending[h] = true;
    }
    hint = 1;
  }

  /** Whether {@code hart} still has to flush after a rollover (its TLB may hold reused ASIDs). */
  synchronized boolean flushPending(int hart) {
    return flushPending[hart];
  }

  public synchronized long rollovers() {
    return rollovers;
  }
}
