package hartlab.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Wake-up placement, affinity, idle pull, balancing, and the run-state protocol: both policies. */
class PlacementTest {
  private static final SchedConfig NO_BALANCE =
      new SchedConfig(4_000_000, 750_000, 1_000_000, 0, 500_000);
  private static final SchedConfig BALANCE_4 =
      new SchedConfig(4_000_000, 750_000, 1_000_000, 4, 500_000);

  private int nextId = 1;

  private TestTask task() {
    return new TestTask(nextId++);
  }

  private TestTask pinned(int hart) {
    TestTask t = task();
    t.se.setAffinity(1L << hart);
    return t;
  }

  /** A task that is running on `hart` (pinned there while it was placed). */
  private TestTask runningOn(Scheduler<TestTask> s, int hart) {
    TestTask t = pinned(hart);
    assertEquals(hart, s.wake(t, -1, 0));
    assertEquals(0, s.queueLength(hart) - 1, "helper expects an empty queue on " + hart);
    assertSame(t, s.pickNext(hart, 0));
    return t;
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void newTasksGoToTheLeastLoadedAllowedHartLowestIndexFirst(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 4, NO_BALANCE);
    List<Integer> harts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      harts.add(s.wake(task(), -1, 0));
    }
    assertEquals(List.of(0, 1, 2, 3, 0, 1), harts);
    TestTask odd = task();
    odd.se.setAffinity(0b1010);
    assertEquals(3, s.wake(odd, 0, 0), "hart 1 has 2 tasks, hart 3 has 1");
    assertTrue(odd.se.isQueued());
    assertEquals(7, s.stats().wakeups());
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void wokenTaskPrefersItsPreviousHartUnlessMuchBusierOrAnotherIsIdle(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 3, NO_BALANCE);
    TestTask x = task();
    assertEquals(0, s.wake(x, -1, 0));
    assertSame(x, s.pickNext(0, 0));
    s.block(x, 0, 1000);
    assertEquals(0, x.se.lastHart());

    // Every hart busy with one task: x goes home.
    runningOn(s, 0);
    runningOn(s, 1);
    runningOn(s, 2);
    assertEquals(0, s.wake(x, 1, 10));
    assertTrue(s.dequeue(x));
    // Home has one more task than the least loaded: still home.
    TestTask extra = pinned(0);
    s.wake(extra, 1, 10);
    assertEquals(0, s.wake(x, 1, 10));
    assertTrue(s.dequeue(x));
    // Two more: too busy, the least loaded allowed hart (lowest index) gets it.
    s.wake(pinned(0), 1, 10);
    assertEquals(1, s.wake(x, 1, 10));
    assertTrue(s.dequeue(x));
    // Home not allowed any more: the least loaded allowed one.
    x.se.setAffinity(0b101);
    assertEquals(2, s.wake(x, 1, 10));
    assertTrue(s.dequeue(x));

