package hartlab.kernel;

import hartlab.cpu.Cause;
import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.cpu.TrapHandler;
import hartlab.loader.ElfImage;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.sched.RunQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel: runs on the hart threads as each CPU's kernel context, entered through {@link
 * TrapHandler}. It owns processes and tasks, dispatches syscalls and page faults, switches
 * address spaces, and decides when the machine stops.
 */
public final class Kernel implements TrapHandler {
  private static final Logger log = LoggerFactory.getLogger(Kernel.class);
  /** Interrupt bit raised on every hart when the machine stops. */
  static final int IRQ_STOP = 1;
  static final int SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGKILL = 9, SIGSEGV = 11;
  private static final int MAX_ASID = 0xFFFF;

  /** Why and how the run ended; set once. */
  record Ending(Outcome outcome, int exitCode, String message) {}

  /** Kernel state of one hart. Hart-local: touched only by that hart's thread, except {@link #runQueue}. */
  static final class Cpu {
    final RunQueue<Task> runQueue = new RunQueue<>();
    volatile Thread thread;
    Task current;
    Mm activeMm;
    long nextTick;
    long accountedInstret;
    long pageFaults;
    long syscalls;
    long traps;
    long contextSwitches;
  }

  private final MachineConfig config;
  private final CostModel cost;
  private final Hart[] harts;
  private final Cpu[] cpus;
  private final PageFaults faults;
  private final Exec exec;
  private final Syscalls syscalls;
  private final long kernelSatp;
  private final AtomicInteger nextPid = new AtomicInteger(1);
  private final AtomicInteger nextAsid = new AtomicInteger(1);
  private final AtomicInteger liveTasks = new AtomicInteger();
  private final AtomicLong instructionsLeft;
  private final AtomicReference<Ending> ending = new AtomicReference<>();
  private final Set<Long> unknownSyscallsSeen = ConcurrentHashMap.newKeySet();
  private final Map<String, LongAdder> syscallCounts = new ConcurrentHashMap<>();
  private volatile GuestProcess init;

  Kernel(MachineConfig config, PhysicalMemory memory, FrameAllocator frames, CodeCache codeCache,
      Hart[] harts, Console console) {
    this.config = config;
    this.cost = config.cost();
    this.harts = harts;
    this.cpus = new Cpu[harts.length];
    for (int i = 0; i < cpus.length; i++) {
      cpus[i] = new Cpu();
    }
    PageTable pageTable = new PageTable(memory, frames);
    this.faults = new PageFaults(pageTable, frames);
    this.exec = new Exec(memory, frames, pageTable);
    AddressSpace addressSpace =
        new AddressSpace(pageTable, frames, new TlbFlush(config.flushCeiling()), faults);
    UserMemory user = new UserMemory(faults, codeCache, memory);
    this.syscalls = new Syscalls(this, user, addressSpace, console, config.seed());
    // The kernel's own page table maps no user memory: an idle hart or a dying task's hart loads it.
    long kernelRoot = pageTable.createRoot();
    this.kernelSatp = Mmu.makeSatp(kernelRoot, 0);
    this.instructionsLeft =
        new AtomicLong(config.maxInstructions() > 0 ? config.maxInstructions() : Long.MAX_VALUE);
    for (Hart h : harts) {
      h.mmu().setSatp(kernelSatp);
    }
  }

  void attachThread(int hart, Thread thread) {
    cpus[hart].thread = thread;
  }

  /** Creates the first process from {@code image} and queues it on hart 0. Called before harts start. */
  void startInit(ElfImage image, String name, List<String> argv, List<String> envp)
      throws Exec.ExecFailure {
    int pid = nextPid.getAndIncrement();
    String execFn = argv.isEmpty() ? name : argv.get(0);
    Exec.Started started = exec.load(image, allocateAsid(), argv, envp, execFn, syscalls.atRandom());
    GuestProcess process = new GuestProcess(pid, name, started.mm());
    Task task = new Task(pid, process);
    task.pc = started.entry();
    task.regs[2] = started.sp();
    init = process;
    liveTasks.incrementAndGet();
    cpus[0].runQueue.enqueue(task);
  }

  private int allocateAsid() {
    int asid = nextAsid.getAndIncrement();
    if (asid > MAX_ASID) {
      throw new IllegalStateException("Kernel.allocateAsid: ASIDs exhausted");
    }
    return asid;
  }

