package hartlab.kernel.smp;

import hartlab.cpu.Hart;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.agrona.concurrent.BackoffIdleStrategy;

/** Free-running harts: idle ones park until kicked, spinning waits back off. */
public final class ParallelTurns implements Turns {
  private final Thread[] threads;

  /** Hart-local: each hart's own backoff, reset whenever it gets past a wait. */
  private final BackoffIdleStrategy[] backoff;

  public ParallelTurns(int harts) {
    this.threads = new Thread[harts];
    this.backoff = new BackoffIdleStrategy[harts];
    for (int i = 0; i < harts; i++) {
      backoff[i] = new BackoffIdleStrategy(64, 16, 1_000, 100_000);
    }
  }

  @Override
  public void attach(int hart, Thread thread) {
    threads[hart] = thread;
  }

  @Override
  public void awaitTurn(Hart hart) {
    backoff[hart.id()].reset();
  }

  @Override
  public long runUntil(Hart hart) {
    return Long.MAX_VALUE;
  }

  @Override
  public void sync(Hart hart) {}

  @Override
  public void yieldTurn(Hart hart) {}

  @Override
  public void idle(Hart hart) {
    LockSupport.park(this);
  }

  @Override
  public void pause(Hart hart, BooleanSupplier ready, LongSupplier readyAt) {
    backoff[hart.id()].idle();
  }

  @Override
  public void kick(int target) {
    Thread t = threads[target];
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void stopAll() {
    for (int i = 0; i < threads.length; i++) {
      kick(i);
    }
  }
}
