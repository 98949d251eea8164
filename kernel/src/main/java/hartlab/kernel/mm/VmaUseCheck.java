package hartlab.kernel.mm;

import hartlab.cpu.Hart;

/** What the VMA-identity checker is told: areas lockless faults use, and freed tree nodes read. */
public interface VmaUseCheck {
  /** {@code hart} handles a fault at {@code va} in {@code mm} with {@code vma}, read-locked. */
  void using(Hart hart, Mm mm, Vma vma, long va);

  /** A lockless reader walked a tree node that RCU had already freed. */
  void reachedFreedNode();
}