  // ---- TrapHandler: everything below runs on the hart's own thread ----

  @Override
  public long enterUser(Hart hart) {
    Cpu cpu = cpus[hart.id()];
    for (;;) {
      if (ending.get() != null) {
        return STOP;
      }
      if (cpu.current == null) {
        Task next = cpu.runQueue.poll();
        if (next == null) {
          LockSupport.park(this); // idle: an enqueue or the stop unparks us
          continue;
        }
        switchTo(hart, cpu, next);
      }
      if (hart.cycles() >= cpu.nextTick) {
        tick(hart, cpu);
        continue;
      }
      // Each instruction costs at least a cycle, so running to cycles + left never overshoots the budget.
      long left = instructionsLeft.get();
      return left >= cpu.nextTick - hart.cycles() ? cpu.nextTick : hart.cycles() + Math.max(left, 0);
    }
  }

  @Override
  public void trap(Hart hart, int cause, long tval) {
    Cpu cpu = cpus[hart.id()];
    Task task = cpu.current;
    cpu.traps++;
    hart.clearReservation();
    hart.addCycles(cost.trapEntry());
    if (cause == Cause.ECALL_FROM_U) {
      syscall(hart, cpu, task);
    } else if (Cause.isPageFault(cause)) {
      pageFault(hart, cpu, task, cause, tval);
    } else {
      kill(hart, task, signalFor(cause), String.format("%s at pc 0x%x (tval 0x%x)",
          Cause.name(cause), hart.pc(), tval));
    }
    if (cpu.current == task) {
      hart.addCycles(cost.trapExit());
    }
  }

  @Override
  public void interrupt(Hart hart) {
    Cpu cpu = cpus[hart.id()];
    hart.takeInterrupts();
    if (hart.cycles() >= cpu.nextTick) {
      tick(hart, cpu);
    } else {
      account(hart, cpu);
    }
  }

  /** The timer tick: charge the instructions run since the last tick against --max-instructions. */
  private void tick(Hart hart, Cpu cpu) {
    cpu.nextTick = hart.cycles() + config.tickCycles();
    account(hart, cpu);
  }

  private void account(Hart hart, Cpu cpu) {
    long ran = hart.instret() - cpu.accountedInstret;
    cpu.accountedInstret = hart.instret();
    if (instructionsLeft.addAndGet(-ran) <= 0 && config.maxInstructions() > 0) {
      requestStop(new Ending(Outcome.INSTRUCTION_LIMIT, 0, String.format(
          "stopped after --max-instructions %d: the guest had not finished", config.maxInstructions())));
    }
  }

  private void switchTo(Hart hart, Cpu cpu, Task next) {
    Mm mm = next.process.mm;
    if (cpu.activeMm != mm) {
      hart.mmu().setSatp(Mmu.makeSatp(mm.root, mm.asid));
      hart.addCycles(cost.satpWrite());
      cpu.activeMm = mm;
    }
    hart.loadRegisters(next.regs);
    hart.setPc(next.pc);
    hart.addCycles(cost.contextSwitch());
    cpu.contextSwitches++;
    cpu.current = next;
  }

  private void syscall(Hart hart, Cpu cpu, Task task) {
    long number = hart.reg(17);
    cpu.syscalls++;
    hart.addCycles(cost.syscall());
    Syscalls.Entry entry = syscalls.lookup(number);
    long result;
    if (entry == null) {
      if (unknownSyscallsSeen.add(number)) {
        log.debug("unknown syscall {} at pc 0x{} in {}: returning -ENOSYS", number,
            Long.toHexString(hart.pc()), task);
      }
      syscallCounts.computeIfAbsent("unknown", k -> new LongAdder()).increment();
      result = -Errno.ENOSYS;
    } else {
      syscallCounts.computeIfAbsent(entry.name(), k -> new LongAdder()).increment();
      try {
        result = entry.handler().call(hart, task);
      } catch (SyscallError e) {
        result = -e.errno;
      }
    }
    if (result != Syscalls.NO_RETURN) {
      hart.setReg(10, result);
      hart.setPc(hart.pc() + 4);
    }
  }

