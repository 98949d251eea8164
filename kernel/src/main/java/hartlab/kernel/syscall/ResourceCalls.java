package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.Task;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What libc asks about the machine and its limits at start-up and after: getrlimit, setrlimit,
 * prlimit64, getrusage, times, sysinfo, prctl (PR_SET_NAME, PR_GET_NAME and a few probes),
 * set_robust_list, riscv_hwprobe, and rseq, which is ENOSYS (libc then does without).
 *
 * <p>Limits are reported, not enforced beyond what the machine enforces anyway (--max-tasks, the
 * descriptor table, the stack size): setting one is accepted when it is well-formed and does not
 * raise a hard limit, and changes nothing.
 */
final class ResourceCalls {
  private static final long RLIM_INFINITY = -1L;
  private static final int RLIMIT_STACK = 3,
      RLIMIT_CORE = 4,
      RLIMIT_NPROC = 6,
      RLIMIT_NOFILE = 7,
      RLIM_NLIMITS = 16;
  private static final int PR_SET_PDEATHSIG = 1,
      PR_GET_PDEATHSIG = 2,
      PR_GET_DUMPABLE = 3,
      PR_SET_DUMPABLE = 4,
      PR_SET_NAME = 15,
      PR_GET_NAME = 16,
      TASK_COMM_LEN = 16;
  private static final long ROBUST_LIST_HEAD_SIZE = 24;

  /** riscv_hwprobe keys and the values for an RV64GC hart (asm/hwprobe.h). */
  private static final long HWPROBE_BASE_BEHAVIOR = 3,
      HWPROBE_BASE_BEHAVIOR_IMA = 1,
      HWPROBE_IMA_EXT_0 = 4,
      HWPROBE_IMA_FD = 1,
      HWPROBE_IMA_C = 2,
      HWPROBE_CPUPERF_0 = 5,
      HWPROBE_MISALIGNED_EMULATED = 1;

  private final ProcessTable processes;
  private final UserMemory user;
  private final KernelMemory kmem;
  private final int maxTasks;

  ResourceCalls(ProcessTable processes, UserMemory user, KernelMemory kmem, int maxTasks) {
    this.processes = processes;
    this.user = user;
    this.kmem = kmem;
    this.maxTasks = maxTasks;
  }

  /** The {soft, hard} limit of {@code resource} on this machine. */
  private long[] limit(int resource) {
    switch (resource) {
      case RLIMIT_STACK:
        return new long[] {Mm.STACK_SIZE, RLIM_INFINITY};
      case RLIMIT_CORE:
        return new long[] {0, RLIM_INFINITY};
      case RLIMIT_NPROC:
        return new long[] {maxTasks, maxTasks};
      case RLIMIT_NOFILE:
        return new long[] {FileTable.MAX_FDS, FileTable.MAX_FDS};
      default:
        return new long[] {RLIM_INFINITY, RLIM_INFINITY};
    }
  }

  long getrlimit(Hart hart, Task task) {
    putLimit(hart, task, (int) arg(hart, 0), arg(hart, 1));
    return 0;
  }

  long setrlimit(Hart hart, Task task) {
    checkNewLimit(hart, task, (int) arg(hart, 0), arg(hart, 1));
    return 0;
  }

  /** prlimit64(pid, resource, new, old): of the caller (pid 0) or any process of the machine. */
  long prlimit64(Hart hart, Task task) {
    long pid = (int) arg(hart, 0);
    if (pid != 0 && pid != task.process.pid && processes.find(pid) == null) {
      throw SyscallError.of(Errno.ESRCH);
    }
    int resource = (int) arg(hart, 1);
    if (arg(hart, 2) != 0) {
      checkNewLimit(hart, task, resource, arg(hart, 2));
    }
    if (arg(hart, 3) != 0) {
      putLimit(hart, task, resource, arg(hart, 3));
    }
    return 0;
  }

  private void putLimit(Hart hart, Task task, int resource, long addr) {
    if (resource < 0 || resource >= RLIM_NLIMITS) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long[] l = limit(resource);
    user.putLong(hart, task.mm, addr, l[0]);
    user.putLong(hart, task.mm, addr + 8, l[1]);
  }

