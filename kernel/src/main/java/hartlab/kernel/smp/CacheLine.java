package hartlab.kernel.smp;

import hartlab.cpu.Hart;

/**
 * A shared kernel word's cache line (mm_count, mm_users, mm_cpumask, tlb_gen, an mmap_lock's
 * count): it remembers which hart wrote it last, so an atomic on it costs {@code atomic} when that
 * hart holds the line and {@code remoteAtomic} when the line must come from another hart's cache.
 * This is what makes refcount traffic visible, and what it costs depends on who shares the word,
 * not on a constant.
 *
 * <p>The owner is a racy hint, as cache ownership is: written by whoever does the atomic.
 */
public final class CacheLine {
  private volatile int owner = -1;

  /**
   * An atomic read-modify-write by {@code hart}: charges its cost and takes the line. True if the
   * line was already this hart's.
   */
  public boolean atomic(Hart hart) {
    boolean local = owner == hart.id();
    owner = hart.id();
    hart.addCycles(local ? hart.cost().atomic() : hart.cost().remoteAtomic());
    return local;
  }
}
