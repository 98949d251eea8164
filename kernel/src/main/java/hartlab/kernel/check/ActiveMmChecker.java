package hartlab.kernel.check;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.tlb.LazyTlbMode;
import hartlab.kernel.tlb.TlbObserver;
import hartlab.kernel.tlb.TlbStates;

/**
 * The active_mm checker: a hart holding, or switching away from, an mm whose memory was freed is a
 * use-after-free of that mm in a real kernel.
 */
public final class ActiveMmChecker implements Checker, TlbObserver {
  public static final String NAME = "active-mm";

  private final Violations violations;
  private final LazyTlbMode mode;
  private final TlbStates states;

  public ActiveMmChecker(Violations violations, LazyTlbMode mode, TlbStates states) {
    this.violations = violations;
    this.mode = mode;
    this.states = states;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void install(CheckerHooks hooks) {
    hooks.onTlb(this);
  }

  /** The mm is being freed: no hart may still hold it as its active_mm. */
  @Override
  public void mmFreed(Hart hart, Mm mm) {
    for (int h = 0; h < states.harts(); h++) {
      if (states.activeMm(h) == mm) {
        violations.report(
            this,
            String.format(
                "active_mm checker: hart %d frees %s while hart %d still holds it as its active_mm"
                    + " (lazy TLB mode %s: the teardown neither made it leave nor left it a"
                    + " reference)",
                hart.id(), mm, h, mode.name().toLowerCase()));
        return;
      }
    }
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
