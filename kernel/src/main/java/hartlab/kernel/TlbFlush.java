package hartlab.kernel;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;

/**
 * The one entry point for invalidating translations of an mm after its page table changed
 * (Linux's flush_tlb_mm_range). Every PTE downgrade or removal goes through here before the
 * frames it freed may be reused.
 *
 * <p>An mm is loaded only on the hart running its one task for now, so a local flush is the whole
 * job; the cross-hart strategies plug in here.
 */
final class TlbFlush {
  /** Above this many pages one ASID flush is cheaper than page-by-page flushes. */
  private final int flushCeiling;

  TlbFlush(int flushCeiling) {
    this.flushCeiling = flushCeiling;
  }

  /** Flushes {@code [start, end)} of {@code mm} on the calling hart. Caller holds mm.lock. */
  void flushTlbMmRange(Hart hart, Mm mm, long start, long end) {
    CostModel cost = hart.cost();
    long pages = (end - start) >>> 12;
    if (pages > flushCeiling) {
      hart.mmu().flushAsid(mm.asid);
      hart.addCycles(cost.flushAsid());
    } else {
      hart.mmu().flushRange(mm.asid, start, end);
      hart.addCycles(pages * cost.flushPage());
    }
  }
}
