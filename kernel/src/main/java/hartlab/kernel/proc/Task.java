package hartlab.kernel.proc;

import hartlab.kernel.mm.Mm;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.WaitQueue;
import hartlab.sched.SchedEntity;
import hartlab.sched.Schedulable;

/**
 * A guest thread (Linux's task_struct): its saved user context, its process, its mm, and how it is
 * waiting when it is not running.
 *
 * <p>The context is live in a hart while the task runs and saved here otherwise. Fields without a
 * note are touched only by the hart running the task, or by a waker that has taken the task off its
 * wait queue (which makes it the task's sole owner until it is queued to run).
 */
public final class Task implements Schedulable, Sleeper {
  public enum State {
    RUNNABLE,
    RUNNING,
    SLEEPING,
    DEAD
  }

  public final int tid;
  public final GuestProcess process;
  public final SchedEntity sched;
  public final long[] regs = new long[32];
  public long pc;

  /** The FP registers (raw 64-bit patterns, singles NaN-boxed) and fcsr, while not on a hart. */
  public final long[] fpRegs = new long[32];

  public int fcsr;

  /**
   * The address space this task runs in; the process's changes on execve while dying threads keep
   * theirs.
   */
  public Mm mm;

  public volatile State state = State.RUNNABLE;

  /** The wait queue the task sleeps on, or null; guarded by the scheduler's wake protocol. */
  public WaitQueue sleepingOn;

  /**
   * The futex this task waits on (Linux's futex_q.key), set under its hash bucket's monitor just
   * before it sleeps there; {@link Futexes} wakes only the bucket's waiters with the woken key.
   */
  Object futexKey;

  /** Virtual-time deadline of an armed timer. */
  public long timerDeadline;

  /** What a timer expiry makes the sleeping syscall return. */
  public long timeoutResult;

  /** Virtual time the task became runnable, so an idle hart can bring its clock up to it. */
  public long readySince;

  /** set_tid_address / CLONE_CHILD_CLEARTID word, cleared and futex-woken on exit. */
  public long clearChildTid;

  /** CLONE_CHILD_SETTID word, written by the child itself when it first runs. */
  public long setChildTid;

  /** Set (by any hart) when the task must exit at its next kernel boundary. */
  public volatile boolean killPending;

  /** pc of a syscall that slept and will run again when woken (not counted twice); -1 if none. */
  public long restartPc = -1;

  /** The hart's clock when the current syscall first trapped; kept across its restarts. */
  public long syscallStartCycles;

  /**
   * How far a restarted syscall had got before it slept (bytes already written to a pipe); 0 for a
   * fresh call. Set by the syscall just before sleeping, kept across the restart.
   */
  private long syscallProgress;

  /** What a restarted call waits for and since when ({@link Sleeper#awaited}); 0 for nothing. */
  private long awaited;

  private long awaitedSince;

  /** The code passed to exit()/exit_group(), the process's status if this is its last thread. */
  public int exitCode;

  /** Cycles the task had run when it was last put on a hart, for the scheduler's accounting. */
  public long switchedInAtCycles;

  // ---- signals: the sets are guarded by process.sighand's monitor, volatile for lock-free checks

  /** Blocked signals, bit sig-1 (never SIGKILL or SIGSTOP). */
  volatile long blocked;

  /** Signals sent to this thread alone (tgkill, faults), bit sig-1. */
  volatile long pending;

  final SigInfo[] pendingInfo = new SigInfo[Signals.NSIG + 1];

  /** sigaltstack: base, size, and whether one is set (SS_DISABLE when not). Own hart only. */
  long altStackSp;

  long altStackSize;
  boolean altStackSet;

  /** The mask rt_sigsuspend replaced, restored after the handler it waited for; -1 if none. */
  long savedMask = -1;

  /** Whether the task's current sleep may be ended by a signal (TASK_INTERRUPTIBLE). */
  public volatile boolean interruptible;

  /**
   * Set by the waker when a signal ended the task's sleep; on the way back to user the kernel then
   * decides between restarting the call and -EINTR, as Linux does for -ERESTARTSYS.
   */
  public volatile boolean signalInterrupted;

  /**
   * nanosleep's {@code rem} and deadline while it sleeps (0: none), so that a signal ending it
   * early can report the time left, as Linux's restart block does.
   */
  public long sleepRemAddr;

  public long sleepDeadline;

  /** CLONE_VFORK: the parent sleeps here until this child execs or exits; null otherwise. */
  WaitQueue vforkDone;

  /** The thread's name (prctl PR_SET_NAME), or null for its process's. */
  public volatile String comm;

  /** The thread's name as prctl(PR_GET_NAME) reports it. */
  public String comm() {
    String c = comm;
    return c != null ? c : process.name;
  }

  /** Whether a signal the task does not block is pending for it (signal_pending). */
  public boolean signalPending() {
    return ((pending | process.sighand.sharedPending) & ~blocked) != 0;
  }

  Task(int tid, GuestProcess process, Mm mm, int nice) {
    this.tid = tid;
    this.process = process;
    this.mm = mm;
    this.sched = new SchedEntity(tid, nice);
  }

  @Override
  public SchedEntity sched() {
    return sched;
  }

  @Override
  public long syscallProgress() {
    return syscallProgress;
  }

  @Override
  public void setSyscallProgress(long done) {
    syscallProgress = done;
  }

  @Override
  public long awaited() {
    return awaited;
  }

  @Override
  public long awaitedSince() {
    return awaitedSince;
  }

  @Override
  public void setAwaited(long event, long since) {
    awaited = event;
    awaitedSince = since;
  }

  @Override
  public String toString() {
    return "task " + tid + " (" + process.name + ")";
  }
}
