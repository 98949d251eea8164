package hartlab.sched;

/**
 * What the scheduler needs from a task: the per-task scheduling state it owns.
 *
 * <p>The task creates its entity once, {@code new SchedEntity(tid, nice)}, and returns the same
 * object for its whole life. {@link #sched()} must be a plain field read: the scheduler calls it on
 * entry to each operation, never while holding a run-queue lock.
 */
public interface Schedulable {
  /** This task's scheduling entity; the same object on every call. */
  SchedEntity sched();
}
