package hartlab.kernel;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The kernel's per-hart state (Linux's per-CPU runqueue and cpu_tlbstate). Hart-local: read and
 * written only by that hart's thread, which includes IPI handlers running there.
 */
final class Cpu {
  final int id;

  /** Volatile because shootdowns ask, from other harts, which harts hold an mm lazily. */
  volatile Task current;

  /** The mm whose page table is loaded (satp), possibly only lazily; null = the kernel's own. */
  volatile Mm activeMm;

  /** Deferred flushes queued by other harts, applied at this hart's next kernel entry or tick. */
  final ConcurrentLinkedQueue<TlbShootdown> deferred = new ConcurrentLinkedQueue<>();

  final FlushStats stats = new FlushStats();

  /** Refcount lazy-TLB mode: this hart holds an mm_count reference on {@link #activeMm}. */
  boolean lazyRef;

  /**
   * The task most recently woken onto this hart, left by the waker (any hart) for a wake-up
   * preemption check at this hart's next kernel boundary; null once checked.
   */
  volatile Task wokenHint;

  /** In the idle loop, counted in the kernel's idle-hart count. */
  boolean idle;

  long nextTick;

  /** Cycles the kernel moved this hart's clock on while it had nothing to run. */
  long idleCycles;

  long accountedInstret;
  long pageFaults;
  long syscalls;
  long syscallRestarts;
  long traps;
  long contextSwitches;
  long ipisSent;
  long ipisReceived;

  Cpu(int id) {
    this.id = id;
  }
}
