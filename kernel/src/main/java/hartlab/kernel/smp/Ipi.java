package hartlab.kernel.smp;

import hartlab.cpu.Hart;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One inter-processor call: a function every target hart runs in its own kernel context, and the
 * count of targets that have not run it yet. The sender may spin until {@link #done}.
 */
public final class Ipi {
  /** Work an IPI asks the target hart to do, on the target's thread. */
  @FunctionalInterface
  public interface Call {
    void run(Hart target);
  }

  final Call call;
  final String what;

  /** Hardware broadcast invalidation rather than an interrupt: costs nothing at the targets. */
  final boolean hardware;

  /** The sender's virtual time and host time when it began sending. */
  final long sentCycles;

  final long sentNanos;
  private final AtomicInteger pending;

  /** The latest virtual time at which a target finished the call: when the sender may go on. */
  private final AtomicLong doneCycles = new AtomicLong();

  Ipi(Call call, String what, int targets, boolean hardware, long sentCycles) {
    this.call = call;
    this.what = what;
    this.hardware = hardware;
    this.sentCycles = sentCycles;
    this.sentNanos = System.nanoTime();
    this.pending = new AtomicInteger(targets);
  }

  /**
   * The target acknowledges after running the call at virtual time {@code cycles}; the decrement's
   * release pairs with {@link #done}'s acquire.
   */
  void acknowledge(long cycles) {
    doneCycles.accumulateAndGet(cycles, Math::max);
    pending.decrementAndGet();
  }

  /** Whether every target has run the call. */
  public boolean done() {
    return pending.get() == 0;
  }

  long doneCycles() {
    return doneCycles.get();
  }

  @Override
  public String toString() {
    return "IPI(" + what + ")";
  }
}
