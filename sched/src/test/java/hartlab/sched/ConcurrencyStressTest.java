package hartlab.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Host threads acting as harts hammer one scheduler in parallel mode. Each task is run by at most
 * one "hart" at a time: an ownership flag taken at pick and released before the task is handed back
 * catches a double pick. Masks only change while a thread holds a task exclusively (blocked and
 * taken from the sleeping pool, or just dequeued), so the mask seen at pick time is exact.
 */
class ConcurrencyStressTest {
  private static final long JOIN_TIMEOUT_MS = 120_000;

  @ParameterizedTest
  @EnumSource(Policy.class)
  void hartsHammeringOneSchedulerNeverDoublePickLoseOrMisplaceATask(Policy p) throws Exception {
    int harts = 6;
    int nTasks = 40;
    int iterations = 150_000;
    long all = (1L << harts) - 1;
    Scheduler<TestTask> s =
        new Scheduler<>(p, harts, new SchedConfig(200_000, 50_000, 100_000, 2, 100_000));
    Random setup = new Random(7);
    List<TestTask> tasks = new ArrayList<>();
    ConcurrentLinkedQueue<TestTask> sleeping = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < nTasks; i++) {
      TestTask t = new TestTask(i, setup.nextInt(40) - 20);
      t.se.setAffinity(randomMask(setup, all, harts));
      tasks.add(t);
      if (i % 2 == 0) {
        s.wake(t, -1, 0);
      } else {
        sleeping.add(t);
      }
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong picks = new AtomicLong();
    AtomicLong dequeues = new AtomicLong();

    Thread[] threads = new Thread[harts];
    for (int h = 0; h < harts; h++) {
      int hart = h;
      threads[h] =
          new Thread(
              () -> {
                Random r = new Random(1000 + hart);
                long now = 0;
                long switchedIn = 0;
                TestTask cur = null;
                try {
                  for (int i = 0; i < iterations && failure.get() == null; i++) {
                    now += 1 + r.nextInt(50_000);
                    if (cur == null) {
                      if (r.nextInt(3) == 0) {
                        TestTask t = sleeping.poll();
                        if (t != null) {
                          if (r.nextInt(4) == 0) {
                            t.se.setAffinity(randomMask(r, all, harts));
                          }
                          s.wake(t, hart, now);
                        }
                      }
                      TestTask t = s.pickNext(hart, now);
                      if (t == null) {
                        s.tick(hart, null, 0, now);
                        continue;
                      }
                      if (!t.owned.compareAndSet(false, true)) {
                        throw new AssertionError(
                            t + " picked on hart " + hart + " while running elsewhere");
                      }
                      if ((t.se.affinity() >>> hart & 1) == 0) {
                        throw new AssertionError(
                            t
                                + " picked on hart "
                                + hart
                                + " outside mask 0x"
                                + Long.toHexString(t.se.affinity()));
                      }
                      picks.incrementAndGet();
                      cur = t;
                      switchedIn = now;
                      continue;
                    }
                    long ran = now - switchedIn;
                    int op = r.nextInt(10);
                    if (op < 5) {
                      if (s.tick(hart, cur, ran, now)) {
                        cur.owned.set(false); // released before it can be picked again
                        s.requeue(cur, hart, ran, now, false);
                        cur = null;
                      }
                    } else if (op == 5) {
                      cur.owned.set(false);
                      s.requeue(cur, hart, ran, now, true);
                      cur = null;
                    } else if (op < 8) {
                      s.block(cur, hart, ran);
                      cur.owned.set(false);
                      sleeping.add(cur);
                      cur = null;
                    } else if (op == 8) {
                      TestTask t = sleeping.poll();
                      if (t != null) {
                        int where = s.wake(t, hart, now);
                        s.shouldPreemptFor(where, where == hart ? cur : null, t);
                      }
                    } else {
                      // sched_setaffinity on some task: dequeue, new mask, wake
                      TestTask t = tasks.get(r.nextInt(nTasks));
                      if (s.dequeue(t)) {
                        dequeues.incrementAndGet();
                        t.se.setAffinity(randomMask(r, all, harts));
                        s.wake(t, hart, now);
                      }
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                } finally {
                  if (cur != null) {
                    try {
                      s.block(cur, hart, now - switchedIn);
                      cur.owned.set(false);
                      sleeping.add(cur);
                    } catch (Throwable e) {
                      failure.compareAndSet(null, e);
                    }
                  }
                }
              },
              "hart-" + h);
      threads[h].setDaemon(true);
    }
    for (Thread t : threads) {
      t.start();
    }
    for (Thread t : threads) {
      t.join(JOIN_TIMEOUT_MS);
      if (t.isAlive()) {
        fail(t.getName() + " still running after " + JOIN_TIMEOUT_MS + " ms: deadlock or livelock");
      }
    }
    if (failure.get() != null) {
      throw new AssertionError("a hart thread failed", failure.get());
    }

    // Accounting: every task is either in the sleeping pool or queued exactly once.
    Set<TestTask> seen = new HashSet<>();
    for (TestTask t : sleeping) {
      assertTrue(seen.add(t), t + " twice in the sleeping pool");
      assertFalse(t.se.isQueued(), t + " both sleeping and queued");
    }
    int queued = 0;
    for (int h = 0; h < harts; h++) {
      queued += s.queueLength(h);
    }
    for (int h = 0; h < harts; h++) {
      for (TestTask t; (t = s.pickNext(h, Long.MAX_VALUE / 2)) != null; ) {
        assertTrue(seen.add(t), t + " both queued and sleeping, or queued twice");
        assertTrue((t.se.affinity() >>> h & 1) != 0);
        assertFalse(t.owned.get());
        s.block(t, h, 0);
      }
    }
    assertEquals(nTasks, seen.size(), "tasks lost");
    assertEquals(nTasks - sleeping.size(), queued);
    SchedStats st = s.stats();
    assertTrue(picks.get() > 10_000, "too few picks: " + picks);
    assertTrue(st.migrations() > 0 && st.idlePulls() > 0 && st.balancePulls() > 0, st.toString());
    assertTrue(dequeues.get() > 0);
  }

  /**
   * The sleeper/waker race, as a strict handshake: the waker posts one unit of work, wakes the
   * sleeper, and waits until it is consumed; the sleeper consumes whatever is posted and blocks.
   * Right after a consumption the waker's next wake-up often lands before the sleeper's block: that
   * wake-up must keep the task runnable, or the handshake stalls.
   */
  @ParameterizedTest
  @EnumSource(Policy.class)
  void wakeRacingWithBlockIsNeverLost(Policy p) throws Exception {
    Scheduler<TestTask> s = new Scheduler<>(p, 2, SchedConfig.defaults());
    TestTask task = new TestTask(1);
    task.se.setAffinity(1); // hart 0 only: the sleeper thread is the only one that runs it
    int posts = 20_000;
    long stallNanos = 5_000_000_000L;
    AtomicInteger pending = new AtomicInteger();
    AtomicLong consumed = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    s.wake(task, -1, 0);

    Thread sleeper =
        new Thread(
            () -> {
              try {
                long now = 0;
                while (consumed.get() < posts && failure.get() == null) {
                  now++;
                  TestTask t = s.pickNext(0, now);
                  if (t == null) {
                    Thread.yield(); // the host may have fewer cores than threads
                    continue;
                  }
                  consumed.addAndGet(pending.getAndSet(0));
                  // Kernel work between deciding to sleep and block(): widens the window in
                  // which the waker's next wake-up finds the task still running.
                  Thread.yield();
                  s.block(t, 0, 1);
                }
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            },
            "sleeper");
    Thread waker =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < posts && failure.get() == null; i++) {
                  pending.incrementAndGet();
                  if (s.wake(task, 1, i) != 0) {
                    throw new AssertionError("task pinned to hart 0 woken elsewhere");
                  }
                  long deadline = System.nanoTime() + stallNanos;
                  while (consumed.get() <= i) {
                    if (System.nanoTime() > deadline) {
                      throw new AssertionError(
                          "wake-up " + i + " lost: the sleeper never ran again");
                    }
                    Thread.yield(); // the host may have fewer cores than threads
                  }
                }
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            },
            "waker");
    for (Thread t : List.of(sleeper, waker)) {
      t.setDaemon(true);
      t.start();
    }
    for (Thread t : List.of(waker, sleeper)) {
      t.join(JOIN_TIMEOUT_MS);
      if (t.isAlive()) {
        fail(t.getName() + " still running after " + JOIN_TIMEOUT_MS + " ms");
      }
    }
    if (failure.get() != null) {
      throw new AssertionError("a thread failed", failure.get());
    }
    assertEquals(posts, consumed.get());
  }

  private static long randomMask(Random r, long all, int harts) {
    if (r.nextInt(3) == 0) {
      return 1L << r.nextInt(harts);
    }
    long m;
    do {
      m = r.nextLong() & all;
    } while (m == 0);
    return m;
  }
}
