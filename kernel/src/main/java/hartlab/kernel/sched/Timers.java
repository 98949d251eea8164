package hartlab.kernel.sched;

import hartlab.kernel.proc.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Sleeps with a deadline in virtual time (nanosleep, futex timeouts). Deadlines are hart cycles;
 * ties break by tid so lockstep runs expire timers in one order.
 *
 * <p>Thread-safe through its own monitor, a short lock.
 */
final class Timers {
  private final TreeSet<Task> byDeadline =
      new TreeSet<>(
          (a, b) ->
              a.timerDeadline != b.timerDeadline
                  ? Long.compare(a.timerDeadline, b.timerDeadline)
                  : Integer.compare(a.tid, b.tid));

  synchronized void arm(Task task, long deadline) {
    byDeadline.remove(task);
    task.timerDeadline = deadline;
    byDeadline.add(task);
  }

  synchronized void cancel(Task task) {
    byDeadline.remove(task);
  }

  /** The earliest deadline, or Long.MAX_VALUE when no timer is armed. */
  synchronized long earliest() {
    return byDeadline.isEmpty() ? Long.MAX_VALUE : byDeadline.first().timerDeadline;
  }

  /** Removes and returns the tasks whose deadline is at or before {@code now}. */
  synchronized List<Task> expire(long now) {
    List<Task> due = new ArrayList<>();
    while (!byDeadline.isEmpty() && byDeadline.first().timerDeadline <= now) {
      due.add(byDeadline.pollFirst());
    }
    return due;
  }
}
