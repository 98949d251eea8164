package hartlab.kernel.smp;

import hartlab.cpu.Hart;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Lockstep execution as a conservative discrete-event simulation: one hart at a time holds the
 * turn, and the turn always goes to the hart whose next event comes first in virtual time. The
 * holder runs user code until its clock passes the earliest other hart's by the lookahead ({@code
 * --quantum}), then hands over; it enters its kernel only once no other hart has an earlier event
 * ({@link #sync}), so kernel work (locks, IPIs, wake-ups, shootdowns) happens in virtual-time order
 * and the lookahead only decides how finely user code interleaves. Only the holder runs, so a run
 * is one interleaving, reproducible, and clocks never drift apart by more than the lookahead.
 *
 * <p>Each hart is in one of three states. A <em>running</em> hart's next event is its clock. An
 * <em>idle</em> hart has none until work arrives (a woken task, an IPI, a deferred flush) or a
 * sleeping task's timer expires: its next event is the virtual time that work was sent or the timer
 * set for, and it holds no one back meanwhile. A <em>waiting</em> hart (spinning for IPI
 * acknowledgements or a lock) has none until its condition holds or an IPI reaches it: then at the
 * condition's time or the IPI's delivery. A hart given the turn for an event later than its clock
 * finds its clock moved to the event (counted as idle time for an idle hart; a waiting hart was
 * busy spinning).
 *
 * <p>Threads: only the turn holder reads and writes the per-hart arrays; the volatile {@link #turn}
 * handoff publishes them to the next holder. {@link #kick} runs on the holder too (lockstep has no
 * other running thread), except for {@link #stopAll}.
 */
public final class LockstepTurns implements Turns {
  private enum State {
    RUNNING,
    IDLE,
    WAITING
  }

  /** The kernel's view of a parked hart: has it work at all, and when does its next IPI arrive. */
  public interface Work {
    /** Whether an idle hart has something to do (a queued task, IPIs, deferred flushes). */
    boolean hasWork(int hart);

    /** Virtual time the first IPI waiting for {@code hart} is delivered; MAX_VALUE if none. */
    long nextIpi(int hart);

    /**
     * Virtual time the first sleeping task's timer expires, MAX_VALUE if none: an event for every
     * idle hart (the first to reach it fires it), so a clock never jumps past another hart's event.
     */
    long nextTimer();

    /**
     * Whether an idle hart's hardware keeps walking its loaded page table (speculative walks): it
     * then wants a turn once per lookahead of virtual time, never holding anyone back.
     */
    boolean walksWhileIdle(int hart);
  }

  private final Hart[] harts;
  private final Thread[] threads;
  private final long lookahead;
  private final Work work;
  private final Counters counters;
  private final State[] state;
  private final BooleanSupplier[] ready;
  private final LongSupplier[] readyAt;

  /** Earliest virtual time another hart gave an idle or waiting hart work; MAX_VALUE if none. */
  private final long[] wakeAt;

  /** The virtual time a hart was given the turn for; its clock moves there when it resumes. */
  private final long[] grant;

  private volatile int turn;
  private volatile boolean stopping;

  public LockstepTurns(Hart[] harts, long lookahead, Work work, Counters counters) {
    int n = harts.length;
    this.harts = harts;
    this.threads = new Thread[n];
    this.lookahead = lookahead;
    this.work = work;
    this.counters = counters;
    this.state = new State[n];
    this.ready = new BooleanSupplier[n];
    this.readyAt = new LongSupplier[n];
    this.wakeAt = new long[n];
    this.grant = new long[n];
    Arrays.fill(state, State.RUNNING);
    Arrays.fill(wakeAt, Long.MAX_VALUE);
  }

  @Override
  public void attach(int hart, Thread thread) {
    threads[hart] = thread;
  }

  @Override
  public void awaitTurn(Hart hart) {
    int id = hart.id();
    while (turn != id && !stopping) {
      LockSupport.park(this);
    }
    if (stopping) {
      return;
    }
    long at = grant[id];
    if (hart.cycles() < at) {
      if (state[id] == State.IDLE) {
        counters.hart(id).add(Counter.IDLE_CYCLES, at - hart.cycles());
      }
      hart.setCycles(at);
    }
    state[id] = State.RUNNING;
    ready[id] = null;
    readyAt[id] = null;
    wakeAt[id] = Long.MAX_VALUE;
  }

  @Override
  public long runUntil(Hart hart) {
    long first = earliestOther(hart);
    return first >= Long.MAX_VALUE - lookahead ? Long.MAX_VALUE : first + lookahead;
  }

  @Override
  public void sync(Hart hart) {
    while (!stopping && earliestOther(hart) < hart.cycles()) {
      pass(hart);
      awaitTurn(hart);
    }
  }

  /** The earliest next event of any other hart. */
  private long earliestOther(Hart hart) {
    long first = Long.MAX_VALUE;
    for (int h = 0; h < harts.length; h++) {
      if (h != hart.id()) {
        first = Math.min(first, nextEvent(h, hart.cycles()));
      }
    }
    return first;
  }

  @Override
  public void yieldTurn(Hart hart) {
    pass(hart);
    awaitTurn(hart);
  }

  @Override
  public void idle(Hart hart) {
    state[hart.id()] = State.IDLE;
    pass(hart);
  }

  @Override
  public void pause(Hart hart, BooleanSupplier ready, LongSupplier readyAt) {
    int id = hart.id();
    state[id] = State.WAITING;
    this.ready[id] = ready;
    this.readyAt[id] = readyAt;
    pass(hart);
    awaitTurn(hart);
  }

  @Override
  public void kick(int target) {
    if (state[target] != State.RUNNING) {
      int holder = turn;
      long now = holder >= 0 ? harts[holder].cycles() : harts[target].cycles();
      wakeAt[target] = Math.min(wakeAt[target], now);
    }
  }

  @Override
  public void stopAll() {
    stopping = true;
    for (Thread t : threads) {
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  /**
   * The virtual time of hart {@code h}'s next event, MAX_VALUE if it has none until someone gives
   * it work. {@code now} is the asking holder's clock, for work whose sender left no time.
   */
  private long nextEvent(int h, long now) {
    long clock = harts[h].cycles();
    switch (state[h]) {
      case RUNNING:
        return clock;
      case IDLE:
        {
          long at = Math.min(Math.min(wakeAt[h], work.nextIpi(h)), work.nextTimer());
          if (at == Long.MAX_VALUE) {
            if (work.hasWork(h)) {
              at = now;
            } else if (work.walksWhileIdle(h)) {
              return Math.max(clock + lookahead, now);
            } else {
              return Long.MAX_VALUE;
            }
          }
          return Math.max(clock, at);
        }
      default:
        {
          long at = Long.MAX_VALUE;
          if (ready[h].getAsBoolean()) {
            at = Math.max(clock, readyAt[h].getAsLong());
          }
          long ipi = work.nextIpi(h);
          if (ipi != Long.MAX_VALUE) {
            at = Math.min(at, Math.max(clock, ipi));
          }
          return at;
        }
    }
  }

  /**
   * Gives the turn to the hart whose next event comes first (ties: the lowest id), with its clock
   * to move to that event. When no hart has an event, nobody holds the turn: the run is over or
   * every task waits for something only the host can end (--timeout).
   */
  private void pass(Hart from) {
    long now = from.cycles();
    int next = -1;
    long best = Long.MAX_VALUE;
    for (int h = 0; h < harts.length; h++) {
      long at = nextEvent(h, now);
      if (at < best) {
        best = at;
        next = h;
      }
    }
    if (next >= 0) {
      grant[next] = best;
    }
    turn = next;
    if (next >= 0 && next != from.id()) {
      LockSupport.unpark(threads[next]);
    }
  }
}
