package hartlab.kernel.mm;

import java.util.ArrayDeque;

/**
 * The machine's type-stable VMA cache (Linux's vm_area_cachep, {@code SLAB_TYPESAFE_BY_RCU}): a
 * freed area goes on a free list and the next allocation, for any mm, hands it out again at once.
 * Its memory stays a {@link Vma} for the machine's life, so a lockless reader holding a stale
 * pointer reads some area's fields, never garbage, and must re-validate what it read.
 *
 * <p>Charging stays with the trees ({@link VmaTree}): a pooled area is held by no tree and charged
 * to no one; the list keeps at most {@link #KEEP} of them, as a slab keeps a few free objects. Any
 * thread; a short host lock, never held across a wait.
 */
final class VmaPool {
  static final int KEEP = 1024;

  private final ArrayDeque<Vma> free = new ArrayDeque<>();

  /**
   * A detached area with this identity for {@code mm}, reused from the free list when it has one
   * (last freed first, as a slab's per-CPU freelist hands out its hottest object).
   */
  Vma alloc(
      Mm mm, long start, long end, int prot, Vma.Kind kind, SharedAnonMemory shared, long off) {
    Vma v;
    synchronized (free) {
      v = free.pollFirst();
    }
    if (v == null) {
      v = new Vma(start, end, prot, kind, shared, off);
    }
    v.set(mm, start, end, prot, kind, shared, off);
    v.generation++;
    return v;
  }

  /** Takes back a detached area; from now on it may become any other area. */
  void free(Vma v) {
    if (!v.isDetached()) {
      throw new IllegalStateException("VmaPool.free: " + v + " is still attached");
    }
    synchronized (free) {
      if (free.size() < KEEP) {
        free.addFirst(v);
      }
    }
  }
}
