package hartlab.kernel.uapi;

/**
 * Thrown by kernel code running a syscall to return {@code -errno}; the dispatcher turns it into
 * the result. Preallocated and without a stack trace: it is control flow, not a bug report.
 */
public final class SyscallError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final SyscallError[] BY_ERRNO = new SyscallError[134];

  static {
    for (int i = 1; i < BY_ERRNO.length; i++) {
      BY_ERRNO[i] = new SyscallError(i);
    }
  }

  private final int errno;

  private SyscallError(int errno) {
    super("errno " + errno, null, false, false);
    this.errno = errno;
  }

  public static SyscallError of(int errno) {
    return BY_ERRNO[errno];
  }

  public int errno() {
    return errno;
  }
}
