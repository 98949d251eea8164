package hartlab.kernel.mm;

import hartlab.cpu.Hart;

/**
 * What the memory subsystem asks of the architecture after it changed a page table (Linux's
 * flush_tlb_mm_range with mmu_gather's deferred frees): make every hart drop the changed
 * translations, then release the memory the change freed. Implemented by the {@code tlb} package.
 */
public interface TlbFlusher {
  /**
   * Invalidates {@code [start, end)} of {@code mm} everywhere after a change that revoked access
   * (mprotect, fork's write-protect): nothing is freed, and the change is not deferrable.
   */
  void flushTlbMmRange(Hart hart, Mm mm, long start, long end, String change);

  /**
   * Invalidates {@code [start, end)} of {@code mm} on every hart that may cache it, then runs
   * {@code freeMemory} once no hart can reach what the change unmapped. {@code deferrable}: only
   * for changes that unmap. Runs on {@code hart}'s thread after the page-table change, usually
   * under the mmap lock.
   */
  void flushTlbMmRange(
      Hart hart,
      Mm mm,
      long start,
      long end,
      String change,
      boolean freesTables,
      boolean deferrable,
      Runnable freeMemory);

  /**
   * exit_mmap's flush: the mm has no user left, its mappings and page tables are gone. Only the
   * harts still holding it (lazily) must flush, and, in shootdown lazy-TLB mode, leave it; then
   * {@code freeMemory} runs once none can reach the freed memory.
   */
  void flushMmTeardown(Hart hart, Mm mm, boolean freesTables, Runnable freeMemory);

  /**
   * Linux's flush_tlb_batched_pending: {@code [start, end)} of {@code mm} is about to be mapped
   * again; every invalidation still pending for it (deferred flushes not yet applied) completes
   * first, so no hart keeps a translation of the range to a frame it no longer holds.
   */
  void beforeReuse(Hart hart, Mm mm, long start, long end);
}
