package hartlab.kernel.smp;

/**
 * Something that sleeps on a {@link WaitQueue}: a task. A syscall that sleeps part-way (a pipe
 * write larger than the pipe) records how far it got, so the restarted call resumes there.
 */
public interface Sleeper {
  /** Progress of the interrupted syscall (bytes already written); 0 for a fresh call. */
  long syscallProgress();

  void setSyscallProgress(long done);
}
