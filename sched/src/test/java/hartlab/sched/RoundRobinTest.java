package hartlab.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
  private static final long SLICE = 4_000_000;

  private final Scheduler<TestTask> s =
      new Scheduler<>(Policy.RR, 1, new SchedConfig(SLICE, 750_000, 1_000_000, 0, 500_000));
  private final TestTask a = new TestTask(1);
  private final TestTask b = new TestTask(2);
  private final TestTask c = new TestTask(3);

  private void wakeAll() {
    for (TestTask t : List.of(a, b, c)) {
      assertEquals(0, s.wake(t, -1, 0));
    }
  }

  private List<TestTask> drain(long now) {
    List<TestTask> order = new ArrayList<>();
    for (TestTask t; (t = s.pickNext(0, now)) != null; ) {
      order.add(t);
      s.block(t, 0, 0);
    }
    return order;
  }

  @Test
  void firstInFirstOut() {
    wakeAll();
    assertEquals(3, s.queueLength(0));
    assertEquals(List.of(a, b, c), drain(0));
    assertNull(s.pickNext(0, 0));
  }

  @Test
  void sliceExpiryPreemptsOnlyWhenSomeoneWaitsAndGoesToTheBack() {
    wakeAll();
    TestTask cur = s.pickNext(0, 0);
    assertEquals(a, cur);
    assertFalse(s.tick(0, a, SLICE - 1, SLICE - 1), "slice not used up");
    assertTrue(s.tick(0, a, SLICE, SLICE), "slice used up, b and c waiting");
    s.requeue(a, 0, SLICE, SLICE, false);
    assertEquals(List.of(b, c, a), drain(SLICE));
    assertEquals(1, s.stats().preemptions());

    // Alone on the hart: never preempted by the tick.
    s.wake(a, -1, 0);
    assertEquals(a, s.pickNext(0, 0));
    assertFalse(s.tick(0, a, 10 * SLICE, 10 * SLICE));
  }

  @Test
  void yieldGoesBehindTheOthers() {
    wakeAll();
    assertEquals(a, s.pickNext(0, 0));
    s.requeue(a, 0, 1000, 1000, true);
    assertEquals(List.of(b, c, a), drain(1000));
    assertEquals(0, s.stats().preemptions(), "a yield is not a preemption");
  }

  @Test
  void earlyPreemptionKeepsTheFrontAndTheRestOfTheSlice() {
    wakeAll();
    assertEquals(a, s.pickNext(0, 0));
    s.requeue(a, 0, SLICE / 2, SLICE / 2, false);
    assertEquals(a, s.pickNext(0, SLICE / 2), "preempted early: back at the front");
    assertFalse(s.tick(0, a, SLICE / 2 - 1, SLICE - 1));
    assertTrue(s.tick(0, a, SLICE / 2, SLICE), "the two runs add up to one slice");
  }

  @Test
  void noWakeupPreemptionUnlessIdle() {
    wakeAll();
    assertEquals(a, s.pickNext(0, 0));
    assertFalse(s.shouldPreemptFor(0, a, b));
    assertTrue(s.shouldPreemptFor(0, null, b));
  }

  @Test
  void waitTimeIsRecorded() {
    wakeAll();
    assertEquals(a, s.pickNext(0, 100));
    s.requeue(a, 0, 900, 1000, true);
    assertEquals(b, s.pickNext(0, 5000));
    SchedStats st = s.stats();
    assertEquals(2, st.picks());
    assertEquals(3, st.wakeups());
    assertTrue(st.waitMax() >= 4995 && st.waitMax() <= 5010, "max " + st.waitMax());
    assertTrue(st.waitP50() <= 101, "p50 " + st.waitP50());
  }
}
