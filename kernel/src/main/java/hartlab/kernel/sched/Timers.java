package hartlab.kernel.sched;

import hartlab.kernel.proc.GuestProcess;
import hartlab.kernel.proc.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Sleeps with a deadline in virtual time (nanosleep, futex timeouts), and processes' ITIMER_REAL
 * alarms. Deadlines are hart cycles; ties break by tid or pid so lockstep runs expire timers in one
 * order.
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

  private final TreeSet<GuestProcess> alarms =
      new TreeSet<>(
          (a, b) ->
              a.alarmDeadline != b.alarmDeadline
                  ? Long.compare(a.alarmDeadline, b.alarmDeadline)
                  : Integer.compare(a.pid, b.pid));

  /** Arms (deadline &gt; 0) or disarms (0) {@code p}'s alarm; its interval is the caller's. */
  synchronized void armAlarm(GuestProcess p, long deadline) {
    alarms.remove(p);
    p.alarmDeadline = deadline;
    if (deadline > 0) {
      alarms.add(p);
    }
  }

  /** Removes and returns the processes whose alarm is at or before {@code now}, disarmed. */
  synchronized List<GuestProcess> expireAlarms(long now) {
    List<GuestProcess> due = new ArrayList<>();
    while (!alarms.isEmpty() && alarms.first().alarmDeadline <= now) {
      GuestProcess p = alarms.pollFirst();
      p.alarmDeadline = 0;
      due.add(p);
    }
    return due;
  }

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
    long sleeps = byDeadline.isEmpty() ? Long.MAX_VALUE : byDeadline.first().timerDeadline;
    return alarms.isEmpty() ? sleeps : Math.min(sleeps, alarms.first().alarmDeadline);
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
