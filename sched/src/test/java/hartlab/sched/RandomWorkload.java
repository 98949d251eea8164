package hartlab.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A single-threaded, seeded random kernel driving a scheduler the way the harts would (in the
 * lockstep style: one call at a time), checking affinity on every pick and task accounting at the
 * end. Returns a trace of every decision the scheduler made.
 */
final class RandomWorkload {
  final Scheduler<TestTask> sched;
  private final int harts;
  private final TestTask[] tasks;
  private final Random rnd;
  private final TestTask[] current;
  private final long[] clock;
  private final long[] switchedIn;

  /** Blocked tasks, in a deterministic order. */
  private final List<TestTask> blocked = new ArrayList<>();

  private final List<TestTask> dead = new ArrayList<>();
  final List<String> trace = new ArrayList<>();
  int picks;

  RandomWorkload(Policy policy, int harts, int nTasks, long seed, SchedConfig config) {
    this.sched = new Scheduler<>(policy, harts, config);
    this.harts = harts;
    this.rnd = new Random(seed);
    this.tasks = new TestTask[nTasks];
    this.current = new TestTask[harts];
    this.clock = new long[harts];
    this.switchedIn = new long[harts];
    for (int i = 0; i < nTasks; i++) {
      tasks[i] = new TestTask(100 + i, rnd.nextInt(40) - 20);
      if (rnd.nextInt(3) == 0) {
        tasks[i].se.setAffinity(randomMask());
      }
      blocked.add(tasks[i]);
    }
  }

  private long randomMask() {
    long all = harts == 64 ? -1L : (1L << harts) - 1;
    long m;
    do {
      m = rnd.nextLong() & all;
    } while (m == 0);
    if (rnd.nextInt(4) == 0) {
      m = 1L << rnd.nextInt(harts); // pinned
    }
    return m;
  }

  RandomWorkload run(int ops) {
    for (int i = 0; i < ops; i++) {
      step();
    }
    checkAccounting();
    trace.add(sched.stats().toString());
    for (TestTask t : tasks) {
      trace.add(t + " v=" + t.se.vruntime() + " last=" + t.se.lastHart());
    }
    return this;
  }

  private void step() {
    int h = rnd.nextInt(harts);
    clock[h] += 1 + rnd.nextInt(400_000);
    long now = clock[h];
    TestTask cur = current[h];
    long ran = now - switchedIn[h];
    int op = rnd.nextInt(100);
    if (op < 25) {
      boolean resched = sched.tick(h, cur, cur == null ? 0 : ran, now);
      trace.add("tick " + h + " " + resched);
      if (resched && cur != null) {
        sched.requeue(cur, h, ran, now, false);
        current[h] = null;
      }
    } else if (op < 45) {
      if (cur == null) {
        TestTask t = sched.pickNext(h, now);
        trace.add("pick " + h + " " + t);
        if (t != null) {
          picks++;
          if ((t.se.affinity() >>> h & 1) == 0) {
            fail(
                t
                    + " picked on hart "
                    + h
                    + " outside its mask 0x"
                    + Long.toHexString(t.se.affinity()));
          }
          for (TestTask other : current) {
            assertFalse(other == t, t + " picked while running elsewhere");
          }
          assertEquals(h, t.se.lastHart());
          assertFalse(t.se.isQueued());
          current[h] = t;
          switchedIn[h] = now;
        }
      }
    } else if (op < 55) {
      if (cur != null) {
        sched.block(cur, h, ran);
        current[h] = null;
        blocked.add(cur);
      }
    } else if (op < 60) {
      if (cur != null) {
        sched.requeue(cur, h, ran, now, true);
        current[h] = null;
      }
    } else if (op < 61) {
      if (cur != null && rnd.nextInt(4) == 0 && dead.size() < tasks.length / 4) {
        if (rnd.nextBoolean()) {
          trace.add("early wake " + cur + " -> " + sched.wake(cur, h, now));
        }
        sched.exit(cur, h, ran);
        current[h] = null;
        dead.add(cur);
        assertEquals(-1, sched.wake(cur, h, now));
      }
    } else if (op < 75) {
      if (!blocked.isEmpty()) {
        TestTask t = blocked.remove(rnd.nextInt(blocked.size()));
        int where = sched.wake(t, h, now);
        trace.add("wake " + t + " -> " + where);
        assertTrue((t.se.affinity() >>> where & 1) != 0, t + " placed outside its mask");
        assertTrue(t.se.isQueued());
      }
    } else if (op < 85) {
      changeAffinity(h, now);
    } else if (op < 90) {
      TestTask t = tasks[rnd.nextInt(tasks.length)];
      trace.add("preempt? " + h + " " + sched.shouldPreemptFor(h, cur, t));
    } else if (op < 93) {
      // exit-like: a waiting task is taken off its queue
      TestTask t = tasks[rnd.nextInt(tasks.length)];
      if (sched.dequeue(t)) {
        blocked.add(t);
        trace.add("dequeue " + t);
      }
    } else {
      if (cur != null) {
        sched.requeue(cur, h, ran, now, false);
        current[h] = null;
      }
    }
  }

  /** sched_setaffinity on a random task, whatever its state. */
  private void changeAffinity(int h, long now) {
    TestTask t = tasks[rnd.nextInt(tasks.length)];
    t.se.setAffinity(randomMask());
    // A queued task: usually the kernel's dequeue + wake; sometimes not, which pickNext must cope
    // with. A running one moves at its next requeue; a blocked one at its next wake.
    if (rnd.nextBoolean() && sched.dequeue(t)) {
      trace.add("moved " + t + " -> " + sched.wake(t, h, now));
    }
  }

  private void checkAccounting() {
    int running = 0;
    for (TestTask t : current) {
      if (t != null) {
        running++;
      }
    }
    int queued = 0;
    for (int h = 0; h < harts; h++) {
      queued += sched.queueLength(h);
    }
    int flagged = 0;
    for (TestTask t : tasks) {
      if (t.se.isQueued()) {
        flagged++;
      }
    }
    assertEquals(queued, flagged, "queue lengths vs queued flags");
    assertEquals(
        tasks.length, running + queued + blocked.size() + dead.size(), "tasks lost or duplicated");
    for (TestTask t : dead) {
      assertFalse(t.se.isQueued());
    }
    // Drain: every queued task comes out exactly once, on a hart it may run on.
    for (int h = 0; h < harts; h++) {
      if (current[h] != null) {
        sched.block(current[h], h, 0);
        current[h] = null;
      }
    }
    int drained = 0;
    for (int h = 0; h < harts; h++) {
      for (TestTask t; (t = sched.pickNext(h, clock[h])) != null; ) {
        assertTrue((t.se.affinity() >>> h & 1) != 0);
        sched.block(t, h, 0);
        drained++;
      }
    }
    assertEquals(queued, drained);
    for (int h = 0; h < harts; h++) {
      assertEquals(0, sched.queueLength(h));
      assertNull(sched.pickNext(h, clock[h]));
    }
  }
}
