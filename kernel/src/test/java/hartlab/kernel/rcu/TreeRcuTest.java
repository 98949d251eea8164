package hartlab.kernel.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.check.RcuChecker;
import hartlab.kernel.check.Violations;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.Turns;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grace-period state machine driven by one thread through seeded interleavings of what harts
 * do: enter and leave the kernel, idle, read, publish and free objects, queue callbacks, sleep in
 * synchronize and barrier, take IPIs and ticks. The RCU checker watches every step; the tests add
 * the properties it cannot see (a synchronize returns only after a full grace period; everything
 * queued eventually runs; the same seed gives the same run).
 */
class TreeRcuTest {
  private static final int HARTS = 4;

  /** A task that sleeps in synchronize or barrier, one per hart. */
  private static final class FakeTask implements Sleeper {
    final int hart;
    long awaited;
    long since;
    long barrierNeeds;
    boolean asleep;
    boolean restart;
    WaitQueue queue;

    FakeTask(int hart) {
      this.hart = hart;
    }

    @Override
    public long syscallProgress() {
      return 0;
    }

    @Override
    public void setSyscallProgress(long done) {}

    @Override
    public long awaited() {
      return awaited;
    }

    @Override
    public long awaitedSince() {
      return since;
    }

    @Override
    public void setAwaited(long event, long since) {
      this.awaited = event;
      this.since = since;
    }
  }

  /** Waits as the scheduler provides them, minus the scheduler: each hart runs its one task. */
  private static final class FakeWaits implements Waits {
    final FakeTask[] running = new FakeTask[HARTS];
    final List<FakeTask> woken = new ArrayList<>();

    @Override
    public long sleep(
        Hart hart, WaitQueue queue, boolean restart, long deadline, long timeoutResult) {
      FakeTask t = running[hart.id()];
      running[hart.id()] = null;
      t.asleep = true;
      t.restart = restart;
      t.queue = queue;
      queue.add(t);
      return BLOCKED;
    }

    @Override
    public boolean wake(Sleeper task, long result) {
      FakeTask t = (FakeTask) task;
      if (!t.asleep) {
        return false;
      }
      t.asleep = false;
      t.queue.remove(t);
      woken.add(t);
      return true;
    }

    @Override
    public long sleepUninterruptible(Hart hart, WaitQueue queue, boolean restart) {
      throw new AssertionError("RCU's waits are interruptible");
    }

    @Override
    public void signalWake(Sleeper task) {
      throw new AssertionError("no signals here");
    }

    @Override
    public Sleeper current(Hart hart) {
      return running[hart.id()];
    }

    @Override
    public void wakeAll(WaitQueue queue) {
      for (Sleeper s : queue.take(Integer.MAX_VALUE)) {
        wake(s, RESTART);
      }
    }
  }

  private static final class Item extends RcuObject {}

  /** One machine's worth of RCU and the harts' states as the test drives them. */
  private static final class Rig {
    final Hart[] harts = new Hart[HARTS];
    final Counters counters = new Counters(HARTS);
    final FakeWaits waits = new FakeWaits();
    final Ipis ipis;
    final TreeRcu rcu;
    final Violations violations;
    final Halt halt;
    final StringBuilder trace = new StringBuilder();

    /** 0 user, 1 kernel, 2 idle. */
    final int[] where = new int[HARTS];

    final Item[] held = new Item[HARTS];
    Item published = new Item();
    long queued;
    long ran;

    Rig(RcuMode mode) {
      PhysicalMemory memory = new PhysicalMemory(1 << 20);
      CodeCache code = new CodeCache(memory);
      for (int i = 0; i < HARTS; i++) {
        harts[i] = new Hart(i, new Mmu(memory, new Tlb(16, 4), 25), code, CostModel.DEFAULT);
      }
      Turns turns = Turns.create(false, harts, 1000, null, counters);
      halt = new Halt(harts, turns);
      ipis = new Ipis(harts, turns, CostModel.DEFAULT, counters, halt, false);
      rcu = new TreeRcu(harts, ipis, waits, counters, mode);
      violations = new Violations(halt);
      RcuChecker checker = new RcuChecker(violations, HARTS, mode.label());
      violations.register(checker);
      rcu.addObserver(checker);
      for (int i = 0; i < HARTS; i++) {
        waits.running[i] = new FakeTask(i);
      }
    }

    void enter(int h) {
      rcu.kernelEnter(harts[h]);
      where[h] = 1;
    }

    void read(int h) {
      rcu.readLock(h);
      if (held[h] == null) {
        held[h] = rcu.dereference(h, published);
      }
    }

