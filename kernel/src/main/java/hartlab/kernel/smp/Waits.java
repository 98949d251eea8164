package hartlab.kernel.smp;

import hartlab.cpu.Hart;

/**
 * How kernel code makes the current task wait for an event, and wakes tasks: the scheduler's
 * sleeping half, as the subsystems below it see it. A sleeping task frees its hart; nothing here
 * blocks a host thread.
 */
public interface Waits {
  /** Returned by {@link #sleep}, for the syscall to return: the task sleeps. */
  long BLOCKED = Long.MIN_VALUE + 1;

  /** A wake-up result meaning "run the syscall or faulting instruction again". */
  long RESTART = Long.MIN_VALUE;

  /**
   * Puts the current task of {@code hart} to sleep. Called by a syscall (or the fault path) that
   * has found it must wait, while holding the lock that guards the awaited condition, so that a
   * waker taking that lock finds the task on {@code queue}. With {@code restart} the syscall or
   * faulting instruction runs again when woken; otherwise it returns the waker's result (or {@code
   * timeoutResult} when {@code deadline}, in virtual cycles, passes first). A restarting sleep with
   * a deadline passes {@link #RESTART} as its timeout result: any other value lands in a0, the
   * restarted call's first argument.
   *
   * @return {@link #BLOCKED}
   */
  long sleep(Hart hart, WaitQueue queue, boolean restart, long deadline, long timeoutResult);

  /**
   * Wakes a sleeping task with the result its syscall returns (or {@link #RESTART}). False if it
   * was not asleep.
   */
  boolean wake(Sleeper task, long result);

  /** The task running on {@code hart} (the caller's own), or null while it runs none. */
  Sleeper current(Hart hart);

  /** Wakes everything on {@code queue}; their syscalls run again. */
  void wakeAll(WaitQueue queue);
}
