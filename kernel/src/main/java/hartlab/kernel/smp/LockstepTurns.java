package hartlab.kernel.smp;

import hartlab.cpu.Hart;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

/**
 * Harts take turns of one quantum of virtual time each, hart 0, 1, ... in a ring. Only the turn
 * holder runs kernel or guest code, so everything the machine does happens in one order.
 *
 * <p>The turn holder passes the turn on itself: a hart that is parked idle with nothing queued for
 * it is skipped, its clock simply advanced by a quantum, without waking its thread. That keeps 64
 * mostly idle harts cheap on a 2-core host.
 *
 * <p>{@link #quantumEnd} entries are written only by the turn holder; the volatile {@link #turn}
 * write in {@link #pass} publishes them to the next holder.
 */
public final class LockstepTurns implements Turns {
  private final Hart[] harts;
  private final Thread[] threads;
  private final long quantum;
  private final long[] quantumEnd;
  private final boolean[] parkedIdle;

  /** Whether a hart has anything to do: work queued, IPIs pending. Asked of parked idle harts. */
  private final IntPredicate hasWork;

  private volatile int turn;
  private volatile boolean stopping;

  public LockstepTurns(Hart[] harts, long quantum, IntPredicate hasWork) {
    this.harts = harts;
    this.threads = new Thread[harts.length];
    this.quantum = quantum;
    this.quantumEnd = new long[harts.length];
    this.parkedIdle = new boolean[harts.length];
    this.hasWork = hasWork;
    java.util.Arrays.fill(quantumEnd, quantum);
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
    parkedIdle[id] = false;
  }

  @Override
  public long quantumEnd(Hart hart) {
    return quantumEnd[hart.id()];
  }

  @Override
  public void endQuantum(Hart hart) {
    advance(hart.id());
    pass(hart.id());
  }

  /**
   * An idle hart gives the turn away without its clock running on: it has nothing to do, and when
   * work arrives, that work's own time (the waker's clock) sets the hart's clock. Were idle time
   * charged by the quantum, every wake-up across harts would cost a whole quantum.
   */
  @Override
  public void idle(Hart hart) {
    parkedIdle[hart.id()] = true;
    pass(hart.id());
  }

  /**
   * A waiting hart lets the others run without its clock running on: what it waits for is stamped
   * with the virtual time it happened (see {@link Ipis#await}), not this turn's end.
   */
  @Override
  public void pause(Hart hart) {
    pass(hart.id());
    awaitTurn(hart);
  }

  @Override
  public void kick(int target) {
    // Nothing to do: a hart with work is never skipped, and gets its turn in order.
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
   * The hart's quantum is used up: the next one starts at the first boundary past its clock. Found
   * by division, not by stepping: an idle machine's clock may have jumped years ahead to a timer.
   */
  private void advance(int id) {
    long behind = harts[id].cycles() - quantumEnd[id];
    if (behind >= 0) {
      quantumEnd[id] += (behind / quantum + 1) * quantum;
    }
  }

  /** Hands the turn to the next hart that has something to do, skipping parked idle ones. */
  private void pass(int from) {
    int next = (from + 1) % harts.length;
    for (int skipped = 0; skipped < harts.length - 1; skipped++) {
      if (!parkedIdle[next] || hasWork.test(next)) {
        break;
      }
      next = (next + 1) % harts.length;
    }
    turn = next;
    if (next != from) {
      LockSupport.unpark(threads[next]);
    }
  }
}