    void unlock(int h) {
      rcu.dereference(h, held[h]);
      rcu.readUnlock(h);
      if (!rcu.isReading(h)) {
        held[h] = null;
      }
    }

    /** Publishes a new version and frees the old one after a grace period (kfree_rcu). */
    void update(int h) {
      Item old = published;
      published = new Item();
      queued++;
      rcu.callRcu(
          h,
          () -> {
            old.poison();
            ran++;
          });
    }

    /** One seeded step of hart {@code h}. */
    void step(Random rnd, int h) {
      Hart hart = harts[h];
      hart.addCycles(1 + rnd.nextInt(50));
      if (where[h] != 1) {
        if (where[h] == 2) {
          rcu.kernelEnter(hart);
        }
        enter(h);
        return;
      }
      int nesting = rcu.isReading(h) ? 1 : 0;
      switch (rnd.nextInt(10)) {
        case 0 -> read(h);
        case 1, 2, 3 -> {
          if (nesting > 0) {
            unlock(h);
          } else {
            rcu.exitToUser(hart);
            where[h] = 0;
          }
        }
        case 4 -> {
          if (nesting > 0) {
            rcu.dereference(h, held[h]);
          } else if (rcu.enterIdle(hart)) {
            where[h] = 2;
          }
        }
        case 5 -> update(h);
        case 6 -> ipis.handle(hart);
        case 7 -> rcu.tick(hart);
        case 8 -> {
          if (nesting == 0) {
            rcu.contextSwitch(hart);
          }
        }
        default -> {
          if (nesting == 0) {
            waitOrResume(rnd, h);
          }
        }
      }
    }

    /** The hart's task calls synchronize or barrier, or a woken one runs its call again. */
    void waitOrResume(Random rnd, int h) {
      FakeTask t = waits.running[h];
      if (t == null) {
        resume(h);
      } else {
        call(t, rnd.nextInt(3));
      }
    }

    /** A woken task comes back to its hart and runs its call again. */
    void resume(int h) {
      for (FakeTask w : waits.woken) {
        if (w.hart == h) {
          waits.woken.remove(w);
          waits.running[h] = w;
          rcu.contextSwitch(harts[h]);
          call(w, (w.awaited & (1L << 62)) != 0 ? 2 : 0);
          return;
        }
      }
    }

    void call(FakeTask t, int which) {
      Hart hart = harts[t.hart];
      long want = t.awaited != 0 ? t.awaited : (rcu.gpSeq() + 3) & ~1L;
      if (which == 2 && t.awaited == 0) {
        t.barrierNeeds = queued;
      }
      long r =
          switch (which) {
            case 0 -> rcu.synchronize(hart);
            case 1 -> rcu.synchronizeExpedited(hart);
            default -> rcu.barrier(hart);
          };
      trace.append(t.hart).append(which).append(r == Waits.BLOCKED ? 'b' : 'r');
      if (r == 0 && which != 2) {
        assertTrue(
            rcu.gpSeq() >= want,
            "synchronize returned at gp_seq " + rcu.gpSeq() + " before " + want);
      }
      if (r == 0 && which == 2) {
        assertTrue(ran >= t.barrierNeeds, "rcu_barrier returned before earlier callbacks ran");
      }
      assertTrue(r == 0 || r == Waits.BLOCKED);
    }

    /** Every hart leaves its readers and passes through user mode until nothing is pending. */
    void drain() {
      for (int round = 0; round < 50; round++) {
        for (int h = 0; h < HARTS; h++) {
          Hart hart = harts[h];
          while (rcu.isReading(h)) {
            unlock(h);
          }
          if (where[h] == 2) {
            rcu.kernelEnter(hart);
          }
          enter(h);
          ipis.handle(hart);
          if (waits.running[h] == null) {
            resume(h);
          }
          rcu.exitToUser(hart);
          where[h] = 0;
        }
      }
    }

    /** The checker's first report, for failure messages. */
    String report() {
      return halt.ending() == null ? "no report" : halt.ending().message();
    }

    long count(Counter c) {
      return counters.total(c);
    }
  }

