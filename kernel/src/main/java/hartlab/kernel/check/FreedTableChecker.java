package hartlab.kernel.check;

import hartlab.mmu.FrameAllocator;
import hartlab.mmu.TableReadCheck;

/**
 * The freed-page-table checker: a page walk (real or speculative) that reads a page-table page
 * which has been freed is a violation: on hardware it would read whatever the frame holds now. So
 * is a walk through a page-walk-cache entry made before the page was freed, even if the frame has
 * been allocated again since (as it soon is: the allocator hands out the last freed frame first) -
 * the hardware would read the new owner's data as page-table entries. Catches strategies that free
 * page tables before every hart (lazy ones too) has flushed its TLB and page-walk cache.
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
    for (int h = 0; h < hooks.hartCount(); h++) {
      hooks.onTableRead(h, new Check(h));
    }
    hooks.onFrameFreed(pa -> checkWalkCaches(hooks, pa));
  }

  /**
   * A page-table page is freed: no hart's page-walk cache may still point at it, or the hardware
   * may walk through it (speculatively too) once the frame holds something else. This is why Linux
   * shoots down lazy CPUs when page tables are freed.
   */
  private void checkWalkCaches(CheckerHooks hooks, long pa) {
    for (int h = 0; h < hooks.hartCount(); h++) {
      if (hooks.hart(h).mmu().walkCachePointsTo(pa)) {
        violations.report(
            this,
            String.format(
                "freed-page-table checker: page-table page 0x%x was freed while hart %d's"
                    + " page-walk cache still pointed at it, under strategy '%s'",
                pa, h, strategy));
        return;
      }
    }
  }

  /** One hart's walker's check. */
  private final class Check implements TableReadCheck {
    private final int hart;

    Check(int hart) {
      this.hart = hart;
    }

    @Override
    public void beforeRead(
        long tablePa, long va, int level, boolean speculative, int cachedGeneration) {
      check(hart, tablePa, va, level, speculative, cachedGeneration);
    }

    @Override
    public int generation(long tablePa) {
      return frames.generation(tablePa);
    }
  }

  private void check(
      int hart, long tablePa, long va, int level, boolean speculative, int cachedGeneration) {
    boolean freed = !frames.isAllocated(tablePa);
    boolean reused =
        cachedGeneration != TableReadCheck.NOT_CACHED
            && frames.generation(tablePa) != cachedGeneration;
    if (freed || reused) {
      violations.report(
          this,
          String.format(
              "freed-page-table checker: hart %d %s page-table page 0x%x (level %d) for va 0x%x"
                  + " after it was freed, under strategy '%s'",
              hart, speculative ? "speculatively walked" : "walked", tablePa, level, va, strategy));
    }
  }
}
