package hartlab.kernel.proc;

import hartlab.cpu.Cause;

/**
 * Signal numbers, names and default actions (Linux's include/uapi/asm-generic/signal.h and the
 * table in kernel/signal.c). Bit {@code sig - 1} of a 64-bit set stands for signal {@code sig}.
 */
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
      SIGTTIN = 21,
      SIGTTOU = 22,
      SIGURG = 23,
      SIGWINCH = 28;
  public static final int NSIG = 64;

  /** The sigaction handler values that are no function: the default action, and ignore. */
  public static final long SIG_DFL = 0, SIG_IGN = 1;

  /** What a signal does to a process when nothing catches it (Linux's sig_kernel_* sets). */
  public enum DefaultAction {
    TERMINATE,
    /** Terminate and dump core; hartlab writes no core, so the wait status has no 0x80 bit. */
    CORE,
    IGNORE,
    /** Stop the process: hartlab does not model job control, so stop signals are ignored. */
    STOP
  }

  /** SIGKILL and SIGSTOP, which can be neither caught, blocked nor ignored. */
  public static final long UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

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

  /** The bit of {@code signal} in a signal set. */
  public static long bit(int signal) {
    return 1L << (signal - 1);
  }

  /** Whether {@code signal} is a valid signal number (1..64). */
  public static boolean valid(long signal) {
    return signal >= 1 && signal <= NSIG;
  }

  public static DefaultAction defaultAction(int signal) {
    switch (signal) {
      case SIGCHLD:
      case SIGCONT:
      case SIGURG:
      case SIGWINCH:
        return DefaultAction.IGNORE;
      case SIGSTOP:
      case SIGTSTP:
      case SIGTTIN:
      case SIGTTOU:
        return DefaultAction.STOP;
      case SIGQUIT:
      case SIGILL:
      case SIGTRAP:
      case SIGABRT:
      case SIGBUS:
      case SIGFPE:
      case SIGSEGV:
      case 24: // SIGXCPU
      case 25: // SIGXFSZ
      case 31: // SIGSYS
        return DefaultAction.CORE;
      default:
        return DefaultAction.TERMINATE;
    }
  }

  /**
   * Whether the default action of {@code signal} leaves the process running (ignore, or stop, which
   * hartlab does not model).
   */
  public static boolean ignoredByDefault(int signal) {
    DefaultAction a = defaultAction(signal);
    return a == DefaultAction.IGNORE || a == DefaultAction.STOP;
  }

  /** si_code for a synchronous trap other than a page fault (ILL_ILLOPC, TRAP_BRKPT, ...). */
  public static int codeForCause(int cause) {
    return cause == Cause.ILLEGAL_INSTRUCTION
            || cause == Cause.BREAKPOINT
            || cause == Cause.INSTRUCTION_MISALIGNED
            || cause == Cause.LOAD_MISALIGNED
            || cause == Cause.STORE_MISALIGNED
        ? 1
        : SigInfo.SI_KERNEL;
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
