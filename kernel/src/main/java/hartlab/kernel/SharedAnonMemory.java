package hartlab.kernel;

import hartlab.mmu.FrameAllocator;
import java.util.HashMap;
import java.util.Map;

/**
 * The frames behind a MAP_SHARED|MAP_ANONYMOUS mapping (Linux backs these with shmem). Every VMA
 * that maps it holds a reference; the frames are freed when the last one goes.
 *
 * <p>Thread-safe through its own monitor, a short lock never held across a wait.
 */
final class SharedAnonMemory {
  private final FrameAllocator frames;
  private final Map<Long, Long> pages = new HashMap<>(); // guarded by this
  private int refs = 1; // guarded by this

  SharedAnonMemory(FrameAllocator frames) {
    this.frames = frames;
  }

  /** The frame of page {@code index}, allocated zeroed on first use; -1 when memory is exhausted. */
  synchronized long frameFor(long index) {
    Long pa = pages.get(index);
    if (pa != null) {
      return pa;
    }
    long fresh = frames.alloc();
    if (fresh >= 0) {
      pages.put(index, fresh);
    }
    return fresh;
  }

  synchronized void retain() {
    refs++;
  }

  synchronized void release() {
    if (--refs == 0) {
      pages.values().forEach(frames::free);
      pages.clear();
    }
  }
}
