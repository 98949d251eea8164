package hartlab.kernel.mm;

import hartlab.cpu.Hart;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;

/**
 * Taking and releasing an mm's {@link MmapLock}, in the two ways the kernel may wait for it: a task
 * about to start a syscall or retry a faulting instruction sleeps until the holder lets go (then
 * runs again from the start); a kernel path already in the middle of a syscall, which may have done
 * things it cannot undo, spins for it, serving IPIs while it does.
 */
public final class MmapLocking {
  private final Waits waits;
  private final Ipis ipis;
  private final Counters counters;

  public MmapLocking(Waits waits, Ipis ipis, Counters counters) {
    this.waits = waits;
    this.ipis = ipis;
    this.counters = counters;
  }

  /**
   * Takes the mmap lock of {@code mm} for the task running on {@code hart}, or puts that task to
   * sleep until it is released (then its syscall or faulting instruction runs again). True if
   * taken. The retry and the queueing happen under the lock's monitor, which its release also takes
   * before waking.
   */
  public boolean lockOrSleep(Hart hart, Mm mm, boolean write) {
    if (mm.mmapLock.tryLock(write)) {
      waitedUntilFree(hart, mm.mmapLock, write);
      return true;
    }
    synchronized (mm.mmapLock) {
      if (mm.mmapLock.tryLock(write)) {
        waitedUntilFree(hart, mm.mmapLock, write);
        return true;
      }
      waits.sleepUninterruptible(hart, mm.mmapLock.waiters(), true);
      return false;
    }
  }

  /** Takes the mmap lock by spinning, for kernel paths already inside a syscall. */
  public void lockSpinning(Hart hart, Mm mm, boolean write) {
    MmapLock lock = mm.mmapLock;
    while (!lock.tryLock(write)) {
      ipis.spinUntil(hart, () -> lock.couldLock(write), () -> lock.freeAt(write));
    }
    waitedUntilFree(hart, lock, write);
  }

  /**
   * The lock is taken: a taker whose clock is behind the lock's last release waited (spinning)
   * until then, and the acquire is an atomic on the lock's line.
   */
  private void waitedUntilFree(Hart hart, MmapLock lock, boolean write) {
    long free = lock.freeAt(write);
    if (hart.cycles() < free) {
      hart.setCycles(free);
    }
    atomic(hart, lock);
  }

  private void atomic(Hart hart, MmapLock lock) {
    if (!lock.line.atomic(hart)) {
      counters.hart(hart.id()).add(Counter.REMOTE_ATOMICS);
    }
  }

  /** Releases the lock on {@code hart}'s thread; sleepers wake, spinners may take it, from now. */
  public void unlock(Hart hart, Mm mm, boolean write) {
    if (write) {
      mm.mmLockSeq++; // vma_end_write_all: every area this writer locked is unlocked
    }
    atomic(hart, mm.mmapLock);
    for (Sleeper t : mm.mmapLock.release(write, hart.cycles())) {
      waits.wake(t, Waits.RESTART);
    }
  }
}
