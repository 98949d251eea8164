package hartlab.kernel.fs;

/**
 * A process's place in the file tree (Linux's fs_struct, with mm->exe_file beside it): its working
 * directory, its umask, the path of the program it runs (for /proc/PID/exe) and its pid (what
 * /proc/self names). Fork copies it for the child; execve changes only the program. Fields are
 * guarded by the {@link Vfs}'s lock, except {@link #exe}, which only its own process writes
 * (execve) and anyone may read.
 */
public final class FsContext {
  Inode.Dir cwd;
  int umask;
  private volatile String exe;
  final int pid;

  FsContext(Inode.Dir cwd, int umask, String exe, int pid) {
    this.cwd = cwd;
    this.umask = umask;
    this.exe = exe;
    this.pid = pid;
  }

  /** The program's absolute guest path. */
  public String exe() {
    return exe;
  }

  /** execve: the process now runs the program at {@code path}. */
  public void setExe(String path) {
    exe = path;
  }
}
