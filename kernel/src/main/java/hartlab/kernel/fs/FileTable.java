package hartlab.kernel.fs;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process's file descriptors (Linux's files_struct), shared by threads made with CLONE_FILES.
 * Charged to kernel memory ({@link KernelMemory.Kind#FILE_TABLE}) from its creation until the last
 * process using it drops it. Thread-safe through its monitor, a short lock.
 */
public final class FileTable {
  public static final int MAX_FDS = 1024;
  public static final int O_CLOEXEC = 0x80000;

  private final OpenFile[] files = new OpenFile[MAX_FDS];
  private final boolean[] closeOnExec = new boolean[MAX_FDS];
  private final OpenFiles openFiles;

  /** Processes (thread groups) sharing this table. */
  private final AtomicInteger users = new AtomicInteger(1);

  /** A new empty table: ENOMEM when kernel memory cannot hold it. */
  private FileTable(OpenFiles openFiles) {
    openFiles.kmem().charge(KernelMemory.Kind.FILE_TABLE, Errno.ENOMEM);
    this.openFiles = openFiles;
  }

  /** The first process's table: descriptors 0, 1 and 2 on the console. */
  public static FileTable withConsole(OpenFiles openFiles) {
    FileTable t = new FileTable(openFiles);
    for (int fd = 0; fd <= 2; fd++) {
      t.install(new ConsoleFile(openFiles, fd), false);
    }
    return t;
  }

  /** As {@link #withConsole(OpenFiles)}, unaccounted: for a subsystem built alone. */
  public static FileTable withConsole() {
    return withConsole(OpenFiles.unaccounted());
  }

  public FileTable share() {
    users.incrementAndGet();
    return this;
  }

  /** A private copy for fork: every description gains a reference; ENOMEM if it cannot be had. */
  public synchronized FileTable copy() {
    FileTable t = new FileTable(openFiles);
    for (int fd = 0; fd < MAX_FDS; fd++) {
      if (files[fd] != null) {
        t.files[fd] = files[fd].retain();
        t.closeOnExec[fd] = closeOnExec[fd];
      }
    }
    return t;
  }

  /** Installs at the lowest free descriptor; -EMFILE when full. */
  public synchronized int install(OpenFile file, boolean cloexec) {
    return install(file, 0, cloexec);
  }

  /** Installs at the lowest free descriptor from {@code min}; -EMFILE when none is. */
  private int install(OpenFile file, int min, boolean cloexec) {
    for (int fd = min; fd < MAX_FDS; fd++) {
      if (files[fd] == null) {
        files[fd] = file;
        closeOnExec[fd] = cloexec;
        return fd;
      }
    }
    file.release();
    return -Errno.EMFILE;
  }

  /** The description behind {@code fd}, or EBADF. */
  public synchronized OpenFile get(long fd) {
    if (fd < 0 || fd >= MAX_FDS || files[(int) fd] == null) {
      throw SyscallError.of(Errno.EBADF);
    }
    return files[(int) fd];
  }

  public synchronized void close(long fd) {
    OpenFile f = get(fd);
    files[(int) fd] = null;
    f.release();
  }

  public synchronized int dup(long fd) {
    return install(get(fd).retain(), false);
  }

  /** F_DUPFD and F_DUPFD_CLOEXEC: a copy at the lowest free descriptor from {@code min}. */
  public synchronized int dupFrom(long fd, long min, boolean cloexec) {
    OpenFile f = get(fd);
    if (min < 0 || min >= MAX_FDS) {
      throw SyscallError.of(Errno.EINVAL);
    }
    int r = install(f.retain(), (int) min, cloexec);
    if (r < 0) {
      throw SyscallError.of(-r);
    }
    return r;
  }

  /** F_GETFD: whether {@code fd} closes on execve. */
  public synchronized boolean closeOnExec(long fd) {
    get(fd);
    return closeOnExec[(int) fd];
  }

  /** F_SETFD. */
  public synchronized void setCloseOnExec(long fd, boolean on) {
    get(fd);
    closeOnExec[(int) fd] = on;
  }

  /** dup3: {@code newFd} becomes a copy of {@code oldFd}, closing what it was. */
  public synchronized int dup3(long oldFd, long newFd, int flags) {
    if ((flags & ~O_CLOEXEC) != 0 || oldFd == newFd) {
      throw SyscallError.of(Errno.EINVAL);
    }
    OpenFile f = get(oldFd);
    if (newFd < 0 || newFd >= MAX_FDS) {
      throw SyscallError.of(Errno.EBADF);
    }
    OpenFile old = files[(int) newFd];
    files[(int) newFd] = f.retain();
    closeOnExec[(int) newFd] = (flags & O_CLOEXEC) != 0;
    if (old != null) {
      old.release();
    }
    return (int) newFd;
  }

  public synchronized void closeOnExec() {
    for (int fd = 0; fd < MAX_FDS; fd++) {
      if (files[fd] != null && closeOnExec[fd]) {
        files[fd].release();
        files[fd] = null;
      }
    }
  }

  /** One process stops using the table; the last one closes everything. */
  public void drop() {
    if (users.decrementAndGet() > 0) {
      return;
    }
    synchronized (this) {
      for (int fd = 0; fd < MAX_FDS; fd++) {
        if (files[fd] != null) {
          files[fd].release();
          files[fd] = null;
        }
      }
    }
    openFiles.kmem().uncharge(KernelMemory.Kind.FILE_TABLE);
  }
}
