package hartlab.kernel.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Wait queues: oldest first, bounded takes, removal by the waker, safe across threads. */
class WaitQueueTest {
  /** A sleeper that is nothing but a name. */
  private record Named(String name) implements Sleeper {
    @Override
    public long syscallProgress() {
      return 0;
    }

    @Override
    public void setSyscallProgress(long done) {}

    @Override
    public long awaited() {
      return 0;
    }

    @Override
    public long awaitedSince() {
      return 0;
    }

    @Override
    public void setAwaited(long event, long since) {}
  }

  @Test
  void takeHandsOutTheOldestFirstAndAtMostTheNumberAsked() {
    WaitQueue q = new WaitQueue();
    assertTrue(q.isEmpty());
    Named a = new Named("a"), b = new Named("b"), c = new Named("c");
    q.add(a);
    q.add(b);
    q.add(c);
    assertFalse(q.isEmpty());
    assertEquals(List.of(), q.take(0));
    assertEquals(List.of(a, b), q.take(2));
    assertEquals(List.of(c), q.take(5));
    assertTrue(q.isEmpty());
    assertEquals(List.of(), q.take(1));
  }

  @Test
  void removeTakesOutOneSleeperAndSaysWhetherItWasThere() {
    WaitQueue q = new WaitQueue();
    Named a = new Named("a"), b = new Named("b");
    q.add(a);
    q.add(b);
    assertTrue(q.remove(a));
    assertFalse(q.remove(a), "already gone: a second waker loses");
    assertEquals(List.of(b), q.take(Integer.MAX_VALUE));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void concurrentAddsAndTakesLoseNobodyAndDuplicateNobody() throws Exception {
    WaitQueue q = new WaitQueue();
    int producers = 4, each = 5_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int id = p;
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < each; i++) {
                  q.add(new Named(id + ":" + i));
                }
              });
      threads.add(t);
      t.start();
    }
    Set<Sleeper> taken = new HashSet<>();
    start.countDown();
    while (taken.size() < producers * each) {
      for (Sleeper s : q.take(7)) {
        assertTrue(taken.add(s), "taken twice: " + s);
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(q.isEmpty());
  }
}
