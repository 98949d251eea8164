package hartlab.kernel.rcu;

import hartlab.cpu.Hart;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.HartCounters;
import hartlab.kernel.stats.Latency;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Tree RCU's callback side: per-hart lists of callbacks, each tagged with the gp_seq it needs and
 * run on its own hart, in order, once that grace period has ended; and {@code rcu_barrier}, which
 * waits until every callback queued before it has run.
 *
 * <p>Threads: a hart's list is that hart's own; the per-hart counts are read by any hart (barriers,
 * and the grace-period end that kicks idle harts whose callbacks became ready).
 */
final class RcuCallbacks {
  /** Longs per hart in {@link #perHart}: one 64-byte line, so harts do not share lines. */
  private static final int LINE = 8;

  // Slots of a hart's line in perHart: written by that hart only, read by any.
  private static final int WAITS_FOR = 0, QUEUED = 1, INVOKED = 2;

  /** {@link Sleeper#awaited} of a task sleeping in {@link #barrier}, not a grace-period number. */
  static final long BARRIER = 1L << 62;

  /** A callback and the gp_seq it waits for. */
  private record Callback(long gp, Runnable fn) {}

  /** A task in {@link #barrier}: the callbacks each hart had queued when it called. */
  private record BarrierWait(Sleeper task, long[] queued) {}

  private final Waits waits;
  private final WaitQueue sleepers;
  private final Counters counters;

  /** Guards the barrier list; the grace periods' lock, so a waker finds a barrier task asleep. */
  private final Object lock;

  private final ArrayDeque<Callback>[] callbacks;

  /** Per hart (one line each): oldest callback's gp_seq, callbacks queued and run. */
  private final AtomicLongArray perHart;

  /** Tasks in rcu_barrier; lock. */
  private final List<BarrierWait> barriers = new ArrayList<>();

  private volatile int barrierCount;

  @SuppressWarnings("unchecked")
  RcuCallbacks(int harts, Waits waits, WaitQueue sleepers, Counters counters, Object lock) {
    this.waits = waits;
    this.sleepers = sleepers;
    this.counters = counters;
    this.lock = lock;
    this.callbacks = new ArrayDeque[harts];
    this.perHart = new AtomicLongArray(harts * LINE);
    for (int h = 0; h < harts; h++) {
      callbacks[h] = new ArrayDeque<>();
      perHart.set(h * LINE + WAITS_FOR, Long.MAX_VALUE);
    }
  }

  /** Queues {@code fn} on {@code hart}'s list, to run once gp_seq reaches {@code want}. */
  void queue(int hart, long want, Runnable fn) {
    ArrayDeque<Callback> q = callbacks[hart];
    if (q.isEmpty()) {
      perHart.set(hart * LINE + WAITS_FOR, want);
    }
    q.addLast(new Callback(want, fn));
    perHart.set(hart * LINE + QUEUED, perHart.get(hart * LINE + QUEUED) + 1);
  }

  /** The gp_seq {@code hart}'s oldest callback waits for; MAX_VALUE if it has none. Any thread. */
  long waitsFor(int hart) {
    return perHart.get(hart * LINE + WAITS_FOR);
  }

  /** Runs {@code hart}'s callbacks whose grace period has ended, oldest first; nesting is zero. */
  void run(Hart hart, GracePeriods gps, RcuObserver[] observers) {
    int id = hart.id();
    ArrayDeque<Callback> q = callbacks[id];
    if (q.isEmpty()) {
      return;
    }
    HartCounters stats = counters.hart(id);
    boolean ran = false;
    for (Callback c; (c = q.peekFirst()) != null && gps.done(c.gp()); ) {
      q.pollFirst();
      hart.addCycles(hart.cost().rcuCallback());
      for (RcuObserver o : observers) {
        o.callbackRunning(id, c.gp() - 1);
      }
      c.fn().run();
      stats.add(Counter.RCU_CALLBACKS_RUN);
      perHart.set(id * LINE + INVOKED, perHart.get(id * LINE + INVOKED) + 1);
      ran = true;
    }
    Callback head = q.peekFirst();
    perHart.set(id * LINE + WAITS_FOR, head == null ? Long.MAX_VALUE : head.gp());
    if (ran && barrierCount > 0) {
      synchronized (lock) {
        for (BarrierWait w : barriers) {
          if (barrierDone(w)) {
            waits.wake(w.task(), Waits.RESTART);
          }
        }
      }
    }
  }

  /**
   * rcu_barrier for {@code task} on {@code hart}: 0 once every callback queued before its first
   * call has run, else the task sleeps (BLOCKED) and the call runs again when they have.
   */
  long barrier(Hart hart, Sleeper task) {
    synchronized (lock) {
      BarrierWait w = null;
      for (BarrierWait b : barriers) {
        if (b.task() == task) {
          w = b;
        }
      }
      if (w != null && task.awaited() != BARRIER) {
        barriers.remove(w); // left over from a call that never ran again (its task was killed)
        w = null;
      }
      if (w == null) {
        long[] queued = new long[callbacks.length];
        for (int h = 0; h < queued.length; h++) {
          queued[h] = perHart.get(h * LINE + QUEUED);
        }
        w = new BarrierWait(task, queued);
        if (barrierDone(w)) {
          return 0;
        }
        barriers.add(w);
        barrierCount = barriers.size();
        task.setAwaited(BARRIER, hart.cycles());
        counters.hart(hart.id()).add(Counter.RCU_SYNC_SLEEPS);
      } else if (barrierDone(w)) {
        barriers.remove(w);
        barrierCount = barriers.size();
        finishWait(counters, hart, task);
        return 0;
      }
      return waits.sleep(hart, sleepers, true, Long.MAX_VALUE, Waits.RESTART);
    }
  }

  private boolean barrierDone(BarrierWait w) {
    for (int h = 0; h < w.queued().length; h++) {
      if (perHart.get(h * LINE + INVOKED) < w.queued()[h]) {
        return false;
      }
    }
    return true;
  }

  /** A task's wait (synchronize or barrier) is over: record how long it took, and clear it. */
  static void finishWait(Counters counters, Hart hart, Sleeper task) {
    counters.hart(hart.id()).record(Latency.RCU_SYNC_CYCLES, hart.cycles() - task.awaitedSince());
    task.setAwaited(0, 0);
  }
}
