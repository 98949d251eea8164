package hartlab.sched;

import java.util.ArrayDeque;

/**
 * One hart's queue of runnable tasks, first in, first out.
 *
 * <p>Thread-safe: any hart may enqueue (a wake-up), the owning hart dequeues. Guarded by its
 * monitor, a short host lock never held across a wait.
 */
public final class RunQueue<T extends Schedulable> {
  private final ArrayDeque<T> ready = new ArrayDeque<>();

  public synchronized void enqueue(T task) {
    ready.addLast(task);
  }

  /** The next task to run, or null when the queue is empty. */
  public synchronized T poll() {
    return ready.pollFirst();
  }

  public synchronized int size() {
    return ready.size();
  }
}
