package hartlab.kernel.check;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.tlb.LazyTlbMode;
import hartlab.kernel.tlb.TlbObserver;

/**
 * The active_mm checker: a hart holding, or switching away from, an mm whose memory was freed is a
 * use-after-free of that mm in a real kernel.
 */
public final class ActiveMmChecker implements Checker, TlbObserver {
  public static final String NAME = "active-mm";

  private final Violations violations;
  private final LazyTlbMode mode;

  public ActiveMmChecker(Violations violations, LazyTlbMode mode) {
    this.violations = violations;
    this.mode = mode;
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
  public void switchingFrom(Hart hart, Mm prev) {
    if (prev != null && prev.freed) {
      violations.report(
          this,
          String.format(
              "active_mm checker: hart %d switches away from %s, whose memory was already freed "
                  + "(lazy TLB mode %s: the hart held it lazily without keeping it alive)",
              hart.id(), prev, mode.name().toLowerCase()));
    }
  }
}
