package hartlab.kernel;

import hartlab.cpu.Cause;
import hartlab.cpu.Hart;
import hartlab.cpu.TrapHandler;
import hartlab.kernel.mm.BinfmtElf;
import hartlab.kernel.mm.PageFaults;
import hartlab.kernel.proc.Execve;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.SigInfo;
import hartlab.kernel.proc.SignalDelivery;
import hartlab.kernel.proc.SignalSending;
import hartlab.kernel.proc.Signals;
import hartlab.kernel.proc.Task;
import hartlab.kernel.rcu.RcuTorture;
import hartlab.kernel.rcu.TreeRcu;
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Turns;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.Statistics;
import hartlab.kernel.stats.Tracer;
import hartlab.kernel.syscall.Syscalls;
import hartlab.kernel.tlb.TlbManagement;
import hartlab.loader.ElfImage;
import hartlab.mmu.Mmu;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's trap entry, over the subsystems {@link Subsystems#wire} built. Runs on the hart
 * threads as each CPU's kernel context, entered through {@link TrapHandler}: {@link #enterUser} is
 * the way back to user mode (run the scheduler, handle IPIs and deferred flushes, ticks, the
 * lockstep quantum), {@link #trap} dispatches system calls, page faults and exceptions, {@link
 * #interrupt} takes timer and inter-processor interrupts. The work itself is the subsystems'; see
 * this package's overview for who builds on whom.
 */
final class Kernel implements TrapHandler {
  private static final Logger log = LoggerFactory.getLogger(Kernel.class);
  private final MachineConfig config;
  private final Halt halt;
  private final Turns turns;
  private final Ipis ipis;
  private final Counters counters;
  private final TlbManagement tlb;
  private final Schedule schedule;
  private final ProcessTable processes;
  private final PageFaults faults;
  private final Syscalls syscalls;
  private final Execve execve;
  private final SignalDelivery signals;
  private final SignalSending sending;
  private final TreeRcu rcu;
  private final RcuTorture torture; // rcutorture's readers and writer at kernel entries, or null
  private final RunFigures figures;
  private volatile Statistics frozen; // lockstep: taken by the hart that stopped the run

  /** Per hart (hart-local): user mode stopped only at a lookahead boundary, not an interrupt. */
  private final boolean[] quietResume;

  Kernel(MachineConfig config, Subsystems s) {
    this.config = config;
    this.quietResume = new boolean[s.counters().harts()];
    this.counters = s.counters();
    this.turns = s.turns();
    this.halt = s.halt();
    this.ipis = s.ipis();
    this.tlb = s.tlb();
    this.schedule = s.schedule();
    this.processes = s.proc().table();
    this.faults = s.mm().faults();
    this.syscalls = s.syscalls();
    this.execve = s.proc().execve();
    this.signals = s.proc().signals();
    this.sending = s.proc().table().signals();
    this.figures = s.figures();
    this.rcu = s.rcu();
    this.torture = s.torture();
    if (config.execMode() == ExecMode.LOCKSTEP) {
      halt.beforeRelease(() -> frozen = figures.take());
    }
  }

  /** Creates the first process from {@code image}. Called before the harts start. */
  void startInit(ElfImage image, String name, List<String> argv, List<String> envp)
      throws BinfmtElf.ExecFailure {
    schedule.wakeUpNewTask(execve.startInit(image, name, argv, envp), 0, 0);
  }

  void attachThread(int hart, Thread thread) {
    turns.attach(hart, thread);
  }

  /** Called first on each hart thread. */
  void hartStarted(Hart hart) {
    schedule.hartStarted(hart);
  }

  // ---- TrapHandler: everything below runs on the hart's own thread ----

  @Override
  public long enterUser(Hart hart) {
    // Back from a mere lookahead boundary the hart resumes user mode without a kernel entry:
    // taking turns is no interrupt, and must not apply deferred flushes or run the scheduler.
    boolean quiet = quietResume[hart.id()];
    quietResume[hart.id()] = false;
    for (; ; ) {
      turns.awaitTurn(hart);
      if (halt.stopping()) {
        return STOP;
      }
      Task current = schedule.current(hart);
      if (quiet && (hart.interruptPending() || !quietBoundary(hart))) {
        quiet = false; // an interrupt came while the hart waited for its turn: take it
        hart.takeInterrupts();
      }
      if (!quiet) {
        kernelEntry(hart);
        schedule.fireTimers(hart);
        current = schedule.current(hart);
      }
      quiet = false;
      if (current != null && current.killPending) {
        schedule.exit(hart, current);
        continue;
      }
      if (current == null) {
        schedule.schedule(hart);
        continue;
      }
      if (schedule.tickDue(hart)) {
        schedule.tick(hart);
        continue;
      }
      if (SignalDelivery.workPending(current)) {
        counters
            .hart(hart.id())
            .add(Counter.SIGNALS_DELIVERED, signals.returnToUser(hart, current));
        if (current.killPending) {
          schedule.exit(hart, current);
          continue;
        }
      }
      long until = Math.min(turns.runUntil(hart), ipis.nextIpi(hart.id()));
      if (hart.cycles() >= until) {
        turns.yieldTurn(hart);
        quiet = true;
        continue;
      }
      rcu.exitToUser(hart);
      return schedule.userDeadline(hart, until);
    }
  }

  @Override
  public void trap(Hart hart, int cause, long tval) {
    turns.sync(hart);
    Task task = schedule.current(hart);
    long entered = hart.cycles();
    long number = hart.reg(17); // a7: the syscall number, for the trace
    counters.hart(hart.id()).add(Counter.TRAPS);
    hart.clearReservation();
    hart.addCycles(config.cost().trapEntry());
    rcu.kernelEnter(hart);
    torture(hart);
    if (torture != null && cause == Cause.ECALL_FROM_U) {
      switch (torture.atSyscall(hart, task, task.restartPc == hart.pc())) {
        case SLEEPS -> {
          return; // until a grace period has passed; then the ecall runs again
        }
        case RUNS_FRESH -> task.restartPc = -1; // only the torture slept: the call never began
        case RUNS -> {}
      }
    }
    tlb.flush().applyDeferred(hart);
    if (cause == Cause.ECALL_FROM_U) {
      syscalls.handle(hart, task);
    } else if (Cause.isPageFault(cause)) {
      pageFault(hart, task, cause, tval);
    } else {
      int signal = Signals.forCause(cause);
      SigInfo info =
          SigInfo.fault(signal, Signals.codeForCause(cause), faultAddress(cause, hart.pc(), tval));
      if (!sending.fault(task, info)) {
        kill(
            hart,
            task,
            signal,
            String.format("%s at pc 0x%x (tval 0x%x)", Cause.name(cause), hart.pc(), tval));
      }
    }
    if (schedule.current(hart) == task) {
      if (task.killPending) {
        schedule.exit(hart, task);
      } else {
        hart.addCycles(config.cost().trapExit());
        schedule.preemptForWoken(hart);
      }
    }
    Tracer tracer = counters.tracer();
    if (tracer.enabled()) {
      String name = cause == Cause.ECALL_FROM_U ? "syscall " + number : Cause.name(cause);
      tracer.slice(hart.id(), "trap", name, entered, hart.cycles());
    }
  }

  @Override
  public void interrupt(Hart hart) {
    boolean raised = hart.takeInterrupts() != 0;
    if (!raised && quietBoundary(hart)) {
      schedule.account(hart);
      quietResume[hart.id()] = true;
      return;
    }
    turns.sync(hart);
    kernelEntry(hart);
    torture(hart);
    if (schedule.tickDue(hart)) {
      schedule.tick(hart);
    } else {
      schedule.account(hart);
    }
    schedule.preemptForWoken(hart);
  }

  /** Whether nothing (tick, timer, IPI) is due: the hart only reached a lookahead boundary. */
  private boolean quietBoundary(Hart hart) {
    return schedule.onlyTurnBoundary(hart, ipis.nextIpi(hart.id()));
  }

  /**
   * What every entry into this hart's kernel does first: a speculative walk (hardware may walk at
   * any time; doing it here makes a freed page table it still reaches show up), the IPIs queued for
   * this hart, and the deferred flushes it owes.
   */
  private void kernelEntry(Hart hart) {
    rcu.kernelEnter(hart);
    tlb.walks().speculate(hart);
    ipis.handle(hart);
    tlb.flush().applyDeferred(hart);
  }

  /** rcutorture's round, at entries from user mode only (idle passes would feed it forever). */
  private void torture(Hart hart) {
    if (torture != null) {
      torture.kernelEntry(hart);
    }
  }

  private void pageFault(Hart hart, Task task, int cause, long va) {
    counters.hart(hart.id()).add(Counter.PAGE_FAULTS);
    hart.addCycles(config.cost().pageFault());
    int access =
        cause == Cause.INSTRUCTION_PAGE_FAULT
            ? Mmu.FETCH
            : cause == Cause.LOAD_PAGE_FAULT ? Mmu.LOAD : Mmu.STORE;
    PageFaults.Fault fault = faults.fault(hart, task.mm, va, access, true);
    if (!fault.resolved()) {
      boolean oom = fault.result() == PageFaults.Result.OUT_OF_MEMORY;
      int code =
          fault.result() == PageFaults.Result.FORBIDDEN ? SigInfo.SEGV_ACCERR : SigInfo.SEGV_MAPERR;
      if (!oom && sending.fault(task, SigInfo.fault(Signals.SIGSEGV, code, va))) {
        return; // the handler runs on the way back to user mode
      }
      String where = String.format("%s at pc 0x%x, address 0x%x", Cause.name(cause), hart.pc(), va);
      kill(hart, task, oom ? Signals.SIGKILL : Signals.SIGSEGV, where + ": " + fault.reason());
    }
  }

  /**
   * si_addr of a trap's signal: the faulting instruction's pc for an illegal instruction or a
   * breakpoint (tval holds the instruction's bits there), the bad address otherwise.
   */
  private static long faultAddress(int cause, long pc, long tval) {
    return cause == Cause.ILLEGAL_INSTRUCTION || cause == Cause.BREAKPOINT ? pc : tval;
  }

  /** Kills the task's whole process with {@code signal}, reporting why. */
  private void kill(Hart hart, Task task, int signal, String why) {
    String report = String.format("%s killed by %s: %s", task.process, Signals.name(signal), why);
    log.debug(report);
    processes.endGroup(task.process, signal, report);
    schedule.exit(hart, task);
  }

  Halt halt() {
    return halt;
  }

  /** The run's figures; in lockstep, as taken when the run stopped (the others were parked). */
  Statistics statistics() {
    Statistics f = frozen;
    return f != null ? f : figures.take();
  }
}
