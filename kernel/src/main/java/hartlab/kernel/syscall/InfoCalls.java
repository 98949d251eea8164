package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.RandomSource;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.Task;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.nio.charset.StandardCharsets;

/** What the system is and its randomness: uname, getrandom. */
final class InfoCalls {
  private static final int IO_CHUNK = 64 * 1024;
  private static final long GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;

  private final UserMemory user;
  private final RandomSource random;

  InfoCalls(UserMemory user, RandomSource random) {
    this.user = user;
    this.random = random;
  }

  /** struct new_utsname: six NUL-padded 65-byte fields. */
  long uname(Hart hart, Task task) {
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
  long getrandom(Hart hart, Task task) {
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
      random.fill(bytes, n);
      user.copyToUser(hart, task.mm, buf + done, bytes, 0, n);
      done += n;
    }
    return done;
  }
}
