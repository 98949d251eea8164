package hartlab.kernel.proc;

import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.FsContext;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.smp.WaitQueue;
import java.util.ArrayList;
import java.util.List;

/**
 * A guest process (a Linux thread group): id, name, address space, descriptors, its place in the
 * process tree and how it ended.
 *
 * <p>Tree fields ({@link #parent}, {@link #children}, {@link #state}, {@link #waitStatus}) and
 * {@link #tasks} are guarded by the {@link ProcessTable}'s lock.
 */
public final class GuestProcess {
  public enum State {
    ALIVE,
    ZOMBIE,
    REAPED
  }

  public final int pid;
  public volatile String name;

  /** The current address space; replaced by execve. */
  public volatile Mm mm;

  public volatile FileTable files;

  /** Working directory, umask and program path; set when the process is made (init, fork). */
  public volatile FsContext fs;

  GuestProcess parent;
  final List<GuestProcess> children = new ArrayList<>();
  final List<Task> tasks = new ArrayList<>();
  public State state = State.ALIVE;

  /** Linux wait status once it ended: {@code code << 8}, or the terminating signal. */
  int waitStatus;

  /**
   * Set once the whole group is exiting (exit_group, a fatal signal); guarded by the table's lock.
   */
  boolean groupExiting;

  /** Why the process was killed, or null if it exited by itself. */
  public volatile String killReport;

  /** Its signal actions and process-wide pending signals. */
  public final Sighand sighand = new Sighand();

  /** The signal its parent gets when it ends (clone's low byte; SIGCHLD for fork), 0 for none. */
  int exitSignal = Signals.SIGCHLD;

  /** Process group and session ids (setpgid, setsid); guarded by the table's lock. */
  int pgid;

  int sid;

  /**
   * ITIMER_REAL's next expiry in virtual cycles (0: disarmed), written under the scheduler's timer
   * lock, and its period.
   */
  public volatile long alarmDeadline;

  public volatile long alarmInterval;

  /** Its wait4 callers sleep here until a child changes state. */
  final WaitQueue childWait = new WaitQueue();

  GuestProcess(int pid, String name, Mm mm, FileTable files) {
    this.pid = pid;
    this.name = name;
    this.mm = mm;
    this.files = files;
  }

  /** The status hartlab exits with if this is the first process: exit code, or 128 + signal. */
  public int shellStatus() {
    return (waitStatus & 0x7F) != 0 ? 128 + (waitStatus & 0x7F) : (waitStatus >> 8) & 0xFF;
  }

  @Override
  public String toString() {
    return name + " (pid " + pid + ")";
  }
}
