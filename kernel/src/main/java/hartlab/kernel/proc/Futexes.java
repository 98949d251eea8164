package hartlab.kernel.proc;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.MmapLocking;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.mm.Vma;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * futex(2) WAIT and WAKE. A futex is named as in Linux's get_futex_key: in private memory by (mm,
 * address), whatever FUTEX_PRIVATE_FLAG says; in a MAP_SHARED mapping by (the shared object,
 * offset), so processes sharing it after fork meet on one queue.
 *
 * <p>Waiters wait in a fixed hash of buckets, as in Linux's futex_hash_bucket table (256 per CPU):
 * each waiting task carries its key ({@link Task#futexKey}, Linux's futex_q on the waiter's kernel
 * stack), so waiting allocates nothing that outlives the wait, and a guest that waits on a million
 * addresses costs no more host memory than its tasks. WAIT compares the word and queues the task
 * under its bucket's monitor, and WAKE takes the key's waiters under the same monitor: a WAKE after
 * the guest changed the word can never miss the waiter.
 */
public final class Futexes {
  private record Key(Object space, long offset) {
    /**
     * Spreads keys over the buckets; identity hashes differ between runs, bucket order never
     * matters.
     */
    int bucketHash() {
      long h = System.identityHashCode(space) * 0x9E3779B97F4A7C15L + offset;
      return (int) (h ^ (h >>> 29) ^ (h >>> 47));
    }
  }

  private static final int BUCKETS_PER_HART = 256;

  private final Waits waits;
  private final MmapLocking locking;
  private final UserMemory user;
  private final PhysicalMemory memory;

  /** Made on first use, never dropped: at most 256 per hart. */
  private final AtomicReferenceArray<WaitQueue> buckets;

  public Futexes(
      Waits waits, MmapLocking locking, UserMemory user, PhysicalMemory memory, int harts) {
    this.waits = waits;
    this.locking = locking;
    this.user = user;
    this.memory = memory;
    this.buckets =
        new AtomicReferenceArray<>(Integer.highestOneBit(Math.max(1, harts) * BUCKETS_PER_HART));
  }

  /** Futexes with the buckets of one hart, for code that builds the subsystem alone. */
  public Futexes(Waits waits, MmapLocking locking, UserMemory user, PhysicalMemory memory) {
    this(waits, locking, user, memory, 1);
  }

  private WaitQueue bucket(Key key, boolean create) {
    int i = key.bucketHash() & (buckets.length() - 1);
    WaitQueue q = buckets.get(i);
    if (q == null && create) {
      buckets.compareAndSet(i, null, new WaitQueue());
      q = buckets.get(i);
    }
    return q;
  }

  /**
   * FUTEX_WAIT: sleeps while {@code *uaddr == expected}, until woken (0) or {@code deadline}
   * (-ETIMEDOUT).
   */
  public long wait(Hart hart, Task task, long uaddr, int expected, long deadline) {
    if ((uaddr & 3) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long pa = user.physical(hart, task.mm, uaddr, Mmu.LOAD);
    Key key = key(hart, task.mm, uaddr);
    WaitQueue queue = bucket(key, true);
    synchronized (queue) {
      if (memory.getIntVolatile(pa) != expected) {
        throw SyscallError.of(Errno.EAGAIN);
      }
      task.futexKey = key;
      return waits.sleep(hart, queue, false, deadline, -Errno.ETIMEDOUT);
    }
  }

  /**
   * FUTEX_WAKE: wakes up to {@code max} waiters on the futex at {@code uaddr}; returns how many.
   */
  public int wake(Hart hart, Mm mm, long uaddr, int max) {
    if ((uaddr & 3) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    Key key = key(hart, mm, uaddr);
    WaitQueue queue = bucket(key, false);
    if (queue == null || max <= 0) {
      return 0;
    }
    List<Sleeper> woken;
    synchronized (queue) {
      woken = queue.take(max, s -> key.equals(((Task) s).futexKey));
    }
    int n = 0;
    for (Sleeper t : woken) {
      if (waits.wake(t, 0)) {
        n++;
      }
    }
    return n;
  }

  private Key key(Hart hart, Mm mm, long uaddr) {
    locking.lockSpinning(hart, mm, false);
    try {
      Vma vma = mm.vmas.find(uaddr);
      if (vma == null) {
        throw SyscallError.of(Errno.EFAULT);
      }
      if (vma.sharedObject() != null) {
        return new Key(vma.sharedObject(), vma.sharedOffset(uaddr));
      }
      return new Key(mm, uaddr);
    } finally {
      locking.unlock(hart, mm, false);
    }
  }
}
