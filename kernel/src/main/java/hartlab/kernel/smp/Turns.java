package hartlab.kernel.smp;

import hartlab.cpu.Hart;

/**
 * Which harts may run now. In parallel mode every hart runs freely; in lockstep one hart at a time
 * holds the turn for a quantum of virtual time, in a fixed order, so that kernel and guest see the
 * same interleaving in every run.
 *
 * <p>Every method but {@link #attach}, {@link #kick} and {@link #stopAll} is called on the named
 * hart's own thread.
 */
public interface Turns {
  /** Tells the mechanism which host thread runs {@code hart}; before the threads start. */
  void attach(int hart, Thread thread);

  /** Returns once the hart may run (at once in parallel mode). */
  void awaitTurn(Hart hart);

  /** The cycle at which the hart's current quantum ends (never, in parallel mode). */
  long quantumEnd(Hart hart);

  /** The quantum is used up: hand the turn on. */
  void endQuantum(Hart hart);

  /**
   * The hart has nothing to run: park until kicked (parallel) or give up the rest of the turn
   * (lockstep).
   */
  void idle(Hart hart);

  /**
   * One round of a spinning wait: back off (parallel) or give the turn away so the awaited hart can
   * run (lockstep).
   */
  void pause(Hart hart);

  /** Another hart has work for {@code target}: wake it if it is parked. Any thread. */
  void kick(int target);

  /** The machine stops: release every parked hart. Any thread. */
  void stopAll();
}
