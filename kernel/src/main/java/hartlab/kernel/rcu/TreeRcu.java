package hartlab.kernel.rcu;

import hartlab.cpu.Hart;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import java.util.Arrays;

/**
 * Tree RCU (Linux's kernel/rcu/tree.c) with one node: the read side, the harts' hooks where they
 * pass quiescent states, and the waits of synchronize and barrier. The grace-period state machine
 * is {@link GracePeriods}; callbacks and barriers are {@link RcuCallbacks}.
 *
 * <p><b>Dynticks.</b> Each hart's counter is odd while it is in the kernel and even while it runs
 * user code or idles (Linux's {@code ct->state}/{@code dynticks}): a grace period never waits for a
 * hart in user mode or idle.
 *
 * <p><b>Quiescent states.</b> Outside a read-side section a hart holds no RCU-protected pointer
 * (the {@link Rcu} contract), so each hook below reports one when the hart's nesting is zero:
 * kernel entry (which also serves the tick), entry to user mode or idle, a context switch, each
 * round of a spinning wait for another hart, and the IPI an expedited or stalled grace period
 * sends. Inside a read-side section none of them is a quiescent state.
 *
 * <p><b>Callbacks</b> run on their hart at its next kernel or idle entry once their grace period
 * has ended; the hart that ends it kicks idle harts whose callbacks became ready.
 *
 * <p>Threads: every method runs on the named hart's own thread. Fields are grouped by owner.
 */
public final class TreeRcu implements Rcu {
  /** Ints per hart in {@link #local}. */
  private static final int INT_LINE = 16;

  // Slots of a hart's line in local: that hart's own.
  private static final int NESTING = 0, IN_KERNEL = 1;

  /** A grace period still running after this many ticks of one hart sends IPIs (Linux's FQS). */
  private static final int STALL_TICKS = 3;

  /** Longs per hart in {@link #tickSeen}. */
  private static final int LINE = 8;

  private final Hart[] harts;
  private final Waits waits;
  private final Counters counters;

  /** Set while wiring, before the harts start. */
  private RcuObserver[] observers = new RcuObserver[0];

  // ---- hart-local: each hart's slots are written and read by that hart only ----

  private final int[] local;

  /** Per hart: gp_seq its tick saw last, and how many of its ticks have seen it. */
  private final long[] tickSeen;

  // ---- shared ----

  /** Tasks in synchronize (and barrier), woken to run their call again. */
  private final WaitQueue sleepers = new WaitQueue();

  private final RcuCallbacks callbacks;
  private final GracePeriods gps;

  public TreeRcu(Hart[] harts, Ipis ipis, Waits waits, Counters counters, RcuMode mode) {
    int n = harts.length;
    this.harts = harts;
    this.waits = waits;
    this.counters = counters;
    this.local = new int[n * INT_LINE];
    this.tickSeen = new long[n * LINE];
    Object lock = new Object();
    this.callbacks = new RcuCallbacks(n, waits, sleepers, counters, lock);
    this.gps =
        new GracePeriods(
            harts, ipis, waits, sleepers, counters, callbacks, lock, mode, this::quiescentFromIpi);
  }

  /** Adds a checker's hooks; while wiring, before the harts start. */
  public void addObserver(RcuObserver observer) {
    RcuObserver[] o = Arrays.copyOf(observers, observers.length + 1);
    o[o.length - 1] = observer;
    observers = o;
  }

  /** gp_seq now: odd while a grace period runs; {@code gpSeq() / 2} have ended. */
  public long gpSeq() {
    return gps.gpSeq();
  }

  /** See {@link GracePeriods#setPublishWindow}; tests only. */
  void setPublishWindow(Runnable w) {
    gps.setPublishWindow(w);
  }

  // ---- readers ----

  @Override
  public void readLock(int hart) {
    int i = hart * INT_LINE + NESTING;
    if (local[i]++ == 0) {
      counters.hart(hart).add(Counter.RCU_READ_SECTIONS);
      if (observers.length > 0) {
        long seq = gps.gpSeq();
        for (RcuObserver o : observers) {
          o.readerEntered(hart, seq);
        }
      }
    }
  }

  @Override
  public void readUnlock(int hart) {
    int i = hart * INT_LINE + NESTING;
    int n = local[i];
    if (n <= 0) {
      throw new IllegalStateException(
          "readUnlock: hart " + hart + " is not inside an RCU read-side section");
    }
    if (n == 1 && observers.length > 0) {
      long seq = gps.gpSeq();
      for (RcuObserver o : observers) {
        o.readerLeft(hart, seq);
      }
    }
    local[i] = n - 1;
  }

  @Override
  public boolean isReading(int hart) {
    return local[hart * INT_LINE + NESTING] > 0;
  }

  @Override
  public <T extends RcuObject> T dereference(int hart, T object) {
    if (object != null && object.isPoisoned()) {
      for (RcuObserver o : observers) {
        o.poisonedAccess(hart, object, isReading(hart));
      }
    }
    return object;
  }

  // ---- writers ----

  @Override
  public void callRcu(int hart, Runnable callback) {
    Hart h = harts[hart];
    h.addCycles(h.cost().callRcu());
    counters.hart(hart).add(Counter.RCU_CALLBACKS_QUEUED);
    long want = gps.snap();
    callbacks.queue(hart, want, callback);
    gps.request(want);
    gps.startIfIdle(h);
  }

  @Override
  public long synchronize(Hart hart) {
    return waitForGracePeriod(hart, false);
  }

  @Override
  public long synchronizeExpedited(Hart hart) {
    return waitForGracePeriod(hart, true);
  }

