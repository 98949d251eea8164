package hartlab.kernel.mm;

/**
 * Test-only ways to break the per-VMA lock's read side ({@code --break}), which the VMA-identity
 * checker must catch.
 */
public enum VmaBreak {
  /** The read side as it must be. */
  NONE,
  /**
   * {@code vma-acquire}: the re-check uses the area's fields as read before the reference was
   * taken, as a reader whose reference increment lacks acquire ordering may see them.
   */
  ACQUIRE,
  /** {@code vma-recheck}: the area found in the tree is used without re-checking it. */
  RECHECK;

  /** {@code none}, {@code vma-acquire} or {@code vma-recheck}. */
  public static VmaBreak parse(String text) {
    switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "none":
        return NONE;
      case "vma-acquire":
        return ACQUIRE;
      case "vma-recheck":
        return RECHECK;
      default:
        throw new IllegalArgumentException(
            "unknown --break '" + text + "': expected none, vma-acquire or vma-recheck");
    }
  }

  /** The name {@link #parse} takes. */
  public String optionName() {
    return this == NONE ? "none" : "vma-" + name().toLowerCase(java.util.Locale.ROOT);
  }
}
