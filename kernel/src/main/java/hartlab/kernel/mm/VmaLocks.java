package hartlab.kernel.mm;

import hartlab.cpu.Hart;
import hartlab.kernel.rcu.Rcu;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import java.util.function.BooleanSupplier;

/**
 * Per-VMA locks (Linux's vma_start_read/vma_start_write over vm_refcnt and vm_lock_seq) and the
 * type-stable pool the areas come from.
 *
 * <p>Read side ({@link #lockVmaUnderRcu}): a page fault finds its area in the tree under RCU,
 * without the mmap lock, takes a reference with increment-if-not-zero, then re-checks that the area
 * still belongs to this mm, still covers the address and is not write-locked: the area may have
 * been freed and handed out again between the lookup and the increment. Any failure sends the fault
 * to the mmap lock.
 *
 * <p>Write side ({@link #vmaStartWrite}): a writer holding the mmap lock for writing stamps the
 * area with the mm's sequence (new readers now fail), adds {@link Vma#VMA_LOCK_OFFSET} and waits
 * for the readers already in to drain; the area stays write-locked until the writer releases the
 * mmap lock, which moves the mm's sequence on ({@link MmapLocking#unlock}).
 */
public final class VmaLocks {
  private final VmaPool pool = new VmaPool();
  private final Rcu rcu;
  private final Ipis ipis;
  private final Counters counters;
  private final VmaBreak broken;
  private final MmapLocking locking;
  private volatile VmaUseCheck check;
  private volatile LookupWindow window;

  /**
   * A test's hook between the tree lookup and the reference: the place where another hart may free
   * the area and hand it out again. Scripted interleavings set it; nothing else does.
   */
  @FunctionalInterface
  interface LookupWindow {
    void afterLookup(Hart hart, Mm mm, Vma found);
  }

  /**
   * {@code rcu} null: read-side sections are not marked and retired tree nodes are left to the
   * garbage collector unpoisoned (unit tests of one thread). {@code ipis} null: a writer waiting
   * for readers spins on the host (unit tests only).
   */
  public VmaLocks(Rcu rcu, Ipis ipis, Counters counters, VmaBreak broken, MmapLocking locking) {
    this.rcu = rcu;
    this.ipis = ipis;
    this.counters = counters;
    this.broken = broken;
    this.locking = locking;
  }

  Rcu rcu() {
    return rcu;
  }

  /** Installs the VMA-identity checker. */
  public void setCheck(VmaUseCheck c) {
    check = c;
  }

  void setLookupWindow(LookupWindow w) {
    window = w;
  }

  /** A fresh area for {@code mm} from the pool, detached, not yet in any tree. */
  Vma alloc(
      Mm mm, long start, long end, int prot, Vma.Kind kind, SharedAnonMemory shared, long off) {
    return pool.alloc(mm, start, end, prot, kind, shared, off);
  }

  /** Gives a detached area back; it may be some other area the next moment. */
  void free(Vma v) {
    pool.free(v);
  }

  // ---- read side ----

  /**
   * lock_vma_under_rcu: the area covering {@code va} in {@code mm}, read-locked, or null (the fault
   * takes the mmap lock instead; the reason is counted).
   */
  Vma lockVmaUnderRcu(Hart hart, Mm mm, long va) {
    int h = id(hart);
    readLock(h);
    try {
      Vma v = mm.vmas.find(va);
      if (v == null) {
        return fail(h, Counter.VMA_LOOKUP_MISSES);
      }
      // What a reader without acquire ordering may use: fields loaded before its increment.
      Mm owner = v.mm;
      long start = v.start;
      long end = v.end;
      LookupWindow w = window;
      if (w != null) {
        w.afterLookup(hart, mm, v);
      }
      if (!v.tryReadLock()) {
        return fail(h, v.isDetached() ? Counter.VMA_RECHECK_DETACHED : Counter.VMA_RECHECK_WRITER);
      }
      if (broken == VmaBreak.RECHECK) {
        return v;
      }
      if (broken != VmaBreak.ACQUIRE) {
        owner = v.mm;
        start = v.start;
        end = v.end;
      }
      Counter reason = null;
      if (owner != mm) {
        reason = Counter.VMA_RECHECK_MM;
      } else if (va < start || va >= end) {
        reason = Counter.VMA_RECHECK_RANGE;
      } else if (v.vmLockSeq == mm.mmLockSeq) {
        reason = Counter.VMA_RECHECK_WRITER;
      }
      if (reason != null) {
        v.readUnlock();
        return fail(h, reason);
      }
      return v;
    } finally {
      readUnlock(h);
    }
  }

  private Vma fail(int hart, Counter reason) {
    counters.hart(hart).add(reason);
    counters.hart(hart).add(Counter.VMA_LOCK_FALLBACKS);
    return null;
  }

