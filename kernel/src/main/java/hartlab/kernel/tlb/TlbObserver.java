package hartlab.kernel.tlb;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;

/**
 * Hook points of the TLB code, for the checkers: each method is called on the hart named, at the
 * moment a checker must see. Default methods do nothing.
 */
public interface TlbObserver {
  /**
   * A strategy released shootdown {@code s}: every hart not in {@code deferred} (deferred flushes
   * still pending) or {@code catchUp} (left to catch up when it next runs the mm) must now hold no
   * translation the change invalidated.
   */
  default void shootdownReleased(Hart initiator, TlbShootdown s, long deferred, long catchUp) {}

  /** {@code hart} is about to switch away from {@code prev} (null: the kernel's own table). */
  default void switchingFrom(Hart hart, Mm prev) {}

  /** {@code hart} frees {@code mm}: no hart may hold it any more. */
  default void mmFreed(Hart hart, Mm mm) {}
}
