package hartlab.kernel.tlb;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.TlbFlusher;
import hartlab.kernel.smp.Ipi;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.HartCounters;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.stats.Tracer;
import hartlab.kernel.tlb.shootdown.Shootdown;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Pte;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one entry point for invalidating translations of an mm after its page table changed (Linux's
 * flush_tlb_mm_range): munmap, mprotect downgrades, COW breaking, fork's write-protect, mremap,
 * madvise and mm teardown all come here, and the memory the change freed is handed over to be
 * released only when the shootdown strategy says no hart can reach it.
 *
 * <p>The mm's TLB generation ({@link Mm#tlbGen}) counts its changes; each hart records the
 * generation it has caught up to ({@link Mm#hartGen}). As in Linux's tlb.c there are three values:
 * the latest change (mm.tlbGen), the one this flush is for (gen), and the one the hart has seen. A
 * flush for exactly the next generation may be a range flush; a hart further behind (it skipped a
 * change, e.g. while lazy) flushes the whole ASID and catches up to the latest.
 */
public final class TlbFlush implements TlbFlusher {
  private final int flushCeiling;
  private final ShootdownStrategy strategy;
  private final PageTable pageTable;
  private final Ipis ipis;
  private final TlbState[] states;
  private final CpuStates cpus;

  /** Null when ASIDs are off. */
  private final AsidAllocator asids;

  private final Counters counters;
  private final TlbObserver observer;

  /** What exit_mmap's flush does about lazy holders: set by the switch code when it is built. */
  private LazyTeardown lazyTeardown;

  /** Per mm, the changes whose deferred flushes are not all applied yet. */
  private final Map<Mm, List<TlbShootdown>> pending = new ConcurrentHashMap<>();

  public TlbFlush(
      int flushCeiling,
      ShootdownStrategy strategy,
      PageTable pageTable,
      Ipis ipis,
      TlbStates states,
      CpuStates cpus,
      AsidAllocator asids,
      Counters counters,
      TlbObserver observer) {
    this.flushCeiling = flushCeiling;
    this.strategy = strategy;
    this.pageTable = pageTable;
    this.ipis = ipis;
    this.states = states.all();
    this.cpus = cpus;
    this.asids = asids;
    this.counters = counters;
    this.observer = observer;
  }

  public ShootdownStrategy strategy() {
    return strategy;
  }

  @Override
  public void flushTlbMmRange(Hart hart, Mm mm, long start, long end, String change) {
    flushTlbMmRange(hart, mm, start, end, change, false, false, null);
  }

  void setLazyTeardown(LazyTeardown lazyTeardown) {
    this.lazyTeardown = lazyTeardown;
  }

  @Override
  public void flushTlbMmRange(
      Hart hart,
      Mm mm,
      long start,
      long end,
      String change,
      boolean freesTables,
      boolean deferrable,
      Runnable freeMemory) {
    long gen = nextGeneration(hart, mm);
    boolean full = ((end - start) >>> 12) > flushCeiling;
    long targets = mm.cpumask.get() & ~(1L << hart.id());
    run(
        hart,
        new TlbShootdown(
            this,
            hart,
            mm,
            start,
            end,
            gen,
            full,
            change,
            targets,
            lazyHarts(mm) & targets,
            freesTables,
            deferrable,
            freeMemory,
            false));
  }

  /**
   * exit_mmap: the targets are the harts still holding the dying mm, as the lazy-TLB mode says; the
   * others' entries for its ASID can no longer be used (its ASID is not handed out again before a
   * rollover flushes every TLB). The holders are lazy (idle): a strategy may skip them only if no
   * page table is freed, and in shootdown mode the root is, right after.
   */
  @Override
  public void flushMmTeardown(Hart hart, Mm mm, boolean freesTables, Runnable freeMemory) {
    long gen = nextGeneration(hart, mm);
    long holders = 0;
    for (int i = 0; i < states.length; i++) {
      if (i != hart.id() && states[i].activeMm == mm) {
        holders |= 1L << i;
      }
    }
    run(
        hart,
        new TlbShootdown(
            this,
            hart,
            mm,
            0,
            Mm.TASK_SIZE,
            gen,
            true,
            "exit_mmap",
            lazyTeardown.reach(holders),
            lazyHarts(mm) & holders,
            freesTables || lazyTeardown.freesRoot(),
            lazyTeardown.deferrable(),
            freeMemory,
            true));
  }

  /** A new change of {@code mm}'s page table: an atomic on its tlb_gen line. */
  private long nextGeneration(Hart hart, Mm mm) {
    if (!mm.tlbGenLine.atomic(hart)) {
      counters.hart(hart.id()).add(Counter.REMOTE_ATOMICS);
    }
    return mm.tlbGen.incrementAndGet();
  }

  private void run(Hart hart, TlbShootdown s) {
    long start = s.start;
    long end = s.end;
    boolean full = s.full;
    long cycles = hart.cycles();
    long nanos = System.nanoTime();
    strategy.shootdown(s);
    if (!s.released) {
      throw new IllegalStateException(
          "shootdown strategy '" + strategy.name() + "' returned without release()");
    }
    HartCounters c = counters.hart(hart.id());
    c.add(Counter.SHOOTDOWNS);
    if (full) {
      c.add(Counter.FULL_SHOOTDOWNS);
    } else {
      c.add(Counter.PAGES_INVALIDATED, (end - start) >>> 12);
    }
    c.record(Latency.SHOOTDOWN_CYCLES, hart.cycles() - cycles);
    c.record(Latency.SHOOTDOWN_HOST_NANOS, System.nanoTime() - nanos);
    Tracer tracer = counters.tracer();
    if (tracer.enabled()) {
      tracer.slice(
          hart.id(),
          "tlb",
          (full ? "shootdown (full)" : "shootdown " + ((end - start) >>> 12) + " pages"),
          cycles,
          hart.cycles());
    }
  }

  /**
   * Harts holding {@code mm} only lazily: loaded, in the idle loop, with no task running or waiting
   * to run there (a hart whose woken task merely waits for its turn is not lazy). A racy view, as
   * Linux's is.
   */
  long lazyHarts(Mm mm) {
    long mask = 0;
    for (int i = 0; i < states.length; i++) {
      if (states[i].activeMm == mm && !cpus.runsTask(i) && !cpus.hasQueuedTask(i)) {
        mask |= 1L << i;
      }
    }
    return mask;
  }

  /** Brings {@code h}'s TLB up to date for the shootdown's change. Runs on {@code h}'s thread. */
  void flushOn(Hart h, TlbShootdown s) {
    flushTlb(h, s);
    if (s.teardown && states[h.id()].activeMm == s.mm) {
      lazyTeardown.atHolder(h, s.mm, h.id() != s.initiator());
    }
  }

  private void flushTlb(Hart h, TlbShootdown s) {
    Mm mm = s.mm;
    if ((mm.cpumask.get() & (1L << h.id())) == 0) {
      return; // not loaded here since its last full flush: nothing cached
    }
    long latest = mm.tlbGen.get(); // read first: a later change sends its own flush
    long seen = mm.hartGen[h.id()];
    if (seen >= s.gen) {
      return; // already flushed past this change
    }
    CostModel cost = h.cost();
    if (!s.full && s.gen == seen + 1) {
      h.mmu().flushRange(mm.asid, s.start, s.end);
      h.addCycles(((s.end - s.start) / PhysicalMemory.PAGE_SIZE) * cost.flushPage());
      mm.hartGen[h.id()] = s.gen;
    } else {
      h.mmu().flushAsid(mm.asid);
      h.addCycles(cost.flushAsid());
      mm.hartGen[h.id()] = latest;
    }
  }

  /** On switching to {@code mm}: a hart that skipped changes while away flushes the whole ASID. */
  void catchUp(Hart h, Mm mm) {
    long latest = mm.tlbGen.get();
    if (mm.hartGen[h.id()] < latest) {
      h.mmu().flushAsid(mm.asid);
      h.addCycles(h.cost().flushAsid());
      mm.hartGen[h.id()] = latest;
    }
  }

  /**
   * Applies the flushes other harts deferred to this one. At every kernel entry of {@code hart}.
   */
  public void applyDeferred(Hart hart) {
    for (TlbShootdown s; (s = states[hart.id()].deferred.poll()) != null; ) {
      flushOn(hart, s);
      s.appliedOn(hart.id());
      counters.hart(hart.id()).add(Counter.DEFERRED_APPLIED);
      s.drop();
    }
  }

  /** Whether flushes wait for {@code hart}'s next kernel entry. */
  public boolean hasDeferred(int hart) {
    return !states[hart].deferred.isEmpty();
  }

  Shootdown.Acks sendFlushIpis(Hart hart, TlbShootdown s, long mask) {
    if (mask == 0) {
      return IpiAcks.NOTHING_SENT;
    }
    Ipi ipi = ipis.send(hart, mask, target -> flushOn(target, s), "flush " + s, false);
    return ipi == null ? IpiAcks.NOTHING_SENT : new IpiAcks(ipi);
  }

  /** Waits for the IPIs behind {@code acks} (a strategy's own Acks are spun on as they are). */
  void awaitAcks(Hart hart, Shootdown.Acks acks) {
    if (acks instanceof IpiAcks a) {
      ipis.await(hart, a.ipi());
    } else if (!acks.done()) {
      ipis.spinUntil(hart, acks::done);
    }
  }

  /** Queues the flush on each hart of {@code mask}, applied at its next kernel entry or tick. */
  void queueDeferred(TlbShootdown s, long mask) {
    if (mask != 0) {
      // Lists, in the order the changes were made (a hash set's order would vary between runs);
      // edited only inside compute, so an add never races the removal of an emptied list.
      pending.compute(
          s.mm,
          (mm, list) -> {
            List<TlbShootdown> l = list != null ? list : new CopyOnWriteArrayList<>();
            l.add(s);
            return l;
          });
    }
    for (long m = mask; m != 0; m &= m - 1) {
      int target = Long.numberOfTrailingZeros(m);
      states[target].deferred.add(s);
      ipis.nudge(target);
    }
  }

  /**
   * Hardware broadcast: every hart in mask invalidates at once; the initiator pays one fixed cost.
   */
  void broadcast(Hart hart, TlbShootdown s, long mask) {
    hart.addCycles(hart.cost().broadcastFlush());
    if (mask != 0) {
      ipis.broadcast(hart, mask, target -> flushOn(target, s));
    }
  }

  /** Every deferred flush of {@code s} was applied: its range may be reused freely. */
  void noLongerPending(TlbShootdown s) {
    pending.computeIfPresent(
        s.mm,
        (mm, list) -> {
          list.remove(s);
          return list.isEmpty() ? null : list;
        });
  }

  @Override
  public void beforeReuse(Hart hart, Mm mm, long start, long end) {
    List<TlbShootdown> list = pending.get(mm);
    if (list == null) {
      return;
    }
    for (TlbShootdown s : list) {
      if (s.overlaps(start, end) && s.owing() != 0) {
        strategy.beforeReuse(new PendingReuse(hart, s));
      }
    }
  }

  /** A pending change over a range about to be reused, as the strategy sees it. */
  private final class PendingReuse implements Shootdown.Pending {
    private final Hart hart;
    private final TlbShootdown s;

    PendingReuse(Hart hart, TlbShootdown s) {
      this.hart = hart;
      this.s = s;
    }

    @Override
    public long start() {
      return s.start;
    }

    @Override
    public long end() {
      return s.end;
    }

    @Override
    public long owing() {
      return s.owing();
    }

    @Override
    public void complete() {
      long owing = s.owing();
      if (owing == 0) {
        return;
      }
      long cycles = hart.cycles();
      long self = 1L << hart.id();
      if ((owing & self) != 0) {
        flushOn(hart, s);
        s.appliedOn(hart.id());
      }
      ipis.send(
          hart,
          owing & ~self,
          target -> {
            flushOn(target, s);
            s.appliedOn(target.id());
          },
          "complete " + s + " before reuse",
          true);
      HartCounters c = counters.hart(hart.id());
      c.add(Counter.REUSE_WAITS);
      c.add(Counter.REUSE_WAIT_CYCLES, hart.cycles() - cycles);
    }
  }

  void released(Hart hart, TlbShootdown s, long deferred, long catchUp) {
    observer.shootdownReleased(hart, s, deferred, catchUp);
  }

  // ---- questions the coherence checker asks ----

  /** Whether hart {@code h} runs a task of {@code mm} right now. */
  public boolean isRunning(int h, Mm mm) {
    return states[h].activeMm == mm && cpus.runsTask(h);
  }

  /**
   * Whether hart {@code h}'s TLB entries tagged with {@code mm}'s ASID can only be {@code mm}'s.
   */
  public boolean tlbEntriesBelongTo(int h, Mm mm) {
    if (asids == null) {
      return states[h].activeMm == mm;
    }
    return asids.entriesBelongTo(h, mm);
  }

  /**
   * Whether a cached translation is still what the page table says (same frame, no more
   * permission).
   */
  public boolean stillValid(Mm mm, long vpn, long pageBase, int pteBits) {
    long pte = pageTable.lookup(mm.root, vpn << 12);
    if (!Pte.isValid(pte) || Pte.pa(pte) != pageBase) {
      return false;
    }
    long granted = pteBits & (Pte.R | Pte.W | Pte.X | Pte.U);
    return (granted & ~pte) == 0;
  }

  public long currentPte(Mm mm, long vpn) {
    return pageTable.lookup(mm.root, vpn << 12);
  }
}
