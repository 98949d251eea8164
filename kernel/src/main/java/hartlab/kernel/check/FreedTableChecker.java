package hartlab.kernel.check;

import hartlab.mmu.FrameAllocator;

/**
 * The freed-page-table checker: a page walk (real or speculative) that reads a page-table page
 * which has been freed is a violation: on hardware it would read whatever the frame holds now.
 * Catches strategies that free page tables before every hart (lazy ones too) has flushed its TLB
 * and page-walk cache.
 */
public final class FreedTableChecker implements Checker {
  public static final String NAME = "freed-page-table";

  private final Violations violations;
  private final FrameAllocator frames;
  private final String strategy;

  public FreedTableChecker(Violations violations, FrameAllocator frames, String strategy) {
    this.violations = violations;
    this.frames = frames;
    this.strategy = strategy;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void install(CheckerHooks hooks) {
    for (int h = 0; h < hooks.harts(); h++) {
      int hart = h;
      hooks.onTableRead(
          hart, (tablePa, va, level, speculative) -> check(hart, tablePa, va, level, speculative));
    }
  }

  private void check(int hart, long tablePa, long va, int level, boolean speculative) {
    if (!frames.isAllocated(tablePa)) {
      violations.report(
          this,
          String.format(
              "freed-page-table checker: hart %d %s page-table page 0x%x (level %d) for va 0x%x"
                  + " after it was freed, under strategy '%s'",
              hart, speculative ? "speculatively walked" : "walked", tablePa, level, va, strategy));
    }
  }
}
