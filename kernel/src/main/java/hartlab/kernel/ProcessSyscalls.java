package hartlab.kernel;

import hartlab.cpu.Hart;
import hartlab.loader.ElfFormatException;
import hartlab.loader.ElfImage;
import hartlab.loader.ElfParser;
import java.util.List;

/**
 * Process and thread calls: clone, clone3, execve, exit, exit_group, wait4, kill, the id calls, and
 * the scheduler calls (sched_yield, affinity, getcpu).
 */
final class ProcessSyscalls {
  static final long CLONE_VM = 0x100,
      CLONE_FS = 0x200,
      CLONE_FILES = 0x400,
      CLONE_SIGHAND = 0x800,
      CLONE_PARENT = 0x8000,
      CLONE_THREAD = 0x10000,
      CLONE_SYSVSEM = 0x40000,
      CLONE_SETTLS = 0x80000,
      CLONE_PARENT_SETTID = 0x100000,
      CLONE_CHILD_CLEARTID = 0x200000,
      CLONE_DETACHED = 0x400000,
      CLONE_CHILD_SETTID = 0x1000000;
  private static final long SUPPORTED =
      CLONE_VM
          | CLONE_FS
          | CLONE_FILES
          | CLONE_SIGHAND
          | CLONE_PARENT
          | CLONE_THREAD
          | CLONE_SYSVSEM
          | CLONE_SETTLS
          | CLONE_PARENT_SETTID
          | CLONE_CHILD_CLEARTID
          | CLONE_DETACHED
          | CLONE_CHILD_SETTID;
  private static final int MAX_ARGS = 4096;
  private static final int MAX_ARG_BYTES = 128 * 1024;
  private static final int ENAMETOOLONG = 36;
  private static final int CLONE_ARGS_SIZE_VER0 = 64;

  private final Kernel kernel;
  private final UserMemory user;
  private final AddressSpace addressSpace;
  private final ProcessTable processes;
  private final Exec exec;
  private final MmSwitch mmSwitch;
  private final RootFs rootFs;
  private final Syscalls syscalls;

  ProcessSyscalls(
      Kernel kernel,
      UserMemory user,
      AddressSpace addressSpace,
      ProcessTable processes,
      Exec exec,
      MmSwitch mmSwitch,
      RootFs rootFs,
      Syscalls syscalls) {
    this.kernel = kernel;
    this.user = user;
    this.addressSpace = addressSpace;
    this.processes = processes;
    this.exec = exec;
    this.mmSwitch = mmSwitch;
    this.rootFs = rootFs;
    this.syscalls = syscalls;
  }

  List<Syscalls.Entry> entries() {
    return List.of(
        new Syscalls.Entry(93, "exit", this::exit),
        new Syscalls.Entry(94, "exit_group", this::exitGroup),
        new Syscalls.Entry(
            96,
            "set_tid_address",
            (h, t) -> {
              t.clearChildTid = Syscalls.arg(h, 0);
              return t.tid;
            }),
        new Syscalls.Entry(122, "sched_setaffinity", this::setAffinity),
        new Syscalls.Entry(123, "sched_getaffinity", this::getAffinity),
        new Syscalls.Entry(124, "sched_yield", (h, t) -> kernel.yield(h, t, true)),
        new Syscalls.Entry(129, "kill", this::kill),
        new Syscalls.Entry(168, "getcpu", this::getcpu),
        new Syscalls.Entry(172, "getpid", (h, t) -> t.process.pid),
        new Syscalls.Entry(173, "getppid", (h, t) -> processes.parentPid(t.process)),
        new Syscalls.Entry(178, "gettid", (h, t) -> t.tid),
        new Syscalls.Entry(
            220,
            "clone",
            (h, t) ->
                clone(
                    h,
                    t,
                    Syscalls.arg(h, 0),
                    Syscalls.arg(h, 1),
                    Syscalls.arg(h, 2),
                    Syscalls.arg(h, 3),
                    Syscalls.arg(h, 4))),
        new Syscalls.Entry(221, "execve", this::execve),
        new Syscalls.Entry(
            260,
            "wait4",
            (h, t) ->
                processes.wait4(
                    h, t, user, Syscalls.arg(h, 0), Syscalls.arg(h, 1), Syscalls.arg(h, 2))),
        new Syscalls.Entry(435, "clone3", this::clone3));
  }

