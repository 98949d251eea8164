package hartlab.kernel.proc;

import hartlab.cpu.Cause;

/** The signals hartlab delivers, all with their default action (there are no handlers yet). */
public final class Signals {
  public static final int SIGHUP = 1,
      SIGINT = 2,
      SIGQUIT = 3,
      SIGILL = 4,
      SIGTRAP = 5,
      SIGABRT = 6,
      SIGBUS = 7,
      SIGFPE = 8,
      SIGKILL = 9,
      SIGUSR1 = 10,
      SIGSEGV = 11,
      SIGUSR2 = 12,
      SIGPIPE = 13,
      SIGALRM = 14,
      SIGTERM = 15,
      SIGCHLD = 17,
      SIGCONT = 18,
      SIGSTOP = 19,
      SIGTSTP = 20,
      SIGURG = 23,
      SIGWINCH = 28;
  public static final int NSIG = 64;
  private static final String[] NAMES = {
    null,
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS"
  };

  private Signals() {}

  public static String name(int signal) {
    return signal > 0 && signal < NAMES.length ? NAMES[signal] : "signal " + signal;
  }

  /**
   * Whether the default action of {@code signal} is to ignore it (or to stop, which hartlab does
   * not model).
   */
  public static boolean ignoredByDefault(int signal) {
    return signal == SIGCHLD
        || signal == SIGCONT
        || signal == SIGURG
        || signal == SIGWINCH
        || signal == SIGSTOP
        || signal == SIGTSTP
        || signal == 21
        || signal == 22;
  }

  /** The signal Linux riscv sends for a synchronous trap other than a page fault. */
  public static int forCause(int cause) {
    switch (cause) {
      case Cause.ILLEGAL_INSTRUCTION:
        return SIGILL;
      case Cause.BREAKPOINT:
        return SIGTRAP;
      case Cause.INSTRUCTION_MISALIGNED:
      case Cause.LOAD_MISALIGNED:
      case Cause.STORE_MISALIGNED:
        return SIGBUS;
      default:
        return SIGSEGV;
    }
  }
}
