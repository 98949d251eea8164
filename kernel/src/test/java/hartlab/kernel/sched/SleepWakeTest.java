package hartlab.kernel.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sleep/wake protocol: a sleeping task is on its queue and off its hart; exactly one wake wins
 * and decides what the syscall returns, or that it runs again; timers wake with their own result.
 */
class SleepWakeTest {
  private final KernelRig rig = KernelRig.of(2);
  private final SleepWake sw = rig.sleepWake;
  private final Hart h = rig.hart(0);

  @Test
  void aSleepingTaskIsOffItsHartOnItsQueueAndReturnsThePastTheEcall() {
    Task t = rig.runNewProcess(0);
    WaitQueue q = new WaitQueue();
    h.setPc(0x10000);
    h.setReg(10, 1);
    assertEquals(Waits.BLOCKED, sw.sleep(h, q, false, Long.MAX_VALUE, 0));
    assertEquals(Task.State.SLEEPING, t.state);
    assertNull(rig.schedule.current(h));
    assertFalse(sw.runsTask(0), "its hart runs nothing now");
    assertSame(q, t.sleepingOn);
    assertFalse(q.isEmpty());
    assertEquals(0x10004, t.pc, "a syscall that completes on wake-up resumes after the ecall");
    assertEquals(-1, t.restartPc);
    assertTrue(sw.wake(t, 42));
    assertEquals(42, t.regs[10], "the waker's result is the syscall's");
    assertEquals(Task.State.RUNNABLE, t.state);
    assertNull(t.sleepingOn);
    assertTrue(q.isEmpty(), "the waker took it off the queue");
    assertFalse(sw.wake(t, 43), "a second wake loses");
    assertEquals(42, t.regs[10]);
  }

  @Test
  void aRestartingSleepRunsTheSameInstructionAgainWithItsRegistersIntact() {
    Task t = rig.runNewProcess(0);
    h.setPc(0x10000);
    h.setReg(10, 7);
    sw.sleep(h, new WaitQueue(), true, Long.MAX_VALUE, 0);
    assertEquals(0x10000, t.pc);
    assertEquals(0x10000, t.restartPc, "the syscall entry will know it is a restart");
    assertTrue(sw.wake(t, Waits.RESTART));
    assertEquals(7, t.regs[10], "a restart leaves a0 alone");
  }

  @Test
  void wakingATaskThatIsNotAsleepDoesNothing() {
    Task running = rig.runNewProcess(0);
    Task queued = rig.newThread(running);
    rig.schedule.wakeUpNewTask(queued, 0, 0);
    assertFalse(sw.wake(running, 1), "running");
    assertFalse(sw.wake(queued, 1), "runnable");
    assertEquals(Task.State.RUNNING, running.state);
    assertEquals(0, running.regs[10]);
  }

  @Test
  void wakeAllWakesEveryoneToRunAgain() {
    Task a = rig.runNewProcess(0);
    Task b = rig.runOn(1, rig.newThread(a));
    WaitQueue q = new WaitQueue();
    sw.sleep(h, q, true, Long.MAX_VALUE, 0);
    sw.sleep(rig.hart(1), q, true, Long.MAX_VALUE, 0);
    sw.wakeAll(q);
    assertEquals(Task.State.RUNNABLE, a.state);
    assertEquals(Task.State.RUNNABLE, b.state);
    assertTrue(q.isEmpty());
  }

  @Test
  void aTimerWakesWithTheTimeoutResultUnlessAWakeComesFirst() {
    Task a = rig.runNewProcess(0);
    Task b = rig.runOn(1, rig.newThread(a));
    WaitQueue q = new WaitQueue();
    sw.sleep(h, q, false, 1_000, -110);
    sw.sleep(rig.hart(1), q, false, 2_000, -110);
    assertTrue(sw.wake(b, 0), "b is woken before its deadline");
    h.setCycles(5_000);
    sw.fireTimers(h);
    assertEquals(Task.State.RUNNABLE, a.state);
    assertEquals(-110, a.regs[10], "-ETIMEDOUT");
    assertTrue(q.isEmpty(), "the timer took it off the queue too");
    assertEquals(0, b.regs[10], "b's timer was cancelled by its wake-up");
    assertEquals(Long.MAX_VALUE, sw.timers.earliest());
  }

