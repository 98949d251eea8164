package hartlab.kernel.check;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.tlb.TlbFlush;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;

/**
 * The stale-translation checker: when a PTE is installed, no hart running the mm may still map that
 * address (in its TLB) to another frame, nor reach it (through its page-walk cache) by way of
 * another leaf table. Such a hart would read or write the old frame through the new mapping: an
 * address range was handed out again while a TLB still mapped it ("synchronize_rcu in munmap?"), or
 * a new translation appeared before the old one was shot down.
 *
 * <p>Runs on the installing hart, reading other harts' TLBs racily, as the coherence checker does.
 */
public final class StaleTranslationChecker implements Checker {
  public static final String NAME = "stale-translation";

  private final Violations violations;
  private final Hart[] harts;
  private final TlbFlush flush;
  private final PageTable pageTable;

  public StaleTranslationChecker(
      Violations violations, Hart[] harts, TlbFlush flush, PageTable pageTable) {
    this.violations = violations;
    this.harts = harts;
    this.flush = flush;
    this.pageTable = pageTable;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void install(CheckerHooks hooks) {
    hooks.onPteInstalled(this::installed);
  }

  private void installed(Hart installer, Mm mm, long va, long frame) {
    long page = va & ~PhysicalMemory.PAGE_MASK;
    for (int h = 0; h < harts.length; h++) {
      if (!flush.isRunning(h, mm) || !flush.tlbEntriesBelongTo(h, mm)) {
        continue; // not running the mm: it catches up from the TLB generation before it does
      }
      int hart = h;
      harts[h]
          .mmu()
          .tlb()
          .forEachEntry(
              mm.asid,
              page,
              page + PhysicalMemory.PAGE_SIZE,
              (vpn, base, bits) -> {
                if (base != frame) {
                  report(installer, mm, va, frame, hart, "its TLB maps it to frame 0x" + hex(base));
                }
              });
      long cached = harts[h].mmu().walkCacheLeafTable(mm.asid, va);
      long slot = pageTable.leafSlot(mm.root, va, false);
      if (cached >= 0 && slot >= 0 && cached != (slot & ~PhysicalMemory.PAGE_MASK)) {
        report(
            installer,
            mm,
            va,
            frame,
            hart,
            "its page-walk cache still reaches it through leaf table 0x" + hex(cached));
      }
    }
  }

  private void report(Hart installer, Mm mm, long va, long frame, int hart, String what) {
    violations.report(
        this,
        String.format(
            "stale-translation checker: hart %d installed va 0x%x of %s (ASID %d) -> frame 0x%x"
                + " while hart %d, running that mm, %s, under strategy '%s'",
            installer.id(), va, mm, mm.asid, frame, hart, what, flush.strategy().name()));
  }

  private static String hex(long v) {
    return Long.toHexString(v);
  }
}
