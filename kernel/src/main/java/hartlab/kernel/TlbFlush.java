package hartlab.kernel;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.shootdown.Shootdown;
import hartlab.kernel.shootdown.ShootdownStrategy;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Pte;

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
final class TlbFlush {
  private final int flushCeiling;
  private final ShootdownStrategy strategy;
  private final PageTable pageTable;
  private Kernel kernel;
  private CoherenceChecker checker;

  TlbFlush(int flushCeiling, ShootdownStrategy strategy, PageTable pageTable) {
    this.flushCeiling = flushCeiling;
    this.strategy = strategy;
    this.pageTable = pageTable;
  }

  void attach(Kernel kernel, CoherenceChecker checker) {
    this.kernel = kernel;
    this.checker = checker;
  }

  ShootdownStrategy strategy() {
    return strategy;
  }

  /**
   * Invalidates {@code [start, end)} of {@code mm} everywhere after a change that revoked access
   * (mprotect, fork's write-protect): nothing is freed, and the change is not deferrable.
   */
  void flushTlbMmRange(Hart hart, Mm mm, long start, long end, String change) {
    flushTlbMmRange(hart, mm, start, end, change, false, false, null);
  }

  /**
   * Invalidates {@code [start, end)} of {@code mm} on every hart that may cache it, through the
   * strategy, then runs {@code freeMemory} once no hart can reach what the change unmapped. {@code
   * deferrable}: see {@link Shootdown#deferrable()}. Runs on {@code hart}'s thread after the
   * page-table change, usually under the mmap lock.
   */
  void flushTlbMmRange(
      Hart hart,
      Mm mm,
      long start,
      long end,
      String change,
      boolean freesTables,
      boolean deferrable,
      Runnable freeMemory) {
    long gen = mm.tlbGen.incrementAndGet();
    boolean full = ((end - start) >>> 12) > flushCeiling;
    long targets = mm.cpumask.get() & ~(1L << hart.id());
    TlbShootdown s =
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
            kernel == null ? 0 : kernel.lazyHarts(mm) & targets,
            freesTables,
            deferrable,
            freeMemory);
    long cycles = hart.cycles();
    long nanos = System.nanoTime();
    strategy.shootdown(s);
    if (!s.released) {
      throw new IllegalStateException(
          "shootdown strategy '" + strategy.name() + "' returned without release()");
    }
    if (kernel != null) {
      kernel
          .cpu(hart)
          .stats
          .shootdown(
              hart.cycles() - cycles,
              System.nanoTime() - nanos,
              full ? 0 : (end - start) >>> 12,
              full);
    }
  }

  /** Brings {@code h}'s TLB up to date for the shootdown's change. Runs on {@code h}'s thread. */
  void flushOn(Hart h, TlbShootdown s) {
    Mm mm = s.mm;
    if ((mm.cpumask.get() & (1L << h.id())) == 0) {
      return; // never loaded here: nothing cached
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

  Ipi sendFlushIpis(Hart hart, TlbShootdown s, long mask) {
    if (mask == 0) {
      return null;
    }
    return kernel.sendIpi(hart, mask, target -> flushOn(target, s), "flush " + s, false);
  }

  /** Waits for the IPIs behind {@code acks} (a strategy's own Acks are spun on as they are). */
  void awaitAcks(Hart hart, Shootdown.Acks acks) {
    if (acks instanceof Ipi ipi) {
      kernel.awaitIpi(hart, ipi);
    } else if (!acks.done()) {
      kernel.spinUntil(hart, acks::done);
    }
  }

  /** Queues the flush on each hart of {@code mask}, applied at its next kernel entry or tick. */
  void queueDeferred(TlbShootdown s, long mask) {
    for (long m = mask; m != 0; m &= m - 1) {
      kernel.deferFlush(Long.numberOfTrailingZeros(m), s);
    }
  }

  /**
   * Hardware broadcast: every hart in mask invalidates at once; the initiator pays one fixed cost.
   */
  void broadcast(Hart hart, TlbShootdown s, long mask) {
    hart.addCycles(hart.cost().broadcastFlush());
    if (mask != 0) {
      kernel.broadcastInvalidate(hart, mask, target -> flushOn(target, s));
    }
  }

  /**
   * The coherence checker: at release, harts that were neither deferred nor lazily skipped must
   * hold no stale translation.
   */
  void checkCoherence(Hart hart, TlbShootdown s, long deferred, long catchUp) {
    if (checker != null) {
      checker.atRelease(hart, s, deferred, catchUp, strategy.name());
    }
  }

  /**
   * Whether a cached translation is still what the page table says (same frame, no more
   * permission).
   */
  boolean stillValid(Mm mm, long vpn, long pageBase, int pteBits) {
    long pte = pageTable.lookup(mm.root, vpn << 12);
    if (!Pte.isValid(pte) || Pte.pa(pte) != pageBase) {
      return false;
    }
    long granted = pteBits & (Pte.R | Pte.W | Pte.X | Pte.U);
    return (granted & ~pte) == 0;
  }

  long currentPte(Mm mm, long vpn) {
    return pageTable.lookup(mm.root, vpn << 12);
  }
}
