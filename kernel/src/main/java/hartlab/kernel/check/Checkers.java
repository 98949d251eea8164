package hartlab.kernel.check;

import hartlab.cpu.Hart;
import hartlab.kernel.tlb.LazyTlbMode;
import hartlab.kernel.tlb.TlbFlush;
import hartlab.mmu.FrameAllocator;
import java.util.List;

/** The checkers every run with {@code --check} installs. */
public final class Checkers {
  private Checkers() {}

  public static List<Checker> standard(
      Violations violations,
      Hart[] harts,
      TlbFlush tlbFlush,
      FrameAllocator frames,
      LazyTlbMode lazyTlb) {
    return List.of(
        new ActiveMmChecker(violations, lazyTlb),
        new CoherenceChecker(violations, harts, tlbFlush),
        new FreedTableChecker(violations, frames, tlbFlush.strategy().name()));
  }
}
