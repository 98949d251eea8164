package hartlab.kernel.tlb;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.tlb.shootdown.Shootdown;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One shootdown: a page-table change of {@code mm} in {@code [start, end)}, with generation {@code
 * gen} of the mm's TLB generation counter, as handed to the strategy. Lives on the initiating
 * hart's thread, except the countdown of deferred flushes, which the targets count down on theirs.
 */
public final class TlbShootdown implements Shootdown {
  private final TlbFlush flush;
  private final Hart hart;
  public final Mm mm;
  public final long start;
  public final long end;
  final long gen;
  final boolean full;
  final String change;
  private final long targets;
  private final long lazy;

  /** exit_mmap's flush: only the harts holding the dying mm were targets. */
  final boolean teardown;

  /** Harts that applied their deferred flush (set on their own threads). */
  private final AtomicLong applied = new AtomicLong();

  private final boolean freesTables;
  private final boolean deferrable;
  private final Runnable freeMemory;

  /** The release and each deferred flush hold one count; the memory is freed at zero. */
  private final AtomicInteger holds = new AtomicInteger(1);

  private volatile long deferred;
  private long catchUp;
  boolean released;

  TlbShootdown(
      TlbFlush flush,
      Hart hart,
      Mm mm,
      long start,
      long end,
      long gen,
      boolean full,
      String change,
      long targets,
      long lazy,
      boolean freesTables,
      boolean deferrable,
      Runnable freeMemory,
      boolean teardown) {
    this.flush = flush;
    this.teardown = teardown;
    this.hart = hart;
    this.mm = mm;
    this.start = start;
    this.end = end;
    this.gen = gen;
    this.full = full;
    this.change = change;
    this.targets = targets;
    this.lazy = lazy;
    this.freesTables = freesTables;
    this.deferrable = deferrable;
    this.freeMemory = freeMemory;
  }

  @Override
  public int initiator() {
    return hart.id();
  }

  @Override
  public long targets() {
    return targets;
  }

  @Override
  public long lazyTargets() {
    return lazy;
  }

  @Override
  public boolean freesPageTables() {
    return freesTables;
  }

  @Override
  public boolean deferrable() {
    return deferrable;
  }

  @Override
  public long start() {
    return start;
  }

  @Override
  public long end() {
    return end;
  }

  @Override
  public void flushLocal() {
    flush.flushOn(hart, this);
  }

  @Override
  public Acks sendIpis(long mask) {
    return flush.sendFlushIpis(hart, this, mask & targets);
  }

  @Override
  public void await(Acks acks) {
    flush.awaitAcks(hart, acks);
  }

  @Override
  public void catchUpOnSwitch(long mask) {
    catchUp |= mask & targets;
  }

  @Override
  public void defer(long mask) {
    mask &= targets & ~deferred;
    deferred |= mask;
    holds.addAndGet(Long.bitCount(mask));
    flush.queueDeferred(this, mask);
  }

  @Override
  public void broadcast(long mask) {
    flush.broadcast(hart, this, mask & targets);
  }

  @Override
  public void release() {
    if (released) {
      throw new IllegalStateException("Shootdown.release: called twice by the strategy");
    }
    released = true;
    // A change that may not be deferred is checked on the deferred harts too.
    flush.released(hart, this, deferrable ? deferred : 0, catchUp);
    drop();
  }

  /** A deferred flush was applied on some hart, or the strategy released: free at the last. */
  void drop() {
    if (holds.decrementAndGet() == 0) {
      flush.noLongerPending(this);
      if (freeMemory != null) {
        freeMemory.run();
      }
    }
  }

  /** {@code hart} applied this change: its TLB holds none of the old translations now. */
  void appliedOn(int hart) {
    applied.accumulateAndGet(1L << hart, (a, b) -> a | b);
  }

  /** Deferred harts that have not flushed for this change yet. */
  long owing() {
    return deferred & ~applied.get();
  }

  /** Harts whose TLB may hold the changed translations: the checker looks at these. */
  public long mayCache() {
    return teardown ? targets | (1L << hart.id()) : mm.cpumask.get();
  }

  boolean overlaps(long from, long to) {
    return start < to && from < end;
  }

  @Override
  public String toString() {
    return String.format("%s of %s [0x%x, 0x%x) (TLB generation %d)", change, mm, start, end, gen);
  }
}
