package hartlab.kernel;

/** A guest process (a Linux thread group): its id, name, address space and exit status. */
final class GuestProcess {
  final int pid;
  final String name;
  final Mm mm;
  /** Wait-status style result once the process has ended: exit code, or 128 + signal. */
  int exitCode = -1;
  /** Why the process was killed, or null if it exited by itself. */
  String killReport;

  GuestProcess(int pid, String name, Mm mm) {
    this.pid = pid;
    this.name = name;
    this.mm = mm;
  }
}
