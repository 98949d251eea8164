package hartlab.kernel.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.ExecMode;
import hartlab.kernel.KernelRig;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Outcome;
import hartlab.mmu.Mmu;
import hartlab.sched.Policy;
import hartlab.sched.SchedConfig;
import org.junit.jupiter.api.Test;

/**
 * schedule() and context_switch on stub harts: each phase charged and recorded, the idle path, time
 * skipping when every hart idles, yield, preemption by tick and by a woken task, exit.
 */
class ScheduleTest {
  private static final CostModel COST = CostModel.DEFAULT;

  private static long phases(KernelRig rig, int hart) {
    return rig.count(hart, Counter.SWITCH_PICK_CYCLES)
        + rig.count(hart, Counter.SWITCH_MM_CYCLES)
        + rig.count(hart, Counter.SWITCH_TO_CYCLES)
        + rig.count(hart, Counter.SWITCH_FINISH_CYCLES);
  }

  @Test
  void aContextSwitchChargesAndRecordsEachPhase() {
    KernelRig rig = KernelRig.of(1);
    Hart h = rig.hart(0);
    Task t = rig.newProcess(rig.newMm());
    t.pc = 0x10400;
    t.regs[10] = 77;
    rig.schedule.wakeUpNewTask(t, 0, 0);
    rig.schedule.schedule(h);
    assertSame(t, rig.schedule.current(h));
    assertEquals(Task.State.RUNNING, t.state);
    assertEquals(1, rig.count(0, Counter.CONTEXT_SWITCHES));
    assertEquals(COST.schedPick(), rig.count(0, Counter.SWITCH_PICK_CYCLES), "picking has a price");
    assertEquals(
        COST.satpWrite() + COST.remoteAtomic(),
        rig.count(0, Counter.SWITCH_MM_CYCLES),
        "a first switch_mm: satp, and joining mm_cpumask on a line new to this hart");
    assertEquals(COST.contextSwitch(), rig.count(0, Counter.SWITCH_TO_CYCLES));
    assertEquals(0, rig.count(0, Counter.SWITCH_FINISH_CYCLES));
    assertEquals(h.cycles(), phases(rig, 0), "the phases account for all the time spent");
    assertEquals(0x10400, h.pc(), "switch_to loaded the task's context");
    assertEquals(77, h.reg(10));
    assertEquals(Mmu.makeSatp(t.mm.root, t.mm.asid), h.mmu().satp());
    assertEquals(h.cycles(), t.switchedInAtCycles);
  }

  @Test
  void switchingBackToTheLazyMmChargesOnlyTheMmdropToSwitchMm() {
    KernelRig rig = KernelRig.of(1);
    Hart h = rig.hart(0);
    Task t = rig.runNewProcess(0);
    rig.sleepWake.sleep(h, new WaitQueue(), false, Long.MAX_VALUE, 0);
    rig.schedule.schedule(h); // nothing to run: idle, keeping t's mm lazily (refcount mode)
    assertEquals(2, t.mm.count.get(), "the idle hart holds a reference");
    long mmBefore = rig.count(0, Counter.SWITCH_MM_CYCLES);
    rig.sleepWake.wake(t, 5);
    rig.schedule.schedule(h);
    assertSame(t, rig.schedule.current(h));
    assertEquals(
        COST.atomic(),
        rig.count(0, Counter.SWITCH_MM_CYCLES) - mmBefore,
        "the same mm: no satp write, only the lazy reference's mmdrop, on a line this hart has");
    assertEquals(1, t.mm.count.get());
    assertEquals(2, rig.count(0, Counter.CONTEXT_SWITCHES));
    assertEquals(5, h.reg(10), "the waker's result is the syscall's");
  }

  @Test
  void finishWritesTheChildTidIntoTheChildsOwnMm() {
    KernelRig rig = KernelRig.of(1);
    Mm mm = rig.newMm();
    Task t = rig.newProcess(mm);
    rig.load(0, mm);
    long tidAddr = rig.mmapAnon(rig.hart(0), mm, 1) + 64;
    t.setChildTid = tidAddr;
    rig.runOn(0, t);
    assertEquals(t.tid, (int) rig.peek(rig.hart(0), mm, tidAddr));
    assertEquals(0, t.setChildTid, "written once");
  }

