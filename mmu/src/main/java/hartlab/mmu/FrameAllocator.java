package hartlab.mmu;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Hands out 4 KiB frames of {@link PhysicalMemory}, zeroed.
 *
 * <p>Thread-safe: any hart may allocate or free. The free stack is guarded by {@code this}, held
 * only for a push or pop (a short host lock, never across a wait). The allocated bitmap is an
 * {@link AtomicLongArray} so checkers on other harts can ask {@link #isAllocated} without the lock.
 * With poisoning on, a freed frame is filled with {@link #POISON} so that anything still reading it
 * — a stale TLB entry, a walker on a freed page-table page — sees garbage, not the old data.
 */
public final class FrameAllocator {
  /**
   * Fill pattern of freed frames; also a PTE with reserved bits set, so a walk through it faults.
   */
  public static final long POISON = 0xDEADBEEF_DEADBEEFL;

  /** Told about every frame that is freed (e.g. so decoded code of that frame is dropped). */
  @FunctionalInterface
  public interface FreeListener {
    void frameFreed(long pa);
  }

  private final PhysicalMemory memory;
  private final boolean poison;
  private final AtomicLongArray allocated;
  private final int[] freeStack; // guarded by this
  private int freeTop; // guarded by this

  /** Per frame, how often it has been freed: tells a reused frame from the one cached earlier. */
  private final AtomicIntegerArray generations;

  private final CopyOnWriteArrayList<FreeListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param reservedFrames frames at the bottom of RAM never handed out (frame 0 is always reserved
   *     so that physical address 0 can mean "none")
   */
  public FrameAllocator(PhysicalMemory memory, int reservedFrames, boolean poison) {
    this.memory = memory;
    this.poison = poison;
    int frames = memory.frames();
    int reserved = Math.max(1, reservedFrames);
    this.allocated = new AtomicLongArray((frames + 63) >>> 6);
    this.freeStack = new int[frames];
    this.generations = new AtomicIntegerArray(frames);
    // Push high frames first so allocation proceeds upward from low memory: easier to read in
    // dumps.
    for (int f = frames - 1; f >= reserved; f--) {
      freeStack[freeTop++] = f;
    }
    for (int f = 0; f < reserved; f++) {
      setBit(f, true);
    }
  }

  /** Adds a listener told about every frame freed, before it can be reused; before the run. */
  public void addFreeListener(FreeListener listener) {
    listeners.add(listener);
  }

  /** Returns the physical address of a zeroed frame, or -1 when memory is exhausted. */
  public long alloc() {
    int frame;
    synchronized (this) {
      if (freeTop == 0) {
        return -1;
      }
      frame = freeStack[--freeTop];
      setBit(frame, true);
    }
    long pa = (long) frame << PhysicalMemory.PAGE_SHIFT;
    memory.fill(pa, PhysicalMemory.PAGE_SIZE, (byte) 0);
    return pa;
  }

  /** Returns a frame. Freeing a frame that is not allocated is a kernel bug and throws. */
  public void free(long pa) {
    int frame = frameOf(pa);
    if (!isAllocated(pa)) {
      throw new IllegalStateException(
          String.format("FrameAllocator.free: frame 0x%x is not allocated", pa));
    }
    for (FreeListener l : listeners) {
      l.frameFreed(pa);
    }
    if (poison) {
      for (int off = 0; off < PhysicalMemory.PAGE_SIZE; off += 8) {
        memory.putLong(pa + off, POISON);
      }
    }
    generations.incrementAndGet(frame);
    synchronized (this) {
      setBit(frame, false);
      freeStack[freeTop++] = frame;
    }
  }

  /**
   * How many times the frame has been freed: a pointer cached while the frame had one generation is
   * stale once it has another, even if the frame was allocated again since.
   */
  public int generation(long pa) {
    return generations.get((int) (pa >>> PhysicalMemory.PAGE_SHIFT));
  }

  public boolean isAllocated(long pa) {
    int frame = (int) (pa >>> PhysicalMemory.PAGE_SHIFT);
    return (allocated.get(frame >>> 6) & (1L << frame)) != 0;
  }

  public synchronized int freeFrames() {
    return freeTop;
  }

  public int totalFrames() {
    return memory.frames();
  }

  private int frameOf(long pa) {
    if ((pa & PhysicalMemory.PAGE_MASK) != 0 || !memory.contains(pa, PhysicalMemory.PAGE_SIZE)) {
      throw new IllegalArgumentException(
          String.format("FrameAllocator: 0x%x is not a frame address", pa));
    }
    return (int) (pa >>> PhysicalMemory.PAGE_SHIFT);
  }

  private void setBit(int frame, boolean on) {
    int word = frame >>> 6;
    long bit = 1L << frame;
    long old;
    do {
      old = allocated.get(word);
    } while (!allocated.compareAndSet(word, old, on ? old | bit : old & ~bit));
  }
}
