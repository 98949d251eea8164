package hartlab.sched;

import static hartlab.sched.RunQueue.allows;
import static hartlab.sched.SchedEntity.BLOCKED;
import static hartlab.sched.SchedEntity.DEAD;
import static hartlab.sched.SchedEntity.QUEUED;
import static hartlab.sched.SchedEntity.RUNNING;
import static hartlab.sched.SchedEntity.RUNNING_WAKE_PENDING;
import static hartlab.sched.SchedEntity.hartOf;
import static hartlab.sched.SchedEntity.kindOf;
import static hartlab.sched.SchedEntity.stateOf;

import hartlab.sched.Placement.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * The machine's scheduler: one run queue per hart, a policy ({@link Policy}), wake-up placement,
 * idle pulls and periodic load balancing, all honouring each task's affinity.
 *
 * <p>This class is the façade the kernel calls and holds the life cycle of the current task (pick,
 * requeue, block, exit); where a runnable task is queued is {@link Placement}'s decision, moving
 * waiting tasks between harts {@link LoadBalancer}'s, and each queue's order its {@link
 * RunQueue}'s.
 *
 * <h2>Calling contract</h2>
 *
 * <ul>
 *   <li>{@link #wake}, {@link #dequeue}, {@link #shouldPreemptFor}, {@link #queueLength} and {@link
 *       #stats} may be called from any hart's thread. {@link #pickNext}, {@link #requeue}, {@link
 *       #block}, {@link #exit} and {@link #tick} for hart h only from hart h's thread.
 *   <li>Per hart the cycle is: {@code pickNext} hands out a task, which is then the hart's current
 *       task until the hart calls {@code requeue}, {@code block} or {@code exit} for it; only then
 *       may it call {@code pickNext} again. {@code tick} names the current task (or null).
 *   <li>A task's state moves only through these calls: new tasks start blocked; {@code wake} makes
 *       a blocked task runnable (and is a no-op on a runnable one); {@code exit} is final.
 *   <li>{@code now} is the calling hart's own virtual clock. {@code ran} / {@code ranSinceSwitch}
 *       count the cycles since the task was switched in by the last {@code pickNext}, the same
 *       clock as the {@code now} passed there; the task is charged at {@code requeue}/{@code
 *       block}, not at ticks.
 *   <li>Deterministic: the result depends only on the sequence of calls and their arguments (no
 *       host time, no randomness, no hash order), so lockstep runs reproduce. In parallel mode
 *       every method is thread-safe; the load figures that placement reads without locks are then
 *       estimates, as in Linux.
 * </ul>
 *
 * <p>Locks: each run queue's lock is held only inside one of these calls, never while calling out;
 * two are taken only by idle pull and balancing, lower hart index first.
 *
 * @param <T> the kernel's task type
 */
public final class Scheduler<T extends Schedulable> {
  private final Policy policy;
  private final int harts;
  private final SchedConfig config;

  /** Bit i set for every hart i that exists. */
  private final long allHarts;

  private final RunQueue[] rqs;
  private final Placement placement;
  private final LoadBalancer balancer;

  public Scheduler(Policy policy, int harts, SchedConfig config) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.config = Objects.requireNonNull(config, "config");
    if (harts < 1 || harts > Long.SIZE) {
      throw new IllegalArgumentException("Scheduler: harts must be in 1..64, got " + harts);
    }
    this.harts = harts;
    this.allHarts = harts == Long.SIZE ? -1L : (1L << harts) - 1;
    this.rqs = new RunQueue[harts];
    for (int h = 0; h < harts; h++) {
      rqs[h] = policy == Policy.RR ? new RrRunQueue(h, config) : new FairRunQueue(h, config);
    }
    this.placement = new Placement(rqs, allHarts);
    this.balancer = new LoadBalancer(rqs, placement);
  }

  public Policy policy() {
    return policy;
  }

  public int harts() {
    return harts;
  }

  public SchedConfig config() {
    return config;
  }

  // ---------------------------------------------------------------------------------------------
  // Wake-up

  /**
   * A task becomes runnable: new, or woken. Picks its hart (see {@link Placement}), enqueues it
   * there and returns that hart, which the caller may then kick (IPI) if it is idle or if {@link
   * #shouldPreemptFor} says so. Any thread.
   *
   * <p>A task that is already runnable is left where it is and its hart returned: if queued, the
   * queue's hart; if still running (the hart that blocks it has not called {@link #block} yet), the
   * wake-up is remembered and that {@code block} keeps the task runnable — so a waker may race with
   * the sleeper and the wake-up is never lost. A task that has {@linkplain #exit exited} is not
   * woken: the result is -1.
   *
   * @param wakerHart the hart doing the wake-up, or -1 if none (boot); informational
   * @param now the waker's clock; the task's run-queue wait starts here
   * @throws IllegalArgumentException if the task's affinity names no existing hart
   */
  public int wake(T task, int wakerHart, long now) {
    SchedEntity e = entity(task, "wake");
    if (wakerHart < -1 || wakerHart >= harts) {
      throw new IllegalArgumentException(
          "wake: waker hart " + wakerHart + " out of range -1.." + (harts - 1));
    }
    for (; ; ) {
      int s = e.state();
      switch (kindOf(s)) {
        case QUEUED:
        case RUNNING_WAKE_PENDING:
          return hartOf(s);
        case RUNNING:
          if (e.casState(s, stateOf(RUNNING_WAKE_PENDING, hartOf(s)))) {
            return hartOf(s);
          }
          break; // it blocked or exited meanwhile: look again
        case DEAD:
          return -1;
        default:
          int h = placement.activate(e, now, e.started ? Activation.WAKE : Activation.NEW, "wake");
          if (h >= 0) {
            return h;
          }
          break; // another waker won: look again
      }
    }
  }

  /**
   * Should {@code hart}, running {@code current}, switch to newly woken {@code woken} (the caller
   * then sends it a reschedule IPI)? Null current: yes, the hart is idle. RR: no otherwise. FAIR:
   * if current's vruntime is ahead of woken's by more than the wakeup granularity. Any thread;
   * reads the other hart's state without locking (an estimate, deterministic in lockstep).
   */
  public boolean shouldPreemptFor(int hart, T current, T woken) {
    RunQueue rq = rq(hart, "shouldPreemptFor");
    if (current == null) {
      return true;
    }
    return rq.checkPreemptWakeup(
        entity(current, "shouldPreemptFor"), entity(woken, "shouldPreemptFor"));
  }

  // ---------------------------------------------------------------------------------------------
  // The running task stops

  /**
   * The current task of {@code hart} stops running but stays runnable: charge it {@code ran} cycles
   * and queue it on {@code hart} — behind the others for a yield ({@code sched_yield}); for a
   * preemption, FAIR orders by vruntime and RR puts it at the back once its slice is used up, at
   * the front (keeping the rest of its slice) if not. If its affinity no longer allows {@code hart}
   * (sched_setaffinity while it ran) it is placed on an allowed hart instead. Hart's thread only.
   *
   * @param ran cycles since this task was switched in (>= 0)
   * @param now this hart's clock
   */
  public void requeue(T task, int hart, long ran, long now, boolean yield) {
    SchedEntity e = entity(task, "requeue");
    RunQueue rq = rq(hart, "requeue");
    stopRunning(e, rq, ran, "requeue");
    putBack(e, rq, now, yield ? Requeue.YIELD : Requeue.PREEMPT);
  }

  private enum Requeue {
    PREEMPT,
    YIELD,
    /** block() met a pending wake-up: the task never stopped being runnable */
    WOKEN_WHILE_RUNNING
  }

  /** Queue the task that just stopped running on rq's hart, or move it if no longer allowed. */
  private void putBack(SchedEntity e, RunQueue rq, long now, Requeue why) {
    long ran = e.lastRanEnd - e.startedAt;
    boolean stays = allows(e.affinity(), rq.hart);
    synchronized (rq) {
      rq.curr = null;
      rq.currRanAtTick = 0;
      if (why == Requeue.PREEMPT) {
        rq.preemptions++;
      }
      if (stays) {
        // Plain write, not CAS: a racing wake may have turned running into running-wake-pending,
        // and queued is the right outcome for both.
        e.enqueuedAt = now;
        e.setState(stateOf(QUEUED, rq.hart));
        switch (why) {
          case YIELD:
            rq.enqueueYielded(e);
            break;
          case PREEMPT:
            rq.enqueuePreempted(e, ran);
            break;
          default:
            rq.enqueueWoken(e);
            break;
        }
      } else {
        e.rrSliceUsed = 0;
        e.setState(BLOCKED);
      }
      rq.updateMinVruntime();
    }
    if (!stays) {
      placement.activate(
          e, now, Activation.MOVE, "requeue"); // -1: a racing waker already queued it
    }
  }

  /**
   * The current task of {@code hart} stops running and is no longer runnable (it sleeps): charge it
   * {@code ran} cycles. If a {@link #wake} for it arrived while it was still running, it stays
   * runnable and is queued on {@code hart} instead (Linux's ttwu on a task still on its CPU), so
   * the kernel may publish "I am going to sleep" before calling this. An exiting task should use
   * {@link #exit}. Hart's thread only.
   */
  public void block(T task, int hart, long ran) {
    SchedEntity e = entity(task, "block");
    RunQueue rq = rq(hart, "block");
    stopRunning(e, rq, ran, "block");
    e.rrSliceUsed = 0;
    synchronized (rq) {
      rq.curr = null;
      rq.currRanAtTick = 0;
      if (e.casState(stateOf(RUNNING, hart), BLOCKED)) {
        rq.updateMinVruntime();
        return;
      }
    }
    putBack(e, rq, e.lastRanEnd, Requeue.WOKEN_WHILE_RUNNING);
  }

  /**
   * The current task of {@code hart} exits: charge it {@code ran} cycles and take it off the hart
   * for good. Unlike {@link #block}, a wake-up that raced with the exit is dropped, and any later
   * {@link #wake} returns -1 without queueing it, so a dead task is never picked. Hart's thread
   * only.
   */
  public void exit(T task, int hart, long ran) {
    SchedEntity e = entity(task, "exit");
    RunQueue rq = rq(hart, "exit");
    stopRunning(e, rq, ran, "exit");
    synchronized (rq) {
      rq.curr = null;
      rq.currRanAtTick = 0;
      // Plain write: the only other writer of a running state is wake's CAS to
      // running-wake-pending, which this overrides on purpose.
      e.setState(DEAD);
      rq.updateMinVruntime();
    }
  }

  /** Checks that e is rq's current task, and charges it. */
  private void stopRunning(SchedEntity e, RunQueue rq, long ran, String op) {
    int s = e.state();
    if (rq.curr != e
        || (s != stateOf(RUNNING, rq.hart) && s != stateOf(RUNNING_WAKE_PENDING, rq.hart))) {
      throw new IllegalStateException(
          op
              + ": task "
              + e.id()
              + " is not the current task of hart "
              + rq.hart
              + " (it is "
              + SchedEntity.describe(s)
              + ")");
    }
    if (ran < 0) {
      throw new IllegalArgumentException(op + ": negative run time " + ran + " for task " + e.id());
    }
    e.vruntime += SchedEntity.calcDeltaFair(ran, e.weight);
    e.lastRanEnd = e.startedAt + ran;
  }

  // ---------------------------------------------------------------------------------------------
  // Picking

  /**
   * The next task to run on {@code hart}, removed from the queue; it is the hart's current task
   * until {@link #requeue}, {@link #block} or {@link #exit}. If the local queue has nothing for
   * this hart, first pulls a task from the busiest other hart that has one allowed here (idle
   * pull); null if nothing. Records the task's run-queue wait ({@code now} minus the enqueuing
   * clock, 0 if the harts' clocks make that negative). Hart's thread only.
   */
  public T pickNext(int hart, long now) {
    RunQueue rq = rq(hart, "pickNext");
    if (rq.curr != null) {
      throw new IllegalStateException(
          "pickNext: hart "
              + hart
              + " still has current "
              + rq.curr
              + " (call requeue, block or exit for it first)");
    }
    SchedEntity next;
    List<SchedEntity> strays = null;
    synchronized (rq) {
      next = rq.nrQueued == 0 ? null : pickLocal(rq);
      if (next == null && rq.nrQueued > 0) {
        strays = new ArrayList<>();
        next = rq.pickFirst(allHarts, strays);
        for (SchedEntity e : strays) {
          e.setState(BLOCKED); // runnable, but in flight to an allowed hart; see below
        }
      }
      if (next != null) {
        rq.startRunning(next, now);
      }
    }
    if (strays != null) {
      // Queued here before a sched_setaffinity moved them away: place them where they may run.
      for (SchedEntity e : strays) {
        placement.activate(e, now, Activation.MOVE, "pickNext");
      }
    }
    if (next == null) {
      next = balancer.idlePull(rq, now);
    }
    return next == null ? null : owner(next);
  }

  /** Fast path: the first waiting task, if it may run here. */
  private SchedEntity pickLocal(RunQueue rq) {
    SchedEntity first = rq.pickOrder().next();
    if (!allows(first.affinity(), rq.hart)) {
      return null;
    }
    rq.remove(first);
    return first;
  }

  // ---------------------------------------------------------------------------------------------
  // Ticks and balancing

  /**
   * Timer tick on {@code hart}, whose current task {@code current} (null when idle) has run {@code
   * ranSinceSwitch} cycles since it was switched in. Every {@code balanceIntervalTicks} ticks first
   * balances load (see {@link LoadBalancer#balance}). Returns whether the hart should reschedule:
   * with a current task, whether to preempt it (RR: slice used up and someone waiting; FAIR: see
   * {@link FairRunQueue#checkPreemptTick}); when idle, whether there is now a task to pick. Hart's
   * thread only.
   */
  public boolean tick(int hart, T current, long ranSinceSwitch, long now) {
    RunQueue rq = rq(hart, "tick");
    SchedEntity cur = current == null ? null : entity(current, "tick");
    if (rq.curr != cur) {
      throw new IllegalStateException(
          "tick: hart " + hart + " runs " + rq.curr + ", not " + (cur == null ? "nothing" : cur));
    }
    int interval = config.balanceIntervalTicks();
    if (interval > 0 && ++rq.ticks % interval == 0) {
      balancer.balance(rq, now);
    }
    if (cur == null) {
      return rq.nrQueued > 0;
    }
    synchronized (rq) {
      rq.currRanAtTick = ranSinceSwitch;
      rq.updateMinVruntime();
      return rq.checkPreemptTick(cur, ranSinceSwitch);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Queries and removal

  /**
   * Take a waiting task off whatever queue holds it: after {@link SchedEntity#setAffinity} (then
   * {@link #wake} it to re-place it), or when it is torn down while queued (it must not run again;
   * a running task exits through {@link #exit}). Any thread. Returns true if it was queued; it is
   * then blocked. A running, blocked or exited task is not touched (false).
   */
  public boolean dequeue(T task) {
    SchedEntity e = entity(task, "dequeue");
    for (; ; ) {
      int s = e.state();
      if (kindOf(s) != QUEUED) {
        return false;
      }
      RunQueue rq = rqs[hartOf(s)];
      synchronized (rq) {
        if (e.state() != s) {
          continue; // moved by balancing or picked meanwhile
        }
        rq.remove(e);
        e.setState(BLOCKED);
        rq.updateMinVruntime();
        return true;
      }
    }
  }

  /** Tasks waiting on {@code hart}, not counting its current one. Any thread; an estimate. */
  public int queueLength(int hart) {
    return rq(hart, "queueLength").nrQueued;
  }

  /** Counters and the wait histogram, summed over harts. Any thread. */
  public SchedStats stats() {
    long wakeups = 0;
    long migrations = 0;
    long idlePulls = 0;
    long balancePulls = 0;
    long preemptions = 0;
    Histogram wait = new Histogram(3);
    for (RunQueue rq : rqs) {
      synchronized (rq) {
        wakeups += rq.wakeups;
        migrations += rq.migrations;
        idlePulls += rq.idlePulls;
        balancePulls += rq.balancePulls;
        preemptions += rq.preemptions;
        wait.add(rq.waitHistogram);
      }
    }
    return new SchedStats(wakeups, migrations, idlePulls, balancePulls, preemptions, wait);
  }

  // ---------------------------------------------------------------------------------------------

  private RunQueue rq(int hart, String op) {
    if (hart < 0 || hart >= harts) {
      throw new IllegalArgumentException(op + ": hart " + hart + " out of range 0.." + (harts - 1));
    }
    return rqs[hart];
  }

  /** The task's entity, bound to this task and this scheduler on first use. */
  private SchedEntity entity(T task, String op) {
    SchedEntity e = Objects.requireNonNull(task, op + ": null task").sched();
    if (e == null) {
      throw new IllegalArgumentException(op + ": " + task + " has no SchedEntity");
    }
    if (!e.isBoundTo(task, this) && !e.bind(task, this)) {
      throw new IllegalArgumentException(
          op + ": " + e + " belongs to another task or scheduler (sched() must return its own)");
    }
    return e;
  }

  @SuppressWarnings("unchecked") // only T's entities are ever bound, by entity()
  private T owner(SchedEntity e) {
    return (T) e.owner();
  }
}
