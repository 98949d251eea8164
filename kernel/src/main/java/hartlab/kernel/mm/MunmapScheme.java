package hartlab.kernel.mm;

import java.util.Locale;

/**
 * How munmap frees page tables when lockless readers (RCU walks, per-VMA faults) may still be
 * looking ({@code --munmap-scheme}; the "synchronize_rcu in munmap?" discussion).
 */
public enum MunmapScheme {
  /**
   * Page-table pages are freed from an RCU callback once the shootdown is done too, and munmap
   * waits for a grace period before it returns (after releasing the mmap lock).
   */
  SYNC_RCU,
  /**
   * Broken on purpose: areas are reference-counted (a writer waits for faults in them to drain),
   * and that is taken as enough to free the page tables at once, before the shootdown: a hart whose
   * page-walk cache still points at them reads freed memory (freed-page-table checker).
   */
  VMA_REFCOUNT,
  /**
   * munmap leaves a dead entry in the tree where the areas were and returns at once; the entry is
   * erased (by the next writer) once a grace period and the shootdown are both done. Until then the
   * range is not handed out again, and MAP_FIXED or MREMAP_FIXED over it waits.
   */
  DEAD_ENTRY;

  /** {@code sync-rcu}, {@code vma-refcount} or {@code dead-entry}. */
  public static MunmapScheme parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown munmap scheme '" + text + "': expected sync-rcu, vma-refcount or dead-entry");
    }
  }

  /** The name {@link #parse} takes. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
