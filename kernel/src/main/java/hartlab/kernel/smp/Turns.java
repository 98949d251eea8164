package hartlab.kernel.smp;

import hartlab.cpu.Hart;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Which harts may run now. In parallel mode every hart runs freely; in lockstep one hart at a time
 * holds the turn, given in virtual-time order, so that kernel and guest see the same interleaving
 * in every run and figures do not depend on how turns are cut.
 *
 * <p>Every method but {@link #attach}, {@link #kick} and {@link #stopAll} is called on the named
 * hart's own thread.
 */
public interface Turns {
  /** A spinning wait's readiness time when its condition carries none: the hart's own clock. */
  LongSupplier NO_TIME = () -> Long.MIN_VALUE;

  /** Lockstep turns with {@code lookahead} when {@code lockstep}, free-running harts otherwise. */
  static Turns create(
      boolean lockstep,
      Hart[] harts,
      long lookahead,
      LockstepTurns.Work work,
      hartlab.kernel.stats.Counters counters) {
    return lockstep
        ? new LockstepTurns(harts, lookahead, work, counters)
        : new ParallelTurns(harts.length);
  }

  /** Tells the mechanism which host thread runs {@code hart}; before the threads start. */
  void attach(int hart, Thread thread);

  /**
   * Returns once the hart may run (at once in parallel mode). A hart given the turn for work that
   * happens later than its clock (an IPI's delivery, a wake-up) finds its clock moved there.
   */
  void awaitTurn(Hart hart);

  /**
   * The virtual time up to which the turn holder may run before another hart's pending work must
   * come first (never, in parallel mode). Ask again after the hart changed anything another hart
   * sees.
   */
  long runUntil(Hart hart);

  /**
   * The hart enters its kernel: in lockstep, let every hart whose next event comes earlier run
   * first, so that kernel work (locks, IPIs, wake-ups) happens in virtual-time order while user
   * code runs in windows of the lookahead. Nothing in parallel mode.
   */
  void sync(Hart hart);

  /** The hart reached {@link #runUntil}: hand the turn to the hart whose work comes first. */
  void yieldTurn(Hart hart);

  /**
   * The hart has nothing to run: park until kicked (parallel) or give the turn away until work
   * arrives for it (lockstep).
   */
  void idle(Hart hart);

  /**
   * One round of a spinning wait: back off (parallel) or give the turn away until {@code ready}
   * holds, at virtual time {@code readyAt} (lockstep). {@code ready} and {@code readyAt} are asked
   * from other harts' threads: they must be cheap and free of side effects.
   */
  void pause(Hart hart, BooleanSupplier ready, LongSupplier readyAt);

  /**
   * Another hart has work for {@code target}, as of the caller's virtual time: wake it if it is
   * parked. Any thread.
   */
  void kick(int target);

  /** The machine stops: release every parked hart. Any thread. */
  void stopAll();
}
