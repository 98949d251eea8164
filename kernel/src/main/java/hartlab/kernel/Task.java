package hartlab.kernel;

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
final class Task implements Schedulable {
  enum State {
    RUNNABLE,
    RUNNING,
    SLEEPING,
    DEAD
  }

  /** Marks {@link #wakeResult} as "restart the syscall or instruction". */
  static final long RESTART = Long.MIN_VALUE;

  final int tid;
  final GuestProcess process;
  final SchedEntity sched;
  final long[] regs = new long[32];
  long pc;

  /**
   * The address space this task runs in; the process's changes on execve while dying threads keep
   * theirs.
   */
  Mm mm;

  volatile State state = State.RUNNABLE;

  /** What the sleeping syscall returns when woken, or {@link #RESTART} to run it again. */
  long wakeResult = RESTART;

  /** The wait queue the task sleeps on, or null; guarded by the kernel's wake protocol. */
  WaitQueue sleepingOn;

  /** Virtual-time deadline of an armed timer (see {@link Timers}). */
  long timerDeadline;

  /** What a timer expiry makes the sleeping syscall return. */
  long timeoutResult;

  /** Virtual time the task became runnable, so an idle hart can bring its clock up to it. */
  long readySince;

  /** set_tid_address / CLONE_CHILD_CLEARTID word, cleared and futex-woken on exit. */
  long clearChildTid;

  /** CLONE_CHILD_SETTID word, written by the child itself when it first runs. */
  long setChildTid;

  /** Set (by any hart) when the task must exit at its next kernel boundary. */
  volatile boolean killPending;

  /** pc of a syscall that slept and will run again when woken (not counted twice); -1 if none. */
  long restartPc = -1;

  /**
   * How far a restarted syscall had got before it slept (bytes already written to a pipe); 0 for a
   * fresh call. Set by the syscall just before sleeping, kept across the restart.
   */
  long syscallProgress;

  /** The code passed to exit()/exit_group(), the process's status if this is its last thread. */
  int exitCode;

  /** Cycles the task had run when it was last put on a hart, for the scheduler's accounting. */
  long switchedInAtCycles;

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
  public String toString() {
    return "task " + tid + " (" + process.name + ")";
  }
}
