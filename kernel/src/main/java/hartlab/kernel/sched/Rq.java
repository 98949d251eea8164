package hartlab.kernel.sched;

import hartlab.kernel.proc.Task;

/**
 * One hart's scheduling state (the part of Linux's struct rq the run queues in {@code
 * hartlab.sched} do not hold). Hart-local but for the fields marked otherwise.
 */
final class Rq {
  /** The task running on this hart, or null. Volatile: other harts ask who runs where. */
  volatile Task current;

  /**
   * The task most recently woken onto this hart, left by the waker (any hart) for a wake-up
   * preemption check at this hart's next kernel boundary; null once checked.
   */
  volatile Task wokenHint;

  /** In the idle loop, counted in the machine's idle-hart count. */
  boolean idle;

  /** Virtual time of this hart's next timer tick. */
  long nextTick;

  /** Instructions already charged against --max-instructions. */
  long accountedInstret;
}
