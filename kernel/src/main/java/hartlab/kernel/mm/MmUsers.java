package hartlab.kernel.mm;

import hartlab.cpu.Hart;

/**
 * mm_users from outside the tasks of an mm (a /proc reader): implemented by {@code tlb.MmSwitch},
 * which owns the counts' lifetime rules, for code below it that must pin an address space.
 */
public interface MmUsers {
  /** mmget_not_zero: a user reference unless {@code mm} is already being torn down. */
  boolean mmgetNotZero(Hart hart, Mm mm);

  /** mmput: drops it; the last one tears the address space down. */
  void mmput(Hart hart, Mm mm);
}