  @Test
  void aWakeUpPlacesTheTaskAndKicksItsHartIfThatIsAnotherOne() {
    Task t = rig.runNewProcess(0);
    sw.sleep(h, new WaitQueue(), false, Long.MAX_VALUE, 0);
    t.sched.setAffinity(0b10);
    rig.actAs(h);
    h.setCycles(3_000);
    assertEquals(0, rig.turns.kicks(1));
    sw.wake(t, 0);
    assertEquals(1, rig.turns.kicks(1));
    assertEquals(3_000, t.readySince, "ready from the waker's time");
    assertTrue(rig.schedule.hasWork(1));
    rig.schedule.schedule(rig.hart(1));
    assertSame(t, rig.schedule.current(rig.hart(1)));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void ofTwoConcurrentWakersExactlyOneWins() throws Exception {
    Task t = rig.runNewProcess(0);
    int rounds = 300;
    CyclicBarrier go = new CyclicBarrier(3);
    CyclicBarrier done = new CyclicBarrier(3);
    AtomicInteger[] wins = {new AtomicInteger(), new AtomicInteger()};
    AtomicBoolean bothWon = new AtomicBoolean();
    AtomicInteger[] winsThisRound = {new AtomicInteger()};
    CountDownLatch finished = new CountDownLatch(2);
    for (int w = 0; w < 2; w++) {
      int id = w;
      Thread waker =
          new Thread(
              () -> {
                try {
                  for (int r = 0; r < rounds; r++) {
                    go.await();
                    if (sw.wake(t, 100 + id)) {
                      wins[id].incrementAndGet();
                      if (winsThisRound[0].incrementAndGet() > 1) {
                        bothWon.set(true);
                      }
                    }
                    done.await();
                  }
                } catch (Exception e) {
                  throw new AssertionError(e);
                } finally {
                  finished.countDown();
                }
              },
              "waker-" + w);
      waker.start();
    }
    for (int r = 0; r < rounds; r++) {
      winsThisRound[0].set(0);
      sw.sleep(h, new WaitQueue(), false, Long.MAX_VALUE, 0);
      go.await();
      done.await();
      assertEquals(1, winsThisRound[0].get(), "round " + r);
      assertTrue(t.regs[10] == 100 || t.regs[10] == 101);
      rig.schedule.schedule(h); // the winner queued it on hart 0: it runs again
      assertSame(t, rig.schedule.current(h), "round " + r);
    }
    finished.await();
    assertFalse(bothWon.get());
    assertEquals(rounds, wins[0].get() + wins[1].get());
  }

  @Test
  void timersExpireByDeadlineAndTiesByTid() {
    Timers timers = new Timers();
    List<Task> tasks =
        List.of(
            rig.newProcess(rig.newMm()),
            rig.newProcess(rig.newMm()),
            rig.newProcess(rig.newMm()),
            rig.newProcess(rig.newMm()));
    timers.arm(tasks.get(3), 500);
    timers.arm(tasks.get(2), 500);
    timers.arm(tasks.get(1), 900);
    timers.arm(tasks.get(0), 500);
    assertEquals(500, timers.earliest());
    assertEquals(List.of(), timers.expire(499));
    assertEquals(List.of(tasks.get(0), tasks.get(2), tasks.get(3)), timers.expire(500));
    timers.arm(tasks.get(1), 100); // re-arming moves it
    assertEquals(100, timers.earliest());
    timers.cancel(tasks.get(1));
    assertEquals(Long.MAX_VALUE, timers.earliest());
    assertEquals(List.of(), timers.expire(Long.MAX_VALUE));
  }
}
