package hartlab.kernel;

import hartlab.cpu.Hart;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * The system calls, as one table of Linux riscv64 (asm-generic) numbers, names and handlers.
 * Arguments come from a0–a5 of the trapping hart; a handler returns the result, throws {@link
 * SyscallError} for {@code -errno}, or returns {@link #BLOCKED} after putting the task to sleep.
 * Memory, time, futex and identity calls live here; files and processes in their own classes.
 *
 * <p>Handlers run on the hart's thread, with the calling task current and its mm in satp.
 */
final class Syscalls {
  /** A handler's return value meaning "the task is gone or its registers are already set". */
  static final long NO_RETURN = Long.MIN_VALUE;

  /** A handler's return value meaning "the task sleeps; it resumes or restarts when woken". */
  static final long BLOCKED = Long.MIN_VALUE + 1;

  @FunctionalInterface
  interface Handler {
    long call(Hart hart, Task task);
  }

  record Entry(int number, String name, Handler handler) {}

  private static final int IO_CHUNK = 64 * 1024;
  private static final long GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
  private static final int FUTEX_WAIT = 0,
      FUTEX_WAKE = 1,
      FUTEX_WAIT_BITSET = 9,
      FUTEX_WAKE_BITSET = 10,
      FUTEX_PRIVATE_FLAG = 128,
      FUTEX_CLOCK_REALTIME = 256;
  private static final int TIMER_ABSTIME = 1;

  /** CLOCK_REALTIME starts here (2026-01-01T00:00:00Z): virtual, so runs reproduce. */
  private static final long REALTIME_EPOCH_NS = 1_767_225_600L * 1_000_000_000L;

  private static final int MAX_CLOCK_ID = 11;
  private static final long NS = 1_000_000_000L;

  private final Kernel kernel;
  private final UserMemory user;
  private final AddressSpace addressSpace;
  private final Futexes futexes;
  private final SplittableRandom random;
  private final Entry[] table = new Entry[512];

  Syscalls(
      Kernel kernel,
      UserMemory user,
      AddressSpace addressSpace,
      Console console,
      ProcessTable processes,
      Futexes futexes,
      Exec exec,
      MmSwitch mmSwitch,
      RootFs rootFs,
      long seed) {
    this.kernel = kernel;
    this.user = user;
    this.addressSpace = addressSpace;
    this.futexes = futexes;
    this.random = new SplittableRandom(seed);
    List<Entry> all =
        new ArrayList<>(
            List.of(
                new Entry(98, "futex", this::futex),
                new Entry(101, "nanosleep", this::nanosleep),
                new Entry(113, "clock_gettime", this::clockGettime),
                new Entry(115, "clock_nanosleep", this::clockNanosleep),
                new Entry(160, "uname", this::uname),
                new Entry(
                    214, "brk", (h, t) -> locked(h, t, () -> addressSpace.brk(h, t.mm, arg(h, 0)))),
                new Entry(
                    215,
                    "munmap",
                    (h, t) ->
                        locked(h, t, () -> addressSpace.munmap(h, t.mm, arg(h, 0), arg(h, 1)))),
                new Entry(
                    222,
                    "mmap",
                    (h, t) ->
                        locked(
                            h,
                            t,
                            () ->
                                addressSpace.mmap(
                                    h,
                                    t.mm,
                                    arg(h, 0),
                                    arg(h, 1),
                                    (int) arg(h, 2),
                                    (int) arg(h, 3),
                                    (int) arg(h, 4),
                                    arg(h, 5)))),
                new Entry(
                    226,
                    "mprotect",
                    (h, t) ->
                        locked(
                            h,
                            t,
                            () ->
                                addressSpace.mprotect(
                                    h, t.mm, arg(h, 0), arg(h, 1), (int) arg(h, 2)))),
                new Entry(
                    216,
                    "mremap",
                    (h, t) ->
                        locked(
                            h,
                            t,
                            () ->
                                addressSpace.mremap(
                                    h,
                                    t.mm,
                                    arg(h, 0),
                                    arg(h, 1),
                                    arg(h, 2),
                                    (int) arg(h, 3),
                                    arg(h, 4)))),
                new Entry(
                    233,
                    "madvise",
                    (h, t) ->
                        locked(
                            h,
                            t,
                            () ->
                                addressSpace.madvise(
                                    h, t.mm, arg(h, 0), arg(h, 1), (int) arg(h, 2)))),
                new Entry(278, "getrandom", this::getrandom)));
    all.addAll(new FileSyscalls(kernel, user, console, processes).entries());
    all.addAll(
        new ProcessSyscalls(kernel, user, addressSpace, processes, exec, mmSwitch, rootFs, this)
            .entries());
    for (Entry e : all) {
      if (table[e.number] != null) {
        throw new IllegalStateException("Syscalls: number " + e.number + " registered twice");
      }
      table[e.number] = e;
    }
  }

  /** The entry for a syscall number, or null for one hartlab does not implement. */
  Entry lookup(long number) {
    return number >= 0 && number < table.length ? table[(int) number] : null;
  }

  static long arg(Hart hart, int i) {
    return hart.reg(10 + i);
  }

  /**
   * Runs an mm-changing call under the mmap lock held for writing, sleeping first if it is taken.
   */
  private long locked(Hart hart, Task task, LongSupplier call) {
    Mm mm = task.mm;
    if (!kernel.lockOrSleep(hart, task, mm, true)) {
      return BLOCKED;
    }
    try {
      return call.getAsLong();
    } finally {
      kernel.unlock(mm, true);
    }
  }

  // ---- time: every clock reads virtual time, 1 cycle of the hart = 1 ns ----

  private static long clockNow(Hart hart, long clock) {
    if (clock < 0 || clock > MAX_CLOCK_ID) {
      throw SyscallError.of(Errno.EINVAL);
    }
    boolean realtime = clock == 0 || clock == 5 || clock == 8 || clock == 11;
    return hart.cycles() + (realtime ? REALTIME_EPOCH_NS : 0);
  }

  private long clockGettime(Hart hart, Task task) {
    long now = clockNow(hart, arg(hart, 0));
    long tp = arg(hart, 1);
    user.putLong(hart, task.mm, tp, now / NS);
    user.putLong(hart, task.mm, tp + 8, now % NS);
    return 0;
  }

  /** A struct timespec in nanoseconds; EINVAL when out of range. */
  private long timespec(Hart hart, Task task, long addr) {
    long sec = user.getLong(hart, task.mm, addr);
    long nsec = user.getLong(hart, task.mm, addr + 8);
    if (sec < 0 || nsec < 0 || nsec >= NS) {
      throw SyscallError.of(Errno.EINVAL);
    }
    return sec > Long.MAX_VALUE / NS - 1 ? Long.MAX_VALUE / 2 : sec * NS + nsec;
  }

  private long nanosleep(Hart hart, Task task) {
    long ns = timespec(hart, task, arg(hart, 0));
    return kernel.sleep(hart, task, null, false, hart.cycles() + ns, 0);
  }

  private long clockNanosleep(Hart hart, Task task) {
    long clock = arg(hart, 0);
    long now = clockNow(hart, clock);
    long ns = timespec(hart, task, arg(hart, 2));
    long wait = (arg(hart, 1) & TIMER_ABSTIME) != 0 ? ns - now : ns;
    if (wait <= 0) {
      return 0;
    }
    return kernel.sleep(hart, task, null, false, hart.cycles() + wait, 0);
  }

  // ---- futex ----

  private long futex(Hart hart, Task task) {
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
            long ns = timespec(hart, task, timeout);
            deadline =
                cmd == FUTEX_WAIT
                    ? hart.cycles() + ns
                    : hart.cycles() + ns - clockNow(hart, (op & FUTEX_CLOCK_REALTIME) != 0 ? 0 : 1);
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

  // ---- identity and randomness ----

  /** struct new_utsname: six NUL-padded 65-byte fields. */
  private long uname(Hart hart, Task task) {
    String[] fields = {"Linux", "hartlab", "6.6.0-hartlab", "#1 SMP hartlab", "riscv64", "(none)"};
    byte[] buf = new byte[6 * 65];
    for (int i = 0; i < fields.length; i++) {
      byte[] f = fields[i].getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(f, 0, buf, i * 65, f.length);
    }
    user.copyToUser(hart, task.mm, arg(hart, 0), buf, 0, buf.length);
    return 0;
  }

  /** Bytes from the machine's seeded generator: the same --seed gives the same bytes. */
  private long getrandom(Hart hart, Task task) {
    long buf = arg(hart, 0);
    long count = Math.min(arg(hart, 1), 33_554_431L);
    long flags = arg(hart, 2);
    if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0
        || (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)
        || count < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    byte[] bytes = new byte[(int) Math.min(count, IO_CHUNK)];
    long done = 0;
    while (done < count) {
      int n = (int) Math.min(count - done, bytes.length);
      fillRandom(bytes, n);
      user.copyToUser(hart, task.mm, buf + done, bytes, 0, n);
      done += n;
    }
    return done;
  }

  /** Sixteen seeded bytes for a new image's AT_RANDOM. */
  byte[] atRandom() {
    byte[] b = new byte[16];
    fillRandom(b, b.length);
    return b;
  }

  /** The first {@code n} bytes of {@code b} from the seeded generator, shared by every hart. */
  private void fillRandom(byte[] b, int n) {
    synchronized (random) {
      for (int i = 0; i < n; i++) {
        b[i] = (byte) random.nextInt(256);
      }
    }
  }
}
