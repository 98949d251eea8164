package hartlab.kernel.tlb;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;

/**
 * What exit_mmap's flush does about the harts still holding the dying mm, as the lazy-TLB mode
 * decides: {@link MmSwitch} implements it. In shootdown mode the one IPI round of the teardown also
 * makes every holder leave the mm, so the mm can be freed right after.
 */
interface LazyTeardown {
  /** The holders the teardown reaches (all of them, or none in the unsafe mode). */
  long reach(long holders);

  /** Whether those flushes may wait for the holders' next kernel entry. */
  boolean deferrable();

  /** Whether the mm's root table is freed right after the teardown (no hart keeps a reference). */
  boolean freesRoot();

  /**
   * Runs on each reached holder after its flush ({@code byIpi}), and on the initiator if it holds
   * the mm.
   */
  void atHolder(Hart hart, Mm mm, boolean byIpi);
}
