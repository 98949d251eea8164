package hartlab.kernel.mm;

import hartlab.kernel.smp.CacheLine;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.WaitQueue;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An mm's mmap_lock: many readers (page faults) or one writer (mmap, munmap, mprotect, brk, fork).
 *
 * <p>It never blocks a host thread. A task that cannot take it sleeps on {@link #waiters()} and its
 * syscall or faulting instruction restarts when the holder releases it ({@link
 * MmapLocking#lockOrSleep}). Holders never sleep while holding it (they may spin for IPI
 * acknowledgements, serving their own IPIs), so a kernel path already inside a syscall may also
 * spin for it.
 *
 * <p>State: {@code > 0} readers, {@code -1} one writer, {@code 0} free.
 */
public final class MmapLock {
  private final AtomicInteger state = new AtomicInteger();

  /** The cache line of the lock's count, which every acquire and release writes. */
  final CacheLine line = new CacheLine();

  private volatile long releasedAt;
  private volatile long writerReleasedAt;
  private final WaitQueue waiters = new WaitQueue();

  boolean tryRead() {
    for (; ; ) {
      int s = state.get();
      if (s < 0) {
        return false;
      }
      if (state.compareAndSet(s, s + 1)) {
        return true;
      }
    }
  }

  boolean tryWrite() {
    return state.compareAndSet(0, -1);
  }

  boolean tryLock(boolean write) {
    return write ? tryWrite() : tryRead();
  }

  /** Whether {@link #tryLock} would succeed now; no side effect, for spinning waiters. */
  boolean couldLock(boolean write) {
    int s = state.get();
    return write ? s == 0 : s >= 0;
  }

  /**
   * Virtual time from which a hold of this kind could begin: the last release of any hold for a
   * writer, the last writer's release for a reader. A taker whose clock is earlier waited until
   * then (the holder's work, done in one go on the host, spanned that much virtual time).
   */
  long freeAt(boolean write) {
    return write ? releasedAt : writerReleasedAt;
  }

  /** Tasks sleeping until the lock is released; added only under this lock's monitor. */
  WaitQueue waiters() {
    return waiters;
  }

  /** Releases a read or write hold at virtual time {@code now}; returns the tasks to wake. */
  List<Sleeper> release(boolean write, long now) {
    // Written by the holder, before the state change that lets the next taker in.
    if (now > releasedAt) {
      releasedAt = now;
    }
    if (write && now > writerReleasedAt) {
      writerReleasedAt = now;
    }
    if (write) {
      if (!state.compareAndSet(-1, 0)) {
        throw new IllegalStateException("MmapLock.release: not write-locked");
      }
    } else {
      int s;
      do {
        s = state.get();
        if (s <= 0) { // refuse without touching the state, so a writer's hold stays intact
          throw new IllegalStateException("MmapLock.release: not read-locked");
        }
      } while (!state.compareAndSet(s, s - 1));
    }
    synchronized (this) {
      return state.get() == 0 ? waiters.take(Integer.MAX_VALUE) : List.of();
    }
  }

  boolean isWriteLocked() {
    return state.get() < 0;
  }
}
