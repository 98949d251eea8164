package hartlab.sched;

import java.util.Comparator;
import java.util.Iterator;
import java.util.TreeSet;

/**
 * Fair scheduling in the manner of Linux's CFS (before EEVDF): waiting tasks ordered by weighted
 * virtual runtime, the leftmost (smallest) runs next.
 *
 * <p>A task's vruntime is never changed while it is in {@link #timeline}: the set is keyed on it.
 */
final class FairRunQueue extends RunQueue {
  /** (vruntime, id, identity of creation) — a total order, so no two tasks compare equal. */
  private static final Comparator<SchedEntity> BY_VRUNTIME =
      Comparator.comparingLong((SchedEntity e) -> e.vruntime)
          .thenComparingInt(SchedEntity::id)
          .thenComparingLong(e -> e.serial);

  private final TreeSet<SchedEntity> timeline = new TreeSet<>(BY_VRUNTIME);

  /** Sum of the weights of the waiting tasks. Guarded by the lock. */
  private long queuedWeight;

  FairRunQueue(int hart, SchedConfig config) {
    super(hart, config);
  }

  /** A new task starts level with the queue: at min_vruntime. */
  @Override
  void enqueueNew(SchedEntity e) {
    e.vruntime = minVruntime;
    add(e);
  }

  /**
   * Linux's place_entity for a waking task: it keeps its own vruntime unless that is further behind
   * than the sleeper credit, half the wakeup granularity below min_vruntime. So a long sleep buys a
   * bounded head start, not a monopoly.
   */
  @Override
  void enqueueWoken(SchedEntity e) {
    long floor = minVruntime - config.wakeupGranularityCycles() / 2;
    if (e.vruntime < floor) {
      e.vruntime = floor;
    }
    add(e);
  }

  @Override
  void enqueuePreempted(SchedEntity e, long ran) {
    add(e);
  }

  /** Behind everyone now waiting: just past the rightmost vruntime (if it is not already). */
  @Override
  void enqueueYielded(SchedEntity e) {
    if (!timeline.isEmpty()) {
      long last = timeline.last().vruntime;
      if (e.vruntime <= last) {
        e.vruntime = last + 1;
      }
    }
    add(e);
  }

  @Override
  void enqueueMigrated(SchedEntity e) {
    add(e);
  }

  private void add(SchedEntity e) {
    timeline.add(e);
    queuedWeight += e.weight;
    nrQueued = timeline.size();
  }

  @Override
  boolean remove(SchedEntity e) {
    boolean removed = timeline.remove(e);
    if (removed) {
      queuedWeight -= e.weight;
      nrQueued = timeline.size();
    }
    return removed;
  }

  @Override
  Iterator<SchedEntity> pickOrder() {
    return timeline.iterator();
  }

  @Override
  Iterator<SchedEntity> stealOrder() {
    return timeline.descendingIterator();
  }

  /**
   * Linux's check_preempt_tick, vruntime half: curr gives way once it has run at least the minimum
   * granularity and its vruntime is more than its ideal slice ahead of the leftmost waiting task.
   * The ideal slice (sched_slice) is the period shared out by weight among curr and the waiting
   * tasks, never below the minimum granularity.
   */
  @Override
  boolean checkPreemptTick(SchedEntity curr, long ran) {
    if (timeline.isEmpty() || ran < config.minGranularityCycles()) {
      return false;
    }
    long delta = currVruntime(curr, ran) - timeline.first().vruntime;
    return delta > idealSlice(curr);
  }

  private long idealSlice(SchedEntity curr) {
    long slice =
        SchedEntity.mulDiv(config.timeSliceCycles(), curr.weight, queuedWeight + curr.weight);
    return Math.max(slice, config.minGranularityCycles());
  }

  /**
   * Linux's wakeup_preempt_entity: preempt if curr is ahead of the woken task by more than the
   * wakeup granularity, converted to the woken task's virtual time (a heavier task preempts more
   * readily). curr's vruntime is estimated from its run time at the last tick.
   */
  @Override
  boolean checkPreemptWakeup(SchedEntity curr, SchedEntity woken) {
    long ran = this.curr == curr ? currRanAtTick : 0;
    long gran = SchedEntity.calcDeltaFair(config.wakeupGranularityCycles(), woken.weight);
    return currVruntime(curr, ran) - woken.vruntime > gran;
  }

  /** curr's vruntime as if charged now for the {@code ran} cycles since it was switched in. */
  private static long currVruntime(SchedEntity curr, long ran) {
    return curr.vruntime + SchedEntity.calcDeltaFair(ran, curr.weight);
  }

  /** Linux's update_min_vruntime: the smaller of curr's and the leftmost's, if larger than now. */
  @Override
  void updateMinVruntime() {
    SchedEntity c = curr;
    boolean any = false;
    long v = 0;
    if (c != null) {
      v = currVruntime(c, currRanAtTick);
      any = true;
    }
    if (!timeline.isEmpty()) {
      long left = timeline.first().vruntime;
      v = any ? Math.min(v, left) : left;
      any = true;
    }
    if (any && v > minVruntime) {
      minVruntime = v;
    }
  }
}
