package hartlab.kernel.mm;

import hartlab.cpu.Hart;

/** A hook point for checkers: a new translation was installed in an mm's page table. */
@FunctionalInterface
public interface PteObserver {
  /** {@code hart} installed the PTE that maps {@code va} of {@code mm} to {@code frame}. */
  void installed(Hart hart, Mm mm, long va, long frame);
}
