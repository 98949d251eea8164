package hartlab.kernel.mm;

import java.util.HashMap;
import java.util.Map;

/**
 * The frames behind a MAP_SHARED|MAP_ANONYMOUS mapping (Linux backs these with shmem). Every VMA
 * that maps it, in any process, holds a reference; the frames are freed when the last one goes.
 *
 * <p>Thread-safe through its own monitor, a short lock never held across a wait.
 */
final class SharedAnonMemory {
  private final FrameRefs refs;
  private final Map<Long, Long> pages = new HashMap<>(); // guarded by this
  private int vmaRefs = 1; // guarded by this

  SharedAnonMemory(FrameRefs refs) {
    this.refs = refs;
  }

  /**
   * The frame of page {@code index}, allocated zeroed on first use; -1 when memory is exhausted.
   */
  synchronized long frameFor(long index) {
    Long pa = pages.get(index);
    if (pa != null) {
      return pa;
    }
    long fresh = refs.allocate();
    if (fresh >= 0) {
      pages.put(index, fresh);
    }
    return fresh;
  }

  /** Whether page {@code index} has a frame yet. */
  synchronized boolean has(long index) {
    return pages.containsKey(index);
  }

  synchronized void retain() {
    vmaRefs++;
  }

  /** Drops one VMA's reference. The caller has already flushed translations of the frames. */
  synchronized void release() {
    if (--vmaRefs == 0) {
      pages.values().forEach(refs::put);
      pages.clear();
    }
  }
}
