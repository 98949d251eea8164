package hartlab.kernel.check;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.tlb.TlbFlush;
import hartlab.kernel.tlb.TlbObserver;
import hartlab.kernel.tlb.TlbShootdown;
import hartlab.mmu.Pte;

/**
 * The TLB coherence checker: once a shootdown is released, a hart that was neither deferred nor
 * left to catch up (or was left to, but runs the mm again, so must have caught up) must hold no
 * translation of the changed range that the page table no longer backs (another frame, or less
 * permission). Such a hart could use it after the kernel declared the change complete: a violation,
 * reported with hart, address, ASID, mm, the change and the strategy.
 *
 * <p>Runs on the initiating hart and reads other harts' TLBs without their cooperation: a racy but
 * untorn view, which is exact for every hart that acknowledged a flush (the acknowledgement orders
 * its flush before our read).
 */
public final class CoherenceChecker implements Checker, TlbObserver {
  public static final String NAME = "tlb-coherence";

  private final Violations violations;
  private final Hart[] harts;
  private final TlbFlush flush;

  public CoherenceChecker(Violations violations, Hart[] harts, TlbFlush flush) {
    this.violations = violations;
    this.harts = harts;
    this.flush = flush;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void install(CheckerHooks hooks) {
    hooks.onTlb(this);
  }

  @Override
  public void shootdownReleased(Hart initiator, TlbShootdown s, long deferred, long catchUp) {
    Mm mm = s.mm;
    long check = s.mayCache() & ~deferred;
    for (long m = check; m != 0; m &= m - 1) {
      int h = Long.numberOfTrailingZeros(m);
      if ((catchUp & (1L << h)) != 0 && !flush.isRunning(h, mm)) {
        continue; // it cannot use them before it runs the mm again, and then it catches up first
      }
      if (!flush.tlbEntriesBelongTo(h, mm)) {
        continue; // its entries with this ASID may be another mm's (ASIDs off, shared, rollover)
      }
      harts[h]
          .mmu()
          .tlb()
          .forEachEntry(
              mm.asid,
              s.start,
              s.end,
              (vpn, base, bits) -> {
                if (!flush.stillValid(mm, vpn, base, bits)) {
                  violations.report(
                      this,
                      String.format(
                          "TLB coherence checker: hart %d still holds a translation of va 0x%x"
                              + " (ASID %d, %s, frame 0x%x, %s) after the shootdown for %s"
                              + " completed, under strategy '%s' (hart %s targeted, caught up to"
                              + " generation %d; page table now has 0x%x)",
                          h,
                          vpn << 12,
                          mm.asid,
                          mm,
                          base,
                          bitsName(bits),
                          s,
                          flush.strategy().name(),
                          (s.targets() & (1L << h)) != 0 ? "was" : "was not",
                          mm.hartGen[h],
                          flush.currentPte(mm, vpn)));
                }
              });
    }
  }

  private static String bitsName(int bits) {
    return ((bits & Pte.R) != 0 ? "r" : "-")
        + ((bits & Pte.W) != 0 ? "w" : "-")
        + ((bits & Pte.X) != 0 ? "x" : "-")
        + ((bits & Pte.D) != 0 ? "d" : "-");
  }
}
