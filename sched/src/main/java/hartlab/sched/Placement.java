package hartlab.sched;

import static hartlab.sched.RunQueue.allows;
import static hartlab.sched.SchedEntity.BLOCKED;
import static hartlab.sched.SchedEntity.QUEUED;
import static hartlab.sched.SchedEntity.stateOf;

/**
 * Where a runnable task goes (Linux's select_task_rq and the enqueue that follows it): a task that
 * is new, woken, or no longer allowed where it was queued is put on the run queue of a hart its
 * affinity allows, and a FAIR vruntime that moves between queues is re-based on the way.
 *
 * <p>Any thread. Takes one queue lock at a time; the loads it compares are read without locks (in
 * parallel mode estimates, as in Linux; in lockstep deterministic).
 */
final class Placement {
  /** Why a blocked task is being put on a queue. */
  enum Activation {
    NEW,
    WAKE,
    /** still runnable, but its queue or hart no longer suits its affinity */
    MOVE
  }

  private final RunQueue[] rqs;

  /** Bit i set for every hart i that exists. */
  private final long allHarts;

  Placement(RunQueue[] rqs, long allHarts) {
    this.rqs = rqs;
    this.allHarts = allHarts;
  }

  /**
   * Put blocked task {@code e} on a queue its affinity allows. Returns the hart, or -1 if the task
   * stopped being blocked meanwhile (another waker enqueued it). Takes one queue lock.
   */
  int activate(SchedEntity e, long now, Activation how, String op) {
    for (; ; ) {
      long allowed = e.affinity() & allHarts;
      if (allowed == 0) {
        throw new IllegalArgumentException(
            op
                + ": task "
                + e.id()
                + " has affinity 0x"
                + Long.toHexString(e.affinity())
                + ", which names no hart below "
                + rqs.length
                + " (the kernel must reject such a mask with EINVAL)");
      }
      int h = selectTaskRq(e, allowed, how);
      RunQueue rq = rqs[h];
      synchronized (rq) {
        // Re-read the mask under the lock: a sched_setaffinity that lands after this read is
        // followed by the kernel's dequeue, which will find the task queued here (the state
        // below is set before we unlock), so the task is never stranded on a forbidden hart.
        if (!allows(e.affinity(), h)) {
          continue;
        }
        if (!e.casState(BLOCKED, stateOf(QUEUED, h))) {
          return -1;
        }
        migrateVruntime(e, h);
        e.enqueuedAt = now;
        switch (how) {
          case NEW:
            e.started = true;
            rq.enqueueNew(e);
            rq.wakeups++;
            break;
          case WAKE:
            rq.enqueueWoken(e);
            rq.wakeups++;
            break;
          default:
            rq.enqueueMigrated(e);
            break;
        }
        rq.updateMinVruntime();
        return h;
      }
    }
  }

  /**
   * Wake-up placement (Linux's select_task_rq, much simplified). Among the allowed harts the least
   * loaded one, lowest index on ties, is the fallback; a task that has run before goes back to its
   * previous hart instead if that is allowed and {@link #isNotMuchBusier}, for its warm cache.
   * Loads are read without locks.
   */
  private int selectTaskRq(SchedEntity e, long allowed, Activation how) {
    int idlest = -1;
    int idlestLoad = Integer.MAX_VALUE;
    for (long m = allowed; m != 0; m &= m - 1) {
      int h = Long.numberOfTrailingZeros(m);
      int load = rqs[h].load();
      if (load < idlestLoad) {
        idlest = h;
        idlestLoad = load;
      }
    }
    int prev = e.lastHart();
    if (how != Activation.NEW
        && prev >= 0
        && allows(allowed, prev)
        && isNotMuchBusier(rqs[prev].load(), idlestLoad)) {
      return prev;
    }
    return idlest;
  }

  /**
   * Is the previous hart, with {@code prevLoad} tasks, close enough to the least loaded allowed
   * hart to keep the task there? An idle hart beats a warm cache (otherwise the task would wait a
   * whole slice while a hart idles); among busy harts, one extra task is worth a warm cache.
   */
  private static boolean isNotMuchBusier(int prevLoad, int idlestLoad) {
    return prevLoad == idlestLoad || (idlestLoad > 0 && prevLoad <= idlestLoad + 1);
  }

  /**
   * Re-base a FAIR vruntime from the queue it was measured against to queue {@code h} (Linux's
   * migrate_task_rq_fair: subtract the old min_vruntime, add the new). Reads the old queue's
   * min_vruntime without its lock; it only grows, so at worst the task looks a little behind.
   */
  void migrateVruntime(SchedEntity e, int h) {
    int from = e.baseHart;
    if (from >= 0 && from != h) {
      e.vruntime = e.vruntime - rqs[from].minVruntime + rqs[h].minVruntime;
    }
    e.baseHart = h;
  }
}
