package hartlab.kernel.rcu;

/**
 * An object readers reach under RCU and writers free through it ({@link Rcu#kfreeRcu}). Its memory
 * is poisoned when the freeing callback runs, so the RCU checker sees a reader that touches it
 * after that ({@link Rcu#dereference}): on a real kernel the reader would read reused memory.
 */
public abstract class RcuObject {
  /** Written once, by the RCU callback that frees it; read by readers on any hart. */
  private volatile boolean poisoned;

  /** Whether an RCU callback has freed (poisoned) this object. */
  public final boolean isPoisoned() {
    return poisoned;
  }

  /** The free: run by the RCU callback after the grace period. */
  final void poison() {
    poisoned = true;
  }
}
