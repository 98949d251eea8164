package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.GuestProcess;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.SigInfo;
import hartlab.kernel.proc.SignalDelivery;
import hartlab.kernel.proc.SignalSending;
import hartlab.kernel.proc.Signals;
import hartlab.kernel.proc.Task;
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.ArrayList;
import java.util.List;

/**
 * Signal calls: kill, tkill, tgkill, rt_sigaction, rt_sigprocmask, rt_sigpending, sigaltstack,
 * rt_sigsuspend, rt_sigreturn, and the SIGALRM timer (getitimer, setitimer; alarm(2) is setitimer
 * in riscv64's libc). Every target is a process of this machine: kill(-1) reaches no further than
 * the guest's own process table.
 */
final class SignalCalls {
  private static final int ITIMER_REAL = 0;
  private static final long US = 1_000_000L;

  private final ProcessTable processes;
  private final SignalSending sending;
  private final SignalDelivery delivery;
  private final Schedule schedule;
  private final UserMemory user;

  SignalCalls(
      ProcessTable processes,
      SignalSending sending,
      SignalDelivery delivery,
      Schedule schedule,
      UserMemory user) {
    this.processes = processes;
    this.sending = sending;
    this.delivery = delivery;
    this.schedule = schedule;
    this.user = user;
  }

  /** A signal-number argument (a C int): 0 is the existence probe; EINVAL beyond 64. */
  private static int signal(Hart hart, int i) {
    int sig = (int) arg(hart, i);
    if (sig != 0 && !Signals.valid(sig)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    return sig;
  }

  /**
   * kill(pid, sig), both C ints as in Linux's kill_something_info: {@code pid > 0} names a process
   * (a zombie not yet reaped takes the signal and ignores it); 0 the caller's process group; -1
   * every process but init and the caller (ESRCH if there is none); {@code < -1} group {@code
   * -pid}.
   */
  long kill(Hart hart, Task task) {
    int pid = (int) arg(hart, 0);
    int sig = signal(hart, 1);
    List<GuestProcess> targets = new ArrayList<>();
    if (pid > 0) {
      GuestProcess p = processes.find(pid);
      if (p == null || p.state == GuestProcess.State.REAPED) {
        throw SyscallError.of(Errno.ESRCH);
      }
      targets.add(p);
    } else if (pid == -1) {
      GuestProcess init = processes.init();
      for (GuestProcess p : processes.signallable()) {
        if (p != init && p != task.process) {
          targets.add(p);
        }
      }
    } else {
      targets.addAll(processes.group(pid == 0 ? processes.pgid(task, 0) : -pid));
    }
    if (targets.isEmpty() || pid == Integer.MIN_VALUE) {
      throw SyscallError.of(Errno.ESRCH);
    }
    if (sig != 0) {
      SigInfo info = SigInfo.user(sig, SigInfo.SI_USER, task.process.pid);
      for (GuestProcess target : targets) {
        sending.toProcess(target, info, task.process.toString());
      }
    }
    return 0;
  }

  /** tkill(tid, sig). */
  long tkill(Hart hart, Task task) {
    return toThread(task, -1, arg(hart, 0), signal(hart, 1));
  }

  /** tgkill(tgid, tid, sig): the thread must belong to process {@code tgid}. */
  long tgkill(Hart hart, Task task) {
    long tgid = (int) arg(hart, 0);
    if (tgid <= 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    return toThread(task, tgid, arg(hart, 1), signal(hart, 2));
  }

  private long toThread(Task task, long tgid, long tidArg, int sig) {
    int tid = (int) tidArg;
    if (tid <= 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    Task target = tid == task.tid ? task : processes.findTask(tid);
    if (target == null
        || target.state == Task.State.DEAD
        || (tgid > 0 && target.process.pid != tgid)) {
      throw SyscallError.of(Errno.ESRCH);
    }
    if (sig != 0) {
      sending.toThread(
          target, SigInfo.user(sig, SigInfo.SI_TKILL, task.process.pid), task.process.toString());
    }
    return 0;
  }

  long sigaction(Hart hart, Task task) {
    return delivery.sigaction(hart, task, arg(hart, 0), arg(hart, 1), arg(hart, 2), arg(hart, 3));
  }

  long sigprocmask(Hart hart, Task task) {
    return delivery.sigprocmask(
        hart, task, (int) arg(hart, 0), arg(hart, 1), arg(hart, 2), arg(hart, 3));
  }

  long sigpending(Hart hart, Task task) {
    return delivery.sigpending(hart, task, arg(hart, 0), arg(hart, 1));
  }

  long sigaltstack(Hart hart, Task task) {
    return delivery.sigaltstack(hart, task, arg(hart, 0), arg(hart, 1));
  }

  long sigsuspend(Hart hart, Task task) {
    return delivery.sigsuspend(hart, task, arg(hart, 0), arg(hart, 1));
  }

  /**
   * getitimer(which, value): ITIMER_REAL only (SIGALRM in virtual time); the CPU-time timers
   * ITIMER_VIRTUAL and ITIMER_PROF are not implemented (EINVAL).
   */
  long getitimer(Hart hart, Task task) {
    if (arg(hart, 0) != ITIMER_REAL) {
      throw SyscallError.of(Errno.EINVAL);
    }
    putItimer(hart, task, arg(hart, 1), schedule.alarm(hart, task.process));
    return 0;
  }

  /** setitimer(which, new, old): struct itimerval is {interval, value}, each {sec, usec}. */
  long setitimer(Hart hart, Task task) {
    if (arg(hart, 0) != ITIMER_REAL) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long at = arg(hart, 1);
    long interval = at == 0 ? 0 : timeval(hart, task, at);
    long value = at == 0 ? 0 : timeval(hart, task, at + 16);
    Schedule.Itimer old = schedule.setAlarm(hart, task.process, value, interval);
    if (arg(hart, 2) != 0) {
      putItimer(hart, task, arg(hart, 2), old);
    }
    return 0;
  }

  /** A struct timeval in cycles (nanoseconds); EINVAL when out of range, capped at 2^62. */
  private long timeval(Hart hart, Task task, long addr) {
    long sec = user.getLong(hart, task.mm, addr);
    long usec = user.getLong(hart, task.mm, addr + 8);
    if (sec < 0 || usec < 0 || usec >= US) {
      throw SyscallError.of(Errno.EINVAL);
    }
    return sec >= (1L << 32) ? 1L << 62 : sec * TimeCalls.NS + usec * 1000;
  }

  private void putItimer(Hart hart, Task task, long addr, Schedule.Itimer t) {
    long[] fields = {t.intervalCycles(), t.valueCycles()};
    for (int i = 0; i < 2; i++) {
      // Round up to whole microseconds, so a timer that is armed never reads as 0.
      long us = (fields[i] + 999) / 1000;
      user.putLong(hart, task.mm, addr + 16 * i, us / US);
      user.putLong(hart, task.mm, addr + 16 * i + 8, us % US);
    }
  }

  long sigreturn(Hart hart, Task task) {
    delivery.sigreturn(hart, task);
    return SyscallTable.NO_RETURN;
  }
}
