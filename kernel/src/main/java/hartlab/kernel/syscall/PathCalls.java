package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.Kstat;
import hartlab.kernel.fs.OpenFile;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.fs.Vfs;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.Task;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.nio.charset.StandardCharsets;

/**
 * Calls that name files by path, and the attribute calls: openat, mkdirat, unlinkat, symlinkat,
 * renameat2, newfstatat, statx, readlinkat, faccessat(2), utimensat, fchmod(at), fchown(at),
 * truncate, fsync, getcwd, chdir, fchdir, umask. They read the path and resolve the dirfd, and the
 * {@link Vfs} does the rest.
 */
final class PathCalls {
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100,
      AT_REMOVEDIR = 0x200,
      AT_EACCESS = 0x200,
      AT_NO_AUTOMOUNT = 0x800,
      AT_EMPTY_PATH = 0x1000,
      AT_STATX_SYNC_TYPE = 0x6000;
  private static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

  private final Vfs vfs;
  private final UserMemory user;

  PathCalls(Vfs vfs, UserMemory user) {
    this.vfs = vfs;
    this.user = user;
  }

  private String path(Hart hart, Task task, int i) {
    return user.getString(hart, task.mm, arg(hart, i), Vfs.PATH_MAX, Errno.ENAMETOOLONG);
  }

  /**
   * The directory a relative {@code path} starts from: null for AT_FDCWD (the working directory),
   * else the open file behind the descriptor; an absolute path ignores it, as Linux does.
   */
  private static OpenFile dirfd(Hart hart, Task task, int i, String path) {
    int fd = (int) arg(hart, i);
    if (fd == AT_FDCWD || path.startsWith("/")) {
      return null;
    }
    return task.process.files.get(fd & 0xFFFF_FFFFL);
  }

  private static long now(Hart hart) {
    return RootFs.EPOCH_NS + hart.cycles();
  }

  long openat(Hart hart, Task task) {
    String path = path(hart, task, 1);
    int flags = (int) arg(hart, 2);
    OpenFile file =
        vfs.open(
            task.process.fs,
            dirfd(hart, task, 0, path),
            path,
            flags,
            (int) arg(hart, 3),
            now(hart));
    int fd = task.process.files.install(file, (flags & FileTable.O_CLOEXEC) != 0);
    if (fd < 0) {
      throw SyscallError.of(-fd);
    }
    return fd;
  }

  long mkdirat(Hart hart, Task task) {
    String path = path(hart, task, 1);
    vfs.names()
        .mkdir(task.process.fs, dirfd(hart, task, 0, path), path, (int) arg(hart, 2), now(hart));
    return 0;
  }

  long unlinkat(Hart hart, Task task) {
    String path = path(hart, task, 1);
    int flags = (int) arg(hart, 2);
    if ((flags & ~AT_REMOVEDIR) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    vfs.names()
        .unlink(
            task.process.fs,
            dirfd(hart, task, 0, path),
            path,
            (flags & AT_REMOVEDIR) != 0,
            now(hart));
    return 0;
  }

  long symlinkat(Hart hart, Task task) {
    String target = path(hart, task, 0);
    String path = path(hart, task, 2);
    vfs.names().symlink(task.process.fs, target, dirfd(hart, task, 1, path), path, now(hart));
    return 0;
  }

  long renameat2(Hart hart, Task task) {
    String from = path(hart, task, 1);
    String to = path(hart, task, 3);
    vfs.names()
        .rename(
            task.process.fs,
            dirfd(hart, task, 0, from),
            from,
            dirfd(hart, task, 2, to),
            to,
            (int) arg(hart, 4),
            now(hart));
    return 0;
  }

  long newfstatat(Hart hart, Task task) {
    int flags = (int) arg(hart, 3);
    if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    byte[] st = stat(hart, task, flags).toStat();
    user.copyToUser(hart, task.mm, arg(hart, 2), st, 0, st.length);
    return 0;
  }

  long statx(Hart hart, Task task) {
    int flags = (int) arg(hart, 2);
    int mask = (int) arg(hart, 3);
    if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) != 0
        || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE
        || (mask & 0x8000_0000) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    byte[] stx = stat(hart, task, flags).toStatx();
    user.copyToUser(hart, task.mm, arg(hart, 4), stx, 0, stx.length);
    return 0;
  }

  /** What newfstatat and statx report: the path's file, or with AT_EMPTY_PATH and "" dirfd's. */
  private Kstat stat(Hart hart, Task task, int flags) {
    String path = path(hart, task, 1);
    if (path.isEmpty() && (flags & AT_EMPTY_PATH) != 0) {
      int fd = (int) arg(hart, 0);
      if (fd == AT_FDCWD) {
        return vfs.attributes().stat(task.process.fs, null, ".", true);
      }
      return vfs.attributes().stat(task.process.files.get(fd & 0xFFFF_FFFFL));
    }
    return vfs.attributes()
        .stat(
            task.process.fs, dirfd(hart, task, 0, path), path, (flags & AT_SYMLINK_NOFOLLOW) == 0);
  }

