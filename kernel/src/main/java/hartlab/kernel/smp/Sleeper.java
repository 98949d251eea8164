package hartlab.kernel.smp;

/**
 * Something that sleeps on a {@link WaitQueue}: a task. A syscall that sleeps part-way (a pipe
 * write larger than the pipe) records how far it got, so the restarted call resumes there.
 */
public interface Sleeper {
  /** Progress of the interrupted syscall (bytes already written); 0 for a fresh call. */
  long syscallProgress();

  void setSyscallProgress(long done);

  /**
   * The event a restarted call waits for (an RCU grace-period number), 0 for none. Set by the call
   * before it sleeps, kept across the restart, cleared with the progress when a fresh call begins.
   */
  long awaited();

  /** Virtual time the wait in {@link #awaited} began. */
  long awaitedSince();

  void setAwaited(long event, long since);
}
