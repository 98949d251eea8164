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
import java.util.concurrent.ConcurrentHashMap;

/**
 * futex(2) WAIT and WAKE. A futex is named as in Linux's get_futex_key: in private memory by (mm,
 * address), whatever FUTEX_PRIVATE_FLAG says; in a MAP_SHARED mapping by (the shared object,
 * offset), so processes sharing it after fork meet on one queue.
 *
 * <p>WAIT compares the word and queues the task under the queue's monitor, and WAKE takes waiters
 * under the same monitor: a WAKE after the guest changed the word can never miss the waiter.
 */
public final class Futexes {
  private record Key(Object space, long offset) {}

  private final Waits waits;
  private final MmapLocking locking;
  private final UserMemory user;
  private final PhysicalMemory memory;
  private final ConcurrentHashMap<Key, WaitQueue> queues = new ConcurrentHashMap<>();

  public Futexes(Waits waits, MmapLocking locking, UserMemory user, PhysicalMemory memory) {
    this.waits = waits;
    this.locking = locking;
    this.user = user;
    this.memory = memory;
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
    WaitQueue queue = queues.computeIfAbsent(key(hart, task.mm, uaddr), k -> new WaitQueue());
    synchronized (queue) {
      if (memory.getIntVolatile(pa) != expected) {
        throw SyscallError.of(Errno.EAGAIN);
      }
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
    WaitQueue queue = queues.get(key(hart, mm, uaddr));
    if (queue == null || max <= 0) {
      return 0;
    }
    List<Sleeper> woken;
    synchronized (queue) {
      woken = queue.take(max);
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