    // An idle hart beats a busy home.
    Scheduler<TestTask> t = new Scheduler<>(p, 2, NO_BALANCE);
    TestTask y = task();
    t.wake(y, -1, 0);
    assertSame(y, t.pickNext(0, 0));
    t.block(y, 0, 1000);
    runningOn(t, 0);
    assertEquals(1, t.wake(y, 0, 10), "hart 1 idle, home 0 busy");
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void maskWithoutAnExistingHartIsRejected(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 4, NO_BALANCE);
    TestTask t = task();
    t.se.setAffinity(1L << 5);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.wake(t, 0, 0));
    assertTrue(
        e.getMessage().contains("task " + t.id()) && e.getMessage().contains("0x20"),
        e.getMessage());
    assertFalse(t.se.isQueued());
    t.se.setAffinity((1L << 5) | (1L << 3));
    assertEquals(3, s.wake(t, 0, 0));
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void idleHartPullsFromTheBusiestAndCountsTheMigration(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 3, NO_BALANCE);
    TestTask a = pinned(0);
    TestTask b = pinned(0);
    TestTask c = pinned(1);
    TestTask d = pinned(1);
    TestTask e = pinned(1);
    for (TestTask t : List.of(a, b, c, d, e)) {
      s.wake(t, -1, 0);
    }
    // b ran on hart 0 long ago: cold.
    assertSame(a, s.pickNext(0, 0));
    s.requeue(a, 0, 100, 100, true);
    assertSame(b, s.pickNext(0, 100));
    s.requeue(b, 0, 100, 200, true);
    for (TestTask t : List.of(a, b, c, d, e)) {
      t.se.setAffinity(0b111 & ~(t == d ? 0b100L : 0)); // d may not go to hart 2
    }
    // Hart 1 (3 waiting) is busier than hart 0 (2 waiting); its back is e.
    assertSame(e, s.pickNext(2, 10_000_000));
    // Now both have 2 waiting; lowest index: hart 0, whose back is b.
    s.block(e, 2, 0);
    assertSame(b, s.pickNext(2, 10_000_000));
    assertEquals(2, s.stats().idlePulls());
    assertEquals(1, s.stats().migrations(), "b last ran on 0; e never ran");
    assertEquals(2, b.se.lastHart());
    s.block(b, 2, 0);
    // Hart 1: c and d waiting, d not allowed on 2: c.
    assertSame(c, s.pickNext(2, 10_000_000));
    s.block(c, 2, 0);
    assertSame(a, s.pickNext(2, 10_000_000));
    s.block(a, 2, 0);
    assertNull(s.pickNext(2, 10_000_000), "only d is left, and it may not run on 2");
    assertEquals(1, s.queueLength(1));
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void periodicBalancePullsWhileImbalancedAndHonoursAffinity(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 2, BALANCE_4);
    TestTask busy = pinned(0);
    List<TestTask> waiting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      waiting.add(pinned(0));
    }
    s.wake(busy, -1, 0);
    waiting.forEach(t -> s.wake(t, -1, 0));
    assertSame(busy, s.pickNext(0, 0));
    for (int i = 1; i < 4; i++) {
      waiting.get(i).se.setAffinity(0b11); // waiting[0] stays pinned to 0
    }
    TestTask other = runningOn(s, 1);
    // Hart 0: 5 tasks, hart 1: 1.
    for (int i = 1; i <= 3; i++) {
      assertFalse(s.tick(1, other, i * 1000, i * 1000));
      assertEquals(0, s.queueLength(1), "no balancing before the 4th tick");
    }
    s.tick(1, other, 4000, 4000);
    assertEquals(2, s.stats().balancePulls(), "5:1 -> 4:2 -> 3:3");
    assertEquals(2, s.queueLength(0));
    assertEquals(2, s.queueLength(1));
    assertTrue(waiting.get(0).se.isQueued());
    Set<TestTask> onOne = new HashSet<>();
    s.block(other, 1, 4000);
    for (int i = 0; i < 2; i++) {
      TestTask t = s.pickNext(1, 5000);
      onOne.add(t);
      s.block(t, 1, 0);
    }
    assertFalse(onOne.contains(waiting.get(0)));
    assertEquals(0, s.stats().migrations(), "pulled tasks had never run");
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void idleTickBalancesAndAsksForAPick(Policy p) {
    Scheduler<TestTask> s =
        new Scheduler<>(p, 2, new SchedConfig(4_000_000, 750_000, 1_000_000, 1, 0));
    runningOn(s, 0);
    TestTask w1 = pinned(0);
    TestTask w2 = pinned(0);
    s.wake(w1, -1, 0);
    s.wake(w2, -1, 0);
    assertFalse(s.tick(1, null, 0, 10), "pinned: nothing to pull");
    w2.se.setAffinity(0b11);
    assertTrue(s.tick(1, null, 0, 20), "pulled w2: hart 1 should pick");
    assertSame(w2, s.pickNext(1, 20));
    assertEquals(1, s.stats().balancePulls());
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void wakeWhileStillRunningIsNotLost(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 2, NO_BALANCE);
    TestTask t = task();
    s.wake(t, -1, 0);
    assertSame(t, s.pickNext(0, 0));
    assertEquals(0, s.wake(t, 1, 5), "running on 0: the wake-up is remembered");
    assertEquals(0, s.queueLength(0));
    s.block(t, 0, 10);
    assertTrue(t.se.isQueued(), "a wake-up arrived before block: stays runnable");
    assertEquals(0, s.wake(t, 1, 20), "already queued: no-op");
    assertEquals(1, s.queueLength(0));
    assertSame(t, s.pickNext(0, 20));
    s.block(t, 0, 10);
    assertFalse(t.se.isQueued(), "no wake-up pending this time");
    assertEquals(1, s.stats().wakeups());
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void dequeueRemovesOnlyWaitingTasks(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 1, NO_BALANCE);
    TestTask a = task();
    TestTask b = task();
    assertFalse(s.dequeue(a), "never woken");
    s.wake(a, -1, 0);
    s.wake(b, -1, 0);
    assertSame(a, s.pickNext(0, 0));
    assertFalse(s.dequeue(a), "running");
    assertTrue(s.dequeue(b));
    assertFalse(s.dequeue(b));
    assertEquals(0, s.queueLength(0));
    s.block(a, 0, 0);
    assertNull(s.pickNext(0, 0));
    assertEquals(0, s.wake(b, 0, 0));
    assertSame(b, s.pickNext(0, 0));
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void affinityChangeMovesTasksAtTheirNextStop(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 3, NO_BALANCE);
    TestTask running = runningOn(s, 0);
    TestTask queued = pinned(0);
    s.wake(queued, -1, 0);
    running.se.setAffinity(1L << 2);
    s.requeue(running, 0, 1000, 1000, false);
    assertEquals(1, s.queueLength(2), "requeue put it on an allowed hart");
    // Queued on 0, then the mask changed without a dequeue: pickNext(0) must not run it.
    queued.se.setAffinity(1L << 1);
    assertNull(s.pickNext(0, 2000));
    assertEquals(1, s.queueLength(1), "moved on to hart 1");
    assertSame(queued, s.pickNext(1, 2000));
    assertSame(running, s.pickNext(2, 2000));
    assertEquals(1, s.stats().migrations());
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void stealingPrefersACacheColdTask(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 2, NO_BALANCE);
    TestTask cold = pinned(0);
    TestTask hot = pinned(0);
    s.wake(cold, -1, 0);
    s.wake(hot, -1, 0);
    assertSame(cold, s.pickNext(0, 0));
    s.requeue(cold, 0, 100, 100, true);
    assertSame(hot, s.pickNext(0, 100));
    s.requeue(hot, 0, 1_000_000, 1_000_100, true); // back of the queue, stopped just now
    cold.se.setAffinity(0b11);
    hot.se.setAffinity(0b11);
    // 0.5 ms migration cost: at 1.2 ms, hot stopped 0.1 ms ago, cold 1.1 ms ago.
    assertSame(cold, s.pickNext(1, 1_200_000));
    s.block(cold, 1, 0);
    assertSame(hot, s.pickNext(1, 1_200_000), "hot, but the only candidate");
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void exitDropsARacingWakeAndLaterWakes(Policy p) {
    Scheduler<TestTask> s = new Scheduler<>(p, 2, NO_BALANCE);
    TestTask t = task();
    s.wake(t, -1, 0);
    assertSame(t, s.pickNext(0, 0));
    assertEquals(0, s.wake(t, 1, 5), "wake-up pending while it runs");
    s.exit(t, 0, 10);
    assertFalse(t.se.isQueued());
    assertEquals(10, t.se.vruntime() - 0, "charged");
    assertEquals(-1, s.wake(t, 1, 20), "exited: not woken");
    assertFalse(s.dequeue(t));
    assertNull(s.pickNext(0, 20));
    assertNull(s.pickNext(1, 20));
    assertThrows(IllegalStateException.class, () -> s.block(t, 0, 0));
  }
}
