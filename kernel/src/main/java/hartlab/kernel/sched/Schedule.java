package hartlab.kernel.sched;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.Exit;
import hartlab.kernel.proc.GuestProcess;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.Processes;
import hartlab.kernel.proc.Task;
import hartlab.kernel.rcu.TreeRcu;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.smp.Turns;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.HartCounters;
import hartlab.kernel.stats.Outcome;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.tlb.SpeculativeWalks;
import hartlab.kernel.tlb.TlbManagement;
import hartlab.kernel.tlb.TlbStates;
import hartlab.kernel.uapi.SyscallError;
import hartlab.sched.SchedStats;
import hartlab.sched.Scheduler;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler core (Linux's kernel/sched/core.c): {@link #schedule} picks the next task and
 * {@link #contextSwitch}es to it, or idles. A task leaves its hart by sleeping ({@link Waits}),
 * yielding, being preempted at a tick or by a woken task, or exiting; each of those saves its
 * context and clears the hart's current task, and the hart's next pass through the kernel calls
 * {@link #schedule}. A context switch charges and records each of its phases: pick, switch_mm,
 * switch_to, finish.
 *
 * <p>Every method runs on the named hart's thread.
 */
public final class Schedule {
  private final Hart[] harts;
  private final Rq[] rqs;
  private final Scheduler<Task> scheduler;
  private final Timers timers;
  private final SleepWake sleepWake;
  private final MmSwitch mmSwitch;
  private final TlbStates tlbStates;
  private final SpeculativeWalks walks;
  private final Turns turns;
  private final Halt halt;
  private final Counters counters;
  private final TreeRcu rcu;
  private final Limits limits;
  private final Exit exit;
  private final ProcessTable processes;
  private final UserMemory user;

  /** Harts with nothing to run; when all are, virtual time may skip to the next timer. */
  private final AtomicInteger idleHarts = new AtomicInteger();

  private final AtomicLong instructionsLeft;

  /**
   * Time limits and tuning.
   *
   * @param tickCycles virtual cycles between timer ticks
   * @param maxInstructions stop the guest after this many instructions over all harts; 0: never
   * @param parkBriefly whether an idle hart with a table loaded comes back soon on its own (its
   *     hardware keeps walking that table speculatively, in parallel mode)
   */
  public record Limits(long tickCycles, long maxInstructions, boolean parkBriefly) {}

  public Schedule(
      Hart[] harts,
      SleepWake sleepWake,
      MmSwitch mmSwitch,
      TlbManagement tlb,
      Turns turns,
      Halt halt,
      Counters counters,
      TreeRcu rcu,
      Processes proc,
      UserMemory user,
      Limits limits) {
    this.harts = harts;
    this.sleepWake = sleepWake;
    this.rqs = sleepWake.rqs;
    this.scheduler = sleepWake.scheduler;
    this.timers = sleepWake.timers;
    this.exit = proc.exit();
    this.processes = proc.table();
    this.user = user;
    this.mmSwitch = mmSwitch;
    this.tlbStates = tlb.states();
    this.walks = tlb.walks();
    this.turns = turns;
    this.halt = halt;
    this.counters = counters;
    this.rcu = rcu;
    this.limits = limits;
    long max = limits.maxInstructions();
    this.instructionsLeft = new AtomicLong(max > 0 ? max : Long.MAX_VALUE);
  }

  /** Called first on each hart thread. */
  public void hartStarted(Hart hart) {
    sleepWake.currentHart.set(hart);
  }

  public Task current(Hart hart) {
    return rqs[hart.id()].current;
  }

  /** Whether a hart parked idle has a task waiting in its run queue. */
  public boolean hasWork(int hart) {
    return scheduler.queueLength(hart) > 0;
  }

  public long allHartsMask() {
    return harts.length == 64 ? -1L : (1L << harts.length) - 1;
  }

  // ---- schedule() and context_switch() ----

  /**
   * The hart has no current task: pick the next one and switch to it, or go idle. The one way onto
   * a hart, whichever way the previous task left it.
   */
  public void schedule(Hart hart) {
    Rq rq = rqs[hart.id()];
    long start = hart.cycles();
    Task next = scheduler.pickNext(hart.id(), hart.cycles());
    if (next == null) {
      idle(hart, rq);
      return;
    }
    hart.addCycles(hart.cost().schedPick());
    counters.hart(hart.id()).add(Counter.SWITCH_PICK_CYCLES, hart.cycles() - start);
    contextSwitch(hart, rq, next);
  }

  /**
   * context_switch: prepare (an idle hart's clock catches up with the waker's), switch_mm,
   * switch_to (the task's registers and the kernel path), finish (state, CLONE_CHILD_SETTID).
   */
  private void contextSwitch(Hart hart, Rq rq, Task next) {
    HartCounters stats = counters.hart(hart.id());
    if (rq.idle) {
      rq.idle = false;
      idleHarts.decrementAndGet();
    }
    if (hart.cycles() < next.readySince) {
      stats.add(Counter.IDLE_CYCLES, next.readySince - hart.cycles());
      hart.setCycles(next.readySince); // an idle hart's clock catches up with whoever woke the task
    }
    long t = hart.cycles();
    mmSwitch.switchTo(hart, next.mm);
    stats.add(Counter.SWITCH_MM_CYCLES, hart.cycles() - t);
    t = hart.cycles();
    hart.loadRegisters(next.regs);
    hart.setPc(next.pc);
    hart.loadFpRegisters(next.fpRegs);
    hart.setFcsr(next.fcsr);
    hart.clearFpDirty(); // clean until the task's next FP instruction
    hart.addCycles(hart.cost().contextSwitch());
    stats.add(Counter.CONTEXT_SWITCHES);
    rq.current = next;
    stats.add(Counter.SWITCH_TO_CYCLES, hart.cycles() - t);
    t = hart.cycles();
    next.state = Task.State.RUNNING;
    next.switchedInAtCycles = hart.cycles();
    if (next.setChildTid != 0) {
      long at = next.setChildTid;
      next.setChildTid = 0;
      try {
        user.putInt(hart, next.mm, at, next.tid); // CLONE_CHILD_SETTID, in the child's own mm
      } catch (SyscallError e) {
        // Linux ignores a bad address here too.
      }
    }
    stats.add(Counter.SWITCH_FINISH_CYCLES, hart.cycles() - t);
    rcu.contextSwitch(hart);
  }

  /**
   * Nothing to run: enter lazy TLB mode and park. When every hart is idle and a timer is armed, the
   * machine would only wait for it, so virtual time jumps to it instead (as a tickless kernel
   * sleeps through idle time); while any hart is busy, its ticks fire timers when its clock reaches
   * them.
   */
  private void idle(Hart hart, Rq rq) {
    mmSwitch.enterLazy(hart);
    if (!rq.idle) {
      rq.idle = true;
      idleHarts.incrementAndGet();
    }
    long next = timers.earliest();
    if (next != Long.MAX_VALUE && idleHarts.get() == harts.length) {
      if (next > hart.cycles()) {
        counters.hart(hart.id()).add(Counter.IDLE_CYCLES, next - hart.cycles());
        hart.setCycles(next);
      }
      sleepWake.fireTimers(hart);
      return;
    }
    if (!rcu.enterIdle(hart) || hasWork(hart.id())) {
      // RCU's work on the way in made callbacks of this hart ready (they ran), or ended a grace
      // period and woke a task onto this very hart, which nobody kicks: look for work again.
      return;
    }
    if (limits.parkBriefly() && walks.enabled() && tlbStates.activeMm(hart.id()) != null) {
      // A lazy hart's hardware keeps walking its loaded table: come back soon to do so.
      LockSupport.parkNanos(this, 200_000);
    } else {
      turns.idle(hart);
    }
    // Still quiescent for RCU: in lockstep turns.idle returned without the turn, and whatever the
    // hart does next begins with a kernel entry (Kernel.enterUser's loop).
  }

  // ---- leaving the hart ----

  /**
   * Saves the user context of the task leaving {@code hart}: its registers, {@code pc}, and its FP
   * state if it touched it since it came on (Linux's sstatus.FS dirty).
   */
  static void saveContext(Hart hart, Task task, long pc) {
    hart.saveRegisters(task.regs);
    task.pc = pc;
    if (hart.fpDirty()) {
      hart.saveFpRegisters(task.fpRegs);
      task.fcsr = hart.fcsr();
      hart.addCycles(hart.cost().fpSwitch());
    }
  }

  /**
   * The current task gives up its hart but stays runnable: behind the others on this hart
   * (sched_yield, {@code keepHart}), or requeued as after a preemption (an affinity change that
   * excludes this hart moves it). Its syscall returns 0.
   */
  public long yield(Hart hart, Task task, boolean keepHart) {
    long ran = hart.cycles() - task.switchedInAtCycles;
    saveContext(hart, task, hart.pc() + 4);
    task.regs[10] = 0;
    rqs[hart.id()].current = null;
    requeueOrMove(hart, task, ran, keepHart);
    return Waits.BLOCKED;
  }

  /** Preempts the current task: requeued here, or moved where its affinity allows. */
  private void preempt(Hart hart, Task task, long ran) {
    saveContext(hart, task, hart.pc());
    rqs[hart.id()].current = null;
    requeueOrMove(hart, task, ran, false);
  }

  /**
   * Puts a task that stopped running but stays runnable back in a queue. If its affinity no longer
   * allows this hart it goes through placement, which also wakes the hart it lands on; a plain
   * requeue would queue it on a parked hart nobody wakes.
   */
  private void requeueOrMove(Hart hart, Task task, long ran, boolean yield) {
    if ((task.sched.affinity() & (1L << hart.id())) != 0) {
      task.state = Task.State.RUNNABLE;
      scheduler.requeue(task, hart.id(), ran, hart.cycles(), yield);
    } else {
      scheduler.block(task, hart.id(), ran);
      sleepWake.makeRunnable(task, hart.id(), hart.cycles());
    }
  }

  /** Another task's affinity changed: if it waits in a queue, place it again. */
  public void reaffine(Task task) {
    if (scheduler.dequeue(task)) {
      Hart h = sleepWake.currentHart.get();
      sleepWake.makeRunnable(task, h.id(), h.cycles());
    }
  }

  /** wake_up_new_task: a task made by clone (or the first one) joins a run queue. */
  public void wakeUpNewTask(Task task, int wakerHart, long now) {
    sleepWake.makeRunnable(task, wakerHart, now);
  }

  /**
   * Wake-up preemption (CFS's check_preempt_wakeup): if a task woken onto this hart deserves the
   * hart more than the current one, the current one is preempted on its way back to user.
   */
  public void preemptForWoken(Hart hart) {
    Rq rq = rqs[hart.id()];
    Task woken = rq.wokenHint;
    if (woken == null) {
      return;
    }
    rq.wokenHint = null;
    Task current = rq.current;
    if (current != null
        && woken != current
        && woken.state == Task.State.RUNNABLE
        && scheduler.shouldPreemptFor(hart.id(), current, woken)) {
      preempt(hart, current, hart.cycles() - current.switchedInAtCycles);
    }
  }

  /**
   * Ends {@code task} on its hart (do_exit): off the run queue, then the process half. Stops the
   * machine with the last task, with the first process's status.
   */
  public void exit(Hart hart, Task task) {
    Rq rq = rqs[hart.id()];
    account(hart, rq);
    if (rq.current == task) {
      scheduler.exit(task, hart.id(), hart.cycles() - task.switchedInAtCycles);
      rq.current = null;
    }
    if (exit.exitTask(hart, task)) {
      GuestProcess first = processes.init();
      halt.requestStop(
          first.killReport == null ? Outcome.EXITED : Outcome.KILLED,
          first.shellStatus(),
          first.killReport == null ? "" : first.killReport);
    }
  }

  // ---- time ----

  /** Wakes the sleepers whose deadline this hart's clock has reached. */
  public void fireTimers(Hart hart) {
    sleepWake.fireTimers(hart);
  }

  /**
   * Whether the hart's user run stopped for nothing but the lockstep lookahead: no tick, timer or
   * IPI ({@code nextIpi}) is due, so there is no interrupt to take.
   */
  public boolean onlyTurnBoundary(Hart hart, long nextIpi) {
    long now = hart.cycles();
    return now < rqs[hart.id()].nextTick && now < timers.earliest() && now < nextIpi;
  }

  public boolean tickDue(Hart hart) {
    return hart.cycles() >= rqs[hart.id()].nextTick;
  }

  /** The timer tick: charge instructions against --max-instructions, let the scheduler preempt. */
  public void tick(Hart hart) {
    Rq rq = rqs[hart.id()];
    rq.nextTick = hart.cycles() + limits.tickCycles();
    account(hart, rq);
    rcu.tick(hart);
    Task current = rq.current;
    long ran = current == null ? 0 : hart.cycles() - current.switchedInAtCycles;
    if (scheduler.tick(hart.id(), current, ran, hart.cycles()) && current != null) {
      preempt(hart, current, ran);
    }
  }

  /** An interrupt that is not a tick: charge the instructions run so far. */
  public void account(Hart hart) {
    account(hart, rqs[hart.id()]);
  }

  private void account(Hart hart, Rq rq) {
    long ran = hart.instret() - rq.accountedInstret;
    rq.accountedInstret = hart.instret();
    long max = limits.maxInstructions();
    if (instructionsLeft.addAndGet(-ran) <= 0 && max > 0) {
      halt.requestStop(
          Outcome.INSTRUCTION_LIMIT,
          0,
          String.format("stopped after --max-instructions %d: the guest had not finished", max));
    }
  }

  /**
   * How far user code may run from now: to the next tick or the end of the quantum, and never past
   * the instruction budget (each instruction costs at least a cycle, so running to cycles + left
   * never overshoots it).
   */
  public long userDeadline(Hart hart, long quantumEnd) {
    long deadline = Math.min(rqs[hart.id()].nextTick, quantumEnd);
    long left = instructionsLeft.get();
    return left >= deadline - hart.cycles() ? deadline : hart.cycles() + Math.max(left, 0);
  }

  /** Scheduler figures for the report; after the hart threads ended. */
  public SchedStats stats() {
    return scheduler.stats();
  }
}
