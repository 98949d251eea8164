package hartlab.kernel;

import hartlab.kernel.uapi.SyscallError;
import java.util.function.LongSupplier;

/** The errno a kernel call fails with, for asserting Linux's error rules. */
public final class Errnos {
  private Errnos() {}

  /** The errno {@code call} throws, or 0 if it returns. */
  public static int errno(LongSupplier call) {
    try {
      call.getAsLong();
      return 0;
    } catch (SyscallError e) {
      return e.errno();
    }
  }

  /** The errno {@code call}, which returns nothing, throws, or 0 if it returns. */
  public static int errnoOf(Runnable call) {
    return errno(
        () -> {
          call.run();
          return 0L;
        });
  }
}
