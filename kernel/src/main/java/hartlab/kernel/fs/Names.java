package hartlab.kernel.fs;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/**
 * The calls that make, remove and read names (the operations of Linux's fs/namei.c beyond the
 * lookup {@link Namei} does): mkdirat, symlinkat, unlinkat, renameat2, readlinkat, faccessat. Every
 * method runs under the {@link Vfs}'s lock. The guest is root, so only a missing execute bit, and
 * the fixed directories /dev and /proc, refuse it anything.
 */
public final class Names {
  public static final int RENAME_NOREPLACE = 1;
  public static final int X_OK = 1;

  private final Vfs vfs;
  private final Namei namei;
  private final KernelMemory kmem;

  Names(Vfs vfs, Namei namei, KernelMemory kmem) {
    this.vfs = vfs;
    this.namei = namei;
    this.kmem = kmem;
  }

  /** mkdirat. */
  public void mkdir(FsContext c, OpenFile dirfd, String path, int mode, long now) {
    synchronized (vfs) {
      Namei.Lookup l = namei.lookup(c, dirfd, path, false);
      if (l.node() != null) {
        throw SyscallError.of(Errno.EEXIST);
      }
      Vfs.mutable(l.parent());
      kmem.charge(KernelMemory.Kind.INODE, Errno.ENOSPC);
      namei.mkdirNode(l.parent(), l.name(), mode & ~c.umask & 07777, now);
      l.parent().mtimeNs = now;
    }
  }

  /** symlinkat: a link at {@code path} holding {@code target}. */
  public void symlink(FsContext c, String target, OpenFile dirfd, String path, long now) {
    if (target.isEmpty()) {
      throw SyscallError.of(Errno.ENOENT);
    }
    synchronized (vfs) {
      Namei.Lookup l = namei.lookup(c, dirfd, path, false);
      if (l.node() != null) {
        throw SyscallError.of(Errno.EEXIST);
      }
      if (l.trailingSlash()) {
        throw SyscallError.of(Errno.ENOENT);
      }
      Vfs.mutable(l.parent());
      kmem.charge(KernelMemory.Kind.INODE, Errno.ENOSPC);
      Namei.link(l.parent(), l.name(), new Inode.Symlink(namei.ino(), now, target, null));
      l.parent().mtimeNs = now;
    }
  }

  /** unlinkat: a file, or with {@code rmdir} an empty directory. */
  public void unlink(FsContext c, OpenFile dirfd, String path, boolean rmdir, long now) {
    synchronized (vfs) {
      Namei.Lookup l = namei.lookup(c, dirfd, path, false);
      if (rmdir && (l.name().equals(".") || l.name().equals(".."))) {
        throw SyscallError.of(l.name().equals(".") ? Errno.EINVAL : Errno.ENOTEMPTY);
      }
      Inode node = l.node();
      if (node == null) {
        throw SyscallError.of(Errno.ENOENT);
      }
      if (rmdir != (node instanceof Inode.Dir)) {
        throw SyscallError.of(rmdir ? Errno.ENOTDIR : Errno.EISDIR);
      }
      if (l.parent().listing != null) {
        throw SyscallError.of(Errno.EPERM); // Linux's proc has no unlink or rmdir
      }
      if (node instanceof Inode.Dir d) {
        if (d == namei.root() || !d.mutable) {
          throw SyscallError.of(Errno.EBUSY);
        }
        namei.load(d);
        if (!d.children.isEmpty()) {
          throw SyscallError.of(Errno.ENOTEMPTY);
        }
      }
      Vfs.mutable(l.parent());
      vfs.remove(node);
      l.parent().mtimeNs = now;
    }
  }

  /** renameat2 with flags 0 or RENAME_NOREPLACE. */
  public void rename(
      FsContext c,
      OpenFile oldDir,
      String oldPath,
      OpenFile newDir,
      String newPath,
      int flags,
      long now) {
    if ((flags & ~RENAME_NOREPLACE) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    synchronized (vfs) {
      Namei.Lookup from = namei.lookup(c, oldDir, oldPath, false);
      Namei.Lookup to = namei.lookup(c, newDir, newPath, false);
      Inode node = from.node();
      if (node == null) {
        throw SyscallError.of(Errno.ENOENT);
      }
      if (isDot(from.name()) || isDot(to.name())) {
        throw SyscallError.of(Errno.EBUSY);
      }
      if (to.trailingSlash() && !(node instanceof Inode.Dir)) {
        throw SyscallError.of(Errno.ENOTDIR);
      }
      if (!from.parent().mutable || !to.parent().mutable) {
        throw SyscallError.of(Errno.EXDEV); // /dev and /proc are other mounts
      }
      if (node == to.node()) {
        return;
      }
      for (Inode.Dir d = to.parent(); d != null; d = d.parent) {
        if (d == node) {
          throw SyscallError.of(Errno.EINVAL); // into its own subtree
        }
      }
      Inode old = to.node();
      if (old != null) {
        replaceable(node, old, flags);
        vfs.remove(old);
      }
      from.parent().children.remove(from.name());
      Namei.link(to.parent(), to.name(), node);
      from.parent().mtimeNs = now;
      to.parent().mtimeNs = now;
    }
  }

  /** Whether rename may put {@code node} in the place of {@code old}: the errno if not. */
  private void replaceable(Inode node, Inode old, int flags) {
    if ((flags & RENAME_NOREPLACE) != 0) {
      throw SyscallError.of(Errno.EEXIST);
    }
    if (node instanceof Inode.Dir && !(old instanceof Inode.Dir)) {
      throw SyscallError.of(Errno.ENOTDIR);
    }
    if (!(node instanceof Inode.Dir) && old instanceof Inode.Dir) {
      throw SyscallError.of(Errno.EISDIR);
    }
    if (old instanceof Inode.Dir od) {
      namei.load(od);
      if (!od.children.isEmpty()) {
        throw SyscallError.of(Errno.ENOTEMPTY);
      }
    }
  }

  private static boolean isDot(String name) {
    return name.equals(".") || name.equals("..");
  }

  /** readlinkat: the link's target; EINVAL if {@code path} is no link. */
  public String readlink(FsContext c, OpenFile dirfd, String path) {
    synchronized (vfs) {
      if (!(namei.existing(c, dirfd, path, false) instanceof Inode.Symlink link)) {
        throw SyscallError.of(Errno.EINVAL);
      }
      return link.target(c);
    }
  }

  /** faccessat: the guest is root, so only X_OK can fail, on a file without an execute bit. */
  public void access(FsContext c, OpenFile dirfd, String path, int mode, boolean follow) {
    if ((mode & ~7) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    synchronized (vfs) {
      Inode node = namei.existing(c, dirfd, path, follow);
      if ((mode & X_OK) != 0 && !(node instanceof Inode.Dir) && (node.mode & 0111) == 0) {
        throw SyscallError.of(Errno.EACCES);
      }
    }
  }
}
