package hartlab.kernel;

import hartlab.cpu.Cause;
import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.cpu.TrapHandler;
import hartlab.kernel.shootdown.ShootdownStrategies;
import hartlab.loader.ElfImage;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.sched.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel: runs on the hart threads as each CPU's kernel context, entered through {@link
 * TrapHandler}. It schedules tasks, switches address spaces, puts tasks to sleep and wakes them,
 * delivers IPIs, dispatches traps, and decides when the machine stops.
 *
 * <p>Waiting follows one rule: a task that must wait sleeps (its context saved, its hart free to
 * run something else) and its syscall restarts or completes when woken; a hart waiting for other
 * harts (IPI acknowledgements) spins through {@link #spinUntil}, which keeps serving its own IPIs
 * and, in lockstep, gives its turn away. No host lock is held across either.
 */
public final class Kernel implements TrapHandler {
  private static final Logger log = LoggerFactory.getLogger(Kernel.class);

  /** Interrupt bits. */
  static final int IRQ_STOP = 1, IRQ_IPI = 2, IRQ_KICK = 4;

  private static final int MAILBOX_CAPACITY = 1024;

  /** Why and how the run ended; set once. */
  record Ending(Outcome outcome, int exitCode, String message) {}

  private final MachineConfig config;
  private final CostModel cost;
  private final Hart[] harts;
  private final Cpu[] cpus;
  private final ManyToOneConcurrentArrayQueue<Ipi>[] mailboxes;
  private final Turns turns;
  private final Scheduler<Task> scheduler;
  private final Timers timers = new Timers();
  private final PageFaults faults;
  private final AddressSpace addressSpace;
  private final MmSwitch mmSwitch;
  private final ActiveMmChecker activeMmChecker;
  private final AsidAllocator asids;
  private final Exec exec;
  private final Syscalls syscalls;
  private final ProcessTable processes;
  private final UserMemory user;
  private final Futexes futexes;
  private final AtomicLong instructionsLeft;

  /** Harts with nothing to run; when all are, virtual time may skip to the next timer. */
  private final AtomicInteger idleHarts = new AtomicInteger();

  private final AtomicReference<Ending> ending = new AtomicReference<>();
  private final Set<Long> unknownSyscallsSeen = ConcurrentHashMap.newKeySet();
  private final Map<String, LongAdder> syscallCounts = new ConcurrentHashMap<>();
  private final ThreadLocal<Hart> currentHart = new ThreadLocal<>();
  private final TlbFlush tlbFlush;

  /** Per hart, seeded: where speculative walks look (hart-local). */
  private final SplittableRandom[] speculation;

  @SuppressWarnings("unchecked")
  Kernel(
      MachineConfig config,
      PhysicalMemory memory,
      FrameAllocator frames,
      CodeCache codeCache,
      Hart[] harts,
      Console console,
      RootFs rootFs) {
    this.config = config;
    this.cost = config.cost();
    this.harts = harts;
    this.cpus = new Cpu[harts.length];
    this.mailboxes = new ManyToOneConcurrentArrayQueue[harts.length];
    for (int i = 0; i < cpus.length; i++) {
      cpus[i] = new Cpu(i);
      mailboxes[i] = new ManyToOneConcurrentArrayQueue<>(MAILBOX_CAPACITY);
    }
    this.turns =
        config.execMode() == ExecMode.LOCKSTEP
            ? new LockstepTurns(harts, config.quantumCycles(), this::hasWork)
            : new ParallelTurns(harts.length);
    this.scheduler = new Scheduler<>(config.policy(), harts.length, config.sched());
    PageTable pageTable = new PageTable(memory, frames);
    FrameRefs refs = new FrameRefs(frames, memory);
    this.tlbFlush =
        new TlbFlush(
            config.flushCeiling(),
            ShootdownStrategies.find(
                config.shootdown(), Thread.currentThread().getContextClassLoader()),
            pageTable);
    tlbFlush.attach(this, config.check() ? new CoherenceChecker(this, harts, tlbFlush) : null);
    this.speculation = new SplittableRandom[harts.length];
    for (int i = 0; i < harts.length; i++) {
      speculation[i] = new SplittableRandom(config.seed() * 1_000_003L + i);
      if (config.check()) {
        harts[i].mmu().setTableReadCheck(new FreedTableChecker(this, frames, i));
      }
    }
    this.faults = new PageFaults(pageTable, refs, memory, tlbFlush);
    this.addressSpace = new AddressSpace(pageTable, refs, frames, tlbFlush, faults);
    this.user = new UserMemory(this, faults, codeCache, memory);
    this.exec = new Exec(memory, refs, frames, pageTable);
    this.asids = config.asids() ? new AsidAllocator(config.asidBits(), harts.length) : null;
    this.activeMmChecker = new ActiveMmChecker(this, config.check());
    // The kernel's own page table maps no user memory: idle harts and dying tasks' harts load it.
    long kernelSatp = Mmu.makeSatp(pageTable.createRoot(), 0);
    this.mmSwitch =
        new MmSwitch(
            this,
            config.lazyTlb(),
            asids,
            kernelSatp,
            frames,
            addressSpace,
            activeMmChecker,
            tlbFlush);
    this.processes = new ProcessTable(this, config.maxTasks());
    this.futexes = new Futexes(this, user, memory);
    this.syscalls =
        new Syscalls(
            this,
            user,
            addressSpace,
            console,
            processes,
            futexes,
            exec,
            mmSwitch,
            rootFs,
            config.seed());
    this.instructionsLeft =
        new AtomicLong(config.maxInstructions() > 0 ? config.maxInstructions() : Long.MAX_VALUE);
    for (Hart h : harts) {
      h.mmu().setSatp(kernelSatp);
    }
  }

  void attachThread(int hart, Thread thread) {
    if (turns instanceof LockstepTurns l) {
      l.attach(hart, thread);
    } else {
      ((ParallelTurns) turns).attach(hart, thread);
    }
  }

  /** Called first on each hart thread. */
  void hartStarted(Hart hart) {
    currentHart.set(hart);
  }

  /** Creates the first process from {@code image}. Called before the harts start. */
  void startInit(ElfImage image, String name, List<String> argv, List<String> envp)
      throws Exec.ExecFailure {
    String execFn = argv.isEmpty() ? name : argv.get(0);
    Exec.Started started = exec.load(image, argv, envp, execFn, syscalls.atRandom());
    FileTable files = new FileTable();
    files.install(new ConsoleFile(0), false);
    files.install(new ConsoleFile(1), false);
    files.install(new ConsoleFile(2), false);
    Task task = processes.createInit(name, started.mm(), files);
    task.pc = started.entry();
    task.regs[2] = started.sp();
    makeRunnable(task, 0, 0);
  }

  Cpu cpu(Hart hart) {
    return cpus[hart.id()];
  }

  Hart currentHart() {
    return currentHart.get();
  }

  CostModel cost() {
    return cost;
  }

  MachineConfig config() {
    return config;
  }

  // ---- TrapHandler: everything below runs on the hart's own thread ----

  @Override
  public long enterUser(Hart hart) {
    Cpu cpu = cpus[hart.id()];
    for (; ; ) {
      turns.awaitTurn(hart);
      if (ending.get() != null) {
        return STOP;
      }
      kernelEntry(hart, cpu);
      fireTimers(hart);
      Task current = cpu.current;
      if (current != null && current.killPending) {
        exitTask(hart, current);
        continue;
      }
      if (current == null) {
        Task next = scheduler.pickNext(hart.id(), hart.cycles());
        if (next == null) {
          idle(hart, cpu);
          continue;
        }
        switchTo(hart, cpu, next);
        continue;
      }
      if (hart.cycles() >= cpu.nextTick) {
        tick(hart, cpu);
        continue;
      }
      long quantumEnd = turns.quantumEnd(hart);
      if (hart.cycles() >= quantumEnd) {
        turns.endQuantum(hart);
        continue;
      }
      // Each instruction costs at least a cycle, so running to cycles + left never overshoots the
      // budget.
      long deadline = Math.min(cpu.nextTick, quantumEnd);
      long left = instructionsLeft.get();
      return left >= deadline - hart.cycles() ? deadline : hart.cycles() + Math.max(left, 0);
    }
  }

  @Override
  public void trap(Hart hart, int cause, long tval) {
    Cpu cpu = cpus[hart.id()];
    Task task = cpu.current;
    cpu.traps++;
    hart.clearReservation();
    hart.addCycles(cost.trapEntry());
    applyDeferredFlushes(hart, cpu);
    if (cause == Cause.ECALL_FROM_U) {
      syscall(hart, cpu, task);
    } else if (Cause.isPageFault(cause)) {
      pageFault(hart, cpu, task, cause, tval);
    } else {
      kill(
          hart,
          task,
          Signals.forCause(cause),
          String.format("%s at pc 0x%x (tval 0x%x)", Cause.name(cause), hart.pc(), tval));
    }
    if (cpu.current == task) {
      if (task.killPending) {
        exitTask(hart, task);
      } else {
        hart.addCycles(cost.trapExit());
        preemptForWoken(hart, cpu);
      }
    }
  }

  /**
   * Wake-up preemption (CFS's check_preempt_wakeup): if a task woken onto this hart deserves the
   * hart more than the current one, the current one is preempted on its way back to user.
   */
  private void preemptForWoken(Hart hart, Cpu cpu) {
    Task woken = cpu.wokenHint;
    if (woken == null) {
      return;
    }
    cpu.wokenHint = null;
    Task current = cpu.current;
    if (current != null
        && woken != current
        && woken.state == Task.State.RUNNABLE
        && scheduler.shouldPreemptFor(hart.id(), current, woken)) {
      preempt(hart, cpu, current, hart.cycles() - current.switchedInAtCycles);
    }
  }

  @Override
  public void interrupt(Hart hart) {
    Cpu cpu = cpus[hart.id()];
    hart.takeInterrupts();
    kernelEntry(hart, cpu);
    if (hart.cycles() >= cpu.nextTick) {
      tick(hart, cpu);
    } else {
      account(hart, cpu);
    }
    preemptForWoken(hart, cpu);
  }

  /**
   * What every entry into this hart's kernel does first: a speculative walk (hardware may walk at
   * any time; doing it here makes a freed page table it still reaches show up), the IPIs queued for
   * this hart, and the deferred flushes it owes.
   */
  private void kernelEntry(Hart hart, Cpu cpu) {
    speculate(hart);
    handleIpis(hart);
    applyDeferredFlushes(hart, cpu);
  }

  /**
   * With --speculative-walks, the hart's hardware walks its loaded table near its last access, as
   * it may at any moment; done at every kernel entry and just before satp changes, the last moment
   * the old table can be walked.
   */
  void speculate(Hart hart) {
    if (config.speculativeWalks()) {
      hart.mmu().speculativeWalk(speculation[hart.id()].nextInt(-8, 9));
    }
  }

  private void applyDeferredFlushes(Hart hart, Cpu cpu) {
    for (TlbShootdown s; (s = cpu.deferred.poll()) != null; ) {
      tlbFlush.flushOn(hart, s);
      cpu.stats.deferredApplied++;
      s.drop();
    }
  }

  /**
   * Queues a deferred flush for {@code target}; a parked hart is woken to apply it, without an
   * interrupt.
   */
  void deferFlush(int target, TlbShootdown s) {
    cpus[target].deferred.add(s);
    turns.kick(target);
  }

  /**
   * Hardware broadcast invalidation: each target runs {@code call} at its next instruction
   * boundary; nobody pays IPI costs.
   */
  void broadcastInvalidate(Hart from, long mask, Ipi.Call call) {
    cpus[from.id()].stats.broadcasts++;
    Ipi ipi = post(from, mask, call, "broadcast invalidation", true);
    awaitIpi(from, ipi);
  }

  /**
   * Harts holding {@code mm} only lazily: loaded, with no task running. A racy view, as Linux's is.
   */
  long lazyHarts(Mm mm) {
    long mask = 0;
    for (int i = 0; i < cpus.length; i++) {
      if (isLazyOn(i, mm)) {
        mask |= 1L << i;
      }
    }
    return mask;
  }

  boolean isLazyOn(int hart, Mm mm) {
    Cpu c = cpus[hart];
    return c.activeMm == mm && c.current == null;
  }

  /** Whether hart {@code hart} runs a task of {@code mm} right now. */
  boolean isRunning(int hart, Mm mm) {
    Cpu c = cpus[hart];
    return c.activeMm == mm && c.current != null;
  }

  /**
   * Whether hart {@code h}'s TLB entries tagged with {@code mm}'s ASID can only be {@code mm}'s.
   */
  boolean tlbEntriesBelongTo(int h, Mm mm) {
    if (asids == null) {
      return cpus[h].activeMm == mm;
    }
    return !asids.flushPending(h);
  }

  String strategyName() {
    return tlbFlush.strategy().name();
  }

  // ---- scheduling ----

  /**
   * Nothing to run: enter lazy TLB mode and park. When every hart is idle and a timer is armed, the
   * machine would only wait for it, so virtual time jumps to it instead (as a tickless kernel
   * sleeps through idle time); while any hart is busy, its ticks fire timers when its clock reaches
   * them.
   */
  private void idle(Hart hart, Cpu cpu) {
    mmSwitch.enterLazy(hart, cpu);
    if (!cpu.idle) {
      cpu.idle = true;
      idleHarts.incrementAndGet();
    }
    long next = timers.earliest();
    if (next != Long.MAX_VALUE && idleHarts.get() == harts.length) {
      if (next > hart.cycles()) {
        cpu.idleCycles += next - hart.cycles();
        hart.setCycles(next);
      }
      fireTimers(hart);
      return;
    }
    if (config.speculativeWalks()
        && cpu.activeMm != null
        && config.execMode() == ExecMode.PARALLEL) {
      // A lazy hart's hardware keeps walking its loaded table: come back soon to do so.
      java.util.concurrent.locks.LockSupport.parkNanos(this, 200_000);
      return;
    }
    turns.idle(hart);
  }

  private void switchTo(Hart hart, Cpu cpu, Task next) {
    if (cpu.idle) {
      cpu.idle = false;
      idleHarts.decrementAndGet();
    }
    if (hart.cycles() < next.readySince) {
      cpu.idleCycles += next.readySince - hart.cycles();
      hart.setCycles(next.readySince); // an idle hart's clock catches up with whoever woke the task
    }
    mmSwitch.switchTo(hart, cpu, next.mm);
    hart.loadRegisters(next.regs);
    hart.setPc(next.pc);
    hart.addCycles(cost.contextSwitch());
    cpu.contextSwitches++;
    cpu.current = next;
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
  }

  /** The timer tick: charge instructions against --max-instructions, let the scheduler preempt. */
  private void tick(Hart hart, Cpu cpu) {
    cpu.nextTick = hart.cycles() + config.tickCycles();
    account(hart, cpu);
    Task current = cpu.current;
    long ran = current == null ? 0 : hart.cycles() - current.switchedInAtCycles;
    if (scheduler.tick(hart.id(), current, ran, hart.cycles()) && current != null) {
      preempt(hart, cpu, current, ran);
    }
  }

  private void account(Hart hart, Cpu cpu) {
    long ran = hart.instret() - cpu.accountedInstret;
    cpu.accountedInstret = hart.instret();
    if (instructionsLeft.addAndGet(-ran) <= 0 && config.maxInstructions() > 0) {
      requestStop(
          new Ending(
              Outcome.INSTRUCTION_LIMIT,
              0,
              String.format(
                  "stopped after --max-instructions %d: the guest had not finished",
                  config.maxInstructions())));
    }
  }

  /**
   * The current task gives up its hart but stays runnable: behind the others on this hart
   * (sched_yield, {@code keepHart}), or requeued as after a preemption (an affinity change that
   * excludes this hart moves it). Its syscall returns 0.
   */
  long yield(Hart hart, Task task, boolean keepHart) {
    Cpu cpu = cpus[hart.id()];
    long ran = hart.cycles() - task.switchedInAtCycles;
    saveContext(hart, task, hart.pc() + 4);
    task.regs[10] = 0;
    cpu.current = null;
    requeueOrMove(hart, task, ran, keepHart);
    return Syscalls.BLOCKED;
  }

  /** Preempts the current task: requeued here, or moved where its affinity allows. */
  private void preempt(Hart hart, Cpu cpu, Task task, long ran) {
    saveContext(hart, task, hart.pc());
    cpu.current = null;
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
      makeRunnable(task, hart.id(), hart.cycles());
    }
  }

  /** Another task's affinity changed: if it waits in a queue, place it again. */
  void reaffine(Task task) {
    if (scheduler.dequeue(task)) {
      Hart h = currentHart.get();
      makeRunnable(task, h.id(), h.cycles());
    }
  }

  long allHartsMask() {
    return harts.length == 64 ? -1L : (1L << harts.length) - 1;
  }

  private static void saveContext(Hart hart, Task task, long pc) {
    hart.saveRegisters(task.regs);
    task.pc = pc;
  }

  /** Queues a runnable task (new, or woken) and wakes the hart it lands on. */
  void makeRunnable(Task task, int wakerHart, long now) {
    task.readySince = now;
    task.state = Task.State.RUNNABLE;
    int target = scheduler.wake(task, wakerHart, now);
    if (target < 0) {
      return;
    }
    cpus[target].wokenHint = task;
    if (target != wakerHart) {
      harts[target].raiseInterrupt(IRQ_KICK);
      turns.kick(target);
    }
  }

  // ---- sleeping and waking ----

  /**
   * Puts the current task of {@code hart} to sleep. Called by a syscall (or the fault path) that
   * has found it must wait, while holding the lock that guards the awaited condition, so that a
   * waker taking that lock finds the task on {@code queue}. With {@code restart} the syscall or
   * faulting instruction runs again when woken; otherwise it returns the waker's result (or {@code
   * timeoutResult} when {@code deadline} passes first).
   *
   * @return {@link Syscalls#BLOCKED}, for the syscall to return
   */
  long sleep(
      Hart hart, Task task, WaitQueue queue, boolean restart, long deadline, long timeoutResult) {
    Cpu cpu = cpus[hart.id()];
    saveContext(hart, task, restart ? hart.pc() : hart.pc() + 4);
    task.restartPc = restart ? hart.pc() : -1;
    scheduler.block(task, hart.id(), hart.cycles() - task.switchedInAtCycles);
    cpu.current = null;
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
    return Syscalls.BLOCKED;
  }

  /**
   * Wakes a sleeping task with the result its syscall returns (or {@link Task#RESTART}). False if
   * it was not asleep.
   */
  boolean wake(Task task, long result) {
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
    if (result != Task.RESTART) {
      task.regs[10] = result;
    }
    Hart waker = currentHart.get();
    makeRunnable(task, waker != null ? waker.id() : 0, waker != null ? waker.cycles() : 0);
    return true;
  }

  /** Wakes everything on {@code queue}; their syscalls run again. */
  void wakeAll(WaitQueue queue) {
    for (Task t : queue.take(Integer.MAX_VALUE)) {
      wake(t, Task.RESTART);
    }
  }

  private void fireTimers(Hart hart) {
    for (Task t : timers.expire(hart.cycles())) {
      wake(t, t.timeoutResult);
    }
  }

  /**
   * Takes the mmap lock of {@code mm} for {@code task}, or puts the task to sleep until it is
   * released (then its syscall or faulting instruction runs again). True if taken. The retry and
   * the queueing happen under the lock's monitor, which its release also takes before waking.
   */
  boolean lockOrSleep(Hart hart, Task task, Mm mm, boolean write) {
    if (mm.mmapLock.tryLock(write)) {
      return true;
    }
    synchronized (mm.mmapLock) {
      if (mm.mmapLock.tryLock(write)) {
        return true;
      }
      sleep(hart, task, mm.mmapLock.waiters(), true, Long.MAX_VALUE, 0);
      return false;
    }
  }

  /** Takes the mmap lock by spinning, for kernel paths already inside a syscall. */
  void lockSpinning(Hart hart, Mm mm, boolean write) {
    spinUntil(hart, () -> mm.mmapLock.tryLock(write));
  }

  void unlock(Mm mm, boolean write) {
    for (Task t : mm.mmapLock.release(write)) {
      wake(t, Task.RESTART);
    }
  }

  // ---- IPIs ----

  /**
   * Runs {@code call} on every hart in {@code mask} (never this one) by IPI and, with {@code wait},
   * returns once all have run it. Returns the IPI (null if there was no target). Runs on {@code
   * from}'s thread.
   */
  Ipi sendIpi(Hart from, long mask, Ipi.Call call, String what, boolean wait) {
    Ipi ipi = post(from, mask, call, what, false);
    if (ipi != null && wait) {
      awaitIpi(from, ipi);
    }
    return ipi;
  }

  private Ipi post(Hart from, long mask, Ipi.Call call, String what, boolean hardware) {
    mask &= ~(1L << from.id());
    if (mask == 0) {
      return null;
    }
    Ipi ipi = new Ipi(call, what, Long.bitCount(mask), hardware, from.cycles());
    for (long m = mask; m != 0; m &= m - 1) {
      int target = Long.numberOfTrailingZeros(m);
      while (!mailboxes[target].offer(ipi)) {
        handleIpis(from);
        turns.pause(from);
      }
      harts[target].raiseInterrupt(IRQ_IPI);
      turns.kick(target);
      if (!hardware) {
        from.addCycles(cost.ipiSend());
        cpus[from.id()].ipisSent++;
      }
    }
    return ipi;
  }

  /**
   * Waits for every target of {@code ipi}; the sender's clock then stands at the latest time a
   * target finished, or later (in lockstep a waiting hart's clock does not run on while others take
   * their turns).
   */
  void awaitIpi(Hart from, Ipi ipi) {
    spinUntil(from, ipi::done);
    if (ipi.done() && from.cycles() < ipi.doneCycles()) {
      from.setCycles(ipi.doneCycles());
    }
  }

  /**
   * Runs the IPI calls queued for {@code hart}. The target pays for handling; the IPI is stamped
   * done at send + delivery + the target's work for it. Harts' clocks drift apart within a lockstep
   * round, and that drift is neither IPI latency nor the target's time.
   */
  void handleIpis(Hart hart) {
    ManyToOneConcurrentArrayQueue<Ipi> box = mailboxes[hart.id()];
    Cpu cpu = cpus[hart.id()];
    for (Ipi ipi; (ipi = box.poll()) != null; ) {
      long delivered = ipi.sentCycles + (ipi.hardware ? 0 : cost.ipiDeliver());
      long before = hart.cycles();
      if (!ipi.hardware) {
        hart.addCycles(cost.ipiHandle());
        cpu.ipisReceived++;
      }
      ipi.call.run(hart);
      long done = delivered + (hart.cycles() - before);
      if (!ipi.hardware) {
        cpu.stats.ipiHandled(done - ipi.sentCycles, System.nanoTime() - ipi.sentNanos);
      }
      ipi.acknowledge(done);
    }
  }

  /**
   * A spinning wait: serves this hart's IPIs and, in lockstep, hands the turn on while it waits.
   */
  void spinUntil(Hart hart, BooleanSupplier condition) {
    while (!condition.getAsBoolean()) {
      handleIpis(hart);
      if (ending.get() != null) {
        return;
      }
      turns.pause(hart);
    }
  }

  /** Whether a hart parked idle has something to do (lockstep skips those that have not). */
  private boolean hasWork(int hart) {
    return scheduler.queueLength(hart) > 0
        || !mailboxes[hart].isEmpty()
        || !cpus[hart].deferred.isEmpty()
        || timers.earliest() <= harts[hart].cycles()
        || (config.speculativeWalks() && cpus[hart].activeMm != null);
  }

  // ---- traps ----

  private void syscall(Hart hart, Cpu cpu, Task task) {
    long number = hart.reg(17);
    if (task.restartPc == hart.pc()) {
      // The same call again after a sleep: Linux would have resumed it in the kernel, so it is
      // not counted twice.
      task.restartPc = -1;
      cpu.syscallRestarts++;
      dispatch(hart, task, number, false);
      return;
    }
    cpu.syscalls++;
    task.syscallProgress = 0;
    dispatch(hart, task, number, true);
  }

  private void dispatch(Hart hart, Task task, long number, boolean count) {
    hart.addCycles(cost.syscall());
    Syscalls.Entry entry = syscalls.lookup(number);
    long result;
    if (entry == null) {
      if (unknownSyscallsSeen.add(number)) {
        log.debug(
            "unknown syscall {} at pc 0x{} in {}: returning -ENOSYS",
            number,
            Long.toHexString(hart.pc()),
            task);
      }
      if (count) {
        syscallCounts.computeIfAbsent("unknown", k -> new LongAdder()).increment();
      }
      result = -Errno.ENOSYS;
    } else {
      if (count) {
        syscallCounts.computeIfAbsent(entry.name(), k -> new LongAdder()).increment();
      }
      try {
        result = entry.handler().call(hart, task);
      } catch (SyscallError e) {
        result = -e.errno;
      }
    }
    if (result != Syscalls.NO_RETURN && result != Syscalls.BLOCKED) {
      hart.setReg(10, result);
      hart.setPc(hart.pc() + 4);
    }
  }

  private void pageFault(Hart hart, Cpu cpu, Task task, int cause, long va) {
    cpu.pageFaults++;
    hart.addCycles(cost.pageFault());
    int access =
        cause == Cause.INSTRUCTION_PAGE_FAULT
            ? Mmu.FETCH
            : cause == Cause.LOAD_PAGE_FAULT ? Mmu.LOAD : Mmu.STORE;
    Mm mm = task.mm;
    if (!lockOrSleep(hart, task, mm, false)) {
      return; // the instruction runs again once the lock is free
    }
    PageFaults.Result result;
    Vma vma;
    try {
      result = faults.handle(hart, mm, va, access);
      vma = result == PageFaults.Result.FORBIDDEN ? mm.vmas.find(va) : null;
    } finally {
      unlock(mm, false);
    }
    String where = String.format("%s at pc 0x%x, address 0x%x", Cause.name(cause), hart.pc(), va);
    switch (result) {
      case FIXED:
        return;
      case NO_AREA:
        kill(hart, task, Signals.SIGSEGV, where + ": no mapping at this address");
        return;
      case FORBIDDEN:
        kill(hart, task, Signals.SIGSEGV, where + ": not permitted by mapping " + vma);
        return;
      default:
        kill(hart, task, Signals.SIGKILL, where + ": out of guest memory (raise --mem)");
    }
  }

  /** Kills the task's whole process with {@code signal}, reporting why. */
  void kill(Hart hart, Task task, int signal, String why) {
    String report = String.format("%s killed by %s: %s", task.process, Signals.name(signal), why);
    log.debug(report);
    processes.endGroup(task.process, signal, report);
    exitTask(hart, task);
  }

  /**
   * Ends {@code task} on its hart: clear_child_tid, exit_mm, and, for the last thread, the process
   * exit (descriptors, zombie, parent notified). Stops the machine with the last task.
   */
  void exitTask(Hart hart, Task task) {
    Cpu cpu = cpus[hart.id()];
    account(hart, cpu);
    if (cpu.current == task) {
      scheduler.exit(task, hart.id(), hart.cycles() - task.switchedInAtCycles);
      cpu.current = null;
    }
    task.state = Task.State.DEAD;
    if (task.clearChildTid != 0) {
      try {
        user.putInt(hart, task.mm, task.clearChildTid, 0);
        futexes.wake(hart, task.mm, task.clearChildTid, 1);
      } catch (SyscallError e) {
        // A bad clear_child_tid address is ignored, as in Linux.
      }
    }
    mmSwitch.exitMm(hart, cpu, task.mm);
    if (processes.taskExited(task, task.exitCode)) {
      GuestProcess first = processes.init();
      requestStop(
          new Ending(
              first.killReport == null ? Outcome.EXITED : Outcome.KILLED,
              first.shellStatus(),
              first.killReport == null ? "" : first.killReport));
    }
  }

  /**
   * Interrupts every hart, so that a task marked for death (exit_group, a fatal signal) that is
   * running in user mode somewhere reaches its next kernel boundary now.
   */
  void kickAll() {
    for (int i = 0; i < harts.length; i++) {
      harts[i].raiseInterrupt(IRQ_KICK);
      turns.kick(i);
    }
  }

  /** A checker found a violation: stop the run with its report. */
  void violation(String report) {
    log.debug(report);
    requestStop(new Ending(Outcome.VIOLATION, 0, report));
  }

  /** Ends the run; the first request wins. Any thread. */
  void requestStop(Ending end) {
    if (!ending.compareAndSet(null, end)) {
      return;
    }
    for (Hart h : harts) {
      h.raiseInterrupt(IRQ_STOP);
    }
    turns.stopAll();
  }

  Ending ending() {
    return ending.get();
  }

  // ---- statistics ----

  /** Per-hart counters; call after the hart threads ended. */
  List<HartStats> hartStats() {
    List<HartStats> out = new ArrayList<>();
    for (int i = 0; i < harts.length; i++) {
      Hart h = harts[i];
      Cpu c = cpus[i];
      out.add(
          new HartStats(
              i,
              h.instret(),
              h.cycles(),
              c.idleCycles + turns.idleCycles(i),
              h.mmu().tlbStats(),
              h.mmu().walks(),
              c.pageFaults,
              c.syscalls,
              c.syscallRestarts,
              c.traps,
              c.contextSwitches,
              c.ipisSent,
              c.ipisReceived));
    }
    return out;
  }

  Map<String, Long> syscallCounts() {
    Map<String, Long> out = new TreeMap<>();
    syscallCounts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  KernelStats kernelStats() {
    FlushStats all = new FlushStats();
    for (Cpu c : cpus) {
      all.shootdowns += c.stats.shootdowns;
      all.pagesInvalidated += c.stats.pagesInvalidated;
      all.fullShootdowns += c.stats.fullShootdowns;
      all.broadcasts += c.stats.broadcasts;
      all.deferredApplied += c.stats.deferredApplied;
      all.shootdownCycles.add(c.stats.shootdownCycles);
      all.shootdownNanos.add(c.stats.shootdownNanos);
      all.ipiCycles.add(c.stats.ipiCycles);
      all.ipiNanos.add(c.stats.ipiNanos);
    }
    return new KernelStats(
        scheduler.stats(),
        asids == null ? 0 : asids.rollovers(),
        activeMmChecker.violations(),
        processes.tasksCreated(),
        strategyName(),
        ShootdownFigures.of(all));
  }
}
