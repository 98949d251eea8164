package hartlab.sched;

import static hartlab.sched.SchedEntity.RUNNING;
import static hartlab.sched.SchedEntity.stateOf;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One hart's run queue (Linux's {@code struct rq}): the tasks waiting to run there, its current
 * task, and its counters. The policy-specific part (the order of the waiting tasks, the preemption
 * rules) is in the subclasses {@link RrRunQueue} and {@link FairRunQueue}.
 *
 * <p>Locking: the queue's monitor is its lock, a short host lock held only inside scheduler calls
 * and never while calling out of the scheduler. Where two are taken, the lower hart index goes
 * first. Methods not marked otherwise must be called with the lock held.
 */
abstract class RunQueue {
  final int hart;
  final SchedConfig config;

  // ---- guarded by this; the volatile ones are also read without the lock, as estimates
  /** Number of waiting tasks (not counting curr). */
  volatile int nrQueued;

  /** The task running on this hart, or null; written only by this hart's thread, under the lock. */
  volatile SchedEntity curr;

  /**
   * FAIR: the smallest vruntime on this queue, never decreasing; every vruntime in this queue is
   * measured against it. Stays 0 under RR.
   */
  volatile long minVruntime;

  /** ranSinceSwitch of curr at the last tick, to estimate curr's vruntime between ticks. */
  volatile long currRanAtTick;

  final Histogram waitHistogram = new Histogram(3);
  long wakeups;
  long migrations;
  long idlePulls;
  long balancePulls;
  long preemptions;

  // ---- hart-local: touched only by this hart's thread
  long ticks;

  RunQueue(int hart, SchedConfig config) {
    this.hart = hart;
    this.config = config;
  }

  /** Tasks on this hart, running or waiting (Linux's nr_running). Lock not needed: an estimate. */
  final int load() {
    return nrQueued + (curr != null ? 1 : 0);
  }

  // ---- policy hooks; all with the lock held. The task is not in the queue on entry to enqueue*.

  /** A task that has never been queued anywhere arrives. */
  abstract void enqueueNew(SchedEntity e);

  /** A task that slept arrives (its vruntime already made relative to this queue). */
  abstract void enqueueWoken(SchedEntity e);

  /** The current task was forced off after running {@code ran} cycles (already charged). */
  abstract void enqueuePreempted(SchedEntity e, long ran);

  /** The current task yielded: it goes behind every task now waiting. */
  abstract void enqueueYielded(SchedEntity e);

  /** A runnable task moved here from another queue (vruntime already made relative to this one). */
  abstract void enqueueMigrated(SchedEntity e);

  /** Remove a waiting task; false if it is not in this queue. */
  abstract boolean remove(SchedEntity e);

  /** The waiting tasks in the order they would be picked. */
  abstract Iterator<SchedEntity> pickOrder();

  /** The waiting tasks, last to be picked first: the order to steal them in. */
  abstract Iterator<SchedEntity> stealOrder();

  /** At a tick: should curr, which ran {@code ran} cycles since it was switched in, give way? */
  abstract boolean checkPreemptTick(SchedEntity curr, long ran);

  /** Should curr give way to the newly woken task? Lock not needed (an estimate). */
  abstract boolean checkPreemptWakeup(SchedEntity curr, SchedEntity woken);

  /** Bring minVruntime forward to the smallest vruntime present (FAIR). */
  abstract void updateMinVruntime();

  // ---- shared machinery

  /**
   * Remove and return the first waiting task that may run here. Tasks ahead of it whose affinity no
   * longer includes this hart but includes another are removed too and added to {@code strays} for
   * the caller to place elsewhere; tasks allowed on no hart at all stay (the kernel validates
   * masks, so that is a kernel bug, and the task is at least not lost).
   */
  final SchedEntity pickFirst(long allHarts, List<SchedEntity> strays) {
    SchedEntity found = null;
    List<SchedEntity> passed = null;
    for (Iterator<SchedEntity> it = pickOrder(); it.hasNext(); ) {
      SchedEntity e = it.next();
      long mask = e.affinity();
      if (allows(mask, hart)) {
        found = e;
        break;
      }
      if ((mask & allHarts) != 0) {
        if (passed == null) {
          passed = new ArrayList<>();
        }
        passed.add(e);
      }
    }
    if (passed != null) {
      for (SchedEntity e : passed) {
        remove(e);
        strays.add(e);
      }
    }
    if (found != null) {
      remove(found);
    }
    return found;
  }

  /** {@code e}, just taken off a queue, becomes this hart's current task. */
  final void startRunning(SchedEntity e, long now) {
    e.setState(stateOf(RUNNING, hart));
    curr = e;
    currRanAtTick = 0;
    waitHistogram.recordValue(Math.max(0, now - e.enqueuedAt));
    int last = e.lastHart();
    if (last >= 0 && last != hart) {
      migrations++;
    }
    e.setLastHart(hart);
    e.baseHart = hart;
    e.startedAt = now;
    updateMinVruntime();
  }

  /**
   * A waiting task that may run on {@code dstHart}, to move there, or null. Steals from the back of
   * the queue (the task that would wait longest here), and prefers one that is not cache-hot here
   * (Linux's task_hot: stopped running on this hart less than migrationCost before {@code now}); a
   * hot one is still taken if it is the only candidate, since the caller only steals when the
   * imbalance is worth more than the cache.
   */
  final SchedEntity stealCandidate(int dstHart, long now) {
    SchedEntity hot = null;
    for (Iterator<SchedEntity> it = stealOrder(); it.hasNext(); ) {
      SchedEntity e = it.next();
      if (!allows(e.affinity(), dstHart)) {
        continue;
      }
      if (!isCacheHot(e, now)) {
        return e;
      }
      if (hot == null) {
        hot = e;
      }
    }
    return hot;
  }

  private boolean isCacheHot(SchedEntity e, long now) {
    return e.lastHart() == hart && now - e.lastRanEnd < config.migrationCostCycles();
  }

  static boolean allows(long mask, int hart) {
    return (mask >>> hart & 1) != 0;
  }
}
