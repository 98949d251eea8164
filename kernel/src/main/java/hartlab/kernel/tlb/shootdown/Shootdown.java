package hartlab.kernel.tlb.shootdown;

/**
 * One TLB shootdown in progress, as a {@link ShootdownStrategy} sees it: which harts may cache the
 * changed translations, and the primitives a strategy composes.
 *
 * <p>Every method runs on the initiating hart's thread.
 */
public interface Shootdown {
  /** Pending acknowledgements of IPIs sent by {@link #sendIpis}. */
  interface Acks {
    boolean done();
  }

  /**
   * A change whose deferred flushes some harts have not applied yet, over a range the kernel is
   * about to map again (see {@link ShootdownStrategy#beforeReuse}). Runs on the hart that reuses
   * the range.
   */
  interface Pending {
    /** First address of the changed range. */
    long start();

    /** End (exclusive) of the changed range. */
    long end();

    /** Harts that still owe the flush. */
    long owing();

    /**
     * Makes every owing hart flush now (synchronous IPIs; the reusing hart flushes itself) and
     * returns once all have: Linux's flush_tlb_batched_pending.
     */
    void complete();
  }

  /** The hart that changed the page table and runs the strategy. */
  int initiator();

  /** Harts other than the initiator that may cache translations of the mm (its mm_cpumask). */
  long targets();

  /**
   * The targets that hold the mm only lazily right now: idle, running no task of it. They cannot
   * use its user translations until they switch back to it.
   */
  long lazyTargets();

  /**
   * Whether the change freed page-table pages: lazy harts may still walk those, so they need a
   * flush before {@link #release()}.
   */
  boolean freesPageTables();

  /**
   * Whether stale translations may outlive {@link #release()} on harts given to {@link #defer}:
   * true only for changes that unmap (munmap, mremap's old range, teardown), whose frames stay
   * quarantined until every deferred hart has flushed. Changes that take away access the program
   * relies on the moment the call returns (mprotect, fork's write-protect, copy-on-write breaks,
   * madvise) are not: every hart must flush before release, or the checker reports it.
   */
  boolean deferrable();

  /** First virtual address of the changed range. */
  long start();

  /** End (exclusive) of the changed range. */
  long end();

  /** Flushes the range on the initiating hart (if it has the mm loaded or cached). */
  void flushLocal();

  /** Sends a flush IPI to every hart in {@code mask} and returns without waiting. */
  Acks sendIpis(long mask);

  /**
   * Waits until every IPI of {@code acks} is acknowledged, serving this hart's own IPIs meanwhile.
   */
  void await(Acks acks);

  /**
   * Leaves the harts in {@code mask} to catch up when they next switch to the mm: each compares the
   * mm's TLB generation with the one it has seen and flushes if it is behind. Safe only for lazy
   * harts and only while no page-table page is freed.
   */
  void catchUpOnSwitch(long mask);

  /**
   * Queues the flush for the harts in {@code mask}; each applies it at its next kernel entry or
   * timer tick. The freed memory stays quarantined until every one has applied it, even after
   * {@link #release()}.
   */
  void defer(long mask);

  /**
   * Hardware broadcast invalidation on the harts in {@code mask}: no IPIs, a fixed cost, complete
   * on return.
   */
  void broadcast(long mask);

  /**
   * The change is complete as far as the strategy is concerned: the memory it freed may be reused
   * (after any deferred flushes are applied). The coherence checker verifies now that no hart that
   * was neither deferred nor left to catch up still holds a changed translation.
   */
  void release();
}
