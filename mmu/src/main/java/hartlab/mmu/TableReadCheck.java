package hartlab.mmu;

/**
 * Told about every page-table page a walk reads from, before it reads: the freed-page-table checker
 * installs one to catch walks through a table page that was freed (and may be reused).
 */
public interface TableReadCheck {
  /** {@code cachedGeneration} of a read that does not come through the page-walk cache. */
  int NOT_CACHED = -1;

  /**
   * @param tablePa the page-table page about to be read
   * @param va the address being translated
   * @param level its level (2 = root, 0 = leaf table)
   * @param speculative whether the hardware walks on its own, not for an access
   * @param cachedGeneration for a leaf table reached through the page-walk cache, the page's {@link
   *     #generation} when that entry was made; {@link #NOT_CACHED} otherwise
   */
  void beforeRead(long tablePa, long va, int level, boolean speculative, int cachedGeneration);

  /**
   * The generation of a page-table page, recorded when the page-walk cache keeps a pointer to it.
   */
  int generation(long tablePa);
}