  private long exit(Hart hart, Task task) {
    task.exitCode = (int) Syscalls.arg(hart, 0) & 0xFF;
    kernel.exitTask(hart, task);
    return Syscalls.NO_RETURN;
  }

  private long exitGroup(Hart hart, Task task) {
    int code = (int) Syscalls.arg(hart, 0) & 0xFF;
    task.exitCode = code;
    processes.endGroup(task.process, code << 8, null);
    kernel.exitTask(hart, task);
    return Syscalls.NO_RETURN;
  }

  /**
   * clone(flags, stack, parent_tid, tls, child_tid) on riscv64. A new thread shares the mm and
   * descriptors; a new process gets a copy-on-write copy of the mm (unless CLONE_VM) and of the
   * descriptor table (unless CLONE_FILES). The child returns 0 from the same ecall.
   */
  long clone(
      Hart hart, Task task, long flags, long stack, long parentTid, long tls, long childTid) {
    long cloneFlags = flags & ~0xFFL;
    if ((cloneFlags & ~SUPPORTED) != 0
        || ((cloneFlags & CLONE_THREAD) != 0 && (cloneFlags & CLONE_SIGHAND) == 0)
        || ((cloneFlags & CLONE_SIGHAND) != 0 && (cloneFlags & CLONE_VM) == 0)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    GuestProcess me = task.process;
    Task child;
    if ((cloneFlags & CLONE_THREAD) != 0) {
      child = processes.newThread(me, task.mm);
      mmSwitch.mmget(task.mm);
    } else {
      processes.checkLimit();
      Mm mm;
      if ((cloneFlags & CLONE_VM) != 0) {
        mm = task.mm;
        mmSwitch.mmget(mm);
      } else {
        if (!kernel.lockOrSleep(hart, task, task.mm, true)) {
          return Syscalls.BLOCKED;
        }
        try {
          mm = addressSpace.dupMmap(hart, task.mm, exec.newMmId());
        } finally {
          kernel.unlock(task.mm, true);
        }
      }
      FileTable files = (cloneFlags & CLONE_FILES) != 0 ? me.files.share() : me.files.copy();
      GuestProcess parent = (cloneFlags & CLONE_PARENT) != 0 && me.parent != null ? me.parent : me;
      try {
        child = processes.newProcessTask(parent, me.name, mm, files);
      } catch (SyscallError e) {
        files.drop();
        mmSwitch.mmput(hart, mm);
        throw e;
      }
    }
    hart.saveRegisters(child.regs);
    child.regs[10] = 0;
    child.pc = hart.pc() + 4;
    if (stack != 0) {
      child.regs[2] = stack;
    }
    if ((cloneFlags & CLONE_SETTLS) != 0) {
      child.regs[4] = tls;
    }
    if ((cloneFlags & CLONE_CHILD_SETTID) != 0) {
      child.setChildTid = childTid;
    }
    if ((cloneFlags & CLONE_CHILD_CLEARTID) != 0) {
      child.clearChildTid = childTid;
    }
    child.sched.setAffinity(task.sched.affinity());
    if ((cloneFlags & CLONE_PARENT_SETTID) != 0) {
      try {
        user.putInt(hart, task.mm, parentTid, child.tid);
      } catch (SyscallError e) {
        // The child exists already; Linux does not undo it for a bad parent_tid either.
      }
    }
    kernel.makeRunnable(child, hart.id(), hart.cycles());
    return child.tid;
  }

  /**
   * clone3(struct clone_args *, size): the same as clone, with the stack given as base and size.
   */
  private long clone3(Hart hart, Task task) {
    long args = Syscalls.arg(hart, 0);
    long size = Syscalls.arg(hart, 1);
    if (size < CLONE_ARGS_SIZE_VER0 || size > 4096) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long flags = user.getLong(hart, task.mm, args);
    long childTid = user.getLong(hart, task.mm, args + 16);
    long parentTid = user.getLong(hart, task.mm, args + 24);
    long exitSignal = user.getLong(hart, task.mm, args + 32);
    long stack = user.getLong(hart, task.mm, args + 40);
    long stackSize = user.getLong(hart, task.mm, args + 48);
    long tls = user.getLong(hart, task.mm, args + 56);
    if ((exitSignal & ~0xFFL) != 0 || (flags & 0xFF) != 0 || (stack == 0) != (stackSize == 0)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    return clone(
        hart,
        task,
        flags | exitSignal,
        stack == 0 ? 0 : stack + stackSize,
        parentTid,
        tls,
        childTid);
  }

  /**
   * execve(path, argv, envp) from the root file system. Everything that can fail happens before the
   * point of no return; after it the other threads are told to exit, the descriptors marked
   * close-on-exec are closed, and the task continues in the new image.
   */
  private long execve(Hart hart, Task task) {
    String path =
        user.getString(hart, task.mm, Syscalls.arg(hart, 0), RootFs.PATH_MAX, ENAMETOOLONG);
    List<String> argv =
        user.getStrings(hart, task.mm, Syscalls.arg(hart, 1), MAX_ARGS, MAX_ARG_BYTES);
    List<String> envp =
        user.getStrings(hart, task.mm, Syscalls.arg(hart, 2), MAX_ARGS, MAX_ARG_BYTES);
    byte[] bytes = rootFs.read(path);
    ElfImage image;
    try {
      image = ElfParser.parse(bytes);
    } catch (ElfFormatException e) {
      throw SyscallError.of(Errno.ENOEXEC);
    }
    Exec.Started started;
    try {
      started = exec.load(image, argv, envp, path, syscalls.atRandom());
    } catch (Exec.ExecFailure e) {
      throw SyscallError.of(e.errno);
    }
    // Point of no return.
    processes.killOtherThreads(task);
    GuestProcess p = task.process;
    p.files.closeOnExec();
    p.name = rootFs.name(path).orElse(path);
    Mm old = task.mm;
    p.mm = started.mm();
    task.mm = started.mm();
    mmSwitch.switchTo(hart, kernel.cpu(hart), started.mm());
    mmSwitch.mmput(hart, old);
    hart.loadRegisters(new long[32]);
    hart.setReg(2, started.sp());
    hart.setPc(started.entry());
    return Syscalls.NO_RETURN;
  }

  /** kill(pid, sig): only default actions exist; a fatal one ends the target's whole group. */
  private long kill(Hart hart, Task task) {
    long pid = Syscalls.arg(hart, 0);
    long sig = Syscalls.arg(hart, 1);
    if (sig < 0 || sig > Signals.NSIG) {
      throw SyscallError.of(Errno.EINVAL);
    }
    GuestProcess target = pid == 0 ? task.process : processes.find(pid);
    if (pid < 0 || target == null || target.state != GuestProcess.State.ALIVE) {
      throw SyscallError.of(Errno.ESRCH);
    }
    if (sig != 0 && !Signals.ignoredByDefault((int) sig)) {
      processes.endGroup(
          target,
          (int) sig,
          String.format(
              "%s killed by %s (sent by %s)", target, Signals.name((int) sig), task.process));
    }
    return 0;
  }

  private long setAffinity(Hart hart, Task task) {
    Task target = taskFor(task, Syscalls.arg(hart, 0));
    long len = Syscalls.arg(hart, 1);
    if (len <= 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    byte[] raw = new byte[(int) Math.min(len, 8)];
    user.copyFromUser(hart, task.mm, Syscalls.arg(hart, 2), raw, 0, raw.length);
    long mask = 0;
    for (int i = raw.length - 1; i >= 0; i--) {
      mask = (mask << 8) | (raw[i] & 0xFF);
    }
    mask &= kernel.allHartsMask();
    if (mask == 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    target.sched.setAffinity(mask);
    if (target == task && (mask & (1L << hart.id())) == 0) {
      return kernel.yield(hart, task, false); // move to an allowed hart now
    }
    kernel.reaffine(target);
    return 0;
  }

  private long getAffinity(Hart hart, Task task) {
    Task target = taskFor(task, Syscalls.arg(hart, 0));
    long len = Syscalls.arg(hart, 1);
    if (len < 8 || (len & 7) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    user.putLong(
        hart, task.mm, Syscalls.arg(hart, 2), target.sched.affinity() & kernel.allHartsMask());
    return 8;
  }

  private Task taskFor(Task self, long tid) {
    if (tid == 0 || tid == self.tid) {
      return self;
    }
    Task t = processes.findTask(tid);
    if (t == null) {
      throw SyscallError.of(Errno.ESRCH);
    }
    return t;
  }

  private long getcpu(Hart hart, Task task) {
    long cpu = Syscalls.arg(hart, 0);
    long node = Syscalls.arg(hart, 1);
    if (cpu != 0) {
      user.putInt(hart, task.mm, cpu, hart.id());
    }
    if (node != 0) {
      user.putInt(hart, task.mm, node, 0);
    }
    return 0;
  }
}
