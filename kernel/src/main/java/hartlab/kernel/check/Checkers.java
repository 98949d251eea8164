package hartlab.kernel.check;

import hartlab.cpu.Hart;
import hartlab.kernel.rcu.RcuMode;
import hartlab.kernel.tlb.LazyTlbMode;
import hartlab.kernel.tlb.TlbManagement;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PageTable;
import java.util.List;

/** The checkers every run with {@code --check} installs. */
public final class Checkers {
  private Checkers() {}

  /** Registers every standard checker with {@code violations} and installs its hooks. */
  public static void install(
      Violations violations,
      CheckerHooks hooks,
      TlbManagement tlb,
      PageTable pageTable,
      LazyTlbMode lazyTlb,
      RcuMode rcu) {
    for (Checker c :
        standard(violations, hooks.harts(), tlb, hooks.frames(), pageTable, lazyTlb, rcu)) {
      violations.register(c);
      c.install(hooks);
    }
  }

  public static List<Checker> standard(
      Violations violations,
      Hart[] harts,
      TlbManagement tlb,
      FrameAllocator frames,
      PageTable pageTable,
      LazyTlbMode lazyTlb,
      RcuMode rcu) {
    return List.of(
        new ActiveMmChecker(violations, lazyTlb, tlb.states()),
        new CoherenceChecker(violations, harts, tlb.flush()),
        new FreedTableChecker(violations, frames, tlb.flush().strategy().name()),
        new StaleTranslationChecker(violations, harts, tlb.flush(), pageTable),
        new VmaIdentityChecker(violations),
        new RcuChecker(violations, harts.length, rcu.label()));
  }
}