  /**
   * synchronize_rcu: the first call picks the grace period to wait for and puts the task to sleep;
   * the call runs again when that one has ended, and returns 0.
   */
  private long waitForGracePeriod(Hart hart, boolean expedite) {
    Sleeper task = current(hart, "synchronize");
    long want = task.awaited();
    boolean fresh = want == 0 || (want & RcuCallbacks.BARRIER) != 0;
    if (fresh) {
      want = gps.snap();
      task.setAwaited(want, hart.cycles());
      gps.request(want);
    }
    long hurry;
    long result;
    synchronized (gps.lock) {
      hurry = gps.advanceFor(hart, want, expedite);
      if (gps.done(want)) {
        RcuCallbacks.finishWait(counters, hart, task);
        return 0;
      }
      if (fresh) {
        counters.hart(hart.id()).add(Counter.RCU_SYNC_SLEEPS);
      }
      // Under the lock, so the hart that ends the grace period finds the task asleep.
      result = waits.sleep(hart, sleepers, true, Long.MAX_VALUE, Waits.RESTART);
    }
    gps.hurryHarts(hart, hurry);
    return result;
  }

  @Override
  public long barrier(Hart hart) {
    return callbacks.barrier(hart, current(hart, "barrier"));
  }

  /** The task to put to sleep; never from inside a read-side section (it would wait for itself). */
  private Sleeper current(Hart hart, String what) {
    if (isReading(hart.id())) {
      throw new IllegalStateException(
          what + ": hart " + hart.id() + " would sleep inside an RCU read-side section");
    }
    Sleeper task = waits.current(hart);
    if (task == null) {
      throw new IllegalStateException(
          what + ": hart " + hart.id() + " runs no task to put to sleep");
    }
    return task;
  }

  // ---- the hooks: where harts pass quiescent states ----

  /**
   * The hart enters its kernel (a trap, an interrupt, the way back from idle): it leaves its
   * extended quiescent state, reports the quiescent state it was in, and runs its ready callbacks.
   */
  public void kernelEnter(Hart hart) {
    int id = hart.id();
    int i = id * INT_LINE;
    if (local[i + IN_KERNEL] == 0) {
      local[i + IN_KERNEL] = 1;
      gps.flipDynticks(id); // odd: in the kernel, RCU watches
    }
    if (local[i + NESTING] == 0) {
      gps.reportQs(hart);
      callbacks.run(hart, gps, observers);
    }
  }

  /**
   * The hart returns to user mode: an extended quiescent state until its next kernel entry. Its
   * ready callbacks run first, still in the kernel.
   *
   * @throws IllegalStateException if it is still inside a read-side section (a kernel bug)
   */
  public void exitToUser(Hart hart) {
    enterQuiescence(hart, "returns to user mode");
  }

  /**
   * The hart is about to park idle: an extended quiescent state until its next {@link #kernelEnter}
   * (not its return from parking: in lockstep that runs without the turn). False if it must not
   * park: callbacks of its own became ready meanwhile (the grace period it just let end), which
   * nobody would kick it for; it is back in the kernel, and has run them.
   */
  public boolean enterIdle(Hart hart) {
    enterQuiescence(hart, "goes idle");
    if (callbacks.waitsFor(hart.id()) - gps.gpSeq() > 0) {
      return true;
    }
    kernelEnter(hart);
    return false;
  }

  private void enterQuiescence(Hart hart, String what) {
    int id = hart.id();
    int i = id * INT_LINE;
    if (local[i + NESTING] != 0) {
      throw new IllegalStateException(
          "rcu: hart " + id + " " + what + " inside an RCU read-side section");
    }
    callbacks.run(hart, gps, observers);
    if (local[i + IN_KERNEL] != 0) {
      local[i + IN_KERNEL] = 0;
      gps.flipDynticks(id); // even: RCU no longer waits for this hart
    }
    gps.reportQs(hart); // after the increment: a grace period published before it is seen here
  }

  /** A context switch on {@code hart}: a quiescent state. */
  public void contextSwitch(Hart hart) {
    if (local[hart.id() * INT_LINE + NESTING] == 0) {
      gps.reportQs(hart);
    }
  }

  /**
   * The timer tick. A grace period this hart has seen running for {@link #STALL_TICKS} of its ticks
   * stalls on harts that stay in the kernel without passing a hook (spinning for a lock): IPI them,
   * as Linux's force-quiescent-state scan does.
   */
  public void tick(Hart hart) {
    long seq = gps.gpSeq();
    int base = hart.id() * LINE;
    if ((seq & 1) == 0) {
      return;
    }
    if (tickSeen[base] != seq) {
      tickSeen[base] = seq;
      tickSeen[base + 1] = 0;
      return;
    }
    if (++tickSeen[base + 1] == STALL_TICKS) {
      gps.force(hart, seq);
    }
  }

  /**
   * A round of a spinning wait ({@link hartlab.kernel.smp.SpinObserver}): the hart waits for
   * another one and holds nothing, unless it spins inside a read-side section.
   */
  public void spinning(Hart hart) {
    if (local[hart.id() * INT_LINE + NESTING] == 0) {
      gps.reportQs(hart);
    }
  }

  /** An expedited grace period's IPI: a quiescent state unless the hart is inside a reader. */
  private void quiescentFromIpi(Hart hart) {
    if (local[hart.id() * INT_LINE + NESTING] == 0) {
      gps.reportQs(hart);
    }
    // Inside a reader: the hart reports at its next hook, when the reader has ended.
  }
}
