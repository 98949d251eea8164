package hartlab.kernel.proc;

import java.util.Arrays;

/**
 * A process's signal actions and its shared pending set (Linux's sighand_struct and
 * signal_struct.shared_pending), shared by its threads.
 *
 * <p>Its monitor is the process's signal lock (Linux's siglock): it guards the actions, the shared
 * pending set and every thread's pending and blocked sets. A short lock, taken after the process
 * table's lock, never held across a wait or a user-memory access.
 */
public final class Sighand {
  /** sa_flags bits hartlab acts on (include/uapi/asm-generic/signal.h). */
  public static final long SA_NOCLDSTOP = 1,
      SA_NOCLDWAIT = 2,
      SA_SIGINFO = 4,
      SA_ONSTACK = 0x08000000L,
      SA_RESTART = 0x10000000L,
      SA_NODEFER = 0x40000000L,
      SA_RESETHAND = 0x80000000L;

  /** One signal's action: handler (or SIG_DFL, SIG_IGN), flags and the mask added while it runs. */
  public record Action(long handler, long flags, long mask) {
    static final Action DEFAULT = new Action(Signals.SIG_DFL, 0, 0);
  }

  private final Action[] actions = new Action[Signals.NSIG + 1];

  /** Signals sent to the process as a whole, bit sig-1; volatile for the lock-free check. */
  volatile long sharedPending;

  final SigInfo[] sharedInfo = new SigInfo[Signals.NSIG + 1];

  Sighand() {
    Arrays.fill(actions, Action.DEFAULT);
  }

  synchronized Action action(int signal) {
    return actions[signal];
  }

  synchronized void setAction(int signal, Action action) {
    actions[signal] = action;
  }

  /** fork: the child starts with the parent's actions. */
  synchronized void copyFrom(Sighand parent) {
    Action[] from;
    synchronized (parent) {
      from = parent.actions.clone();
    }
    System.arraycopy(from, 0, actions, 0, from.length);
  }

  /** execve (flush_signal_handlers): caught signals go back to default, ignored stay ignored. */
  public synchronized void flushHandlers() {
    for (int s = 1; s <= Signals.NSIG; s++) {
      if (actions[s].handler() != Signals.SIG_IGN) {
        actions[s] = Action.DEFAULT;
      }
    }
  }

  /**
   * Whether {@code signal} sent now would be thrown away (sig_ignored): its action ignores it. A
   * blocked signal is kept instead, as the action may change before it is unblocked.
   */
  synchronized boolean ignores(int signal) {
    long h = actions[signal].handler();
    return h == Signals.SIG_IGN || (h == Signals.SIG_DFL && Signals.ignoredByDefault(signal));
  }
}
