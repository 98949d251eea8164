package hartlab.kernel.fs;

import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/**
 * A node's attributes (Linux's fs/stat.c and fs/attr.c): stat by path and by open file, and the
 * calls that change them: utimensat, fchmod(at), fchown(at), truncate by path. Every method runs
 * under the {@link Vfs}'s lock.
 */
public final class Attributes {
  private final Vfs vfs;
  private final Namei namei;

  Attributes(Vfs vfs, Namei namei) {
    this.vfs = vfs;
    this.namei = namei;
  }

  /** newfstatat/statx by path ({@code follow}: the last component's link is followed). */
  public Kstat stat(FsContext c, OpenFile dirfd, String path, boolean follow) {
    synchronized (vfs) {
      return kstat(namei.existing(c, dirfd, path, follow));
    }
  }

  /** fstat: a file of the tree, the console (a terminal) or a pipe. */
  public Kstat stat(OpenFile file) {
    synchronized (vfs) {
      if (file instanceof InodeFile f) {
        return kstat(f.inode);
      }
      if (file instanceof ConsoleFile) {
        return new Kstat(Vfs.DEV_DEVTMPFS, 3, Inode.S_IFCHR | 0620, 1, (136 << 8), 0, 0, 0);
      }
      return new Kstat(0xc, 1, Inode.S_IFIFO | 0600, 1, 0, 0, 0, 0);
    }
  }

  private Kstat kstat(Inode n) {
    long dev = vfs.device(n);
    long rdev = n instanceof Inode.Device d ? (d.kind.major << 8) | d.kind.minor : 0;
    long size = n.size();
    // Blocks as a file system with 4 KiB blocks allocates them, holes and all: what ls -s shows.
    long blocks =
        n instanceof Inode.Regular || n instanceof Inode.Dir ? (size + 4095) / 4096 * 8 : 0;
    return new Kstat(dev, n.ino, n.mode, n.nlink(), rdev, size, n.mtimeNs, blocks);
  }

  /**
   * The node {@code path} names (with {@code follow}, through a last link), or with a null path the
   * file {@code dirfd} has open; null for an open pipe or the console, which are not in the tree.
   */
  private Inode node(FsContext c, OpenFile dirfd, String path, boolean follow) {
    if (path == null) {
      return dirfd instanceof InodeFile f ? f.inode : null;
    }
    return namei.existing(c, dirfd, path, follow);
  }

  /** The nodes /dev and /proc hold are the kernel's: their attributes stay as they are. */
  private static void changeable(Inode n) {
    if (n.parent != null && !n.parent.mutable) {
      throw SyscallError.of(Errno.EPERM);
    }
  }

  /** utimensat: sets the modification time ({@code mtimeNs} -1 leaves it); atime is not kept. */
  public void setMtime(FsContext c, OpenFile dirfd, String path, boolean follow, long mtimeNs) {
    synchronized (vfs) {
      Inode n = node(c, dirfd, path, follow);
      if (n != null && mtimeNs >= 0) {
        changeable(n);
        n.mtimeNs = mtimeNs;
      }
    }
  }

  /** fchmodat, fchmod: the permission bits; a link's own mode cannot change (EOPNOTSUPP). */
  public void chmod(FsContext c, OpenFile dirfd, String path, boolean follow, int mode) {
    synchronized (vfs) {
      Inode n = node(c, dirfd, path, follow);
      if (n == null) {
        return;
      }
      if (n instanceof Inode.Symlink) {
        throw SyscallError.of(Errno.EOPNOTSUPP);
      }
      changeable(n);
      n.mode = (n.mode & Inode.S_IFMT) | (mode & 07777);
    }
  }

  /** fchownat, fchown: every file belongs to root and stays so; the file must exist. */
  public void chown(FsContext c, OpenFile dirfd, String path, boolean follow) {
    synchronized (vfs) {
      Inode n = node(c, dirfd, path, follow);
      if (n != null) {
        changeable(n);
      }
    }
  }

  /** truncate(2) by path: EISDIR for a directory, EINVAL for anything but a regular file. */
  public void truncate(FsContext c, String path, long length, long now) {
    synchronized (vfs) {
      Inode n = node(c, null, path, true);
      if (n instanceof Inode.Dir) {
        throw SyscallError.of(Errno.EISDIR);
      }
      if (!(n instanceof Inode.Regular r)) {
        throw SyscallError.of(Errno.EINVAL);
      }
      r.data.truncate(length);
      r.mtimeNs = now;
    }
  }
}
