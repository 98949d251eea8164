package hartlab.kernel;

import hartlab.cpu.Hart;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The system calls, as one table of Linux riscv64 (asm-generic) numbers, names and handlers.
 * Arguments come from a0–a5 of the trapping hart; a handler returns the result or throws
 * {@link SyscallError} for {@code -errno}.
 *
 * <p>Handlers run on the hart's thread, with the calling task current and its mm in satp.
 */
final class Syscalls {
  /** A handler's return value meaning "the task is gone, write no result". */
  static final long NO_RETURN = Long.MIN_VALUE;

  @FunctionalInterface
  interface Handler {
    long call(Hart hart, Task task);
  }

  record Entry(int number, String name, Handler handler) {}

  private static final int MAX_IOV = 1024;
  private static final int IO_CHUNK = 64 * 1024;
  private static final long GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
  /** CLOCK_REALTIME starts here (2026-01-01T00:00:00Z): virtual, so runs reproduce. */
  private static final long REALTIME_EPOCH_SECONDS = 1_767_225_600L;
  private static final int MAX_CLOCK_ID = 11;

  private final Kernel kernel;
  private final UserMemory user;
  private final AddressSpace addressSpace;
  private final Console console;
  private final SplittableRandom random;
  private final Entry[] table = new Entry[512];

