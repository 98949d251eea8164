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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Tree RCU's grace-period state machine with one node: up to 64 harts report to one mask word.
 *
 * <p>{@code gpSeq} counts grace periods as Linux's {@code rcu_state.gp_seq} does with one state
 * bit: odd while one runs, and the n-th has ended once it reads 2n. A caller that needs a grace
 * period starting after now asks for {@link #snap} and waits until {@code gpSeq} reaches it. A
 * grace period starts when one is requested and none runs: the starter publishes gp_seq, then a new
 * {@link Gp} whose mask holds every hart, then samples each hart's dynticks counter and clears the
 * bits of those in an extended quiescent state (user mode or idle). The others clear their own bit
 * at their next quiescent state ({@link #reportQs}). Whoever clears the last bit ends it and starts
 * the next one if requested. All of it runs on the harts: no thread of its own.
 *
 * <p><b>Dynticks.</b> Each hart's counter is odd while it is in the kernel and even while it runs
 * user code or idles. A hart entering an extended quiescent state increments it, then reads the
 * current grace period and reports itself; a starter publishes the grace period, then reads the
 * counter. Both are sequentially consistent, so at least one of the two sees the other.
 */
final class GracePeriods {
  /** Longs per hart in {@link #dynticks}: one 64-byte line each. */
  private static final int LINE = 8;

  /** One grace period: the harts it still waits for. */
  static final class Gp {
    /** Its gp_seq while it runs (odd); it has ended when gp_seq reads {@code seq + 1}. */
    final long seq;

    final long startCycles;

    /** Harts that have not reported a quiescent state since it began. */
    final AtomicLong mask;

    /** Whether it IPIs the harts it waits for (expedited, or forced after a stall); lock. */
    boolean hurried;

    Gp(long seq, long startCycles, long mask, boolean hurried) {
      this.seq = seq;
      this.startCycles = startCycles;
      this.mask = new AtomicLong(mask);
      this.hurried = hurried;
    }
  }

  private final Hart[] harts;
  private final Ipis ipis;
  private final Waits waits;
  private final WaitQueue sleepers;
  private final Counters counters;
  private final RcuCallbacks callbacks;

  /** The harts every grace period waits for (all of them, but in {@link RcuMode#UNSAFE_GP}). */
  private final long gpHarts;

  private final Ipi.Call quiescentCall;

  /** Per hart (one line each): its dynticks counter, written by that hart only. */
  private final AtomicLongArray dynticks;

  /** Linux's gp_seq with one state bit: odd while a grace period runs. Written under lock. */
  private volatile long gpSeq;

  /** The latest grace period (running when gpSeq is odd). Written under lock, after gpSeq. */
  private volatile Gp gp = new Gp(-1, 0, 0, false);

  /** The highest gp_seq a caller needs. */
  private final AtomicLong requested = new AtomicLong();

  /** Guards starting and ending grace periods, expediteUpTo and barriers. A short host lock. */
  final Object lock;

  /** Grace periods ending at or before this gp_seq are expedited; lock. */
  private long expediteUpTo;

  /**
   * A test's hook between publishing a grace period's gp_seq and its mask: where another hart may
   * pass a quiescent state and enter a reader meanwhile. Scripted interleavings set it.
   */
  private volatile Runnable publishWindow;

  /**
   * @param sleepers tasks in synchronize, woken when the grace period they wait for ends
   * @param lock also guards the barriers of {@code callbacks}
   * @param quiescentCall what the IPI of a hurried grace period runs on its target
   */
  GracePeriods(
      Hart[] harts,
      Ipis ipis,
      Waits waits,
      WaitQueue sleepers,
      Counters counters,
      RcuCallbacks callbacks,
      Object lock,
      RcuMode mode,
      Ipi.Call quiescentCall) {
    int n = harts.length;
    this.harts = harts;
    this.ipis = ipis;
    this.waits = waits;
    this.sleepers = sleepers;
    this.counters = counters;
    this.callbacks = callbacks;
    this.lock = lock;
    this.quiescentCall = quiescentCall;
    long all = n == 64 ? -1L : (1L << n) - 1;
    this.gpHarts = mode == RcuMode.UNSAFE_GP && n > 1 ? all & ~(1L << (n - 1)) : all;
    this.dynticks = new AtomicLongArray(n * LINE);
  }

  void setPublishWindow(Runnable w) {
    publishWindow = w;
  }

  long gpSeq() {
    return gpSeq;
  }

  /** The hart enters or leaves an extended quiescent state: its dynticks counter moves on. */
  void flipDynticks(int hart) {
    dynticks.incrementAndGet(hart * LINE);
  }

  /** The gp_seq at which a grace period that begins after now has ended (rcu_seq_snap). */
  long snap() {
    return (gpSeq + 3) & ~1L;
  }

  boolean done(long want) {
    return gpSeq - want >= 0;
  }

  boolean running() {
    return (gpSeq & 1) != 0;
  }

  void request(long want) {
    if (requested.get() - want < 0) {
      requested.accumulateAndGet(want, Math::max);
    }
  }

  /** Starts a requested grace period if none runs (callRcu's way in). */
  void startIfIdle(Hart hart) {
    // Only a caller that finds no grace period running starts one (under the lock); one that
    // finds one running leaves it to whoever ends it, who reads requested after advancing gpSeq.
    if (!running()) {
      long hurry;
      synchronized (lock) {
        hurry = advance(hart);
      }
      hurryHarts(hart, hurry);
    }
  }

  /**
   * synchronize's turn under the lock: marks grace periods up to {@code want} expedited if asked,
   * advances the state machine and hurries the running grace period too when expedited (ours may
   * need it). Returns the harts to IPI; the caller sends them after the lock is dropped.
   */
  long advanceFor(Hart hart, long want, boolean expedite) {
    if (expedite && expediteUpTo - want < 0) {
      expediteUpTo = want;
    }
    long hurry = advance(hart);
    Gp g = gp;
    if (expedite && running() && !g.hurried) {
      g.hurried = true;
      counters.hart(hart.id()).add(Counter.RCU_EXPEDITED);
      hurry |= g.mask.get();
    }
    return hurry;
  }

  /**
   * A grace period still running at gp_seq {@code seq}, that a hart's ticks saw stall: IPI the
   * harts it waits for (Linux's force-quiescent-state scan), once.
   */
  void force(Hart hart, long seq) {
    long hurry = 0;
    synchronized (lock) {
      Gp g = gp;
      if (g.seq == seq && gpSeq == seq && !g.hurried) {
        g.hurried = true;
        counters.hart(hart.id()).add(Counter.RCU_EXPEDITED);
        hurry = g.mask.get();
      }
    }
    hurryHarts(hart, hurry);
  }

  /** Clears this hart's bit in the running grace period, ending it if the bit was the last. */
  void reportQs(Hart hart) {
    Gp g = gp;
    long bit = 1L << hart.id();
    if ((g.mask.get() & bit) == 0) {
      return;
    }
    hart.addCycles(hart.cost().rcuQs());
    if (clear(g.mask, bit) == bit) {
      long hurry;
      synchronized (lock) {
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
   * Under the lock. Returns the harts to IPI for an expedited one (sent after the lock is dropped).
   */
  private long advance(Hart hart) {
    long hurry = 0;
    for (; ; ) {
      if (running()) {
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
    gpSeq = seq; // pairs with the dynticks increment of a hart going quiescent
    Runnable w = publishWindow;
    if (w != null) {
      w.run();
    }
    gp = g;
    hart.addCycles(hart.cost().rcuGpStart());
    for (long m = gpHarts; m != 0; m &= m - 1) {
      int h = Long.numberOfTrailingZeros(m);
      if ((dynticks.get(h * LINE) & 1) == 0) {
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
      if (h != hart.id() && callbacks.waitsFor(h) - done <= 0) {
        ipis.nudge(h); // an idle hart runs its callbacks when it wakes
      }
    }
  }

  private static boolean isGpWait(Sleeper s, long done) {
    long want = s.awaited();
    return (want & RcuCallbacks.BARRIER) == 0 && want - done <= 0;
  }

  /** Sends the quiescent-state IPI to {@code mask} but this hart. */
  void hurryHarts(Hart hart, long mask) {
    mask &= ~(1L << hart.id());
    if (mask != 0) {
      ipis.send(hart, mask, quiescentCall, "RCU quiescent-state request", false);
    }
  }
}
