package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.Task;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/**
 * Who a process is: user and group ids, process groups and sessions. Every guest runs as root (uid
 * and gid 0, no supplementary groups) and cannot become anyone else: the set* calls accept the ids
 * it has (or -1, "unchanged") and refuse others with EPERM, as a process without CAP_SETUID would.
 */
final class IdentityCalls {
  private final ProcessTable processes;
  private final UserMemory user;

  IdentityCalls(ProcessTable processes, UserMemory user) {
    this.processes = processes;
    this.user = user;
  }

  /** getuid, geteuid, getgid, getegid. */
  long root(Hart hart, Task task) {
    return 0;
  }

  /** setuid, setgid, setfsuid, setfsgid: only the id the process has. */
  long setId(Hart hart, Task task) {
    return keeps((int) arg(hart, 0)) ? 0 : -Errno.EPERM;
  }

  /** setreuid, setregid. */
  long setReId(Hart hart, Task task) {
    return keeps((int) arg(hart, 0)) && keeps((int) arg(hart, 1)) ? 0 : -Errno.EPERM;
  }

  /** setresuid, setresgid. */
  long setResId(Hart hart, Task task) {
    return keeps((int) arg(hart, 0)) && keeps((int) arg(hart, 1)) && keeps((int) arg(hart, 2))
        ? 0
        : -Errno.EPERM;
  }

  private static boolean keeps(int id) {
    return id == 0 || id == -1;
  }

  /** getresuid, getresgid: three uid_t (u32) out-parameters. */
  long getResId(Hart hart, Task task) {
    for (int i = 0; i < 3; i++) {
      user.putInt(hart, task.mm, arg(hart, i), 0);
    }
    return 0;
  }

  /** getgroups(size, list): no supplementary groups. */
  long getgroups(Hart hart, Task task) {
    if ((int) arg(hart, 0) < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    return 0;
  }

  /** setgroups(size, list): only the empty list, the one the process has. */
  long setgroups(Hart hart, Task task) {
    return arg(hart, 0) == 0 ? 0 : -Errno.EPERM;
  }

  long getpgid(Hart hart, Task task) {
    return processes.pgid(task, (int) arg(hart, 0));
  }

  long setpgid(Hart hart, Task task) {
    processes.setpgid(task, (int) arg(hart, 0), (int) arg(hart, 1));
    return 0;
  }

  long getsid(Hart hart, Task task) {
    return processes.sid(task, (int) arg(hart, 0));
  }

  long setsid(Hart hart, Task task) {
    return processes.setsid(task);
  }
}