  private static Rig run(RcuMode mode, long seed, int steps) {
    Rig rig = new Rig(mode);
    Random rnd = new Random(seed);
    for (int i = 0; i < steps && rig.violations.count(RcuChecker.NAME) == 0; i++) {
      rig.step(rnd, rnd.nextInt(HARTS));
    }
    return rig;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void seededInterleavingsKeepEveryReaderSafeAndEverythingRuns(long seed) {
    Rig rig = run(RcuMode.TREE, seed, 20_000);
    assertEquals(0, rig.violations.count(RcuChecker.NAME), rig::report);
    rig.drain();
    assertEquals(0, rig.violations.count(RcuChecker.NAME), rig::report);
    assertEquals(rig.queued, rig.count(Counter.RCU_CALLBACKS_RUN), "callbacks still queued");
    assertEquals(rig.queued, rig.ran);
    assertTrue(rig.published != null && !rig.published.isPoisoned());
    for (FakeTask t : rig.waits.running) {
      assertTrue(t != null && t.awaited == 0, "a task still waits");
    }
    assertTrue(rig.count(Counter.RCU_GRACE_PERIODS) > 100, "few grace periods");
    assertTrue(rig.count(Counter.RCU_SYNC_SLEEPS) > 10, "few synchronize sleeps");
    assertEquals(rig.rcu.gpSeq() / 2, rig.count(Counter.RCU_GRACE_PERIODS));
  }

  @Test
  void theSameSeedGivesTheSameRun() {
    Rig a = run(RcuMode.TREE, 42, 10_000);
    Rig b = run(RcuMode.TREE, 42, 10_000);
    assertEquals(a.trace.toString(), b.trace.toString());
    assertEquals(a.rcu.gpSeq(), b.rcu.gpSeq());
    for (Counter c : Counter.values()) {
      assertEquals(a.count(c), b.count(c), c.key());
    }
  }

  @Test
  void gracePeriodsThatSkipAHartAreCaught() {
    boolean caught = false;
    for (long seed = 1; seed <= 8 && !caught; seed++) {
      caught = run(RcuMode.UNSAFE_GP, seed, 20_000).violations.count(RcuChecker.NAME) > 0;
    }
    assertTrue(caught, "unsafe-gp was not caught in 8 seeded interleavings");
  }

  @Test
  void hartsInUserModeOrIdleAreNeverWaitedFor() {
    Rig rig = new Rig(RcuMode.TREE);
    rig.enter(0);
    rig.enter(1);
    rig.rcu.exitToUser(rig.harts[1]); // user mode
    rig.enter(2);
    assertTrue(rig.rcu.enterIdle(rig.harts[2])); // idle; hart 3 never started: also quiescent
    rig.update(0);
    assertEquals(1, rig.rcu.gpSeq() & 1, "a grace period runs");
    rig.rcu.contextSwitch(rig.harts[0]); // the only hart it waits for
    assertEquals(2, rig.rcu.gpSeq());
    rig.enter(0);
    assertEquals(1, rig.ran);
  }

  @Test
  void aReaderHoldsTheGracePeriodUntilItLeaves() {
    Rig rig = new Rig(RcuMode.TREE);
    for (int h = 0; h < HARTS; h++) {
      rig.enter(h);
    }
    rig.read(1);
    Item seen = rig.held[1];
    rig.update(0);
    for (int i = 0; i < 5; i++) {
      for (int h = 0; h < HARTS; h++) {
        rig.rcu.contextSwitch(rig.harts[h]); // not a quiescent state for hart 1: it reads
        rig.rcu.tick(rig.harts[h]);
      }
    }
    assertEquals(1, rig.rcu.gpSeq(), "the grace period ended under a reader");
    assertFalse(seen.isPoisoned());
    rig.unlock(1);
    rig.rcu.contextSwitch(rig.harts[1]);
    assertEquals(2, rig.rcu.gpSeq());
    rig.enter(0);
    assertTrue(seen.isPoisoned(), "freed at the callback's hart's next kernel entry");
    assertEquals(0, rig.violations.count(RcuChecker.NAME));
  }

  /**
   * A hart passes a quiescent state while a grace period is being published and enters a reader
   * right after: either it reported to the old grace period and the new one waits for it, or it
   * reported to the new one and its reader counts as begun after it. (Publishing the mask before
   * gp_seq let it report to the new grace period and read the old gp_seq: the grace period ended
   * under its reader and freed what the reader held, as the parallel torture on mmapstorm showed.)
   */
  @Test
  void aReaderEnteredWhileAGracePeriodIsPublishedIsWaitedFor() {
    Rig rig = new Rig(RcuMode.TREE);
    rig.enter(0);
    rig.enter(1);
    rig.rcu.exitToUser(rig.harts[2]);
    rig.rcu.exitToUser(rig.harts[3]);
    Item removed = rig.published;
    rig.rcu.setPublishWindow(
        () -> {
          rig.rcu.contextSwitch(rig.harts[1]); // a quiescent state of hart 1, then a reader
          rig.read(1);
        });
    rig.update(0); // starts the grace period; hart 1 runs in the window meanwhile
    rig.rcu.setPublishWindow(null);
    for (int i = 0; i < 3; i++) {
      rig.enter(0);
      rig.rcu.exitToUser(rig.harts[0]);
    }
    assertEquals(1, rig.rcu.gpSeq(), "the grace period ended under hart 1's reader");
    rig.unlock(1);
    assertEquals(0, rig.violations.count(RcuChecker.NAME), rig.report());
    rig.enter(1);
    rig.enter(0);
    assertEquals(2, rig.rcu.gpSeq());
    assertTrue(removed.isPoisoned());
  }

  @Test
  void synchronizeParksTheTaskAndReturnsAfterAFullGracePeriod() {
    Rig rig = new Rig(RcuMode.TREE);
    for (int h = 0; h < HARTS; h++) {
      rig.enter(h);
    }
    FakeTask t = rig.waits.running[0];
    assertEquals(Waits.BLOCKED, rig.rcu.synchronize(rig.harts[0]));
    assertTrue(t.asleep && t.restart, "the task sleeps, to run its call again");
    for (int h = 1; h < HARTS; h++) {
      rig.rcu.exitToUser(rig.harts[h]);
    }
    assertTrue(rig.waits.woken.isEmpty(), "hart 0 has not passed a quiescent state yet");
    assertTrue(rig.rcu.enterIdle(rig.harts[0])); // the sleeper's hart idles
    assertEquals(List.of(t), rig.waits.woken);
    rig.rcu.kernelEnter(rig.harts[0]);
    rig.waits.running[0] = t;
    assertEquals(0, rig.rcu.synchronize(rig.harts[0]));
    assertEquals(0, t.awaited);
    assertEquals(1, rig.count(Counter.RCU_SYNC_SLEEPS));
  }

  @Test
  void expeditedGracePeriodsInterruptHartsStuckInTheKernel() {
    Rig rig = new Rig(RcuMode.TREE);
    for (int h = 0; h < HARTS; h++) {
      rig.enter(h); // every hart in the kernel, none reading
    }
    FakeTask t = rig.waits.running[0];
    assertEquals(Waits.BLOCKED, rig.rcu.synchronizeExpedited(rig.harts[0]));
    assertEquals(HARTS - 1, rig.count(Counter.IPIS_SENT));
    rig.rcu.contextSwitch(rig.harts[0]);
    for (int h = 1; h < HARTS; h++) {
      assertTrue(rig.waits.woken.isEmpty());
      rig.ipis.handle(rig.harts[h]); // the IPI is the quiescent state: no kernel exit needed
    }
    assertEquals(List.of(t), rig.waits.woken);
    assertEquals(1, rig.count(Counter.RCU_EXPEDITED));
  }

  @Test
  void aStalledGracePeriodIsForcedAfterThreeTicks() {
    Rig rig = new Rig(RcuMode.TREE);
    for (int h = 0; h < HARTS; h++) {
      rig.enter(h);
    }
    rig.update(0);
    rig.rcu.contextSwitch(rig.harts[0]);
    for (int i = 0; i < 3; i++) {
      assertEquals(0, rig.count(Counter.IPIS_SENT));
      rig.rcu.tick(rig.harts[0]);
    }
    rig.rcu.tick(rig.harts[0]);
    assertEquals(HARTS - 1, rig.count(Counter.IPIS_SENT));
    for (int h = 1; h < HARTS; h++) {
      rig.ipis.handle(rig.harts[h]);
    }
    assertEquals(2, rig.rcu.gpSeq());
  }

  @Test
  void barrierWaitsForEveryCallbackQueuedBeforeIt() {
    Rig rig = new Rig(RcuMode.TREE);
    for (int h = 0; h < HARTS; h++) {
      rig.enter(h);
    }
    rig.update(1);
    rig.update(2);
    FakeTask t = rig.waits.running[0];
    assertEquals(Waits.BLOCKED, rig.rcu.barrier(rig.harts[0]));
    for (int h = 1; h < HARTS; h++) {
      rig.rcu.exitToUser(rig.harts[h]);
    }
    rig.rcu.contextSwitch(rig.harts[0]); // the first grace period ends, the second waits for 0
    rig.rcu.contextSwitch(rig.harts[0]); // and ends: callbacks are ready on harts 1 and 2
    assertTrue(rig.waits.woken.isEmpty(), "woken before the callbacks ran");
    rig.enter(1);
    assertTrue(rig.waits.woken.isEmpty(), "woken before hart 2's callbacks ran");
    rig.enter(2);
    assertEquals(List.of(t), rig.waits.woken);
    rig.waits.running[0] = t;
    assertEquals(0, rig.rcu.barrier(rig.harts[0]));
    assertEquals(2, rig.ran);
  }
}
