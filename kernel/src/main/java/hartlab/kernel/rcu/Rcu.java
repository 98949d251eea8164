package hartlab.kernel.rcu;

import hartlab.cpu.Hart;
import hartlab.kernel.smp.Waits;

/**
 * The RCU interface the rest of the kernel uses. Readers mark their critical sections on their
 * hart; writers either queue a callback to run after a grace period, or make the calling task wait
 * for one. A grace period ends once every hart has passed through a quiescent state (user mode,
 * idle, a context switch, any kernel entry) after it began.
 *
 * <p>Every method runs on the named hart's own thread. A read-side section never sleeps nor spins
 * waiting for another hart, and holds no RCU-protected pointer past its end: outside a section, a
 * hart holds none (that is what makes any moment outside one a quiescent state).
 */
public interface Rcu {
  /** Enters a read-side critical section on {@code hart}; sections nest. */
  void readLock(int hart);

  /** Leaves the innermost read-side critical section on {@code hart}. */
  void readUnlock(int hart);

  /** True while {@code hart} is inside a read-side critical section. */
  boolean isReading(int hart);

  /**
   * Runs {@code callback} on some hart after a grace period that starts after this call: every
   * reader that could see what the caller unpublished has left by then.
   */
  void callRcu(int hart, Runnable callback);

  /**
   * Makes the current task of {@code hart} wait for a full grace period. Returns 0 when one has
   * already elapsed since the task's first call for this wait; otherwise parks the task (not the
   * hart) and returns {@link Waits#BLOCKED}, to run the calling syscall again when it ends. Never
   * from inside a read-side section. A caller outside a system call (which clears the task's {@link
   * hartlab.kernel.smp.Sleeper#awaited} when it begins) must clear it itself first.
   */
  long synchronize(Hart hart);

  /** As {@link #synchronize}, but IPIs harts still reading or in the kernel to end it sooner. */
  long synchronizeExpedited(Hart hart);

  /** As {@link #synchronize}, but waits until every callback queued before the call has run. */
  long barrier(Hart hart);

  /**
   * rcu_dereference: {@code object} as read by a reader on {@code hart}. An object an RCU callback
   * has already freed is a violation for the RCU checker. Returns {@code object}.
   */
  default <T extends RcuObject> T dereference(int hart, T object) {
    return object;
  }

  /**
   * kfree_rcu: frees (poisons) {@code object} from a callback after a grace period. The caller has
   * already unpublished it.
   */
  default void kfreeRcu(int hart, RcuObject object) {
    callRcu(hart, object::poison);
  }
}