  @Test
  void aBadChildTidAddressIsIgnoredAsLinuxDoes() {
    KernelRig rig = KernelRig.of(1);
    Task t = rig.newProcess(rig.newMm());
    t.setChildTid = 0x7000_0000L;
    rig.runOn(0, t);
    assertSame(t, rig.schedule.current(rig.hart(0)));
  }

  @Test
  void anIdleHartsClockCatchesUpWithItsWaker() {
    KernelRig rig = KernelRig.of(2);
    Task t = rig.newProcess(rig.newMm());
    t.sched.setAffinity(0b10);
    rig.actAs(rig.hart(0));
    rig.hart(0).setCycles(50_000);
    rig.schedule.wakeUpNewTask(t, 0, rig.hart(0).cycles());
    assertEquals(1, rig.turns.kicks(1), "the hart it landed on was kicked");
    rig.schedule.schedule(rig.hart(1));
    assertEquals(
        50_000 - COST.schedPick(),
        rig.count(1, Counter.IDLE_CYCLES),
        "idle from the pick's end until the wake-up");
    assertEquals(
        50_000 + COST.satpWrite() + COST.remoteAtomic() + COST.contextSwitch(),
        rig.hart(1).cycles());
  }

  @Test
  void withNothingToRunTheHartEntersLazyTlbAndParks() {
    KernelRig rig = KernelRig.of(2);
    Task t = rig.runNewProcess(0);
    rig.sleepWake.sleep(rig.hart(0), new WaitQueue(), false, Long.MAX_VALUE, 0);
    rig.schedule.schedule(rig.hart(0));
    assertNull(rig.schedule.current(rig.hart(0)));
    assertEquals(1, rig.turns.idles(0));
    assertSame(t.mm, rig.tlb.states().activeMm(0), "lazy: the mm stays loaded");
    assertFalse(rig.schedule.hasWork(0));
  }

  @Test
  void whenEveryHartIdlesVirtualTimeJumpsToTheNextTimer() {
    KernelRig rig = KernelRig.of(2);
    Task t = rig.runNewProcess(0);
    long deadline = rig.hart(0).cycles() + 1_000_000;
    assertEquals(
        Waits.BLOCKED, rig.sleepWake.sleep(rig.hart(0), null, false, deadline, -110), "sleeps");
    rig.schedule.schedule(rig.hart(1)); // hart 1 idles: hart 0 is not idle yet
    assertEquals(0, rig.hart(1).cycles());
    rig.schedule.schedule(rig.hart(0)); // now every hart idles: skip to the timer
    assertEquals(deadline, rig.hart(0).cycles());
    assertEquals(Task.State.RUNNABLE, t.state, "the timer fired");
    assertEquals(-110, t.regs[10], "with the timeout's result");
    assertTrue(rig.count(0, Counter.IDLE_CYCLES) > 0);
    assertTrue(rig.schedule.hasWork(0));
  }

  @Test
  void inLockstepIdleHartsLeaveTheTimerToTheTurnOrder() {
    KernelRig rig = KernelRig.builder().harts(2).execMode(ExecMode.LOCKSTEP).build();
    Task t = rig.runNewProcess(0);
    long deadline = rig.hart(0).cycles() + 1_000_000;
    assertEquals(Long.MAX_VALUE, rig.schedule.nextTimer());
    rig.sleepWake.sleep(rig.hart(0), null, false, deadline, -110);
    assertEquals(deadline, rig.schedule.nextTimer(), "the event the turn order grants");
    rig.schedule.schedule(rig.hart(1));
    long before = rig.hart(0).cycles();
    rig.schedule.schedule(rig.hart(0)); // every hart idles, yet no clock jumps
    assertEquals(
        before + COST.remoteAtomic(), rig.hart(0).cycles(), "only the lazy mmgrab, no jump");
    assertEquals(Task.State.SLEEPING, t.state, "the timer fires when its hart gets that turn");
    assertEquals(1, rig.turns.idles(0), "the hart gave its turn away instead");
    assertEquals(1, rig.turns.idles(1));
    rig.hart(0).setCycles(deadline); // the turn order gave hart 0 the turn at the timer
    rig.schedule.fireTimers(rig.hart(0));
    assertEquals(Task.State.RUNNABLE, t.state);
    assertEquals(Long.MAX_VALUE, rig.schedule.nextTimer());
  }

