package hartlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.check.Violations;
import hartlab.kernel.fs.Console;
import hartlab.kernel.fs.FileIo;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.RandomSource;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.mm.MemoryManagement;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.MmFixtures;
import hartlab.kernel.mm.PageFaults;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.proc.Processes;
import hartlab.kernel.proc.Task;
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.sched.SleepWake;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.Tracer;
import hartlab.kernel.syscall.Syscalls;
import hartlab.kernel.tlb.LazyTlbMode;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.tlb.TlbFlush;
import hartlab.kernel.tlb.TlbManagement;
import hartlab.kernel.tlb.shootdown.ShootdownStrategies;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.sched.Policy;
import hartlab.sched.SchedConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small machine for unit tests: the kernel's subsystems as {@link Subsystems#wire} builds them
 * for the machine, over a few MiB of RAM and real {@link Hart}s, but with no hart threads. The test
 * drives the kernel's entry points itself, as the harts' kernel contexts would ("stub harts"):
 * {@link StubTurns} plays the other harts' part whenever one spins for them, so shootdowns and mm
 * teardown complete on the test thread; tests about concurrency run harts in threads of their own
 * and turn that off. Only the turn-taking ({@link StubTurns}) and, where a test asks, the shootdown
 * strategy object are the test's own.
 *
 * <p>The checkers are installed (as with {@code --check}); {@link #assertNoViolations} tells a test
 * that none fired.
 */
public final class KernelRig {
  public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
  public static final int RW = PROT_READ | PROT_WRITE;
  public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10;
  public static final int MAP_ANONYMOUS = 0x20, MAP_POPULATE = 0x8000;
  public static final int PRIVATE_ANON = MAP_PRIVATE | MAP_ANONYMOUS;
  public static final int SHARED_ANON = MAP_SHARED | MAP_ANONYMOUS;
  public static final long PAGE = PhysicalMemory.PAGE_SIZE;

  public final PhysicalMemory memory;
  public final FrameAllocator frames;
  public final CodeCache code;
  public final Hart[] harts;
  public final CostModel cost;
  public final Counters counters;
  public final StubTurns turns;
  public final Halt halt;
  public final Ipis ipis;
  public final SleepWake sleepWake;
  public final PageTable pageTable;
  public final TlbManagement tlb;
  public final TlbFlush tlbFlush;

  /** The memory subsystem (Linux's mm/): faults, mmap, fork's copy, exec's loader. */
  public final MemoryManagement vm;

  public final long kernelSatp;
  public final MmSwitch mmSwitch;
  public final Processes proc;
  public final hartlab.kernel.fs.Vfs vfs;
  public final hartlab.kernel.rcu.TreeRcu rcu;
  public final Schedule schedule;
  public final FileIo io;
  public final Syscalls syscalls;
  public final Violations violations;
  public final RandomSource random;
  public final LazyTlbMode lazyTlb;
  public final MachineConfig config;
  public final KernelMemory kmem;
  private final Console console;
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  private KernelRig(Builder b) {
    MachineConfig config = b.config.build();
    this.config = config;
    this.cost = config.cost();
    this.lazyTlb = config.lazyTlb();
    Board board = Board.of(config);
    memory = board.memory();
    frames = board.frames();
    code = board.codeCache();
    harts = board.harts();
    turns = new StubTurns(harts);
    console = new Console(stdout, stderr, new ByteArrayInputStream(new byte[0]));
    ShootdownStrategy strategy =
        b.strategy != null
            ? b.strategy
            : ShootdownStrategies.find(config.shootdown(), KernelRig.class.getClassLoader());
    Subsystems s =
        Subsystems.wire(config, board, console, b.rootFs, strategy, (work, c) -> turns, Tracer.OFF);
    turns.serve(s.ipis());
    counters = s.counters();
    halt = s.halt();
    ipis = s.ipis();
    sleepWake = s.sleepWake();
    pageTable = s.pageTable();
    tlb = s.tlb();
    tlbFlush = tlb.flush();
    kmem = s.kmem();
    vm = s.mm();
    kernelSatp = s.kernelSatp();
    mmSwitch = s.mmSwitch();
    random = s.random();
    proc = s.proc();
    vfs = s.vfs();
    rcu = s.rcu();
    schedule = s.schedule();
    io = s.io();
    syscalls = s.syscalls();
    violations = s.violations();
    actAs(harts[0]);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A rig with {@code harts} harts and every other setting at its default. */
  public static KernelRig of(int harts) {
    return builder().harts(harts).build();
  }

  /**
   * Settings: a {@link MachineConfig} (parallel execution; the checkers on) with less RAM and fewer
   * tasks, plus what only a test supplies (a strategy object, a root file system).
   */
  public static final class Builder {
    private final MachineConfig.Builder config =
        MachineConfig.builder().cores(2).memoryBytes(8L << 20).maxTasks(64).check(true);
    private ShootdownStrategy strategy;
    private RootFs rootFs = RootFs.empty();

    public Builder harts(int v) {
      config.cores(v);
      return this;
    }

    public Builder memoryBytes(long v) {
      config.memoryBytes(v);
      return this;
    }

    public Builder tlb(int entries, int ways) {
      config.tlb(entries, ways);
      return this;
    }

    public Builder strategy(String name) {
      config.shootdown(name);
      strategy = null;
      return this;
    }

    /** A strategy object of the test's own (a broken one, say) in place of a named one. */
    public Builder strategy(ShootdownStrategy s) {
      strategy = s;
      return this;
    }

    public Builder lazyTlb(LazyTlbMode v) {
      config.lazyTlb(v);
      return this;
    }

    public Builder asids(boolean on) {
      config.asids(on);
      return this;
    }

    public Builder asidBits(int v) {
      config.asidBits(v);
      return this;
    }

    public Builder flushCeiling(int v) {
      config.flushCeiling(v);
      return this;
    }

    public Builder speculativeWalks(boolean v) {
      config.speculativeWalks(v);
      return this;
    }

    public Builder check(boolean v) {
      config.check(v);
      return this;
    }

    public Builder maxTasks(int v) {
      config.maxTasks(v);
      return this;
    }

    public Builder policy(Policy v) {
      config.policy(v);
      return this;
    }

    public Builder sched(SchedConfig v) {
      config.sched(v);
      return this;
    }

    public Builder tickCycles(long v) {
      config.tickCycles(v);
      return this;
    }

    public Builder maxInstructions(long v) {
      config.maxInstructions(v);
      return this;
    }

    /**
     * Lockstep: IPIs are delivered in virtual time and idle harts leave timers to the turn order;
     * the stub turns still let the test drive every hart.
     */
    public Builder execMode(ExecMode v) {
      config.execMode(v);
      return this;
    }

    public Builder munmapScheme(hartlab.kernel.mm.MunmapScheme v) {
      config.munmapScheme(v);
      return this;
    }

    public Builder cost(CostModel v) {
      config.cost(v);
      return this;
    }

    public Builder rootFs(RootFs v) {
      rootFs = v;
      return this;
    }

    public KernelRig build() {
      return new KernelRig(this);
    }
  }

  // ---- the stub harts' kernel contexts ----

  public Hart hart(int id) {
    return harts[id];
  }

  /**
   * The test thread now acts for {@code hart} (the kernel context a waker runs in, as the hart
   * thread's first call would set it).
   */
  public void actAs(Hart hart) {
    schedule.hartStarted(hart);
  }

  /**
   * Every hart passes through user mode and back into its kernel a few times, as running harts
   * would: grace periods end and the RCU callbacks queued so far (page tables munmap unhooked, tree
   * nodes) run.
   */
  public void rcuQuiesce() {
    for (int round = 0; round < 4; round++) {
      for (Hart h : harts) {
        rcu.exitToUser(h);
        rcu.kernelEnter(h);
      }
    }
  }

  // ---- address spaces ----

  /** A new empty mm (mm_alloc). */
  public Mm newMm() {
    return MmFixtures.newMm(pageTable, kmem, vm.vmaLocks());
  }

  /** mmap under the mmap lock, as the syscall takes it; returns the address. */
  public long mmap(Hart hart, Mm mm, long addr, long len, int prot, int flags) {
    return locked(hart, mm, () -> vm.mmap().mmap(hart, mm, addr, len, prot, flags, -1, 0));
  }

  /** Anonymous private read-write memory of {@code pages} pages, wherever mmap puts it. */
  public long mmapAnon(Hart hart, Mm mm, int pages) {
    return mmap(hart, mm, 0, pages * PAGE, RW, PRIVATE_ANON);
  }

  public void munmap(Hart hart, Mm mm, long addr, long len) {
    locked(hart, mm, () -> vm.mmap().munmap(hart, mm, addr, len));
  }

  public void mprotect(Hart hart, Mm mm, long addr, long len, int prot) {
    locked(hart, mm, () -> vm.mprotect().mprotect(hart, mm, addr, len, prot));
  }

  /** Runs {@code call} holding mm's mmap lock for writing (taken by spinning). */
  public long locked(Hart hart, Mm mm, java.util.function.LongSupplier call) {
    vm.locking().lockSpinning(hart, mm, true);
    try {
      return call.getAsLong();
    } finally {
      vm.locking().unlock(hart, mm, true);
    }
  }

  /**
   * Accesses {@code va} through {@code hart}'s MMU as user code would, faulting the page in first
   * if needed (the hart must have {@code mm} loaded); the translation is then in its TLB. Returns
   * the physical address.
   */
  public long touch(Hart hart, Mm mm, long va, int access) {
    long pa = hart.mmu().translate(va, access);
    if (pa < 0) {
      PageFaults.Fault f = vm.faults().fault(hart, mm, va, access, false);
      assertEquals(PageFaults.Result.FIXED, f.result(), () -> "fault at 0x" + Long.toHexString(va));
      pa = hart.mmu().translate(va, access);
    }
    assertTrue(pa >= 0, () -> "no translation for 0x" + Long.toHexString(va) + " after a fault");
    return pa;
  }

  /** A store of {@code value} at user address {@code va} as {@code hart} makes it. */
  public void poke(Hart hart, Mm mm, long va, long value) {
    memory.putLong(touch(hart, mm, va, Mmu.STORE), value);
  }

  /** A load from user address {@code va} as {@code hart} makes it. */
  public long peek(Hart hart, Mm mm, long va) {
    return memory.getLong(touch(hart, mm, va, Mmu.LOAD));
  }

  /** Whether {@code hart}'s TLB caches a translation of {@code va} in {@code mm}'s ASID. */
  public boolean cached(Hart hart, Mm mm, long va) {
    return hart.mmu().tlb().holds(mm.asid, va);
  }

  /**
   * Frames holding neither user pages nor page tables: the free ones and those the kernel-memory
   * slab backs objects with (it grows with tasks and areas and keeps a spare, which is not what a
   * test of user memory counts).
   */
  public int freeFrames() {
    return frames.freeFrames() + kmem.slabFrames();
  }

  /**
   * Makes room in the kernel-memory slab for at least a dozen areas (it keeps a frame it grew as a
   * spare), so that a test which then takes every free frame runs out of user memory, not kernel
   * memory.
   */
  public void slabHeadroom() {
    int areas = 32;
    if (!kmem.tryCharge(KernelMemory.Kind.VMA, areas)) {
      throw new IllegalStateException("KernelRig.slabHeadroom: no frame left for the slab");
    }
    kmem.uncharge(KernelMemory.Kind.VMA, areas);
  }

  // ---- tasks ----

  /** A new process with one task in {@code mm} (the first one becomes init); not yet runnable. */
  public Task newProcess(Mm mm) {
    Task t =
        proc.table().init() == null
            ? proc.table().createInit("init", mm, FileTable.withConsole())
            : proc.table().newProcessTask(proc.table().init(), "proc", mm, FileTable.withConsole());
    t.process.fs =
        vfs.initContext("/bin/proc", t.process.pid); // as execve gives a process its root and cwd
    return t;
  }

  /** A new thread of {@code of}'s process, sharing its mm (clone with CLONE_VM|CLONE_THREAD). */
  public Task newThread(Task of) {
    Task t = proc.table().newThread(of.process, of.mm);
    mmSwitch.mmget(harts[0], of.mm);
    return t;
  }

  /**
   * Makes {@code task} runnable on {@code hart} only and schedules it there: the hart's current
   * task afterwards, with its mm loaded.
   */
  public Task runOn(int hart, Task task) {
    Hart h = harts[hart];
    actAs(h);
    task.sched.setAffinity(1L << hart);
    schedule.wakeUpNewTask(task, hart, h.cycles());
    schedule.schedule(h);
    assertSame(task, schedule.current(h), "the task runs on hart " + hart);
    return task;
  }

  /** A new process in a new mm, running on {@code hart}. */
  public Task runNewProcess(int hart) {
    return runOn(hart, newProcess(newMm()));
  }

  /**
   * Loads {@code mm} on {@code hart} without a task: the hart then holds it as a lazy one would.
   */
  public void load(int hart, Mm mm) {
    mmSwitch.switchTo(harts[hart], mm);
  }

  /** The hart has nothing to run: lazy TLB mode as the configured policy says. */
  public void goIdle(int hart) {
    mmSwitch.enterLazy(harts[hart]);
  }

  // ---- results ----

  public long count(int hart, Counter c) {
    return counters.hart(hart).get(c);
  }

  public long total(Counter c) {
    return counters.total(c);
  }

  /** What the guest wrote to fd 1 so far, once the console wrote it out. */
  public String stdout() {
    drainConsole();
    return stdout.toString(StandardCharsets.UTF_8);
  }

  public String stderr() {
    drainConsole();
    return stderr.toString(StandardCharsets.UTF_8);
  }

  private void drainConsole() {
    assertTrue(console.drain(TimeUnit.SECONDS.toNanos(30)), "the console wrote everything out");
  }

  public Map<String, Long> violationCounts() {
    return violations.counts();
  }

  /** Fails with the first checker report if any checker fired. */
  public void assertNoViolations() {
    Halt.Ending end = halt.ending();
    if (end != null && end.outcome() == hartlab.kernel.stats.Outcome.VIOLATION) {
      throw new AssertionError("checker fired: " + end.message());
    }
  }
}
