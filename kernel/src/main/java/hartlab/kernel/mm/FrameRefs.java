package hartlab.kernel.mm;

import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PhysicalMemory;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Reference counts of the frames mapped into user page tables (Linux's page refcount): a page
 * shared copy-on-write after fork is mapped by several page tables and freed by the last.
 * Thread-safe: counts change atomically; the frame returns to the allocator when one drops to 0.
 */
public final class FrameRefs {
  private final FrameAllocator frames;
  private final AtomicIntegerArray refs;

  public FrameRefs(FrameAllocator frames, PhysicalMemory memory) {
    this.frames = frames;
    this.refs = new AtomicIntegerArray(memory.frames());
  }

  /** A fresh zeroed frame with one reference, or -1 when memory is exhausted. */
  long allocate() {
    long pa = frames.alloc();
    if (pa >= 0) {
      refs.set(index(pa), 1);
    }
    return pa;
  }

  void get(long pa) {
    refs.incrementAndGet(index(pa));
  }

  /** Drops a reference; frees the frame when it was the last. */
  void put(long pa) {
    int left = refs.decrementAndGet(index(pa));
    if (left == 0) {
      frames.free(pa);
    } else if (left < 0) {
      throw new IllegalStateException(
          String.format("FrameRefs.put: frame 0x%x has no references", pa));
    }
  }

  int count(long pa) {
    return refs.get(index(pa));
  }

  private static int index(long pa) {
    return (int) (pa >>> PhysicalMemory.PAGE_SHIFT);
  }
}
