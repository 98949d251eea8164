package hartlab.kernel.smp;

import hartlab.cpu.Hart;
import hartlab.kernel.stats.Outcome;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the run ends: the first request to stop wins (the last task exited, a limit, a checker's
 * violation, an internal error) and every hart is interrupted and released. Any thread.
 */
public final class Halt {
  private static final Logger log = LoggerFactory.getLogger(Halt.class);

  /** Why and how the run ended; set once. */
  public record Ending(Outcome outcome, int exitCode, String message) {}

  private final Hart[] harts;
  private final Turns turns;
  private final AtomicReference<Ending> ending = new AtomicReference<>();
  private volatile Runnable beforeRelease = () -> {};

  public Halt(Hart[] harts, Turns turns) {
    this.harts = harts;
    this.turns = turns;
  }

  /**
   * Runs {@code action} on the thread whose stop request wins, before any parked hart is released:
   * in lockstep that is the turn holder, so what it reads of the other harts is exactly where the
   * run stopped. Set while wiring.
   */
  public void beforeRelease(Runnable action) {
    this.beforeRelease = action;
  }

  /** Ends the run; the first request wins. */
  public void requestStop(Outcome outcome, int exitCode, String message) {
    if (!ending.compareAndSet(null, new Ending(outcome, exitCode, message))) {
      return;
    }
    beforeRelease.run();
    if (outcome == Outcome.VIOLATION) {
      log.debug(message);
    }
    for (Hart h : harts) {
      h.raiseInterrupt(Ipis.IRQ_STOP);
    }
    turns.stopAll();
  }

  public boolean stopping() {
    return ending.get() != null;
  }

  /** How the run ended, or null while it runs. */
  public Ending ending() {
    return ending.get();
  }
}
