package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileIo;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.OpenFile;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/**
 * ppoll and pselect6 (Linux's fs/select.c). Readiness is looked at again every {@link #POLL_CYCLES}
 * of virtual time until something is ready or the timeout passes: the caller sleeps meanwhile, and
 * its deadline survives the restarts in the task's syscall progress. The signal mask argument is
 * not applied (signals are another subsystem's).
 */
final class PollCalls {
  private static final long POLL_CYCLES = 1_000_000;
  private static final int POLLNVAL = 0x20;
  private static final int POLL_ALWAYS = FileIo.POLLERR | FileIo.POLLHUP | POLLNVAL;

  /** What makes a descriptor count as ready in select's read, write and except sets. */
  private static final int[] SELECT_EVENTS = {
    FileIo.POLLIN | FileIo.POLLHUP | FileIo.POLLERR, FileIo.POLLOUT | FileIo.POLLERR, 0
  };

  private final FileIo io;
  private final UserMemory user;
  private final Waits waits;
  private final TimeCalls time;

  PollCalls(FileIo io, UserMemory user, Waits waits, TimeCalls time) {
    this.io = io;
    this.user = user;
    this.waits = waits;
    this.time = time;
  }

  /** ppoll(fds, nfds, timeout, sigmask, sigsetsize). */
  long ppoll(Hart hart, Task task) {
    long fds = arg(hart, 0);
    long nfds = arg(hart, 1);
    long timeout = arg(hart, 2);
    if (nfds < 0 || nfds > FileTable.MAX_FDS) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long deadline = deadline(hart, task, timeout);
    int ready = 0;
    byte[] out = new byte[(int) nfds * 8];
    user.copyFromUser(hart, task.mm, fds, out, 0, out.length);
    for (int i = 0; i < nfds; i++) {
      int fd = getInt(out, 8 * i);
      int events = (out[8 * i + 4] & 0xff) | (out[8 * i + 5] & 0xff) << 8;
      int revents = 0;
      if (fd >= 0) {
        revents = events(task, fd);
        revents &= events | POLL_ALWAYS;
      }
      out[8 * i + 6] = (byte) revents;
      out[8 * i + 7] = (byte) (revents >>> 8);
      if (revents != 0) {
        ready++;
      }
    }
    return finish(
        hart,
        task,
        ready,
        deadline,
        timeout,
        () -> user.copyToUser(hart, task.mm, fds, out, 0, out.length));
  }

  /** pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask). */
  long pselect6(Hart hart, Task task) {
    long nfds = (int) arg(hart, 0);
    long timeout = arg(hart, 4);
    if (nfds < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    nfds = Math.min(nfds, FileTable.MAX_FDS);
    long deadline = deadline(hart, task, timeout);
    int words = (int) ((nfds + 63) / 64);
    long[][] in = new long[3][];
    long[][] result = new long[3][words];
    for (int s = 0; s < 3; s++) {
      long addr = arg(hart, 1 + s);
      if (addr != 0) {
        in[s] = new long[words];
        for (int w = 0; w < words; w++) {
          in[s][w] = user.getLong(hart, task.mm, addr + 8L * w);
        }
      }
    }
    int ready = 0;
    for (int fd = 0; fd < nfds; fd++) {
      long bit = 1L << (fd & 63);
      boolean wanted = false;
      for (long[] set : in) {
        wanted |= set != null && (set[fd >> 6] & bit) != 0;
      }
      if (!wanted) {
        continue;
      }
      int ev = events(task, fd);
      if ((ev & POLLNVAL) != 0) {
        throw SyscallError.of(Errno.EBADF);
      }
      for (int s = 0; s < 3; s++) {
        if (in[s] != null && (in[s][fd >> 6] & bit) != 0 && (ev & SELECT_EVENTS[s]) != 0) {
          result[s][fd >> 6] |= bit;
          ready++;
        }
      }
    }
    return finish(
        hart,
        task,
        ready,
        deadline,
        timeout,
        () -> {
          for (int s = 0; s < 3; s++) {
            long addr = arg(hart, 1 + s);
            for (int w = 0; addr != 0 && w < words; w++) {
              user.putLong(hart, task.mm, addr + 8L * w, result[s][w]);
            }
          }
        });
  }

  private int events(Task task, int fd) {
    OpenFile f;
    try {
      f = task.process.files.get(fd);
    } catch (SyscallError e) {
      return POLLNVAL;
    }
    return io.pollEvents(f);
  }

  /**
   * The call's deadline in virtual cycles: taken from the task's progress when the call restarts,
   * else from {@code timeout} (a struct timespec, NULL for none).
   */
  private long deadline(Hart hart, Task task, long timeout) {
    if (task.syscallProgress() != 0) {
      return task.syscallProgress();
    }
    if (timeout == 0) {
      return Long.MAX_VALUE;
    }
    return Math.max(1, TimeCalls.deadlineAfter(hart, time.timespec(hart, task, timeout)));
  }

  /**
   * Returns {@code ready} after {@code report} writes the results, or, when nothing is ready and
   * time is left, sleeps until the next look. Linux writes the time left back to the timeout.
   */
  private long finish(
      Hart hart, Task task, int ready, long deadline, long timeout, Runnable report) {
    long now = hart.cycles();
    if (ready == 0 && now < deadline) {
      task.setSyscallProgress(deadline);
      return waits.sleep(hart, null, true, Math.min(deadline, now + POLL_CYCLES), Waits.RESTART);
    }
    report.run();
    if (timeout != 0) {
      long left = deadline == Long.MAX_VALUE ? 0 : Math.max(0, deadline - now);
      user.putLong(hart, task.mm, timeout, left / TimeCalls.NS);
      user.putLong(hart, task.mm, timeout + 8, left % TimeCalls.NS);
    }
    return ready;
  }

  private static int getInt(byte[] b, int off) {
    return (b[off] & 0xff)
        | (b[off + 1] & 0xff) << 8
        | (b[off + 2] & 0xff) << 16
        | b[off + 3] << 24;
  }
}