  /** The lockless fault is about to use {@code v}: the checker's moment. */
  void using(Hart hart, Mm mm, Vma v, long va) {
    VmaUseCheck c = check;
    if (c != null) {
      c.using(hart, mm, v, va);
    }
  }

  void reachedFreedNode() {
    VmaUseCheck c = check;
    if (c != null) {
      c.reachedFreedNode();
    }
  }

  void vmaEndRead(Vma v) {
    v.readUnlock();
  }

  private void readLock(int hart) {
    if (rcu != null) {
      rcu.readLock(hart);
    }
  }

  private void readUnlock(int hart) {
    if (rcu != null) {
      rcu.readUnlock(hart);
    }
  }

  // ---- /proc/PID/maps ----

  /** What /proc/PID/maps shows of one area, copied while the area could not change. */
  public record AreaView(
      long start, long end, int prot, boolean shared, long offset, Vma.Kind kind) {
    static AreaView of(Vma v) {
      return new AreaView(
          v.start, v.end, v.prot, v.shared != null, v.sharedPageOffset << 12, v.kind);
    }
  }

  /**
   * The tree of {@code mm} just went to RCU mode for a reader from outside: a writer that began
   * before, editing nodes in place, must be done before the reader walks. Takes and drops the mmap
   * lock for reading (spinning).
   */
  public void waitForInPlaceWriter(Hart hart, Mm mm) {
    locking.lockSpinning(hart, mm, false);
    locking.unlock(hart, mm, false);
  }

  /**
   * The lowest area of {@code mm} ending above {@code from}, or null: found under RCU without the
   * mmap lock and read under a reference (areas never change while attached, so the copy is one
   * area's true state at one moment). When the reference cannot be had (a writer is draining the
   * area, or it was just taken out), the same under the mmap lock. The caller holds a user
   * reference on {@code mm} (mmget_not_zero).
   */
  public AreaView nextArea(Hart hart, Mm mm, long from) {
    int h = id(hart);
    readLock(h);
    try {
      Vma v = mm.vmas.findNext(from);
      while (v != null && v.dead != null) {
        v = mm.vmas.findNext(v.end); // what munmap left behind is no area
      }
      if (v == null) {
        return null;
      }
      if (v.tryReadLock()) {
        try {
          if (v.mm == mm && v.end > from) {
            return AreaView.of(v);
          }
        } finally {
          v.readUnlock();
        }
      }
    } finally {
      readUnlock(h);
    }
    counters.hart(h).add(Counter.MAPS_LOCK_FALLBACKS);
    locking.lockSpinning(hart, mm, false);
    try {
      Vma v = mm.vmas.findNext(from);
      while (v != null && v.dead != null) {
        v = mm.vmas.findNext(v.end);
      }
      return v == null ? null : AreaView.of(v);
    } finally {
      locking.unlock(hart, mm, false);
    }
  }

  // ---- write side: callers hold mm's mmap lock for writing ----

  /**
   * vma_start_write: locks {@code v} against lockless faults until the mmap lock is released.
   * Returns once no reader holds it. The sequence is stamped while the writer's offset keeps new
   * readers out, so an area with the stamp and without the offset has no reader that passed its
   * re-check: the VMA-identity checker relies on that ({@link Vma#writeLockedIn}).
   */
  void vmaStartWrite(Hart hart, Mm mm, Vma v) {
    long seq = mm.mmLockSeq;
    if (v.vmLockSeq == seq) {
      return; // locked already in this hold of the mmap lock
    }
    v.addWriterOffset();
    if (!v.readersDrained()) {
      counters.hart(id(hart)).add(Counter.VMA_WRITER_WAITS);
      spinUntil(hart, v::readersDrained);
    }
    v.vmLockSeq = seq;
    v.removeWriterOffset();
  }

  /** A new area goes in write-locked: faults leave it alone until the writer is done. */
  void attachLocked(Mm mm, Vma v) {
    v.vmLockSeq = mm.mmLockSeq;
    v.markAttached();
  }

  /**
   * vma_mark_detached: {@code v} (write-locked, already out of the tree) drops to zero; readers
   * that found it through an older tree and raced in are failing their re-check and let go.
   */
  void detach(Hart hart, Vma v) {
    while (!v.tryMarkDetached()) {
      spinUntil(hart, () -> v.refcnt() == 1);
    }
  }

  private void spinUntil(Hart hart, BooleanSupplier condition) {
    if (hart == null || ipis == null) {
      while (!condition.getAsBoolean()) {
        Thread.onSpinWait();
      }
    } else {
      ipis.spinUntil(hart, condition);
    }
  }

  private static int id(Hart hart) {
    return hart == null ? 0 : hart.id();
  }
}
