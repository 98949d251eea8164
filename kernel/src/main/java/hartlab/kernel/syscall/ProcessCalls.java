package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.Vfs;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.Execve;
import hartlab.kernel.proc.Fork;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.Task;
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.List;

/**
 * Process, thread and scheduler calls: clone, clone3, execve, exit, exit_group, wait4, the id
 * calls, sched_yield, affinity and getcpu.
 */
final class ProcessCalls {
  private static final int MAX_ARGS = 4096;
  private static final int MAX_ARG_BYTES = 128 * 1024;
  private static final int CLONE_ARGS_SIZE_VER0 = 64;

  private final Schedule schedule;
  private final ProcessTable processes;
  private final Fork fork;
  private final Execve execve;
  private final UserMemory user;

  ProcessCalls(
      Schedule schedule, ProcessTable processes, Fork fork, Execve execve, UserMemory user) {
    this.schedule = schedule;
    this.processes = processes;
    this.fork = fork;
    this.execve = execve;
    this.user = user;
  }

  long exit(Hart hart, Task task) {
    task.exitCode = (int) arg(hart, 0) & 0xFF;
    schedule.exit(hart, task);
    return SyscallTable.NO_RETURN;
  }

  long exitGroup(Hart hart, Task task) {
    int code = (int) arg(hart, 0) & 0xFF;
    task.exitCode = code;
    processes.endGroup(task.process, code << 8, null);
    schedule.exit(hart, task);
    return SyscallTable.NO_RETURN;
  }

  long setTidAddress(Hart hart, Task task) {
    task.clearChildTid = arg(hart, 0);
    return task.tid;
  }

  long getpid(Hart hart, Task task) {
    return task.process.pid;
  }

  long getppid(Hart hart, Task task) {
    return processes.parentPid(task.process);
  }

  long gettid(Hart hart, Task task) {
    return task.tid;
  }

  long clone(Hart hart, Task task) {
    return clone(hart, task, arg(hart, 0), arg(hart, 1), arg(hart, 2), arg(hart, 3), arg(hart, 4));
  }

  private long clone(
      Hart hart, Task task, long flags, long stack, long parentTid, long tls, long childTid) {
    Task child = fork.copyProcess(hart, task, flags, stack, parentTid, tls, childTid);
    if (child == null) {
      return Waits.BLOCKED;
    }
    schedule.wakeUpNewTask(child, hart.id(), hart.cycles());
    if ((flags & Fork.CLONE_VFORK) != 0) {
      return processes.waitForVfork(hart, child);
    }
    return child.tid;
  }

  /**
   * clone3(struct clone_args *, size): the same as clone, with the stack given as base and size.
   */
  long clone3(Hart hart, Task task) {
    long args = arg(hart, 0);
    long size = arg(hart, 1);
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

  /** execve(path, argv, envp) from the root file system. */
  long execve(Hart hart, Task task) {
    String path = user.getString(hart, task.mm, arg(hart, 0), Vfs.PATH_MAX, Errno.ENAMETOOLONG);
    List<String> argv = user.getStrings(hart, task.mm, arg(hart, 1), MAX_ARGS, MAX_ARG_BYTES);
    List<String> envp = user.getStrings(hart, task.mm, arg(hart, 2), MAX_ARGS, MAX_ARG_BYTES);
    execve.execve(hart, task, path, argv, envp);
    return SyscallTable.NO_RETURN;
  }

  long wait4(Hart hart, Task task) {
    return processes.wait4(hart, task, user, arg(hart, 0), arg(hart, 1), arg(hart, 2));
  }

  long schedYield(Hart hart, Task task) {
    return schedule.yield(hart, task, true);
  }

  long setAffinity(Hart hart, Task task) {
    Task target = taskFor(task, arg(hart, 0));
    long len = arg(hart, 1);
    if (len <= 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    byte[] raw = new byte[(int) Math.min(len, 8)];
    user.copyFromUser(hart, task.mm, arg(hart, 2), raw, 0, raw.length);
    long mask = 0;
    for (int i = raw.length - 1; i >= 0; i--) {
      mask = (mask << 8) | (raw[i] & 0xFF);
    }
    mask &= schedule.allHartsMask();
    if (mask == 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    target.sched.setAffinity(mask);
    if (target == task && (mask & (1L << hart.id())) == 0) {
      return schedule.yield(hart, task, false); // move to an allowed hart now
    }
    schedule.reaffine(target);
    return 0;
  }

  long getAffinity(Hart hart, Task task) {
    Task target = taskFor(task, arg(hart, 0));
    long len = arg(hart, 1);
    if (len < 8 || (len & 7) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    user.putLong(hart, task.mm, arg(hart, 2), target.sched.affinity() & schedule.allHartsMask());
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

  long getcpu(Hart hart, Task task) {
    long cpu = arg(hart, 0);
    long node = arg(hart, 1);
    if (cpu != 0) {
      user.putInt(hart, task.mm, cpu, hart.id());
    }
    if (node != 0) {
      user.putInt(hart, task.mm, node, 0);
    }
    return 0;
  }
}
