package hartlab.kernel;

import hartlab.cpu.Hart;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One inter-processor call: a function every target hart runs in its own kernel context, and the
 * count of targets that have not run it yet. The sender may spin until {@link #done}.
 */
final class Ipi {
  /** Work an IPI asks the target hart to do, on the target's thread. */
  @FunctionalInterface
  interface Call {
    void run(Hart target);
  }

  final Call call;
  final String what;
  private final AtomicInteger pending;

  Ipi(Call call, String what, int targets) {
    this.call = call;
    this.what = what;
    this.pending = new AtomicInteger(targets);
  }

  /** The target acknowledges after running the call; the release pairs with {@link #done}'s acquire. */
  void acknowledge() {
    pending.decrementAndGet();
  }

  boolean done() {
    return pending.get() == 0;
  }

  @Override
  public String toString() {
    return "IPI(" + what + ")";
  }
}
