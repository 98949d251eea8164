package hartlab.kernel.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** SyscallError is control flow: one preallocated instance per errno, no stack trace. */
class SyscallErrorTest {
  @Test
  void eachErrnoHasOneInstanceWithoutAStackTrace() {
    SyscallError e = SyscallError.of(Errno.EFAULT);
    assertSame(e, SyscallError.of(Errno.EFAULT));
    assertEquals(Errno.EFAULT, e.errno());
    assertEquals(0, e.getStackTrace().length);
    assertEquals("errno 14", e.getMessage());
    assertEquals(133, SyscallError.of(133).errno(), "every Linux errno up to EHWPOISON");
  }

  @Test
  void theValuesAreLinuxs() {
    assertEquals(1, Errno.EPERM);
    assertEquals(11, Errno.EAGAIN);
    assertEquals(12, Errno.ENOMEM);
    assertEquals(22, Errno.EINVAL);
    assertEquals(32, Errno.EPIPE);
    assertEquals(38, Errno.ENOSYS);
    assertEquals(95, Errno.EOPNOTSUPP);
    assertEquals(110, Errno.ETIMEDOUT);
  }
}
