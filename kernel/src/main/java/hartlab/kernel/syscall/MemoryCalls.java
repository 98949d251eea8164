package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Madvise;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.Mmap;
import hartlab.kernel.mm.MmapLocking;
import hartlab.kernel.mm.Mprotect;
import hartlab.kernel.mm.Mremap;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.Waits;
import java.util.function.LongSupplier;

/** Address-space calls, each under the mmap lock held for writing: brk, mmap, munmap, ... */
final class MemoryCalls {
  private final MmapLocking locking;
  private final Mmap mmap;
  private final Mprotect mprotect;
  private final Mremap mremap;
  private final Madvise madvise;

  MemoryCalls(MmapLocking locking, Mmap mmap, Mprotect mprotect, Mremap mremap, Madvise madvise) {
    this.locking = locking;
    this.mmap = mmap;
    this.mprotect = mprotect;
    this.mremap = mremap;
    this.madvise = madvise;
  }

  long brk(Hart h, Task t) {
    return locked(h, t, () -> mmap.brk(h, t.mm, arg(h, 0)));
  }

  long mmap(Hart h, Task t) {
    return locked(
        h,
        t,
        () ->
            mmap.mmap(
                h,
                t.mm,
                arg(h, 0),
                arg(h, 1),
                (int) arg(h, 2),
                (int) arg(h, 3),
                (int) arg(h, 4),
                arg(h, 5)));
  }

  /**
   * munmap; with the sync-rcu scheme it then waits for a grace period, without the mmap lock. A
   * call that slept for it runs again with its unmapping marked done (syscall progress 1).
   */
  long munmap(Hart h, Task t) {
    if (t.syscallProgress() == 0) {
      long r = locked(h, t, () -> mmap.munmap(h, t.mm, arg(h, 0), arg(h, 1)));
      if (r != 0 || !mmap.munmapWaitsForGracePeriod()) {
        return r;
      }
      t.setSyscallProgress(1);
    }
    return mmap.synchronizeAfterMunmap(h);
  }

  long mprotect(Hart h, Task t) {
    return locked(h, t, () -> mprotect.mprotect(h, t.mm, arg(h, 0), arg(h, 1), (int) arg(h, 2)));
  }

  long mremap(Hart h, Task t) {
    return locked(
        h,
        t,
        () -> mremap.mremap(h, t.mm, arg(h, 0), arg(h, 1), arg(h, 2), (int) arg(h, 3), arg(h, 4)));
  }

  long madvise(Hart h, Task t) {
    return locked(h, t, () -> madvise.madvise(h, t.mm, arg(h, 0), arg(h, 1), (int) arg(h, 2)));
  }

  /**
   * Runs an mm-changing call under the mmap lock held for writing, sleeping first if it is taken.
   */
  private long locked(Hart hart, Task task, LongSupplier call) {
    Mm mm = task.mm;
    if (!locking.lockOrSleep(hart, mm, true)) {
      return Waits.BLOCKED;
    }
    try {
      return call.getAsLong();
    } finally {
      locking.unlock(hart, mm, true);
    }
  }
}
