package hartlab.kernel.sched;

import hartlab.cpu.Hart;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.tlb.CpuStates;
import hartlab.sched.Scheduler;

/**
 * The harts' run state and the sleeping half of the scheduler (Linux's try_to_wake_up and wait
 * queues): putting the current task to sleep, waking tasks, and placing woken or new tasks on a
 * hart's run queue. Sleep runs on the sleeper's hart; wake on any hart. Built before everything
 * that sleeps, which sees it only as {@link Waits}; the TLB code sees it as {@link CpuStates}.
 */
public final class SleepWake implements Waits, CpuStates {
  final Rq[] rqs;
  final Scheduler<Task> scheduler;
  final Timers timers = new Timers();
  private final Ipis ipis;
  final ThreadLocal<Hart> currentHart = new ThreadLocal<>();

  public SleepWake(int harts, Scheduler<Task> scheduler, Ipis ipis) {
    this.rqs = new Rq[harts];
    for (int i = 0; i < harts; i++) {
      rqs[i] = new Rq();
    }
    this.scheduler = scheduler;
    this.ipis = ipis;
  }

  @Override
  public boolean runsTask(int hart) {
    return rqs[hart].current != null;
  }

  @Override
  public boolean hasQueuedTask(int hart) {
    return scheduler.queueLength(hart) > 0;
  }

  @Override
  public Sleeper current(Hart hart) {
    return rqs[hart.id()].current;
  }

  @Override
  public long sleep(
      Hart hart, WaitQueue queue, boolean restart, long deadline, long timeoutResult) {
    Rq rq = rqs[hart.id()];
    Task task = rq.current;
    Schedule.saveContext(hart, task, restart ? hart.pc() : hart.pc() + 4);
    task.restartPc = restart ? hart.pc() : -1;
    scheduler.block(task, hart.id(), hart.cycles() - task.switchedInAtCycles);
    rq.current = null;
    task.timeoutResult = timeoutResult;
    task.sleepingOn = queue;
    task.state = Task.State.SLEEPING;
    // Publish last: from here another hart may wake the task and run it.
    if (deadline != Long.MAX_VALUE) {
      timers.arm(task, deadline);
    }
    if (queue != null) {
      queue.add(task);
    }
    // A fatal signal sent while the task was on its way here found it running, not asleep, and
    // woke nobody (Linux checks signal_pending_state before it sleeps for the same reason). The
    // volatile state write above and the killer's killPending write before it reads the state
    // order the two: at least one of them sees the other, so the kill always lands.
    if (task.killPending) {
      wake(task, RESTART);
    }
    return BLOCKED;
  }

  @Override
  public boolean wake(Sleeper sleeper, long result) {
    Task task = (Task) sleeper;
    synchronized (task) {
      if (task.state != Task.State.SLEEPING) {
        return false;
      }
      task.state = Task.State.RUNNABLE;
    }
    WaitQueue q = task.sleepingOn;
    if (q != null) {
      q.remove(task);
      task.sleepingOn = null;
    }
    timers.cancel(task);
    if (result != RESTART) {
      task.regs[10] = result;
    }
    Hart waker = currentHart.get();
    makeRunnable(task, waker != null ? waker.id() : 0, waker != null ? waker.cycles() : 0);
    return true;
  }

  @Override
  public void wakeAll(WaitQueue queue) {
    for (Sleeper t : queue.take(Integer.MAX_VALUE)) {
      wake(t, RESTART);
    }
  }

  /** Wakes the sleepers whose deadline this hart's clock has reached. */
  void fireTimers(Hart hart) {
    for (Task t : timers.expire(hart.cycles())) {
      wake(t, t.timeoutResult);
    }
  }

  /** Queues a runnable task (new, or woken) and wakes the hart it lands on. */
  void makeRunnable(Task task, int wakerHart, long now) {
    task.readySince = now;
    task.state = Task.State.RUNNABLE;
    int target = scheduler.wake(task, wakerHart, now);
    if (target < 0) {
      return;
    }
    rqs[target].wokenHint = task;
    if (target != wakerHart) {
      ipis.kick(target);
    }
  }
}
