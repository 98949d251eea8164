package hartlab.kernel.tlb;

import java.util.Locale;

/**
 * What a hart does with its {@code active_mm} when it switches to idle (or to a task without an
 * mm), and how the kernel then makes sure that mm is not freed under it.
 */
public enum LazyTlbMode {
  /** Keep the mm loaded and hold an mm_count reference (mmgrab/mmdrop), like classic Linux. */
  REFCOUNT,
  /** Keep the mm loaded without a reference; teardown IPIs every hart that may hold it lazily. */
  SHOOTDOWN,
  /** No lazy TLB: idle loads the kernel's own page table. */
  OFF,
  /**
   * No reference and no IPIs: unsafe on purpose, for showing that the active_mm checker catches it.
   */
  UNSAFE;

  public static LazyTlbMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown lazy-TLB mode '" + text + "': expected refcount, shootdown, off or unsafe");
    }
  }
}
