package hartlab.kernel.proc;

import hartlab.kernel.smp.Waits;
import java.util.List;

/**
 * Sending signals, the first half of Linux's kernel/signal.c: kill, tgkill, a child's exit signal,
 * a timer, a fault. A signal the target ignores is dropped; one whose default action ends the
 * process ends it at once (complete_signal), unless every thread blocks it; any other is made
 * pending — on the thread or on the process — and a thread that does not block it is woken from an
 * interruptible sleep or made to enter the kernel ({@link Waits#signalWake}), where {@link
 * SignalDelivery} runs its handler on the way back to user mode.
 *
 * <p>Pending sets are bit sets: a standard signal already pending is not queued twice, and
 * real-time signals coalesce the same way (Linux queues those; hartlab keeps one of each), so no
 * guest can grow a signal queue.
 */
public final class SignalSending {
  private final ProcessTable processes;
  private final Waits waits;

  SignalSending(ProcessTable processes, Waits waits) {
    this.processes = processes;
    this.waits = waits;
  }

  /** kill(2) and friends: {@code info} to process {@code p} as a whole. */
  public void toProcess(GuestProcess p, SigInfo info, String sender) {
    send(p, null, info, sender);
  }

  /** tgkill(2), tkill(2): {@code info} to the one thread {@code t}. */
  public void toThread(Task t, SigInfo info, String sender) {
    send(t.process, t, info, sender);
  }

  /**
   * A synchronous fault of {@code t} (force_sig_fault): queued for its handler when it has one and
   * does not block the signal. False otherwise: the caller then kills the process as a signal that
   * is blocked or not caught would (Linux unblocks it and resets it to the default action).
   */
  public boolean fault(Task t, SigInfo info) {
    int sig = info.signo();
    Sighand sh = t.process.sighand;
    synchronized (sh) {
      long handler = sh.action(sig).handler();
      if (handler == Signals.SIG_DFL
          || handler == Signals.SIG_IGN
          || (t.blocked & Signals.bit(sig)) != 0) {
        return false;
      }
      t.pending |= Signals.bit(sig);
      t.pendingInfo[sig] = info;
    }
    return true;
  }

  private void send(GuestProcess p, Task thread, SigInfo info, String sender) {
    int sig = info.signo();
    long bit = Signals.bit(sig);
    List<Task> threads = thread != null ? List.of(thread) : processes.tasksOf(p);
    if (threads.isEmpty()) {
      return; // a zombie takes the signal and ignores it
    }
    Sighand sh = p.sighand;
    boolean fatal = false;
    Task wake = null;
    synchronized (sh) {
      boolean blockedByAll = true;
      for (Task t : threads) {
        if ((t.blocked & bit) == 0) {
          blockedByAll = false;
          wake = wake == null ? t : wake;
        }
      }
      if (sig == Signals.SIGKILL) {
        fatal = true;
      } else if (sh.ignores(sig) && (threads.get(0).blocked & bit) == 0) {
        return;
      } else if (sh.action(sig).handler() == Signals.SIG_DFL
          && !Signals.ignoredByDefault(sig)
          && !blockedByAll) {
        fatal = true;
      } else if (thread != null) {
        if ((thread.pending & bit) == 0) {
          thread.pendingInfo[sig] = info;
          thread.pending |= bit;
        }
      } else if ((sh.sharedPending & bit) == 0) {
        sh.sharedInfo[sig] = info;
        sh.sharedPending |= bit;
      }
    }
    if (fatal) {
      processes.endGroup(
          p, sig, String.format("%s killed by %s (sent by %s)", p, Signals.name(sig), sender));
    } else if (wake != null) {
      waits.signalWake(wake);
    }
  }
}
