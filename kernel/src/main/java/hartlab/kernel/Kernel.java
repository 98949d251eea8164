package hartlab.kernel;

import hartlab.cpu.Cause;
import hartlab.cpu.CodeCache;
import hartlab.cpu.Hart;
import hartlab.cpu.TrapHandler;
import hartlab.kernel.check.CheckerHooks;
import hartlab.kernel.check.Checkers;
import hartlab.kernel.check.Violations;
import hartlab.kernel.fs.Console;
import hartlab.kernel.fs.FileIo;
import hartlab.kernel.fs.OpenFiles;
import hartlab.kernel.fs.RandomSource;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.mm.BinfmtElf;
import hartlab.kernel.mm.MemoryManagement;
import hartlab.kernel.mm.PageFaults;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.proc.Execve;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.Processes;
import hartlab.kernel.proc.Signals;
import hartlab.kernel.proc.Task;
import hartlab.kernel.rcu.RcuTorture;
import hartlab.kernel.rcu.TreeRcu;
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.sched.SleepWake;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Turns;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.Statistics;
import hartlab.kernel.syscall.Syscalls;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.tlb.TlbManagement;
import hartlab.kernel.tlb.shootdown.ShootdownStrategies;
import hartlab.loader.ElfImage;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.sched.Scheduler;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's trap entry and its wiring. Runs on the hart threads as each CPU's kernel context,
 * entered through {@link TrapHandler}: {@link #enterUser} is the way back to user mode (run the
 * scheduler, handle IPIs and deferred flushes, ticks, the lockstep quantum), {@link #trap}
 * dispatches system calls, page faults and exceptions, {@link #interrupt} takes timer and
 * inter-processor interrupts. The work itself is the subsystems'; see this package's overview for
 * who builds on whom.
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
  private final TreeRcu rcu;

  /** rcutorture's readers and writer at every kernel entry, or null. */
  private final RcuTorture torture;

  private final RunFigures figures;
  private volatile Statistics frozen;

  /** Per hart (hart-local): user mode stopped only at a lookahead boundary, not an interrupt. */
  private final boolean[] quietResume;

  Kernel(
      MachineConfig config,
      PhysicalMemory memory,
      FrameAllocator frames,
      CodeCache codeCache,
      Hart[] harts,
      Console console,
      RootFs rootFs) {
    this.config = config;
    int n = harts.length;
    this.quietResume = new boolean[n];
    this.counters = new Counters(n);
    boolean lockstep = config.execMode() == ExecMode.LOCKSTEP;
    IdleWork idleWork = new IdleWork();
    this.turns = Turns.create(lockstep, harts, config.quantumCycles(), idleWork, counters);
    this.halt = new Halt(harts, turns);
    this.ipis = new Ipis(harts, turns, config.cost(), counters, halt, lockstep);
    SleepWake sleepWake =
        new SleepWake(n, new Scheduler<>(config.policy(), n, config.sched()), ipis);
    this.rcu = new TreeRcu(harts, ipis, sleepWake, counters, config.rcu());
    ipis.observeSpins(rcu::spinning);
    this.torture =
        config.rcuTorture() > 0 ? new RcuTorture(rcu, n, config.rcuTorture(), config.rcu()) : null;
    PageTable pageTable = new PageTable(memory, frames);
    var strategy =
        ShootdownStrategies.find(
            config.shootdown(), Thread.currentThread().getContextClassLoader());
    this.tlb =
        TlbManagement.create(
            config.tlbOptions(), n, strategy, pageTable, ipis, sleepWake, counters);
    KernelMemory kmem = KernelMemory.of(frames);
    var mm =
        MemoryManagement.create(
            memory,
            frames,
            pageTable,
            codeCache,
            tlb.flush(),
            sleepWake,
            ipis,
            counters,
            kmem,
            rcu,
            config.vmaBreak(),
            config.vmaLookupDelay(),
            config.munmapScheme());
    OpenFiles openFiles = new OpenFiles(kmem, config.memoryBytes());
    this.faults = mm.faults();
    // The kernel's own page table maps no user memory: idle harts and dying tasks' harts load it.
    long kernelSatp = Mmu.makeSatp(pageTable.createRoot(), 0);
    MmSwitch mmSwitch = tlb.mmSwitch(config.lazyTlb(), kernelSatp, frames, mm.mmap(), counters);
    RandomSource random = new RandomSource(config.seed());
    Processes proc =
        Processes.create(
            mm, mmSwitch, rootFs, random, memory, sleepWake, ipis, config.maxTasks(), n, openFiles);
    this.processes = proc.table();
    this.execve = proc.execve();
    this.schedule =
        new Schedule(
            harts,
            sleepWake,
            mmSwitch,
            tlb,
            turns,
            halt,
            counters,
            rcu,
            proc,
            mm.user(),
            config.limits());
    FileIo io = new FileIo(mm.user(), console, sleepWake, openFiles, memory, halt, lockstep);
    this.syscalls = new Syscalls(mm, proc, schedule, io, sleepWake, random, counters, mmSwitch);
    idleWork.attach(schedule, ipis, tlb);
    var violations = new Violations(halt);
    this.figures =
        new RunFigures(
            harts, counters, schedule, processes, tlb, kmem, syscalls, violations, config.labels());
    if (lockstep) {
      halt.beforeRelease(() -> frozen = figures.take());
    }
    if (config.check()) {
      var hooks =
          new CheckerHooks(tlb.observers(), mm.pteObservers(), harts, frames, mm.vmaLocks(), rcu);
      Checkers.install(violations, hooks, tlb, pageTable, config.lazyTlb(), config.rcu());
    }
    for (Hart h : harts) {
      h.mmu().setSatp(kernelSatp);
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
    counters.hart(hart.id()).add(Counter.TRAPS);
    hart.clearReservation();
    hart.addCycles(config.cost().trapEntry());
    rcu.kernelEnter(hart);
    torture(hart);
    if (torture != null && cause == Cause.ECALL_FROM_U && torture.waitsAtSyscall(hart, task)) {
      return; // the task sleeps until a grace period has passed, then its ecall runs again
    }
    tlb.flush().applyDeferred(hart);
    if (cause == Cause.ECALL_FROM_U) {
      syscalls.handle(hart, task);
    } else if (Cause.isPageFault(cause)) {
      pageFault(hart, task, cause, tval);
    } else {
      kill(
          hart,
          task,
          Signals.forCause(cause),
          String.format("%s at pc 0x%x (tval 0x%x)", Cause.name(cause), hart.pc(), tval));
    }
    if (schedule.current(hart) == task) {
      if (task.killPending) {
        schedule.exit(hart, task);
      } else {
        hart.addCycles(config.cost().trapExit());
        schedule.preemptForWoken(hart);
      }
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

  /**
   * rcutorture's round, at entries from user mode only: the idle loop's passes would feed it
   * callbacks of its own forever.
   */
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
      String where = String.format("%s at pc 0x%x, address 0x%x", Cause.name(cause), hart.pc(), va);
      kill(hart, task, oom ? Signals.SIGKILL : Signals.SIGSEGV, where + ": " + fault.reason());
    }
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

  /**
   * The run's figures. In lockstep they were taken the moment the run stopped, on the thread that
   * stopped it: the other harts were parked then, and what they do while leaving is no part of it.
   */
  Statistics statistics() {
    Statistics f = frozen;
    return f != null ? f : figures.take();
  }
}
