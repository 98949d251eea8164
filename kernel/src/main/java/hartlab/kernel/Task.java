package hartlab.kernel;

/**
 * A thread of a guest process (Linux's task_struct): its saved user context and its process.
 *
 * <p>The context is live in the hart while the task runs there and saved here when it does not.
 */
final class Task implements hartlab.sched.Schedulable {
  final int tid;
  final GuestProcess process;
  final long[] regs = new long[32];
  long pc;
  /** set_tid_address / CLONE_CHILD_CLEARTID word, cleared and woken on exit. */
  long clearChildTid;

  Task(int tid, GuestProcess process) {
    this.tid = tid;
    this.process = process;
  }

  @Override
  public int schedId() {
    return tid;
  }

  @Override
  public String toString() {
    return "task " + tid + " (" + process.name + ")";
  }
}
