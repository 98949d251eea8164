package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/**
 * Clocks and sleeping: clock_gettime, clock_getres, gettimeofday, nanosleep, clock_nanosleep. Every
 * clock reads virtual time; one cycle of the hart is one nanosecond, the clocks' resolution.
 */
final class TimeCalls {
  private static final int TIMER_ABSTIME = 1;

  /** CLOCK_REALTIME starts where the file tree's clock does: virtual, so runs reproduce. */
  private static final long REALTIME_EPOCH_NS = RootFs.EPOCH_NS;

  private static final int MAX_CLOCK_ID = 11;
  static final long NS = 1_000_000_000L;

  /**
   * A sleep that would end this far into virtual time (2^62 cycles, 146 years) or later never ends,
   * as a Linux timer saturated at KTIME_MAX never fires; the virtual clocks stay clear of overflow.
   */
  static final long FOREVER = 1L << 62;

  private final UserMemory user;
  private final Waits waits;

  TimeCalls(UserMemory user, Waits waits) {
    this.user = user;
    this.waits = waits;
  }

  static long clockNow(Hart hart, long clock) {
    if (clock < 0 || clock > MAX_CLOCK_ID) {
      throw SyscallError.of(Errno.EINVAL);
    }
    boolean realtime = clock == 0 || clock == 5 || clock == 8 || clock == 11;
    return hart.cycles() + (realtime ? REALTIME_EPOCH_NS : 0);
  }

  long clockGettime(Hart hart, Task task) {
    long now = clockNow(hart, arg(hart, 0));
    long tp = arg(hart, 1);
    user.putLong(hart, task.mm, tp, now / NS);
    user.putLong(hart, task.mm, tp + 8, now % NS);
    return 0;
  }

  /** clock_getres(clock, res): one nanosecond for every clock. */
  long clockGetres(Hart hart, Task task) {
    clockNow(hart, arg(hart, 0));
    long res = arg(hart, 1);
    if (res != 0) {
      user.putLong(hart, task.mm, res, 0);
      user.putLong(hart, task.mm, res + 8, 1);
    }
    return 0;
  }

  /** gettimeofday(tv, tz): CLOCK_REALTIME in microseconds; the time zone is UTC. */
  long gettimeofday(Hart hart, Task task) {
    long now = clockNow(hart, 0);
    long tv = arg(hart, 0);
    long tz = arg(hart, 1);
    if (tv != 0) {
      user.putLong(hart, task.mm, tv, now / NS);
      user.putLong(hart, task.mm, tv + 8, (now % NS) / 1000);
    }
    if (tz != 0) {
      user.putLong(hart, task.mm, tz, 0); // tz_minuteswest and tz_dsttime, two ints
    }
    return 0;
  }

  /**
   * A struct timespec in nanoseconds, saturated at Long.MAX_VALUE as Linux's timespec64_to_ktime
   * saturates at KTIME_MAX; EINVAL when out of range (timespec64_valid).
   */
  long timespec(Hart hart, Task task, long addr) {
    long sec = user.getLong(hart, task.mm, addr);
    long nsec = user.getLong(hart, task.mm, addr + 8);
    if (sec < 0 || nsec < 0 || nsec >= NS) {
      throw SyscallError.of(Errno.EINVAL);
    }
    return sec >= Long.MAX_VALUE / NS ? Long.MAX_VALUE : sec * NS + nsec;
  }

  /**
   * The virtual-time deadline {@code ns} (at least 0) from now on {@code hart}, or Long.MAX_VALUE —
   * no timer at all, a sleep only --timeout ends — when it lies at {@link #FOREVER} or beyond.
   */
  static long deadlineAfter(Hart hart, long ns) {
    long now = hart.cycles();
    return ns >= FOREVER - now ? Long.MAX_VALUE : now + Math.max(0, ns);
  }

  long nanosleep(Hart hart, Task task) {
    long ns = timespec(hart, task, arg(hart, 0));
    return sleepRelative(hart, task, deadlineAfter(hart, ns), arg(hart, 1));
  }

  /** A relative sleep whose time left goes to {@code rem} (if not 0) when a signal ends it. */
  private long sleepRelative(Hart hart, Task task, long deadline, long rem) {
    task.sleepRemAddr = rem;
    task.sleepDeadline = deadline;
    return waits.sleep(hart, null, false, deadline, 0);
  }

  long clockNanosleep(Hart hart, Task task) {
    long clock = arg(hart, 0);
    long now = clockNow(hart, clock);
    long ns = timespec(hart, task, arg(hart, 2));
    boolean absolute = (arg(hart, 1) & TIMER_ABSTIME) != 0;
    long wait = absolute ? ns - now : ns;
    if (wait <= 0) {
      return 0;
    }
    return sleepRelative(hart, task, deadlineAfter(hart, wait), absolute ? 0 : arg(hart, 3));
  }
}