  Syscalls(Kernel kernel, UserMemory user, AddressSpace addressSpace, Console console, long seed) {
    this.kernel = kernel;
    this.user = user;
    this.addressSpace = addressSpace;
    this.console = console;
    this.random = new SplittableRandom(seed);
    for (Entry e : new Entry[] {
        new Entry(63, "read", this::read),
        new Entry(64, "write", this::write),
        new Entry(66, "writev", this::writev),
        new Entry(93, "exit", this::exit),
        new Entry(94, "exit_group", this::exit),
        new Entry(96, "set_tid_address", this::setTidAddress),
        new Entry(113, "clock_gettime", this::clockGettime),
        new Entry(160, "uname", this::uname),
        new Entry(172, "getpid", (h, t) -> t.process.pid),
        new Entry(178, "gettid", (h, t) -> t.tid),
        new Entry(214, "brk", (h, t) -> addressSpace.brk(h, t.process.mm, arg(h, 0))),
        new Entry(215, "munmap", (h, t) -> addressSpace.munmap(h, t.process.mm, arg(h, 0), arg(h, 1))),
        new Entry(222, "mmap", this::mmap),
        new Entry(226, "mprotect",
            (h, t) -> addressSpace.mprotect(h, t.process.mm, arg(h, 0), arg(h, 1), (int) arg(h, 2))),
        new Entry(278, "getrandom", this::getrandom),
    }) {
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

  private long read(Hart hart, Task task) {
    int fd = (int) arg(hart, 0);
    long buf = arg(hart, 1);
    int count = (int) Math.min(arg(hart, 2), IO_CHUNK);
    if (fd != 0) {
      throw SyscallError.of(Errno.EBADF);
    }
    if (arg(hart, 2) < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (count == 0) {
      return 0;
    }
    byte[] data = new byte[count];
    int n;
    while ((n = console.read(data, 0, count)) < 0) {
      if (!kernel.waitForInput(hart)) {
        throw SyscallError.of(Errno.EINTR);
      }
    }
    user.copyToUser(hart, task.process.mm, buf, data, 0, n);
    return n;
  }

  private long write(Hart hart, Task task) {
    return writeFrom(hart, task, (int) arg(hart, 0), arg(hart, 1), arg(hart, 2));
  }

  /** Copies {@code count} bytes from user memory to the console; a fault after progress is a short write. */
  private long writeFrom(Hart hart, Task task, int fd, long buf, long count) {
    if (fd != 1 && fd != 2) {
      throw SyscallError.of(Errno.EBADF);
    }
    if (count < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long done = 0;
    byte[] chunk = new byte[(int) Math.min(count, IO_CHUNK)];
    while (done < count) {
      int n = (int) Math.min(count - done, chunk.length);
      try {
        user.copyFromUser(hart, task.process.mm, buf + done, chunk, 0, n);
      } catch (SyscallError e) {
        if (done > 0) {
          return done;
        }
        throw e;
      }
      console.write(fd, chunk, 0, n);
      done += n;
    }
    return done;
  }

  private long writev(Hart hart, Task task) {
    int fd = (int) arg(hart, 0);
    long iov = arg(hart, 1);
    long iovcnt = arg(hart, 2);
    if (iovcnt < 0 || iovcnt > MAX_IOV) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long[] bases = new long[(int) iovcnt];
    long[] lengths = new long[(int) iovcnt];
    long total = 0;
    for (int i = 0; i < iovcnt; i++) {
      bases[i] = user.getLong(hart, task.process.mm, iov + 16L * i);
      lengths[i] = user.getLong(hart, task.process.mm, iov + 16L * i + 8);
      total += lengths[i];
      if (lengths[i] < 0 || total < 0) {
        throw SyscallError.of(Errno.EINVAL);
      }
    }
    long done = 0;
    for (int i = 0; i < iovcnt; i++) {
      long n;
      try {
        n = writeFrom(hart, task, fd, bases[i], lengths[i]);
      } catch (SyscallError e) {
        if (done > 0) {
          return done;
        }
        throw e;
      }
      done += n;
      if (n < lengths[i]) {
        break;
      }
    }
    return done;
  }

  private long exit(Hart hart, Task task) {
    kernel.exitTask(hart, task, (int) arg(hart, 0) & 0xFF, null);
    return NO_RETURN;
  }

  private long setTidAddress(Hart hart, Task task) {
    task.clearChildTid = arg(hart, 0);
    return task.tid;
  }

  /** All clocks read virtual time: 1 cycle of the hart is 1 ns. */
  private long clockGettime(Hart hart, Task task) {
    long clock = arg(hart, 0);
    if (clock < 0 || clock > MAX_CLOCK_ID) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long ns = hart.cycles();
    long seconds = ns / 1_000_000_000L;
    if (clock == 0 || clock == 5 || clock == 8 || clock == 11) { // REALTIME, _COARSE, _ALARM, TAI
      seconds += REALTIME_EPOCH_SECONDS;
    }
    long tp = arg(hart, 1);
    user.putLong(hart, task.process.mm, tp, seconds);
    user.putLong(hart, task.process.mm, tp + 8, ns % 1_000_000_000L);
    return 0;
  }

  /** struct new_utsname: six NUL-padded 65-byte fields. */
  private long uname(Hart hart, Task task) {
    String[] fields = {"Linux", "hartlab", "6.6.0-hartlab", "#1 SMP hartlab", "riscv64", "(none)"};
    byte[] buf = new byte[6 * 65];
    for (int i = 0; i < fields.length; i++) {
      byte[] f = fields[i].getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(f, 0, buf, i * 65, f.length);
    }
    user.copyToUser(hart, task.process.mm, arg(hart, 0), buf, 0, buf.length);
    return 0;
  }

  private long mmap(Hart hart, Task task) {
    return addressSpace.mmap(hart, task.process.mm, arg(hart, 0), arg(hart, 1), (int) arg(hart, 2),
        (int) arg(hart, 3), (int) arg(hart, 4), arg(hart, 5));
  }

  /** Bytes from the machine's seeded generator: the same --seed gives the same bytes. */
  private long getrandom(Hart hart, Task task) {
    long buf = arg(hart, 0);
    long count = Math.min(arg(hart, 1), 33_554_431L);
    long flags = arg(hart, 2);
    if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0
        || (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (count < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    byte[] bytes = new byte[(int) Math.min(count, IO_CHUNK)];
    long done = 0;
    while (done < count) {
      int n = (int) Math.min(count - done, bytes.length);
      synchronized (random) {
        for (int i = 0; i < n; i++) {
          bytes[i] = (byte) random.nextInt(256);
        }
      }
      user.copyToUser(hart, task.process.mm, buf + done, bytes, 0, n);
      done += n;
    }
    return done;
  }

  /** Sixteen seeded bytes for a new process's AT_RANDOM. */
  byte[] atRandom() {
    byte[] b = new byte[16];
    synchronized (random) {
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) random.nextInt(256);
      }
    }
    return b;
  }
}
