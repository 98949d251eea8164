package hartlab.kernel.tlb;

/**
 * What the TLB code needs to know of the scheduler. A hart with an mm loaded that runs no task and
 * has none waiting for it holds that mm only lazily (Linux's is_lazy: in the idle loop). A racy
 * view, as Linux's is.
 */
public interface CpuStates {
  /** Whether a task runs on {@code hart} right now. */
  boolean runsTask(int hart);

  /** Whether a runnable task waits in {@code hart}'s run queue: the hart is about to leave idle. */
  boolean hasQueuedTask(int hart);
}
