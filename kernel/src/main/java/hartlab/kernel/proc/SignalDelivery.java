package hartlab.kernel.proc;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Delivering signals, the second half of Linux's kernel/signal.c with arch/riscv/kernel/signal.c:
 * on every return to user mode a pending signal the task does not block is taken (thread-directed
 * first, synchronous faults before the rest), its default action applied, or a frame built on the
 * user stack and the handler entered; rt_sigreturn undoes the frame. Also the calls that read and
 * change a task's signal state: rt_sigaction, rt_sigprocmask, rt_sigpending, sigaltstack,
 * rt_sigsuspend.
 *
 * <p>The frame is riscv64's struct rt_sigframe: a 128-byte siginfo, then a ucontext (uc_flags,
 * uc_link, uc_stack, the 8-byte uc_sigmask padded to 128 bytes, and at offset 176 the mcontext: pc
 * and x1..x31, then f0..f31 and fcsr in a 528-byte FP area whose last 8 bytes are the end header of
 * the extension chain). The handler returns through a trampoline page every mm maps at {@link
 * Mm#SIGRETURN_TRAMPOLINE}, as Linux's vDSO provides rt_sigreturn.
 *
 * <p>Runs on the hart of the task concerned, with the task current.
 */
public final class SignalDelivery {
  static final int UC = SigInfo.SIZE;
  static final int UC_STACK = UC + 16;
  static final int UC_SIGMASK = UC + 40;
  static final int MCONTEXT = UC + 176;
  static final int FPREGS = MCONTEXT + 256;
  static final int FCSR = FPREGS + 256;

  /** The extension chain's first header: magic 0 and size 0 mean "no more" (END_MAGIC). */
  static final int EXT_HEADER = FPREGS + 520;

  static final int FRAME_SIZE = MCONTEXT + 256 + 528;

  /** sigaltstack's ss_flags and MINSIGSTKSZ. */
  static final int SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31, MINSIGSTKSZ = 2048;

  static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;

  /** Faults: delivered before other pending signals (Linux's SYNCHRONOUS_MASK). */
  private static final long SYNCHRONOUS =
      Signals.bit(Signals.SIGSEGV)
          | Signals.bit(Signals.SIGBUS)
          | Signals.bit(Signals.SIGILL)
          | Signals.bit(Signals.SIGTRAP)
          | Signals.bit(Signals.SIGFPE)
          | Signals.bit(31);

  private final ProcessTable processes;
  private final UserMemory user;
  private final Waits waits;

  SignalDelivery(ProcessTable processes, UserMemory user, Waits waits) {
    this.processes = processes;
    this.user = user;
    this.waits = waits;
  }

  /** Whether {@link #returnToUser} has anything to do for {@code task}: the lock-free check. */
  public static boolean workPending(Task task) {
    return task.signalInterrupted || task.savedMask != -1 || task.signalPending();
  }

  /**
   * do_signal, on the way back to user mode with {@code task} current on {@code hart}: decides
   * whether a syscall a signal interrupted runs again or returns -EINTR, and delivers every pending
   * signal the task does not block (each handler's frame on top of the previous one, as Linux
   * does). A fatal signal ends the process ({@code task.killPending} is then set). Returns the
   * number of handlers entered.
   */
  public int returnToUser(Hart hart, Task task) {
    boolean interrupted = task.signalInterrupted;
    boolean restartable = interrupted && task.restartPc == hart.pc();
    task.signalInterrupted = false;
    if (interrupted && !restartable && task.sleepRemAddr != 0) {
      writeTimeLeft(hart, task);
    }
    int entered = 0;
    for (int i = 0; i < Signals.NSIG && !task.killPending; i++) {
      Taken taken = take(task);
      if (taken == null) {
        break;
      }
      if (taken.action == null) {
        processes.endGroup(
            task.process,
            taken.info.signo(),
            String.format(
                "%s killed by %s%s",
                task.process,
                Signals.name(taken.info.signo()),
                taken.info.pid() != 0 ? " (sent by pid " + taken.info.pid() + ")" : ""));
        return entered;
      }
      if (restartable) {
        restartable = false;
        long done = task.syscallProgress();
        if (done > 0 || (taken.action.flags() & Sighand.SA_RESTART) == 0) {
          // A call that did part of its work returns that much (a pipe write); otherwise
          // -ERESTARTSYS without SA_RESTART is -EINTR. With SA_RESTART the call stays on its
          // ecall and runs again after the handler.
          hart.setReg(10, done > 0 ? done : -Errno.EINTR);
          hart.setPc(hart.pc() + 4);
          task.restartPc = -1;
        }
      }
      if (!setupFrame(hart, task, taken)) {
        return entered;
      }
      entered++;
    }
    if (task.savedMask != -1) {
      // rt_sigsuspend returned without a handler to restore its mask: do it now.
      setBlocked(task, task.savedMask);
      task.savedMask = -1;
    }
    return entered;
  }

  /** nanosleep ended by a signal: the time left goes to its {@code rem} (EFAULT is ignored). */
  private void writeTimeLeft(Hart hart, Task task) {
    long left = Math.max(0, task.sleepDeadline - hart.cycles());
    try {
      user.putLong(hart, task.mm, task.sleepRemAddr, left / 1_000_000_000L);
      user.putLong(hart, task.mm, task.sleepRemAddr + 8, left % 1_000_000_000L);
    } catch (SyscallError e) {
      // Linux reports -EFAULT then; the sleep is over either way and -EINTR says more.
    }
    task.sleepRemAddr = 0;
  }

  /**
   * A dequeued signal, the action to take (null: the default action, which ends the process) and
   * the blocked set before the handler's mask was added, which its frame saves.
   */
  private record Taken(SigInfo info, Sighand.Action action, long maskBefore) {}

  /**
   * Dequeues the next signal that has something to do (dequeue_signal and get_signal's loop over
   * ignored ones), or null when none is left.
   */
  private static Taken take(Task task) {
    Sighand sh = task.process.sighand;
    synchronized (sh) {
      for (; ; ) {
        long mine = task.pending & ~task.blocked;
        long shared = sh.sharedPending & ~task.blocked;
        if ((mine | shared) == 0) {
          return null;
        }
        int sig;
        SigInfo info;
        if (mine != 0) {
          sig = lowest((mine & SYNCHRONOUS) != 0 ? mine & SYNCHRONOUS : mine);
          info = task.pendingInfo[sig];
          task.pendingInfo[sig] = null;
          task.pending &= ~Signals.bit(sig);
        } else {
          sig = lowest((shared & SYNCHRONOUS) != 0 ? shared & SYNCHRONOUS : shared);
          info = sh.sharedInfo[sig];
          sh.sharedInfo[sig] = null;
          sh.sharedPending &= ~Signals.bit(sig);
        }
        if (info == null) {
          info = SigInfo.kernel(sig);
        }
        Sighand.Action a = sh.action(sig);
        if (a.handler() == Signals.SIG_IGN) {
          continue;
        }
        if (a.handler() == Signals.SIG_DFL) {
          if (Signals.ignoredByDefault(sig)) {
            continue;
          }
          return new Taken(info, null, task.blocked);
        }
        // handle_signal's bookkeeping: the mask while the handler runs, SA_RESETHAND.
        long before = task.blocked;
        long add = a.mask() | ((a.flags() & Sighand.SA_NODEFER) == 0 ? Signals.bit(sig) : 0);
        task.blocked = (task.blocked | add) & ~Signals.UNBLOCKABLE;
        if ((a.flags() & Sighand.SA_RESETHAND) != 0) {
          sh.setAction(sig, Sighand.Action.DEFAULT);
        }
        return new Taken(info, a, before);
      }
    }
  }

  private static int lowest(long set) {
    return Long.numberOfTrailingZeros(set) + 1;
  }

  /**
   * setup_rt_frame: writes the frame below the task's stack (or at the top of its alternate stack
   * with SA_ONSTACK) and enters the handler with a0 = signal, a1 = &info, a2 = &uc, ra = the
   * trampoline. A frame that cannot be written ends the process with SIGSEGV (force_sigsegv).
   */
  private boolean setupFrame(Hart hart, Task task, Taken taken) {
    hart.addCycles(hart.cost().signalFrame());
    long sp = hart.reg(2);
    boolean onAlt = onAltStack(task, sp);
    if ((taken.action.flags() & Sighand.SA_ONSTACK) != 0 && task.altStackSet && !onAlt) {
      sp = task.altStackSp + task.altStackSize;
    }
    long frame = (sp - FRAME_SIZE) & ~15L;
    // The blocked set before this delivery changed it: what rt_sigreturn restores.
    long savedMask = task.savedMask != -1 ? task.savedMask : taken.maskBefore();
    task.savedMask = -1;
    ByteBuffer b = ByteBuffer.allocate(FRAME_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    taken.info.writeTo(b);
    b.putLong(UC_STACK, task.altStackSp);
    b.putInt(
        UC_STACK + 8,
        !task.altStackSet ? SS_DISABLE : onAltStack(task, hart.reg(2)) ? SS_ONSTACK : 0);
    b.putLong(UC_STACK + 16, task.altStackSize);
    b.putLong(UC_SIGMASK, savedMask);
    b.putLong(MCONTEXT, hart.pc());
    for (int r = 1; r < 32; r++) {
      b.putLong(MCONTEXT + 8 * r, hart.reg(r));
    }
    for (int f = 0; f < 32; f++) {
      b.putLong(FPREGS + 8 * f, hart.fpReg(f));
    }
    b.putInt(FCSR, hart.fcsr());
    try {
      if (onAlt && !onAltStack(task, frame)) {
        throw SyscallError.of(Errno.EFAULT); // the alternate stack overflowed
      }
      user.copyToUser(hart, task.mm, frame, b.array(), 0, FRAME_SIZE);
    } catch (SyscallError e) {
      processes.endGroup(
          task.process,
          Signals.SIGSEGV,
          String.format(
              "%s killed by SIGSEGV: cannot write the frame for %s at 0x%x (pc 0x%x)",
              task.process, Signals.name(taken.info.signo()), frame, hart.pc()));
      return false;
    }
    hart.setReg(10, taken.info.signo());
    hart.setReg(11, frame);
    hart.setReg(12, frame + UC);
    hart.setReg(2, frame);
    hart.setReg(1, Mm.SIGRETURN_TRAMPOLINE);
    hart.setPc(taken.action.handler());
    return true;
  }

  private static boolean onAltStack(Task task, long sp) {
    return task.altStackSet && sp > task.altStackSp && sp - task.altStackSp <= task.altStackSize;
  }

  /**
   * rt_sigreturn: restores the registers, FP state, signal mask and alternate stack from the frame
   * at sp. A frame that cannot be read, or whose extension chain is not the end marker, ends the
   * process with SIGSEGV.
   */
  public void sigreturn(Hart hart, Task task) {
    hart.addCycles(hart.cost().signalFrame());
    long frame = hart.reg(2);
    byte[] raw = new byte[FRAME_SIZE];
    try {
      user.copyFromUser(hart, task.mm, frame, raw, 0, FRAME_SIZE);
    } catch (SyscallError e) {
      badFrame(task, frame, hart, "cannot be read");
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(EXT_HEADER) != 0 || b.getInt(EXT_HEADER + 4) != 0) {
      badFrame(task, frame, hart, "has an unknown extension header");
      return;
    }
    setBlocked(task, b.getLong(UC_SIGMASK));
    for (int r = 1; r < 32; r++) {
      hart.setReg(r, b.getLong(MCONTEXT + 8 * r));
    }
    for (int f = 0; f < 32; f++) {
      hart.setFpReg(f, b.getLong(FPREGS + 8 * f));
    }
    hart.setFcsr(b.getInt(FCSR));
    hart.setPc(b.getLong(MCONTEXT));
    int ssFlags = b.getInt(UC_STACK + 8);
    long ssSize = b.getLong(UC_STACK + 16);
    if ((ssFlags & SS_DISABLE) != 0) {
      task.altStackSet = false;
    } else if (ssSize >= MINSIGSTKSZ) {
      task.altStackSp = b.getLong(UC_STACK);
      task.altStackSize = ssSize;
      task.altStackSet = true;
    }
  }

  private void badFrame(Task task, long frame, Hart hart, String why) {
    processes.endGroup(
        task.process,
        Signals.SIGSEGV,
        String.format(
            "%s killed by SIGSEGV: rt_sigreturn frame at 0x%x %s (pc 0x%x)",
            task.process, frame, why, hart.pc()));
  }

  private static void setBlocked(Task task, long mask) {
    synchronized (task.process.sighand) {
      task.blocked = mask & ~Signals.UNBLOCKABLE;
    }
  }

  // ---- the calls that read and change signal state ----

  /** rt_sigaction(sig, act, oact, sigsetsize): struct sigaction is handler, flags, mask. */
  public long sigaction(Hart hart, Task task, long sig, long act, long oact, long setSize) {
    if (setSize != 8
        || !Signals.valid(sig)
        || (act != 0 && (sig == Signals.SIGKILL || sig == Signals.SIGSTOP))) {
      throw SyscallError.of(Errno.EINVAL);
    }
    int s = (int) sig;
    Sighand.Action wanted = null;
    if (act != 0) {
      wanted =
          new Sighand.Action(
              user.getLong(hart, task.mm, act),
              user.getLong(hart, task.mm, act + 8),
              user.getLong(hart, task.mm, act + 16) & ~Signals.UNBLOCKABLE);
    }
    Sighand sh = task.process.sighand;
    // Taken before the signal lock: the table's lock comes first in the lock order.
    List<Task> threads = wanted != null ? processes.tasksOf(task.process) : List.of();
    Sighand.Action old;
    synchronized (sh) {
      old = sh.action(s);
      if (wanted != null) {
        sh.setAction(s, wanted);
        if (sh.ignores(s)) {
          // POSIX: setting a pending signal to be ignored discards it, in every thread.
          long keep = ~Signals.bit(s);
          sh.sharedPending &= keep;
          sh.sharedInfo[s] = null;
          for (Task t : threads) {
            t.pending &= keep;
            t.pendingInfo[s] = null;
          }
        }
      }
    }
    if (oact != 0) {
      user.putLong(hart, task.mm, oact, old.handler());
      user.putLong(hart, task.mm, oact + 8, old.flags());
      user.putLong(hart, task.mm, oact + 16, old.mask());
    }
    return 0;
  }

  /** rt_sigprocmask(how, set, oset, sigsetsize). */
  public long sigprocmask(Hart hart, Task task, long how, long set, long oset, long setSize) {
    if (setSize != 8) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long old = task.blocked;
    if (set != 0) {
      long change = user.getLong(hart, task.mm, set);
      long next;
      if (how == SIG_BLOCK) {
        next = old | change;
      } else if (how == SIG_UNBLOCK) {
        next = old & ~change;
      } else if (how == SIG_SETMASK) {
        next = change;
      } else {
        throw SyscallError.of(Errno.EINVAL);
      }
      setBlocked(task, next);
    }
    if (oset != 0) {
      user.putLong(hart, task.mm, oset, old);
    }
    return 0;
  }

  /** rt_sigpending(set, sigsetsize): blocked signals waiting. */
  public long sigpending(Hart hart, Task task, long set, long setSize) {
    if (setSize != 8) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long pending;
    synchronized (task.process.sighand) {
      pending = (task.pending | task.process.sighand.sharedPending) & task.blocked;
    }
    user.putLong(hart, task.mm, set, pending);
    return 0;
  }

  /** sigaltstack(ss, oss): stack_t is ss_sp, ss_flags (int, padded), ss_size. */
  public long sigaltstack(Hart hart, Task task, long ss, long oss) {
    boolean onAlt = onAltStack(task, hart.reg(2));
    if (ss != 0) {
      long sp = user.getLong(hart, task.mm, ss);
      int flags = user.getInt(hart, task.mm, ss + 8);
      long size = user.getLong(hart, task.mm, ss + 16);
      if (onAlt) {
        throw SyscallError.of(Errno.EPERM);
      }
      int mode = flags & ~SS_AUTODISARM;
      if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK) {
        throw SyscallError.of(Errno.EINVAL);
      }
      if (mode == SS_DISABLE) {
        writeAltStack(hart, task, oss, onAlt);
        task.altStackSet = false;
        task.altStackSp = 0;
        task.altStackSize = 0;
        return 0;
      }
      if (size < MINSIGSTKSZ) {
        throw SyscallError.of(Errno.ENOMEM);
      }
      writeAltStack(hart, task, oss, onAlt);
      task.altStackSp = sp;
      task.altStackSize = size;
      task.altStackSet = true;
      return 0;
    }
    writeAltStack(hart, task, oss, onAlt);
    return 0;
  }

  private void writeAltStack(Hart hart, Task task, long oss, boolean onAlt) {
    if (oss == 0) {
      return;
    }
    user.putLong(hart, task.mm, oss, task.altStackSp);
    user.putLong(hart, task.mm, oss + 8, !task.altStackSet ? SS_DISABLE : onAlt ? SS_ONSTACK : 0);
    user.putLong(hart, task.mm, oss + 16, task.altStackSize);
  }

  /**
   * rt_sigsuspend(mask, sigsetsize): waits with {@code mask} blocked until a signal is delivered;
   * returns -EINTR, the old mask back in place once the handler's frame holds it.
   */
  public long sigsuspend(Hart hart, Task task, long mask, long setSize) {
    if (setSize != 8) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long wanted = user.getLong(hart, task.mm, mask);
    task.savedMask = task.blocked;
    setBlocked(task, wanted);
    if (task.signalPending()) {
      return -Errno.EINTR;
    }
    return waits.sleep(hart, null, false, Long.MAX_VALUE, -Errno.EINTR);
  }
}
