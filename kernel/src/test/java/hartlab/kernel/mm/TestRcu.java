package hartlab.kernel.mm;

import hartlab.cpu.Hart;
import hartlab.kernel.rcu.Rcu;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A test double of {@link Rcu} for unit tests of the lockless structures, on host threads that
 * stand for harts. Readers count their nesting; each outermost unlock moves the hart's epoch on. A
 * callback queued by the (single) writer runs at its next {@link #poll} once every hart that was
 * reading when it was queued has left that section. {@code broken}: callbacks run at once, as if
 * there were no grace period (the negative control).
 */
final class TestRcu implements Rcu {
  private final AtomicLongArray nesting;
  private final AtomicLongArray epoch;
  private final boolean broken;
  private final List<Pending> pending = new ArrayList<>();

  private record Pending(long[] nesting, long[] epoch, Runnable callback) {}

  TestRcu(int harts, boolean broken) {
    this.nesting = new AtomicLongArray(harts);
    this.epoch = new AtomicLongArray(harts);
    this.broken = broken;
  }

  @Override
  public void readLock(int hart) {
    nesting.incrementAndGet(hart); // a full fence: the root is read after this is visible
  }

  @Override
  public void readUnlock(int hart) {
    if (nesting.decrementAndGet(hart) == 0) {
      epoch.incrementAndGet(hart);
    }
  }

  @Override
  public boolean isReading(int hart) {
    return nesting.get(hart) > 0;
  }

  /** Writer's thread only. */
  @Override
  public void callRcu(int hart, Runnable callback) {
    if (broken) {
      callback.run();
      return;
    }
    VarHandle.fullFence(); // the new root's publication comes before reading who reads
    int n = nesting.length();
    long[] nest = new long[n];
    long[] ep = new long[n];
    for (int h = 0; h < n; h++) {
      ep[h] = epoch.get(h);
      nest[h] = nesting.get(h);
    }
    pending.add(new Pending(nest, ep, callback));
  }

  /** Runs the callbacks whose grace period has ended; the writer's thread. */
  void poll() {
    pending.removeIf(
        p -> {
          for (int h = 0; h < p.nesting.length; h++) {
            if (p.nesting[h] > 0 && epoch.get(h) == p.epoch[h]) {
              return false;
            }
          }
          p.callback.run();
          return true;
        });
  }

  @Override
  public long synchronize(Hart hart) {
    throw new UnsupportedOperationException("TestRcu.synchronize");
  }

  @Override
  public long synchronizeExpedited(Hart hart) {
    throw new UnsupportedOperationException("TestRcu.synchronizeExpedited");
  }

  @Override
  public long barrier(Hart hart) {
    throw new UnsupportedOperationException("TestRcu.barrier");
  }
}
