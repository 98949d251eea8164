package hartlab.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FairTest {
  private static final long MS = 1_000_000;
  private static final SchedConfig CONFIG = new SchedConfig(4 * MS, 750_000, MS, 0, 500_000);

  private final Scheduler<TestTask> s = new Scheduler<>(Policy.FAIR, 1, CONFIG);

  /** Run t on hart 0 for `ran` cycles from `now`, then requeue it. */
  private void run(TestTask t, long now, long ran) {
    assertEquals(t, s.pickNext(0, now));
    s.requeue(t, 0, ran, now + ran, false);
  }

  @Test
  void picksSmallestVruntimeThenLowestId() {
    TestTask a = new TestTask(1);
    TestTask b = new TestTask(2);
    TestTask c = new TestTask(3);
    for (TestTask t : List.of(c, b, a)) {
      s.wake(t, -1, 0);
    }
    run(a, 0, 3 * MS); // all start at 0: id breaks the tie
    run(b, 3 * MS, MS);
    assertEquals(0, c.se.vruntime());
    assertEquals(c, s.pickNext(0, 4 * MS));
    s.requeue(c, 0, 2 * MS, 6 * MS, false);
    // vruntimes now: a 3ms, b 1ms, c 2ms
    assertEquals(b, s.pickNext(0, 6 * MS));
    s.block(b, 0, 0);
    assertEquals(c, s.pickNext(0, 6 * MS));
    s.block(c, 0, 0);
    assertEquals(a, s.pickNext(0, 6 * MS));
  }

  @Test
  void niceWeightsDecideTheShares() {
    TestTask a = new TestTask(1, 0);
    TestTask b = new TestTask(2, 0);
    TestTask c = new TestTask(3, 5);
    for (TestTask t : List.of(a, b, c)) {
      s.wake(t, -1, 0);
    }
    Map<TestTask, Long> got = new HashMap<>();
    long tickPeriod = 250_000;
    long now = 0;
    long ran = 0;
    TestTask cur = s.pickNext(0, now);
    for (int i = 0; i < 40_000; i++) { // 10 s of virtual time
      now += tickPeriod;
      ran += tickPeriod;
      got.merge(cur, tickPeriod, Long::sum);
      if (s.tick(0, cur, ran, now)) {
        s.requeue(cur, 0, ran, now, false);
        cur = s.pickNext(0, now);
        ran = 0;
      }
    }
    double total = now;
    double wantNice0 = 1024.0 / (1024 + 1024 + 335);
    double wantNice5 = 335.0 / (1024 + 1024 + 335);
    assertEquals(wantNice0, got.get(a) / total, 0.01, "share of nice 0 task a");
    assertEquals(wantNice0, got.get(b) / total, 0.01, "share of nice 0 task b");
    assertEquals(wantNice5, got.get(c) / total, 0.01, "share of nice 5 task c");
    assertEquals(335.0 / 1024, (double) got.get(c) / got.get(a), 0.03, "weight ratio");
    assertTrue(s.stats().preemptions() > 1000);
  }

  @Test
  void vruntimeIsWeighted() {
    TestTask light = new TestTask(1, 5);
    s.wake(light, -1, 0);
    run(light, 0, 335_000);
    assertEquals(1_024_000, light.se.vruntime());
  }

  @Test
  void sleeperCreditIsBounded() {
    TestTask sleeper = new TestTask(1);
    TestTask hog = new TestTask(2);
    s.wake(sleeper, -1, 0);
    s.wake(hog, -1, 0);
    assertEquals(sleeper, s.pickNext(0, 0));
    s.block(sleeper, 0, MS);
    long now = MS;
    for (int i = 0; i < 100; i++) { // hog runs alone for 100 ms
      run(hog, now, MS);
      now += MS;
    }
    long minVruntime = hog.se.vruntime(); // hog alone: min_vruntime follows it
    s.wake(sleeper, 0, now);
    long credit = CONFIG.wakeupGranularityCycles() / 2;
    assertEquals(minVruntime - credit, sleeper.se.vruntime(), "long sleep: credit capped");

    // ... so the sleeper gets the CPU back, but not for long.
    assertEquals(sleeper, s.pickNext(0, now));
    long ran = 0;
    while (!s.tick(0, sleeper, ran, now + ran)) {
      ran += 100_000;
      assertTrue(ran < 10 * MS, "sleeper monopolises the hart");
    }
    assertTrue(ran <= credit + 4 * MS, "ran " + ran);
    s.block(sleeper, 0, ran);

    // A short sleep keeps its own (larger) vruntime: no credit beyond what it had.
    long own = sleeper.se.vruntime();
    s.wake(sleeper, 0, now + ran);
    assertEquals(own, sleeper.se.vruntime());
  }

  @Test
  void newTaskStartsAtMinVruntime() {
    TestTask old = new TestTask(1);
    s.wake(old, -1, 0);
    run(old, 0, 50 * MS);
    TestTask fresh = new TestTask(2);
    s.wake(fresh, -1, 50 * MS);
    assertEquals(old.se.vruntime(), fresh.se.vruntime());
  }

  @Test
  void wakeupPreemptionNeedsMoreThanTheGranularity() {
    TestTask cur = new TestTask(1);
    TestTask level = new TestTask(2);
    TestTask sleeper = new TestTask(3);
    TestTask heavy = new TestTask(4, -5);
    for (TestTask t : List.of(cur, level, sleeper, heavy)) {
      s.wake(t, -1, 0);
    }
    for (TestTask t : List.of(level, sleeper, heavy)) {
      assertTrue(s.dequeue(t));
    }
    run(cur, 0, 10 * MS);
    assertEquals(cur, s.pickNext(0, 10 * MS)); // min_vruntime = 10 ms
    level.se.vruntime = 10 * MS; // ran as much as cur
    heavy.se.vruntime = 10 * MS;
    s.wake(level, 0, 10 * MS);
    s.wake(heavy, 0, 10 * MS);
    s.wake(sleeper, 0, 10 * MS); // never ran: gets the sleeper floor, 9.5 ms
    assertEquals(10 * MS - MS / 2, sleeper.se.vruntime());
    assertFalse(s.shouldPreemptFor(0, cur, sleeper), "0.5 ms behind: within the granularity");
    assertFalse(s.shouldPreemptFor(0, cur, level));

    // cur's vruntime is estimated from its last tick.
    assertFalse(s.tick(0, cur, 600_000, 10 * MS + 600_000), "below min granularity");
    assertTrue(s.shouldPreemptFor(0, cur, sleeper), "1.1 ms behind");
    assertFalse(s.shouldPreemptFor(0, cur, level), "0.6 ms behind");
    // The granularity is in the woken task's virtual time: a heavy task preempts sooner.
    assertTrue(s.shouldPreemptFor(0, cur, heavy), "0.6 ms > 1 ms * 1024 / 3121");
  }

  @Test
  void yieldGoesBehindEveryone() {
    TestTask a = new TestTask(1);
    TestTask b = new TestTask(2);
    TestTask c = new TestTask(3);
    for (TestTask t : List.of(a, b, c)) {
      s.wake(t, -1, 0);
    }
    assertEquals(a, s.pickNext(0, 0));
    s.requeue(a, 0, 0, 0, true);
    assertEquals(b, s.pickNext(0, 0));
    s.block(b, 0, 0);
    assertEquals(c, s.pickNext(0, 0));
    s.block(c, 0, 0);
    assertEquals(a, s.pickNext(0, 0));
  }
}
