package hartlab.kernel.tlb;

import hartlab.kernel.mm.Mm;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One hart's TLB state (Linux's per-CPU cpu_tlbstate): which mm its satp holds, whether it holds a
 * lazy reference on it, and the deferred flushes other harts left for it. Hart-local but for the
 * fields marked otherwise.
 */
final class TlbState {
  /**
   * The mm whose page table is loaded (loaded_mm), possibly only lazily; null = the kernel's own.
   * Volatile because shootdowns ask, from other harts, which harts hold an mm.
   */
  volatile Mm activeMm;

  /** Refcount lazy-TLB mode: this hart holds an mm_count reference on {@link #activeMm}. */
  boolean lazyRef;

  /** Deferred flushes queued by other harts, applied at this hart's next kernel entry or tick. */
  final ConcurrentLinkedQueue<TlbShootdown> deferred = new ConcurrentLinkedQueue<>();
}
