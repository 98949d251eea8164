package hartlab.mmu;

/**
 * Told about every page-table page a walk reads from, before it reads: the freed-page-table checker
 * installs one to catch walks through a table page that was freed (and may be reused).
 */
@FunctionalInterface
public interface TableReadCheck {
  /**
   * @param tablePa the page-table page about to be read
   * @param va the address being translated
   * @param level its level (2 = root, 0 = leaf table)
   * @param speculative whether the hardware walks on its own, not for an access
   */
  void beforeRead(long tablePa, long va, int level, boolean speculative);
}