  @Test
  void yieldQueuesTheTaskBehindTheOthersOnItsHart() {
    KernelRig rig = KernelRig.of(1);
    Hart h = rig.hart(0);
    Task a = rig.runNewProcess(0);
    Task b = rig.newThread(a);
    b.sched.setAffinity(1);
    rig.schedule.wakeUpNewTask(b, 0, h.cycles());
    h.setPc(0x10000);
    assertEquals(Waits.BLOCKED, rig.schedule.yield(h, a, true));
    assertNull(rig.schedule.current(h));
    assertEquals(Task.State.RUNNABLE, a.state);
    assertEquals(0x10004, a.pc, "sched_yield returns past the ecall");
    assertEquals(0, a.regs[10], "with 0");
    rig.schedule.schedule(h);
    assertSame(b, rig.schedule.current(h), "the other task runs first");
    rig.schedule.yield(h, b, true);
    rig.schedule.schedule(h);
    assertSame(a, rig.schedule.current(h));
  }

  @Test
  void yieldingAwayFromAHartTheTaskMayNoLongerUseMovesIt() {
    KernelRig rig = KernelRig.of(2);
    Hart h0 = rig.hart(0);
    Task a = rig.runNewProcess(0);
    a.sched.setAffinity(0b10);
    rig.schedule.yield(h0, a, false);
    assertEquals(1, rig.turns.kicks(1), "hart 1 is told it has work");
    assertTrue(rig.schedule.hasWork(1));
    rig.schedule.schedule(rig.hart(1));
    assertSame(a, rig.schedule.current(rig.hart(1)));
  }

  @Test
  void aTickPreemptsATaskWhoseSliceIsUsedUp() {
    KernelRig rig =
        KernelRig.builder()
            .harts(1)
            .policy(Policy.RR)
            .sched(new SchedConfig(10_000, 0, 0, 0, 0))
            .tickCycles(5_000)
            .build();
    Hart h = rig.hart(0);
    Task a = rig.runNewProcess(0);
    Task b = rig.newThread(a);
    rig.schedule.wakeUpNewTask(b, 0, h.cycles());
    rig.schedule.tick(h); // starts the tick clock
    assertSame(a, rig.schedule.current(h), "slice not used up");
    assertFalse(rig.schedule.tickDue(h));
    h.addCycles(20_000);
    assertTrue(rig.schedule.tickDue(h));
    h.setPc(0x12340);
    rig.schedule.tick(h);
    assertNull(rig.schedule.current(h), "preempted");
    assertEquals(0x12340, a.pc, "it resumes at the instruction it was stopped before");
    assertEquals(Task.State.RUNNABLE, a.state);
    rig.schedule.schedule(h);
    assertSame(b, rig.schedule.current(h));
    assertEquals(1, rig.schedule.stats().preemptions());
  }

  /**
   * Two threads on one hart (fair policy: wakeup granularity 1 ms, minimum granularity 0.75 ms): x
   * sleeps, y has run 5 ms and runs again; returns {x, y}.
   */
  private static Task[] sleeperAndRunner(KernelRig rig) {
    Hart h = rig.hart(0);
    Task x = rig.runNewProcess(0);
    Task y = rig.newThread(x);
    rig.schedule.wakeUpNewTask(y, 0, h.cycles());
    rig.sleepWake.sleep(h, new WaitQueue(), false, Long.MAX_VALUE, 0); // x sleeps
    rig.schedule.schedule(h);
    assertSame(y, rig.schedule.current(h));
    h.addCycles(5_000_000);
    rig.schedule.yield(h, y, true); // charged 5 ms
    rig.schedule.schedule(h);
    assertSame(y, rig.schedule.current(h), "alone, it gets the hart back");
    return new Task[] {x, y};
  }