  private void checkNewLimit(Hart hart, Task task, int resource, long addr) {
    if (resource < 0 || resource >= RLIM_NLIMITS) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long soft = user.getLong(hart, task.mm, addr);
    long hard = user.getLong(hart, task.mm, addr + 8);
    if (Long.compareUnsigned(soft, hard) > 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (Long.compareUnsigned(hard, limit(resource)[1]) > 0) {
      throw SyscallError.of(Errno.EPERM);
    }
  }

  /**
   * getrusage(who, usage): user time is the calling hart's virtual clock (there is no per-task
   * accounting yet), every other field 0.
   */
  long getrusage(Hart hart, Task task) {
    int who = (int) arg(hart, 0);
    if (who != 0 && who != -1 && who != 1) { // RUSAGE_SELF, _CHILDREN, _THREAD
      throw SyscallError.of(Errno.EINVAL);
    }
    byte[] usage = new byte[144];
    user.copyToUser(hart, task.mm, arg(hart, 1), usage, 0, usage.length);
    if (who != -1) {
      long us = hart.cycles() / 1000;
      user.putLong(hart, task.mm, arg(hart, 1), us / 1_000_000);
      user.putLong(hart, task.mm, arg(hart, 1) + 8, us % 1_000_000);
    }
    return 0;
  }

  /**
   * times(buf): virtual time in clock ticks (USER_HZ 100) as the return value and as the user time,
   * the rest 0.
   */
  long times(Hart hart, Task task) {
    long ticks = hart.cycles() / 10_000_000L;
    long buf = arg(hart, 0);
    if (buf != 0) {
      user.putLong(hart, task.mm, buf, ticks);
      for (int i = 1; i < 4; i++) {
        user.putLong(hart, task.mm, buf + 8L * i, 0);
      }
    }
    return ticks;
  }

  /** sysinfo(info): uptime in virtual seconds, the machine's RAM, the number of processes. */
  long sysinfo(Hart hart, Task task) {
    KernelMemory.Ram ram = kmem.ram();
    byte[] info = new byte[112];
    ByteBuffer b = ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, hart.cycles() / TimeCalls.NS);
    b.putLong(32, ram.totalBytes());
    b.putLong(40, ram.freeBytes());
    b.putShort(80, (short) Math.min(0xFFFF, processes.signallable().size()));
    b.putInt(104, 1); // mem_unit
    user.copyToUser(hart, task.mm, arg(hart, 0), info, 0, info.length);
    return 0;
  }

  /** prctl(option, ...): the thread's name, and the probes libc makes; EINVAL for the rest. */
  long prctl(Hart hart, Task task) {
    switch ((int) arg(hart, 0)) {
      case PR_SET_NAME:
        {
          // Linux copies 16 bytes and cuts the name to 15: longer names are truncated.
          byte[] raw = new byte[TASK_COMM_LEN];
          user.copyFromUser(hart, task.mm, arg(hart, 1), raw, 0, raw.length);
          int n = 0;
          while (n < TASK_COMM_LEN - 1 && raw[n] != 0) {
            n++;
          }
          task.comm = new String(raw, 0, n, StandardCharsets.UTF_8);
          return 0;
        }
      case PR_GET_NAME:
        {
          byte[] name = new byte[TASK_COMM_LEN];
          byte[] s = task.comm().getBytes(StandardCharsets.UTF_8);
          System.arraycopy(s, 0, name, 0, Math.min(s.length, TASK_COMM_LEN - 1));
          user.copyToUser(hart, task.mm, arg(hart, 1), name, 0, name.length);
          return 0;
        }
      case PR_SET_PDEATHSIG:
        return 0; // accepted; the parent's death sends nothing yet
      case PR_GET_PDEATHSIG:
        user.putInt(hart, task.mm, arg(hart, 1), 0);
        return 0;
      case PR_GET_DUMPABLE:
        return 1;
      case PR_SET_DUMPABLE:
        return arg(hart, 1) == 0 || arg(hart, 1) == 1 ? 0 : -Errno.EINVAL;
      default:
        return -Errno.EINVAL;
    }
  }

  /** set_robust_list(head, len): remembered by libc's threads; hartlab does not walk the list. */
  long setRobustList(Hart hart, Task task) {
    return arg(hart, 1) == ROBUST_LIST_HEAD_SIZE ? 0 : -Errno.EINVAL;
  }

  /** rseq: restartable sequences are not implemented; ENOSYS, which glibc handles. */
  long rseq(Hart hart, Task task) {
    return -Errno.ENOSYS;
  }

  /**
   * riscv_hwprobe(pairs, count, cpusetsize, cpus, flags): answers each {key, value} pair for an
   * RV64GC hart; an unknown key gets key -1, as Linux does.
   */
  long hwprobe(Hart hart, Task task) {
    long pairs = arg(hart, 0);
    long count = arg(hart, 1);
    if (arg(hart, 4) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (count < 0 || count > 4096) {
      throw SyscallError.of(Errno.EINVAL);
    }
    for (long i = 0; i < count; i++) {
      long at = pairs + 16 * i;
      long key = user.getLong(hart, task.mm, at);
      long value;
      if (key == HWPROBE_BASE_BEHAVIOR) {
        value = HWPROBE_BASE_BEHAVIOR_IMA;
      } else if (key == HWPROBE_IMA_EXT_0) {
        value = HWPROBE_IMA_FD | HWPROBE_IMA_C;
      } else if (key == HWPROBE_CPUPERF_0) {
        value = HWPROBE_MISALIGNED_EMULATED;
      } else if (key >= 0 && key <= 2) {
        value = 0; // mvendorid, marchid, mimpid: not a vendor's core
      } else {
        key = -1;
        value = 0;
      }
      user.putLong(hart, task.mm, at, key);
      user.putLong(hart, task.mm, at + 8, value);
    }
    return 0;
  }
}
