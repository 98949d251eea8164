package hartlab.kernel.check;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.Vma;
import hartlab.kernel.mm.VmaUseCheck;

/**
 * The VMA-identity checker: VMAs are type-stable, freed and handed out again at once, so a lockless
 * fault that found an area in the tree holds a pointer that may name another area by the time it
 * takes its reference. Using it without re-validating (mm, range, still attached) is a violation:
 * at the moment a fault starts to use an area under its per-VMA lock, that area must be the one its
 * mm's tree maps at the fault address, and no writer may hold it write-locked (one that has, and
 * has seen its readers drain, counts on no fault being in the area). A lockless tree walk reaching
 * a node RCU already freed is reported here too.
 */
public final class VmaIdentityChecker implements Checker, VmaUseCheck {
  public static final String NAME = "vma-identity";

  private final Violations violations;

  public VmaIdentityChecker(Violations violations) {
    this.violations = violations;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void install(CheckerHooks hooks) {
    hooks.onVmaUse(this);
  }

  @Override
  public void using(Hart hart, Mm mm, Vma vma, long va) {
    if (!vma.isAreaOf(mm, va)) {
      violations.report(
          this,
          String.format(
              "VMA-identity checker: hart %d handles a fault at 0x%x in %s with area %s (life %d),"
                  + " which is not that mm's area there any more: it was freed and reused, and the"
                  + " fault path used it without re-validating after taking its reference",
              hart.id(), va, mm, vma, vma.generation()));
    } else if (vma.writeLockedIn(mm)) {
      violations.report(
          this,
          String.format(
              "VMA-identity checker: hart %d handles a fault at 0x%x in %s with area %s (life %d),"
                  + " which a writer holding the mmap lock has write-locked: the fault path took"
                  + " its reference without re-checking the area's lock",
              hart.id(), va, mm, vma, vma.generation()));
    }
  }

  @Override
  public void reachedFreedNode() {
    violations.report(
        this, "VMA-identity checker: a lockless VMA-tree walk reached a node already freed by RCU");
  }
}
