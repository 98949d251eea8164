package hartlab.kernel.rcu;

import hartlab.cpu.Hart;
import hartlab.kernel.smp.Ipi;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.HartCounters;
import hartlab.kernel.stats.Latency;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Tree RCU (Linux's kernel/rcu/tree.c) with one node: up to 64 harts report to one mask word.
 *
 * <p><b>Grace periods.</b> {@code gpSeq} counts them as Linux's {@code rcu_state.gp_seq} does with
 * one state bit: odd while one runs, and the n-th has ended once it reads 2n. A caller that needs a
 * grace period starting after now asks for {@link #snap} and waits until {@code gpSeq} reaches it.
 * A grace period starts when one is requested and none runs: the starter publishes a new {@link Gp}
 * whose mask holds every hart, then samples each hart's dynticks counter and clears the bits of
 * those in an extended quiescent state (user mode or idle). The others clear their own bit at their
 * next quiescent state. Whoever clears the last bit ends it and starts the next one if requested.
 * All of it runs on the harts, at their kernel entries, ticks, context switches and idle entries:
 * no thread of its own, so lockstep stays reproducible.
 *
 * <p><b>Dynticks.</b> Each hart's counter is odd while it is in the kernel and even while it runs
 * user code or idles (Linux's {@code ct->state}/{@code dynticks}). A hart entering an extended
 * quiescent state increments it, then reads the current grace period and reports itself; a starter
 * publishes the grace period, then reads the counter. Both are sequentially consistent, so at least
 * one of the two sees the other: a hart in user mode is never waited for, and never missed.
 *
 * <p><b>Quiescent states.</b> Outside a read-side section a hart holds no RCU-protected pointer
 * (the {@link Rcu} contract), so each hook below reports one when the hart's nesting is zero:
 * kernel entry (which also serves the tick), entry to user mode or idle, a context switch, each
 * round of a spinning wait for another hart, and the IPI an expedited or stalled grace period
 * sends.
 *
 * <p><b>Callbacks</b> wait on their hart's list, each tagged with the {@code gpSeq} it needs, and
 * run there, in order, at the hart's next kernel or idle entry once that grace period has ended;
 * the hart that ends it kicks idle harts whose callbacks became ready.
 *
 * <p>Threads: every method runs on the named hart's own thread. Fields are grouped by owner.
 */
public final class TreeRcu implements Rcu {
  /** Longs per hart in {@link #perHart}: one 64-byte line, so harts do not share lines. */
  private static final int LINE = 8;

  /** Ints per hart in {@link #local}. */
  private static final int INT_LINE = 16;

  // Slots of a hart's line in perHart: written by that hart only, read by any.
  private static final int DYNTICKS = 0, WAITS_FOR = 1, QUEUED = 2, INVOKED = 3;

  // Slots of a hart's line in local: that hart's own.
  private static final int NESTING = 0, IN_KERNEL = 1;

  /** {@link Sleeper#awaited} of a task sleeping in {@link #barrier}, not a grace-period number. */
  private static final long BARRIER = 1L << 62;

  /** A grace period still running after this many ticks of one hart sends IPIs (Linux's FQS). */
  private static final int STALL_TICKS = 3;

  /** One grace period: the harts it still waits for. */
  private static final class Gp {
    /** Its gp_seq while it runs (odd); it has ended when gp_seq reads {@code seq + 1}. */
    final long seq;

    final long startCycles;

    /** Harts that have not reported a quiescent state since it began. */
    final AtomicLong mask;

    /** Whether it IPIs the harts it waits for (expedited, or forced after a stall); gpLock. */
    boolean hurried;

    Gp(long seq, long startCycles, long mask, boolean hurried) {
      this.seq = seq;
      this.startCycles = startCycles;
      this.mask = new AtomicLong(mask);
      this.hurried = hurried;
    }
  }

  /** A callback and the gp_seq it waits for. */
  private record Callback(long gp, Runnable fn) {}

  /** A task in {@link #barrier}: the callbacks each hart had queued when it called. */
  private record BarrierWait(Sleeper task, long[] queued) {}

  private final Hart[] harts;
  private final Ipis ipis;
  private final Waits waits;
  private final Counters counters;

  /** The harts every grace period waits for (all of them, but in {@link RcuMode#UNSAFE_GP}). */
  private final long gpHarts;

  /** Set while wiring, before the harts start. */
  private RcuObserver[] observers = new RcuObserver[0];

  private final Ipi.Call quiescentCall = this::quiescentFromIpi;

  // ---- hart-local: each hart's slots are written and read by that hart only ----

  private final int[] local;

  /** Per hart: gp_seq its tick saw last, and how many of its ticks have seen it. */
  private final long[] tickSeen;

  private final ArrayDeque<Callback>[] callbacks;

  // ---- shared ----

  /** Per hart (one line each): dynticks, oldest callback's gp_seq, callbacks queued and run. */
  private final AtomicLongArray perHart;

  /** Linux's gp_seq with one state bit: odd while a grace period runs. Written under gpLock. */
  private volatile long gpSeq;

  /** The latest grace period (running when gpSeq is odd). Written under gpLock. */
  private volatile Gp gp = new Gp(-1, 0, 0, false);

  /** The highest gp_seq a caller needs. */
  private final AtomicLong requested = new AtomicLong();

  /** Guards starting and ending grace periods, expediteUpTo and barriers. A short host lock. */
  private final Object gpLock = new Object();

  /** Grace periods ending at or before this gp_seq are expedited; gpLock. */
  private long expediteUpTo;

  /** Tasks in rcu_barrier; gpLock. */
  private final List<BarrierWait> barriers = new ArrayList<>();

  private volatile int barrierCount;

  /**
   * A test's hook between publishing a grace period's gp_seq and its mask: where another hart may
   * pass a quiescent state and enter a reader meanwhile. Scripted interleavings set it.
   */
  private volatile Runnable publishWindow;

  /** Tasks in synchronize (and barrier), woken to run their call again. */
  private final WaitQueue sleepers = new WaitQueue();

  @SuppressWarnings("unchecked")
  public TreeRcu(Hart[] harts, Ipis ipis, Waits waits, Counters counters, RcuMode mode) {
    int n = harts.length;
    this.harts = harts;
    this.ipis = ipis;
    this.waits = waits;
    this.counters = counters;
    long all = n == 64 ? -1L : (1L << n) - 1;
    this.gpHarts = mode == RcuMode.UNSAFE_GP && n > 1 ? all & ~(1L << (n - 1)) : all;
    this.local = new int[n * INT_LINE];
    this.tickSeen = new long[n * LINE];
    this.callbacks = new ArrayDeque[n];
    this.perHart = new AtomicLongArray(n * LINE);
    for (int h = 0; h < n; h++) {
      callbacks[h] = new ArrayDeque<>();
      perHart.set(h * LINE + WAITS_FOR, Long.MAX_VALUE);
    }
  }

  /** Adds a checker's hooks; while wiring, before the harts start. */
  public void addObserver(RcuObserver observer) {
    RcuObserver[] o = Arrays.copyOf(observers, observers.length + 1);
    o[o.length - 1] = observer;
    observers = o;
  }

  void setPublishWindow(Runnable w) {
    publishWindow = w;
  }

  /** gp_seq now: odd while a grace period runs; {@code gpSeq() / 2} have ended. */
  public long gpSeq() {
    return gpSeq;
  }

  // ---- readers ----

  @Override
  public void readLock(int hart) {
    int i = hart * INT_LINE + NESTING;
    if (local[i]++ == 0) {
      counters.hart(hart).add(Counter.RCU_READ_SECTIONS);
      if (observers.length > 0) {
        long seq = gpSeq;
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
      long seq = gpSeq;
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
    long want = snap();
    ArrayDeque<Callback> q = callbacks[hart];
    if (q.isEmpty()) {
      perHart.set(hart * LINE + WAITS_FOR, want);
    }
    q.addLast(new Callback(want, callback));
    perHart.set(hart * LINE + QUEUED, perHart.get(hart * LINE + QUEUED) + 1);
    request(want);
    // Only a caller that finds no grace period running starts one (under the lock); one that
    // finds one running leaves it to whoever ends it, who reads requested after advancing gpSeq.
    if ((gpSeq & 1) == 0) {
      long hurry;
      synchronized (gpLock) {
        hurry = advance(h);
      }
      hurryHarts(h, hurry);
    }
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
    boolean fresh = want == 0 || (want & BARRIER) != 0;
    if (fresh) {
      want = snap();
      task.setAwaited(want, hart.cycles());
      request(want);
    }
    long hurry;
    long result;
    synchronized (gpLock) {
      if (expedite && expediteUpTo - want < 0) {
        expediteUpTo = want;
      }
      hurry = advance(hart);
      Gp g = gp;
      if (expedite && (gpSeq & 1) != 0 && !g.hurried) {
        g.hurried = true; // the running grace period is hurried too: ours may need it
        counters.hart(hart.id()).add(Counter.RCU_EXPEDITED);
        hurry |= g.mask.get();
      }
      if (done(want)) {
        finishWait(hart, task);
        return 0;
      }
      if (fresh) {
        counters.hart(hart.id()).add(Counter.RCU_SYNC_SLEEPS);
      }
      // Under gpLock, so the hart that ends the grace period finds the task asleep.
      result = waits.sleep(hart, sleepers, true, Long.MAX_VALUE, Waits.RESTART);
    }
    hurryHarts(hart, hurry);
    return result;
  }

  @Override
  public long barrier(Hart hart) {
    Sleeper task = current(hart, "barrier");
    synchronized (gpLock) {
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
        long[] queued = new long[harts.length];
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
        finishWait(hart, task);
        return 0;
      }
      return waits.sleep(hart, sleepers, true, Long.MAX_VALUE, Waits.RESTART);
    }
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

  private void finishWait(Hart hart, Sleeper task) {
    counters.hart(hart.id()).record(Latency.RCU_SYNC_CYCLES, hart.cycles() - task.awaitedSince());
    task.setAwaited(0, 0);
  }

  private boolean barrierDone(BarrierWait w) {
    for (int h = 0; h < w.queued().length; h++) {
      if (perHart.get(h * LINE + INVOKED) < w.queued()[h]) {
        return false;
      }
    }
    return true;
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
      perHart.incrementAndGet(id * LINE + DYNTICKS); // odd: in the kernel, RCU watches
    }
    if (local[i + NESTING] == 0) {
      reportQs(hart);
      runCallbacks(hart);
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
    if (perHart.get(hart.id() * LINE + WAITS_FOR) - gpSeq > 0) {
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
    runCallbacks(hart);
    if (local[i + IN_KERNEL] != 0) {
      local[i + IN_KERNEL] = 0;
      perHart.incrementAndGet(id * LINE + DYNTICKS); // even: RCU no longer waits for this hart
    }
    reportQs(hart); // after the increment: a grace period published before it is seen here
  }

  /** A context switch on {@code hart}: a quiescent state. */
  public void contextSwitch(Hart hart) {
    if (local[hart.id() * INT_LINE + NESTING] == 0) {
      reportQs(hart);
    }
  }

  /**
   * The timer tick. A grace period this hart has seen running for {@link #STALL_TICKS} of its ticks
   * stalls on harts that stay in the kernel without passing a hook (spinning for a lock): IPI them,
   * as Linux's force-quiescent-state scan does.
   */
  public void tick(Hart hart) {
    long seq = gpSeq;
    int base = hart.id() * LINE;
    if ((seq & 1) == 0) {
      return;
    }
    if (tickSeen[base] != seq) {
      tickSeen[base] = seq;
      tickSeen[base + 1] = 0;
      return;
    }
    if (++tickSeen[base + 1] != STALL_TICKS) {
      return;
    }
    long hurry = 0;
    synchronized (gpLock) {
      Gp g = gp;
      if (g.seq == seq && gpSeq == seq && !g.hurried) {
        g.hurried = true;
        counters.hart(hart.id()).add(Counter.RCU_EXPEDITED);
        hurry = g.mask.get();
      }
    }
    hurryHarts(hart, hurry);
  }

  /**
   * A round of a spinning wait ({@link hartlab.kernel.smp.SpinObserver}): the hart waits for
   * another one and holds nothing, unless it spins inside a read-side section.
   */
  public void spinning(Hart hart) {
    if (local[hart.id() * INT_LINE + NESTING] == 0) {
      reportQs(hart);
    }
  }

  /** An expedited grace period's IPI: a quiescent state unless the hart is inside a reader. */
  private void quiescentFromIpi(Hart hart) {
    if (local[hart.id() * INT_LINE + NESTING] == 0) {
      reportQs(hart);
    }
    // Inside a reader: the hart reports at its next hook, when the reader has ended.
  }

  // ---- the grace-period state machine ----

  /** The gp_seq at which a grace period that begins after now has ended (rcu_seq_snap). */
  private long snap() {
    return (gpSeq + 3) & ~1L;
  }

  private boolean done(long want) {
    return gpSeq - want >= 0;
  }

  private void request(long want) {
    if (requested.get() - want < 0) {
      requested.accumulateAndGet(want, Math::max);
    }
  }

  /** Clears this hart's bit in the running grace period, ending it if the bit was the last. */
  private void reportQs(Hart hart) {
    Gp g = gp;
    long bit = 1L << hart.id();
    if ((g.mask.get() & bit) == 0) {
      return;
    }
    hart.addCycles(hart.cost().rcuQs());
    if (clear(g.mask, bit) == bit) {
      long hurry;
      synchronized (gpLock) {
        hurry = advance(hart);
      }
      hurryHarts(hart, hurry);
    }
  }

  /** Clears {@code bit} in {@code mask}; returns the mask before, 0 if the bit was clear. */
  private static long clear(AtomicLong mask, long bit) {
    for (; ; ) {
      long m = mask.get();
      if ((m & bit) == 0) {
        return 0;
      }
      if (mask.compareAndSet(m, m & ~bit)) {
        return m;
      }
    }
  }

  /**
   * Ends the running grace period if nothing holds it, and starts the next while one is requested.
   * Under gpLock. Returns the harts to IPI for an expedited one (sent after the lock is dropped).
   */
  private long advance(Hart hart) {
    long hurry = 0;
    for (; ; ) {
      if ((gpSeq & 1) != 0) {
        Gp g = gp;
        if (g.mask.get() != 0) {
          return hurry;
        }
        end(hart, g);
      }
      if (requested.get() - gpSeq <= 0) {
        return hurry;
      }
      hurry = start(hart);
    }
  }

  /** Starts a grace period: publish it, then credit the harts in an extended quiescent state. */
  private long start(Hart hart) {
    long seq = gpSeq + 1;
    boolean hurried = expediteUpTo - (seq + 1) >= 0;
    Gp g = new Gp(seq, hart.cycles(), gpHarts, hurried);
    // gp_seq first: a hart that finds the new grace period's bit in reportQs must then read the new
    // gp_seq, or a reader it enters right after would count as begun before it, yet not be waited
    // for (its bit is clear).
    gpSeq = seq; // pairs with the dynticks increment in enterQuiescence: one of us sees the other
    Runnable w = publishWindow;
    if (w != null) {
      w.run();
    }
    gp = g;
    hart.addCycles(hart.cost().rcuGpStart());
    for (long m = gpHarts; m != 0; m &= m - 1) {
      int h = Long.numberOfTrailingZeros(m);
      if ((perHart.get(h * LINE + DYNTICKS) & 1) == 0) {
        clear(g.mask, 1L << h);
      }
    }
    if (!hurried) {
      return 0;
    }
    counters.hart(hart.id()).add(Counter.RCU_EXPEDITED);
    return g.mask.get();
  }

  /** Ends {@code g}: wake the tasks waiting for it, kick harts whose callbacks became ready. */
  private void end(Hart hart, Gp g) {
    long done = g.seq + 1;
    gpSeq = done;
    hart.addCycles(hart.cost().rcuGpEnd());
    HartCounters stats = counters.hart(hart.id());
    stats.add(Counter.RCU_GRACE_PERIODS);
    stats.record(Latency.RCU_GP_CYCLES, hart.cycles() - g.startCycles);
    counters.tracer().gracePeriod(hart.id(), g.seq / 2 + 1, g.startCycles, hart.cycles());
    for (Sleeper s : sleepers.take(Integer.MAX_VALUE, s -> isGpWait(s, done))) {
      waits.wake(s, Waits.RESTART);
    }
    for (int h = 0; h < harts.length; h++) {
      if (h != hart.id() && perHart.get(h * LINE + WAITS_FOR) - done <= 0) {
        ipis.nudge(h); // an idle hart runs its callbacks when it wakes
      }
    }
  }

  private static boolean isGpWait(Sleeper s, long done) {
    long want = s.awaited();
    return (want & BARRIER) == 0 && want - done <= 0;
  }

  /** Sends the quiescent-state IPI to {@code mask} but this hart. */
  private void hurryHarts(Hart hart, long mask) {
    mask &= ~(1L << hart.id());
    if (mask != 0) {
      ipis.send(hart, mask, quiescentCall, "RCU quiescent-state request", false);
    }
  }

  /** Runs the callbacks whose grace period has ended, oldest first; nesting is zero. */
  private void runCallbacks(Hart hart) {
    int id = hart.id();
    ArrayDeque<Callback> q = callbacks[id];
    if (q.isEmpty()) {
      return;
    }
    HartCounters stats = counters.hart(id);
    boolean ran = false;
    for (Callback c; (c = q.peekFirst()) != null && done(c.gp()); ) {
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
      synchronized (gpLock) {
        for (BarrierWait w : barriers) {
          if (barrierDone(w)) {
            waits.wake(w.task(), Waits.RESTART);
          }
        }
      }
    }
  }
}
