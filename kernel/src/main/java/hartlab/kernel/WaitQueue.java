package hartlab.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Tasks sleeping until something happens (Linux's wait_queue_head). A task is added by {@link
 * Kernel#sleep} while the caller holds the lock that guards the awaited condition, and removed by
 * whoever wakes it, so no wake-up is lost between checking the condition and going to sleep.
 *
 * <p>Thread-safe through its own monitor (a short lock, taken after the condition's lock).
 */
final class WaitQueue {
  private final ArrayDeque<Task> waiters = new ArrayDeque<>();

  synchronized void add(Task task) {
    waiters.addLast(task);
  }

  synchronized boolean remove(Task task) {
    return waiters.remove(task);
  }

  /** Removes and returns up to {@code max} waiters, oldest first. */
  synchronized List<Task> take(int max) {
    List<Task> out = new ArrayList<>();
    while (out.size() < max && !waiters.isEmpty()) {
      out.add(waiters.pollFirst());
    }
    return out;
  }

  synchronized boolean isEmpty() {
    return waiters.isEmpty();
  }
}