  /** readlinkat: the target's bytes, at most {@code bufsiz}, with no NUL. */
  long readlinkat(Hart hart, Task task) {
    String path = path(hart, task, 1);
    long size = arg(hart, 3);
    if ((int) size <= 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    byte[] target =
        vfs.names()
            .readlink(task.process.fs, dirfd(hart, task, 0, path), path)
            .getBytes(StandardCharsets.UTF_8);
    int n = (int) Math.min(target.length, size);
    user.copyToUser(hart, task.mm, arg(hart, 2), target, 0, n);
    return n;
  }

  long faccessat(Hart hart, Task task) {
    return access(hart, task, 0);
  }

  long faccessat2(Hart hart, Task task) {
    int flags = (int) arg(hart, 3);
    if ((flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    return access(hart, task, flags);
  }

  private long access(Hart hart, Task task, int flags) {
    String path = path(hart, task, 1);
    vfs.names()
        .access(
            task.process.fs,
            dirfd(hart, task, 0, path),
            path,
            (int) arg(hart, 2),
            (flags & AT_SYMLINK_NOFOLLOW) == 0);
    return 0;
  }

  /** getcwd: the path with its NUL; ERANGE when {@code size} cannot hold it. */
  long getcwd(Hart hart, Task task) {
    byte[] cwd = (vfs.readdir().getcwd(task.process.fs) + "\0").getBytes(StandardCharsets.UTF_8);
    if (arg(hart, 1) < cwd.length) {
      throw SyscallError.of(Errno.ERANGE);
    }
    user.copyToUser(hart, task.mm, arg(hart, 0), cwd, 0, cwd.length);
    return cwd.length;
  }

  long chdir(Hart hart, Task task) {
    vfs.readdir().chdir(task.process.fs, path(hart, task, 0));
    return 0;
  }

  long fchdir(Hart hart, Task task) {
    vfs.readdir().fchdir(task.process.fs, task.process.files.get(arg(hart, 0) & 0xFFFF_FFFFL));
    return 0;
  }

  /** utimensat: with a NULL path (futimens) the file dirfd has open; UTIME_NOW and UTIME_OMIT. */
  long utimensat(Hart hart, Task task) {
    long pathAddr = arg(hart, 1);
    String path = pathAddr == 0 ? null : path(hart, task, 1);
    long times = arg(hart, 2);
    int flags = (int) arg(hart, 3);
    if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long mtime = now(hart);
    if (times != 0) {
      long sec = user.getLong(hart, task.mm, times + 16);
      long nsec = user.getLong(hart, task.mm, times + 24);
      if (nsec == UTIME_OMIT) {
        mtime = -1;
      } else if (nsec != UTIME_NOW) {
        if (nsec < 0 || nsec >= TimeCalls.NS) {
          throw SyscallError.of(Errno.EINVAL);
        }
        mtime = sec * TimeCalls.NS + nsec;
      }
    }
    OpenFile dir =
        path == null || (path.isEmpty() && (flags & AT_EMPTY_PATH) != 0)
            ? task.process.files.get(arg(hart, 0) & 0xFFFF_FFFFL)
            : dirfd(hart, task, 0, path);
    vfs.attributes()
        .setMtime(
            task.process.fs,
            dir,
            path == null || path.isEmpty() && (flags & AT_EMPTY_PATH) != 0 ? null : path,
            (flags & AT_SYMLINK_NOFOLLOW) == 0,
            mtime);
    return 0;
  }

  long fchmodat(Hart hart, Task task) {
    String path = path(hart, task, 1);
    vfs.attributes()
        .chmod(task.process.fs, dirfd(hart, task, 0, path), path, true, (int) arg(hart, 2));
    return 0;
  }

  long fchmod(Hart hart, Task task) {
    OpenFile f = task.process.files.get(arg(hart, 0) & 0xFFFF_FFFFL);
    vfs.attributes().chmod(task.process.fs, f, null, true, (int) arg(hart, 1));
    return 0;
  }

  long fchownat(Hart hart, Task task) {
    String path = path(hart, task, 1);
    int flags = (int) arg(hart, 4);
    if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (path.isEmpty() && (flags & AT_EMPTY_PATH) != 0) {
      task.process.files.get(arg(hart, 0) & 0xFFFF_FFFFL);
      return 0;
    }
    vfs.attributes()
        .chown(
            task.process.fs, dirfd(hart, task, 0, path), path, (flags & AT_SYMLINK_NOFOLLOW) == 0);
    return 0;
  }

  long fchown(Hart hart, Task task) {
    task.process.files.get(arg(hart, 0) & 0xFFFF_FFFFL);
    return 0;
  }

  long truncate(Hart hart, Task task) {
    vfs.attributes().truncate(task.process.fs, path(hart, task, 0), arg(hart, 1), now(hart));
    return 0;
  }

  /** fsync, fdatasync: nothing is ever written back, so there is nothing to wait for. */
  long fsync(Hart hart, Task task) {
    task.process.files.get(arg(hart, 0) & 0xFFFF_FFFFL);
    return 0;
  }

  long umask(Hart hart, Task task) {
    return vfs.umask(task.process.fs, (int) arg(hart, 0));
  }
}