  @Test
  void aWokenTaskWithinTheGranularityWaitsItsTurn() {
    KernelRig rig = KernelRig.of(1);
    Task[] xy = sleeperAndRunner(rig);
    rig.sleepWake.wake(xy[0], 0); // placed half a granularity below y's 5 ms
    rig.schedule.preemptForWoken(rig.hart(0));
    assertSame(xy[1], rig.schedule.current(rig.hart(0)), "0.5 ms behind: no preemption");
  }

  @Test
  void aWokenTaskFarEnoughBehindPreemptsAtTheNextKernelBoundary() {
    KernelRig rig = KernelRig.of(1);
    Hart h = rig.hart(0);
    Task[] xy = sleeperAndRunner(rig);
    Task x = xy[0], y = xy[1];
    rig.sleepWake.wake(x, 0); // from elsewhere, while y runs: a hint for hart 0
    h.addCycles(600_000);
    rig.schedule.tick(h); // the timer interrupt: below the minimum granularity, no tick preemption
    assertSame(y, rig.schedule.current(h));
    rig.schedule.preemptForWoken(h); // the same interrupt's wake-up check
    assertNull(rig.schedule.current(h), "1.1 ms behind: the woken task preempts");
    assertEquals(Task.State.RUNNABLE, y.state);
    rig.schedule.schedule(h);
    assertSame(x, rig.schedule.current(h));
    rig.schedule.preemptForWoken(h);
    assertSame(x, rig.schedule.current(h), "the hint is used once");
  }

  @Test
  void theLastTaskToExitEndsTheRunWithTheFirstProcesssStatus() {
    KernelRig rig = KernelRig.of(2);
    Task init = rig.runNewProcess(0);
    Task child = rig.runOn(1, rig.newProcess(rig.newMm()));
    child.exitCode = 9;
    rig.schedule.exit(rig.hart(1), child);
    assertNull(rig.halt.ending(), "init still runs");
    assertNull(rig.schedule.current(rig.hart(1)));
    init.exitCode = 3;
    rig.schedule.exit(rig.hart(0), init);
    assertEquals(Outcome.EXITED, rig.halt.ending().outcome());
    assertEquals(3, rig.halt.ending().exitCode());
    assertEquals(Task.State.DEAD, init.state);
  }

  @Test
  void aKilledFirstProcessEndsTheRunAsKilledWithItsReport() {
    KernelRig rig = KernelRig.of(1);
    Task init = rig.runNewProcess(0);
    rig.proc.table().endGroup(init.process, 11, "init killed by SIGSEGV: test");
    assertTrue(init.killPending);
    rig.schedule.exit(rig.hart(0), init);
    assertEquals(Outcome.KILLED, rig.halt.ending().outcome());
    assertEquals(128 + 11, rig.halt.ending().exitCode());
    assertEquals("init killed by SIGSEGV: test", rig.halt.ending().message());
  }

  @Test
  void theUserDeadlineIsTheNextTickOrTheInstructionBudget() {
    KernelRig rig = KernelRig.builder().harts(1).tickCycles(10_000).maxInstructions(500).build();
    Hart h = rig.hart(0);
    rig.runNewProcess(0);
    rig.schedule.tick(h);
    long now = h.cycles();
    assertEquals(now + 500, rig.schedule.userDeadline(h, Long.MAX_VALUE), "500 instructions left");
    KernelRig free = KernelRig.builder().harts(1).tickCycles(10_000).build();
    free.runNewProcess(0);
    free.schedule.tick(free.hart(0));
    long t = free.hart(0).cycles();
    assertEquals(t + 10_000, free.schedule.userDeadline(free.hart(0), Long.MAX_VALUE));
    assertEquals(t + 7, free.schedule.userDeadline(free.hart(0), t + 7), "the quantum's end");
  }

  @Test
  void theMaskOfAllHartsCoversExactlyTheHarts() {
    assertEquals(0b111, KernelRig.of(3).schedule.allHartsMask());
    assertEquals(
        -1L, KernelRig.builder().harts(64).memoryBytes(2 << 20).build().schedule.allHartsMask());
  }
}
