package hartlab.kernel;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.mmu.PhysicalMemory;

/**
 * The one entry point for invalidating translations of an mm after its page table changed
 * (Linux's flush_tlb_mm_range): munmap, mprotect downgrades, COW breaking, fork's write-protect
 * and mm teardown all come here before the frames they freed may be reused.
 *
 * <p>It flushes locally and sends a synchronous IPI to every other hart in the mm's cpumask,
 * returning once all have flushed. Callers may hold the mm's mmap lock: the wait serves this
 * hart's own IPIs, so two harts flushing each other cannot deadlock.
 */
final class TlbFlush {
  /** Above this many pages one ASID flush is cheaper than page-by-page flushes. */
  private final int flushCeiling;
  private Kernel kernel;

  TlbFlush(int flushCeiling) {
    this.flushCeiling = flushCeiling;
  }

  void attach(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Flushes {@code [start, end)} of {@code mm} on every hart that may cache it. Runs on {@code hart}'s thread. */
  void flushTlbMmRange(Hart hart, Mm mm, long start, long end) {
    boolean full = ((end - start) >>> 12) > flushCeiling;
    Ipi.Call flush = target -> flushLocal(target, mm, start, end, full);
    long mask = mm.cpumask.get();
    if ((mask & (1L << hart.id())) != 0) {
      flush.run(hart);
    }
    long others = mask & ~(1L << hart.id());
    if (others != 0) {
      kernel.sendIpi(hart, others, flush, "flush " + mm, true);
    }
  }

  private void flushLocal(Hart hart, Mm mm, long start, long end, boolean full) {
    CostModel cost = hart.cost();
    int asid = mm.asid;
    if (full) {
      hart.mmu().flushAsid(asid);
      hart.addCycles(cost.flushAsid());
    } else {
      hart.mmu().flushRange(asid, start, end);
      hart.addCycles(((end - start) / PhysicalMemory.PAGE_SIZE) * cost.flushPage());
    }
  }
}
