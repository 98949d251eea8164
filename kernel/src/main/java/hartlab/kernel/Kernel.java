package hartlab.kernel;

import hartlab.cpu.Cause;
import hartlab.cpu.CodeCache;
import hartlab.cpu.Hart;
import hartlab.cpu.TrapHandler;
import hartlab.kernel.check.Checker;
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
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.sched.SleepWake;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.LockstepTurns;
import hartlab.kernel.smp.ParallelTurns;
import hartlab.kernel.smp.Turns;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.HartCounters;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.stats.Statistics;
import hartlab.kernel.syscall.Syscalls;
import hartlab.kernel.tlb.AsidAllocator;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.tlb.SpeculativeWalks;
import hartlab.kernel.tlb.TlbFlush;
import hartlab.kernel.tlb.TlbManagement;
import hartlab.kernel.tlb.TlbStates;
import hartlab.kernel.tlb.shootdown.ShootdownStrategies;
import hartlab.loader.ElfImage;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.TlbStats;
import hartlab.sched.SchedStats;
import hartlab.sched.Scheduler;
import java.util.List;
import java.util.Map;
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
  private final TlbFlush tlbFlush;
  private final TlbStates tlbStates;
  private final SpeculativeWalks walks;
  private final Schedule schedule;
  private final ProcessTable processes;
  private final PageFaults faults;
  private final Syscalls syscalls;
  private final Execve execve;
  private final AsidAllocator asids;
  private final Violations violations;
  private final KernelMemory kmem;

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
    this.counters = new Counters(n);
    this.turns =
        config.execMode() == ExecMode.LOCKSTEP
            ? new LockstepTurns(harts, config.quantumCycles(), this::hasWork)
            : new ParallelTurns(n);
    this.halt = new Halt(harts, turns);
    this.ipis = new Ipis(harts, turns, config.cost(), counters, halt);
    SleepWake sleepWake =
        new SleepWake(n, new Scheduler<>(config.policy(), n, config.sched()), ipis);
    PageTable pageTable = new PageTable(memory, frames);
    var options =
        new TlbManagement.Options(
            config.flushCeiling(),
            config.asids(),
            config.asidBits(),
            config.speculativeWalks(),
            config.seed());
    var strategy =
        ShootdownStrategies.find(
            config.shootdown(), Thread.currentThread().getContextClassLoader());
    var tlb = TlbManagement.create(options, n, strategy, pageTable, ipis, sleepWake, counters);
    this.tlbFlush = tlb.flush();
    this.tlbStates = tlb.states();
    this.asids = tlb.asids();
    this.walks = tlb.walks();
    this.kmem = KernelMemory.of(frames);
    MemoryManagement mm =
        MemoryManagement.create(
            memory, frames, pageTable, codeCache, tlbFlush, sleepWake, ipis, kmem);
    OpenFiles openFiles = new OpenFiles(kmem, config.memoryBytes());
    this.faults = mm.faults();
    // The kernel's own page table maps no user memory: idle harts and dying tasks' harts load it.
    long kernelSatp = Mmu.makeSatp(pageTable.createRoot(), 0);
    MmSwitch mmSwitch = tlb.mmSwitch(config.lazyTlb(), kernelSatp, frames, mm.mmap(), ipis);
    RandomSource random = new RandomSource(config.seed());
    Processes proc =
        Processes.create(
            mm, mmSwitch, rootFs, random, memory, sleepWake, ipis, config.maxTasks(), n, openFiles);
    this.processes = proc.table();
    this.execve = proc.execve();
    var limits =
        new Schedule.Limits(
            config.tickCycles(), config.maxInstructions(), config.execMode() == ExecMode.PARALLEL);
    this.schedule =
        new Schedule(
            harts, sleepWake, mmSwitch, tlb, turns, halt, counters, proc, mm.user(), limits);
    FileIo io =
        new FileIo(
            mm.user(),
            console,
            sleepWake,
            openFiles,
            memory,
            halt,
            config.execMode() == ExecMode.LOCKSTEP);
    this.syscalls = new Syscalls(mm, proc, schedule, io, sleepWake, random, counters);
    this.violations = new Violations(halt);
    if (config.check()) {
      CheckerHooks hooks = new CheckerHooks(tlb.observers(), harts);
      for (Checker c : Checkers.standard(violations, harts, tlbFlush, frames, config.lazyTlb())) {
        violations.register(c);
        c.install(hooks);
      }
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
    for (; ; ) {
      turns.awaitTurn(hart);
      if (halt.stopping()) {
        return STOP;
      }
      kernelEntry(hart);
      schedule.fireTimers(hart);
      Task current = schedule.current(hart);
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
      long quantumEnd = turns.quantumEnd(hart);
      if (hart.cycles() >= quantumEnd) {
        turns.endQuantum(hart);
        continue;
      }
      return schedule.userDeadline(hart, quantumEnd);
    }
  }

  @Override
  public void trap(Hart hart, int cause, long tval) {
    Task task = schedule.current(hart);
    counters.hart(hart.id()).add(Counter.TRAPS);
    hart.clearReservation();
    hart.addCycles(config.cost().trapEntry());
    tlbFlush.applyDeferred(hart);
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
    hart.takeInterrupts();
    kernelEntry(hart);
    if (schedule.tickDue(hart)) {
      schedule.tick(hart);
    } else {
      schedule.account(hart);
    }
    schedule.preemptForWoken(hart);
  }

  /**
   * What every entry into this hart's kernel does first: a speculative walk (hardware may walk at
   * any time; doing it here makes a freed page table it still reaches show up), the IPIs queued for
   * this hart, and the deferred flushes it owes.
   */
  private void kernelEntry(Hart hart) {
    walks.speculate(hart);
    ipis.handle(hart);
    tlbFlush.applyDeferred(hart);
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

  // ---- the end of the run ----

  Halt halt() {
    return halt;
  }

  /** The run's figures, with the hardware's read off {@code harts}; after their threads ended. */
  Statistics statistics(Hart[] harts, Map<String, String> labels) {
    for (Hart h : harts) {
      HartCounters c = counters.hart(h.id());
      TlbStats tlb = h.mmu().tlbStats();
      c.set(Counter.INSTRUCTIONS, h.instret());
      c.set(Counter.CYCLES, h.cycles());
      c.set(Counter.BUSY_CYCLES, h.cycles() - c.get(Counter.IDLE_CYCLES));
      c.set(Counter.TLB_HITS, tlb.hits());
      c.set(Counter.TLB_MISSES, tlb.misses());
      c.set(Counter.TLB_FLUSHES_ALL, tlb.flushesAll());
      c.set(Counter.TLB_FLUSHES_ASID, tlb.flushesAsid());
      c.set(Counter.TLB_FLUSHES_PAGE, tlb.flushesPage());
      c.set(Counter.TLB_FLUSHES_RANGE, tlb.flushesRange());
      c.set(Counter.TLB_ENTRIES_INVALIDATED, tlb.entriesInvalidated());
      c.set(Counter.PAGE_WALKS, h.mmu().walks());
    }
    SchedStats sched = schedule.stats();
    long[] machine = {
      processes.tasksCreated(),
      asids == null ? 0 : asids.rollovers(),
      sched.wakeups(),
      sched.migrations(),
      sched.idlePulls(),
      sched.balancePulls(),
      sched.preemptions(),
      kmem.peak(),
      kmem.refusals()
    };
    return Statistics.of(
        counters,
        machine,
        Map.of(Latency.RUN_QUEUE_WAIT_CYCLES, sched.runQueueWait()),
        syscalls.counts(),
        violations.counts(),
        labels);
  }

  /** Whether a hart parked idle has something to do (lockstep skips those that have not). */
  private boolean hasWork(int hart) {
    return schedule.hasWork(hart)
        || ipis.pending(hart)
        || tlbFlush.hasDeferred(hart)
        || (walks.enabled() && tlbStates.activeMm(hart) != null);
  }
}
