package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.proc.Futexes;
import hartlab.kernel.proc.Task;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/** futex(2): WAIT, WAKE and their BITSET forms (bitsets other than 0 match every waiter). */
final class FutexCalls {
  private static final int FUTEX_WAIT = 0,
      FUTEX_WAKE = 1,
      FUTEX_WAIT_BITSET = 9,
      FUTEX_WAKE_BITSET = 10,
      FUTEX_PRIVATE_FLAG = 128,
      FUTEX_CLOCK_REALTIME = 256;

  private final Futexes futexes;
  private final TimeCalls time;

  FutexCalls(Futexes futexes, TimeCalls time) {
    this.futexes = futexes;
    this.time = time;
  }

  long futex(Hart hart, Task task) {
    long uaddr = arg(hart, 0);
    int op = (int) arg(hart, 1);
    int val = (int) arg(hart, 2);
    long timeout = arg(hart, 3);
    int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    switch (cmd) {
      case FUTEX_WAIT:
      case FUTEX_WAIT_BITSET:
        {
          if (cmd == FUTEX_WAIT_BITSET && (int) arg(hart, 5) == 0) {
            throw SyscallError.of(Errno.EINVAL);
          }
          long deadline = Long.MAX_VALUE;
          if (timeout != 0) {
            // FUTEX_WAIT's timeout is relative, FUTEX_WAIT_BITSET's absolute on its clock; either
            // may be huge: saturate, never overflow into the past.
            long ns = time.timespec(hart, task, timeout);
            long relative =
                cmd == FUTEX_WAIT
                    ? ns
                    : ns - TimeCalls.clockNow(hart, (op & FUTEX_CLOCK_REALTIME) != 0 ? 0 : 1);
            deadline = TimeCalls.deadlineAfter(hart, relative);
          }
          return futexes.wait(hart, task, uaddr, val, deadline);
        }
      case FUTEX_WAKE:
      case FUTEX_WAKE_BITSET:
        if (cmd == FUTEX_WAKE_BITSET && (int) arg(hart, 5) == 0) {
          throw SyscallError.of(Errno.EINVAL);
        }
        return futexes.wake(hart, task.mm, uaddr, val);
      default:
        throw SyscallError.of(Errno.ENOSYS);
    }
  }
}
