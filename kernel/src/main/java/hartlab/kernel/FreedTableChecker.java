package hartlab.kernel;

import hartlab.mmu.FrameAllocator;
import hartlab.mmu.TableReadCheck;

/**
 * The freed-page-table checker for one hart: a page walk (real or speculative) that reads a
 * page-table page which has been freed is a violation: on hardware it would read whatever the frame
 * holds now. Catches strategies that free page tables before every hart (lazy ones too) has flushed
 * its TLB and page-walk cache.
 */
final class FreedTableChecker implements TableReadCheck {
  private final Kernel kernel;
  private final FrameAllocator frames;
  private final int hart;

  FreedTableChecker(Kernel kernel, FrameAllocator frames, int hart) {
    this.kernel = kernel;
    this.frames = frames;
    this.hart = hart;
  }

  @Override
  public void beforeRead(long tablePa, long va, int level, boolean speculative) {
    if (!frames.isAllocated(tablePa)) {
      kernel.violation(
          String.format(
              "freed-page-table checker: hart %d %s page-table page 0x%x (level %d) for va 0x%x after "
                  + "it was freed, under strategy '%s'",
              hart,
              speculative ? "speculatively walked" : "walked",
              tablePa,
              level,
              va,
              kernel.strategyName()));
    }
  }
}
