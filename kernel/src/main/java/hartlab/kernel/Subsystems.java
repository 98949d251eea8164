package hartlab.kernel;

import hartlab.cpu.Hart;
import hartlab.kernel.check.CheckerHooks;
import hartlab.kernel.check.Checkers;
import hartlab.kernel.check.Violations;
import hartlab.kernel.fs.Console;
import hartlab.kernel.fs.FileIo;
import hartlab.kernel.fs.OpenFiles;
import hartlab.kernel.fs.RandomSource;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.fs.Vfs;
import hartlab.kernel.mm.MemoryManagement;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.proc.Processes;
import hartlab.kernel.rcu.RcuTorture;
import hartlab.kernel.rcu.TreeRcu;
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.sched.SleepWake;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.LockstepTurns;
import hartlab.kernel.smp.Turns;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.Tracer;
import hartlab.kernel.syscall.Syscalls;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.tlb.TlbManagement;
import hartlab.kernel.tlb.shootdown.ShootdownStrategies;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.sched.Scheduler;

/**
 * Every subsystem of one kernel, wired in the order they build on each other (see this package's
 * overview). {@link #wire} is the only place that builds them: {@link Kernel} takes what its trap
 * entry needs, and the kernel module's unit tests build the same graph over harts they drive
 * themselves.
 *
 * @param kernelSatp the kernel's own address space, which maps no user memory: idle harts and dying
 *     tasks' harts load it
 */
record Subsystems(
    Counters counters,
    Turns turns,
    Halt halt,
    Ipis ipis,
    SleepWake sleepWake,
    TreeRcu rcu,
    RcuTorture torture,
    PageTable pageTable,
    TlbManagement tlb,
    KernelMemory kmem,
    MemoryManagement mm,
    OpenFiles openFiles,
    long kernelSatp,
    MmSwitch mmSwitch,
    RandomSource random,
    Vfs vfs,
    Processes proc,
    Schedule schedule,
    FileIo io,
    Syscalls syscalls,
    Violations violations,
    RunFigures figures) {

  /**
   * How the harts take turns. Built first, since every wait goes through it; what a parked hart may
   * have to do ({@code idleWork}) answers only once the rest is wired, before the harts start.
   */
  @FunctionalInterface
  interface TurnsFactory {
    Turns create(LockstepTurns.Work idleWork, Counters counters);
  }

  /** The machine's own: the strategy and the turn-taking the configuration names. */
  static Subsystems wire(
      MachineConfig config, Board board, Console console, RootFs rootFs, Tracer tracer) {
    boolean lockstep = config.execMode() == ExecMode.LOCKSTEP;
    Hart[] harts = board.harts();
    return wire(
        config,
        board,
        console,
        rootFs,
        ShootdownStrategies.find(
            config.shootdown(), Thread.currentThread().getContextClassLoader()),
        (work, counters) -> Turns.create(lockstep, harts, config.quantumCycles(), work, counters),
        tracer);
  }

  /**
   * As {@link #wire(MachineConfig, Board, Console, RootFs, Tracer)} with the given strategy and
   * turns.
   */
  static Subsystems wire(
      MachineConfig config,
      Board board,
      Console console,
      RootFs rootFs,
      ShootdownStrategy strategy,
      TurnsFactory turnsFactory,
      Tracer tracer) {
    Hart[] harts = board.harts();
    int n = harts.length;
    boolean lockstep = config.execMode() == ExecMode.LOCKSTEP;
    Counters counters = new Counters(n, tracer);
    IdleWork idleWork = new IdleWork();
    Turns turns = turnsFactory.create(idleWork, counters);
    Halt halt = new Halt(harts, turns);
    Ipis ipis = new Ipis(harts, turns, config.cost(), counters, halt, lockstep);
    SleepWake sleepWake =
        new SleepWake(n, new Scheduler<>(config.policy(), n, config.sched()), ipis);
    TreeRcu rcu = new TreeRcu(harts, ipis, sleepWake, counters, config.rcu());
    ipis.observeSpins(rcu::spinning);
    RcuTorture torture =
        config.rcuTorture() > 0 ? new RcuTorture(rcu, n, config.rcuTorture(), config.rcu()) : null;
    PageTable pageTable = new PageTable(board.memory(), board.frames());
    TlbManagement tlb =
        TlbManagement.create(
            config.tlbOptions(), n, strategy, pageTable, ipis, sleepWake, counters);
    KernelMemory kmem = KernelMemory.of(board.frames());
    MemoryManagement mm =
        MemoryManagement.create(
            board.memory(),
            board.frames(),
            pageTable,
            board.codeCache(),
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
    long kernelSatp = Mmu.makeSatp(pageTable.createRoot(), 0);
    MmSwitch mmSwitch =
        tlb.mmSwitch(config.lazyTlb(), kernelSatp, board.frames(), mm.mmap(), counters);
    RandomSource random = new RandomSource(config.seed());
    // /dev/urandom has a generator of its own, so that reading it leaves getrandom's bytes alone.
    Vfs vfs =
        new Vfs(
            rootFs, kmem, board.memory(), openFiles, new RandomSource(config.seed() ^ 0x75726e64));
    Processes proc =
        Processes.create(
            mm,
            mmSwitch,
            vfs,
            random,
            board.memory(),
            sleepWake,
            ipis,
            config.maxTasks(),
            n,
            openFiles);
    vfs.attachProcesses(proc.table().procView(), mmSwitch, mm.vmaLocks());
    Schedule schedule =
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
    FileIo io =
        new FileIo(mm.user(), console, sleepWake, openFiles, board.memory(), halt, lockstep, vfs);
    Syscalls syscalls =
        new Syscalls(mm, proc, schedule, io, vfs, sleepWake, random, counters, config.maxTasks());
    idleWork.attach(schedule, ipis, tlb);
    Violations violations = new Violations(halt);
    RunFigures figures =
        new RunFigures(
            harts,
            counters,
            schedule,
            proc.table(),
            tlb,
            kmem,
            syscalls,
            violations,
            config.labels());
    if (config.check()) {
      var hooks =
          new CheckerHooks(
              tlb.observers(), mm.pteObservers(), harts, board.frames(), mm.vmaLocks(), rcu);
      Checkers.install(violations, hooks, tlb, pageTable, config.lazyTlb(), config.rcu());
    }
    for (Hart h : harts) {
      h.mmu().setSatp(kernelSatp);
    }
    return new Subsystems(
        counters,
        turns,
        halt,
        ipis,
        sleepWake,
        rcu,
        torture,
        pageTable,
        tlb,
        kmem,
        mm,
        openFiles,
        kernelSatp,
        mmSwitch,
        random,
        vfs,
        proc,
        schedule,
        io,
        syscalls,
        violations,
        figures);
  }
}
