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

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * The machine's scheduler: one run queue per hart, a policy ({@link Policy}), wake-up placement,
 * idle pulls and periodic load balancing, all honouring each task's affinity.
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

  /** Why a blocked task is being put on a queue. */
  private enum Activation {
    NEW,
    WAKE,
    /** still runnable, but its queue or hart no longer suits its affinity */
    MOVE
  }

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
   * A task becomes runnable: new, or woken. Picks its hart (see {@link #selectTaskRq}), enqueues it
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
          int h = activate(e, now, e.started ? Activation.WAKE : Activation.NEW, "wake");
          if (h >= 0) {
            return h;
          }
          break; // another waker won: look again
      }
    }
  }

  /**
   * Put blocked task {@code e} on a queue its affinity allows. Returns the hart, or -1 if the task
   * stopped being blocked meanwhile (another waker enqueued it). Takes one queue lock.
   */
  private int activate(SchedEntity e, long now, Activation how, String op) {
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
                + harts
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
  private void migrateVruntime(SchedEntity e, int h) {
    int from = e.baseHart;
    if (from >= 0 && from != h) {
      e.vruntime = e.vruntime - rqs[from].minVruntime + rqs[h].minVruntime;
    }
    e.baseHart = h;
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
      activate(e, now, Activation.MOVE, "requeue"); // -1: a racing waker already queued it
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
        startRunning(rq, next, now);
      }
    }
    if (strays != null) {
      // Queued here before a sched_setaffinity moved them away: place them where they may run.
      for (SchedEntity e : strays) {
        activate(e, now, Activation.MOVE, "pickNext");
      }
    }
    if (next == null) {
      next = idlePull(rq, now);
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

  /** e, just taken off a queue, becomes rq's current task. rq's lock held. */
  private static void startRunning(RunQueue rq, SchedEntity e, long now) {
    e.setState(stateOf(RUNNING, rq.hart));
    rq.curr = e;
    rq.currRanAtTick = 0;
    rq.waitHistogram.recordValue(Math.max(0, now - e.enqueuedAt));
    int last = e.lastHart();
    if (last >= 0 && last != rq.hart) {
      rq.migrations++;
    }
    e.setLastHart(rq.hart);
    e.baseHart = rq.hart;
    e.startedAt = now;
    rq.updateMinVruntime();
  }

  /**
   * Idle pull (Linux's newidle balance): take one task allowed on {@code dst}'s hart from the
   * busiest other hart that has one waiting, and run it. Harts are tried busiest first, lowest
   * index on ties; each is re-checked under both locks.
   */
  private SchedEntity idlePull(RunQueue dst, long now) {
    long tried = 1L << dst.hart;
    for (; ; ) {
      RunQueue src = busiest(tried);
      if (src == null) {
        return null;
      }
      tried |= 1L << src.hart;
      RunQueue first = src.hart < dst.hart ? src : dst;
      RunQueue second = first == src ? dst : src;
      synchronized (first) {
        synchronized (second) {
          SchedEntity e = src.stealCandidate(dst.hart, now);
          if (e != null) {
            src.remove(e);
            migrateVruntime(e, dst.hart); // against src's min_vruntime before it moves on
            src.updateMinVruntime();
            dst.idlePulls++;
            startRunning(dst, e, now);
            return e;
          }
        }
      }
    }
  }

  /**
   * The hart not in {@code exclude} with the most tasks and at least one waiting; lowest index on
   * ties.
   */
  private RunQueue busiest(long exclude) {
    RunQueue best = null;
    int bestLoad = -1;
    for (RunQueue rq : rqs) {
      if (allows(exclude, rq.hart) || rq.nrQueued == 0) {
        continue;
      }
      int load = rq.load();
      if (load > bestLoad) {
        best = rq;
        bestLoad = load;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------------------------------------
  // Ticks and balancing

  /**
   * Timer tick on {@code hart}, whose current task {@code current} (null when idle) has run {@code
   * ranSinceSwitch} cycles since it was switched in. Every {@code balanceIntervalTicks} ticks first
   * balances load (see {@link #balance}). Returns whether the hart should reschedule: with a
   * current task, whether to preempt it (RR: slice used up and someone waiting; FAIR: see {@link
   * FairRunQueue#checkPreemptTick}); when idle, whether there is now a task to pick. Hart's thread
   * only.
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
      balance(rq, now);
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

  /**
   * Periodic load balancing for {@code dst}'s hart (Linux's load_balance, with task counts as the
   * load): find the busiest other hart and pull waiting tasks allowed here, back of its queue
   * first, cold before cache-hot, while it has more than one task more than this hart.
   */
  private void balance(RunQueue dst, long now) {
    RunQueue src = busiest(1L << dst.hart);
    if (src == null || src.load() - dst.load() <= 1) {
      return;
    }
    RunQueue first = src.hart < dst.hart ? src : dst;
    RunQueue second = first == src ? dst : src;
    synchronized (first) {
      synchronized (second) {
        while (src.load() - dst.load() > 1) {
          SchedEntity e = src.stealCandidate(dst.hart, now);
          if (e == null) {
            break;
          }
          src.remove(e);
          migrateVruntime(e, dst.hart);
          e.setState(stateOf(QUEUED, dst.hart));
          dst.enqueueMigrated(e);
          dst.balancePulls++;
        }
        src.updateMinVruntime();
        dst.updateMinVruntime();
      }
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