  private void pageFault(Hart hart, Cpu cpu, Task task, int cause, long va) {
    cpu.pageFaults++;
    hart.addCycles(cost.pageFault());
    int access = cause == Cause.INSTRUCTION_PAGE_FAULT ? Mmu.FETCH
        : cause == Cause.LOAD_PAGE_FAULT ? Mmu.LOAD : Mmu.STORE;
    PageFaults.Result result = faults.handle(task.process.mm, va, access);
    String where = String.format("%s at pc 0x%x, address 0x%x", Cause.name(cause), hart.pc(), va);
    switch (result) {
      case FIXED:
        return; // the instruction runs again
      case NO_AREA:
        kill(hart, task, SIGSEGV, where + ": no mapping at this address");
        return;
      case FORBIDDEN:
        Vma vma;
        synchronized (task.process.mm.lock) {
          vma = task.process.mm.vmas.find(va);
        }
        kill(hart, task, SIGSEGV, where + ": not permitted by mapping " + vma);
        return;
      default:
        kill(hart, task, SIGKILL, where + ": out of guest memory (raise --mem)");
    }
  }

  private static int signalFor(int cause) {
    switch (cause) {
      case Cause.ILLEGAL_INSTRUCTION:
        return SIGILL;
      case Cause.BREAKPOINT:
        return SIGTRAP;
      case Cause.INSTRUCTION_MISALIGNED:
      case Cause.LOAD_MISALIGNED:
      case Cause.STORE_MISALIGNED:
        return SIGBUS;
      default:
        return SIGSEGV;
    }
  }

  static String signalName(int signal) {
    switch (signal) {
      case SIGILL: return "SIGILL";
      case SIGTRAP: return "SIGTRAP";
      case SIGBUS: return "SIGBUS";
      case SIGKILL: return "SIGKILL";
      case SIGSEGV: return "SIGSEGV";
      default: return "signal " + signal;
    }
  }

  /** Kills the task's process with {@code signal}; its status becomes 128 + signal. */
  private void kill(Hart hart, Task task, int signal, String why) {
    String report = String.format("%s (pid %d) killed by %s: %s", task.process.name,
        task.process.pid, signalName(signal), why);
    log.debug(report);
    exitTask(hart, task, 128 + signal, report);
  }

  /**
   * Ends {@code task} (the only task of its process, for now) and tears down its mm. Runs on the
   * task's hart. The hart first leaves the mm and flushes its ASID, so no translation of the
   * dying mm survives the freeing of its frames.
   */
  void exitTask(Hart hart, Task task, int exitCode, String killReport) {
    Cpu cpu = cpus[hart.id()];
    account(hart, cpu);
    cpu.current = null;
    GuestProcess process = task.process;
    process.exitCode = exitCode;
    process.killReport = killReport;
    hart.mmu().setSatp(kernelSatp);
    hart.mmu().flushAsid(process.mm.asid);
    hart.addCycles(cost.satpWrite() + cost.flushAsid());
    cpu.activeMm = null;
    exec.release(process.mm);
    if (liveTasks.decrementAndGet() == 0) {
      GuestProcess first = init;
      requestStop(new Ending(first.killReport == null ? Outcome.EXITED : Outcome.KILLED,
          first.exitCode, first.killReport == null ? "" : first.killReport));
    }
  }

  /**
   * Waits a little for console input on behalf of a blocked read. Returns false when the machine
   * is stopping. The task keeps its hart while it waits: there is no second task to run yet.
   */
  boolean waitForInput(Hart hart) {
    if (ending.get() != null) {
      return false;
    }
    LockSupport.parkNanos(this, 1_000_000);
    return ending.get() == null;
  }

  /** Ends the run; the first request wins. Any thread. */
  void requestStop(Ending end) {
    if (!ending.compareAndSet(null, end)) {
      return;
    }
    for (int i = 0; i < harts.length; i++) {
      harts[i].raiseInterrupt(IRQ_STOP);
      Thread t = cpus[i].thread;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  Ending ending() {
    return ending.get();
  }

  /** Per-hart counters; call after the hart threads ended. */
  List<HartStats> hartStats() {
    List<HartStats> out = new ArrayList<>();
    for (int i = 0; i < harts.length; i++) {
      Hart h = harts[i];
      Cpu c = cpus[i];
      out.add(new HartStats(i, h.instret(), h.cycles(), h.mmu().tlbStats(), h.mmu().walks(),
          c.pageFaults, c.syscalls, c.traps, c.contextSwitches));
    }
    return out;
  }

  Map<String, Long> syscallCounts() {
    Map<String, Long> out = new TreeMap<>();
    syscallCounts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
