package hartlab.kernel.smp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Tasks sleeping until something happens (Linux's wait_queue_head). A task is added by {@link
 * Waits#sleep} while the caller holds the lock that guards the awaited condition, and removed by
 * whoever wakes it, so no wake-up is lost between checking the condition and going to sleep.
 *
 * <p>Thread-safe through its own monitor (a short lock, taken after the condition's lock).
 */
public final class WaitQueue {
  private final ArrayDeque<Sleeper> waiters = new ArrayDeque<>();

  public synchronized void add(Sleeper task) {
    waiters.addLast(task);
  }

  public synchronized boolean remove(Sleeper task) {
    return waiters.remove(task);
  }

  /** Removes and returns up to {@code max} waiters, oldest first. */
  public synchronized List<Sleeper> take(int max) {
    List<Sleeper> out = new ArrayList<>();
    while (out.size() < max && !waiters.isEmpty()) {
      out.add(waiters.pollFirst());
    }
    return out;
  }

  /**
   * Removes and returns up to {@code max} waiters that {@code which} accepts, oldest first; the
   * others keep their place (a futex hash bucket holds waiters of many futexes).
   */
  public synchronized List<Sleeper> take(int max, Predicate<Sleeper> which) {
    List<Sleeper> out = new ArrayList<>();
    for (Iterator<Sleeper> it = waiters.iterator(); out.size() < max && it.hasNext(); ) {
      Sleeper s = it.next();
      if (which.test(s)) {
        it.remove();
        out.add(s);
      }
    }
    return out;
  }

  public synchronized boolean isEmpty() {
    return waiters.isEmpty();
  }
}
