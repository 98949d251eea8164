package hartlab.kernel.fs;

import hartlab.kernel.mm.MmUsers;
import hartlab.kernel.mm.VmaLocks;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.PhysicalMemory;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The guest's file tree, opening its files and reading and writing them (Linux's fs/open.c and
 * fs/read_write.c, with an overlay's copy-up for writes): one tree of {@link Inode}s whose root is
 * a host directory (--root), read-only beneath an in-memory layer that takes every change and is
 * gone when the run ends, or the built-in images at /bin. /dev and /proc ({@link ProcFs}) are
 * mounted over whatever the root has there. The calls on names are {@link Names}', on attributes
 * {@link Attributes}', on directories {@link Readdir}'s; they share this object's lock.
 *
 * <p>Containment: the host is reached only through the paths of nodes {@link Namei} made, each
 * built from its parent's host path and one name the host listed, its type read without following
 * links. A guest path is resolved there component by component, never by the host: {@code ..} at
 * the root stays there, and a symlink's target, absolute or not, is resolved again in the guest's
 * tree. So no path can name a host file outside the root, and no host file is ever opened for
 * writing.
 *
 * <p>Every node is charged to kernel memory ({@link KernelMemory.Kind#INODE}): a host directory's
 * entries when it is first listed, a guest's new file or directory when made. File data lives in
 * guest frames ({@link FileData}).
 *
 * <p>Locking: one lock, this object's monitor, guards the whole tree and every open file's
 * position. It is short (no wait happens under it; host reads are of regular files only); a /proc
 * directory asks the process table for its entries under it (this lock, then the table's), and a
 * /proc file is opened outside it.
 */
public final class Vfs {
  public static final int PATH_MAX = 4096;
  public static final int NAME_MAX = 255;

  /** Linux's MAXSYMLINKS: symlinks one lookup may follow before ELOOP. */
  static final int MAX_SYMLINKS = 40;

  public static final int O_ACCMODE = 3,
      O_WRONLY = 1,
      O_RDWR = 2,
      O_CREAT = 0100,
      O_EXCL = 0200,
      O_NOCTTY = 0400,
      O_TRUNC = 01000,
      O_APPEND = 02000,
      O_DIRECTORY = 0200000,
      O_NOFOLLOW = 0400000,
      O_PATH = 010000000,
      O_TMPFILE = 020000000;
  public static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;

  /** st_dev of the root's files, of /dev and of /proc. */
  static final long DEV_ROOT = 0x801, DEV_DEVTMPFS = 0x5, DEV_PROC = 0x16;

  private final KernelMemory kmem;
  private final PhysicalMemory memory;
  private final OpenFiles openFiles;
  private final RandomSource random;
  private final long maxFileSize;
  private final FileData.Pages pages;
  private final Namei namei;
  private final Inode.Dir root;
  private final Inode.Dir dev;
  private final ProcFs proc;
  private final Names names;
  private final Attributes attributes;
  private final Readdir readdir;

  /**
   * The tree {@code spec} describes, its nodes charged to {@code kmem} and its written data in
   * frames of {@code memory}; {@code seeded} feeds /dev/urandom.
   */
  public Vfs(
      RootFs spec,
      KernelMemory kmem,
      PhysicalMemory memory,
      OpenFiles openFiles,
      RandomSource seeded) {
    this.kmem = kmem;
    this.memory = memory;
    this.openFiles = openFiles;
    this.random = seeded;
    this.maxFileSize = memory.size();
    this.pages = new FileData.Pages(kmem, memory.size() / PhysicalMemory.PAGE_SIZE / 2);
    synchronized (this) {
      this.namei = new Namei(spec, kmem, memory, pages, maxFileSize);
      this.root = namei.root();
      if (spec.host() == null) {
        Inode.Dir bin = namei.mkdirNode(root, "bin", 0755, spec.mtimeNs());
        spec.programs()
            .forEach(
                (name, bytes) ->
                    Namei.link(
                        bin,
                        name,
                        new Inode.Regular(
                            namei.ino(),
                            0755,
                            spec.mtimeNs(),
                            FileData.ofImage(pages, memory, maxFileSize, bytes))));
      }
      this.dev = new Inode.Dir(namei.ino(), 0755, spec.mtimeNs(), null, false);
      Namei.link(root, "dev", dev);
      for (Inode.Device.Kind k : Inode.Device.Kind.values()) {
        Namei.link(dev, k.name().toLowerCase(), new Inode.Device(namei.ino(), spec.mtimeNs(), k));
      }
      this.proc = new ProcFs(namei.ino(), namei.ino(), spec.mtimeNs());
      Namei.link(root, "proc", proc.root());
    }
    this.names = new Names(this, namei, kmem);
    this.attributes = new Attributes(this, namei);
    this.readdir = new Readdir(this, namei);
  }

  /** mkdirat, symlinkat, unlinkat, renameat2, readlinkat, faccessat. */
  public Names names() {
    return names;
  }

  /** stat, and the calls that change a node's attributes. */
  public Attributes attributes() {
    return attributes;
  }

  /** getdents64 and the working directory. */
  public Readdir readdir() {
    return readdir;
  }

  /**
   * Gives /proc its processes, and what reading their maps needs; until then it holds only {@code
   * self}. Called once, before the harts start.
   */
  public synchronized void attachProcesses(
      ProcessView processes, MmUsers users, VmaLocks vmaLocks) {
    proc.attach(processes, users, vmaLocks);
  }

  // ---- processes ----

  /**
   * The first process's context: process {@code pid} in /, umask 022, running {@code exe}, made
   * absolute against / (the name it was started by may be relative, like {@code ./a.out}; glibc's
   * start-up asserts that /proc/self/exe reads as an absolute path).
   */
  public synchronized FsContext initContext(String exe, int pid) {
    return new FsContext(root, 022, absoluteFromRoot(exe), pid);
  }

  /** {@code name} resolved lexically from /: empty and "." parts dropped, ".." stops at /. */
  static String absoluteFromRoot(String name) {
    Deque<String> parts = new ArrayDeque<>();
    for (String part : name.split("/")) {
      if (part.equals("..")) {
        parts.pollLast();
      } else if (!part.isEmpty() && !part.equals(".")) {
        parts.addLast(part);
      }
    }
    return "/" + String.join("/", parts);
  }

  /** fork: the child, process {@code pid}, starts where the parent is. */
  public synchronized FsContext copy(FsContext c, int pid) {
    return new FsContext(c.cwd, c.umask, c.exe(), pid);
  }

  /** umask(2): sets the mask, returns the old one. */
  public synchronized int umask(FsContext c, int mask) {
    int old = c.umask;
    c.umask = mask & 0777;
    return old;
  }

  // ---- open ----

  /**
   * openat: the file at {@code path}, opened with {@code flags}; a new file gets {@code mode} less
   * the umask.
   */
  public OpenFile open(FsContext c, OpenFile dirfd, String path, int flags, int mode, long now) {
    if ((flags & O_TMPFILE) != 0) {
      throw SyscallError.of(Errno.EOPNOTSUPP);
    }
    int acc = flags & O_ACCMODE;
    if (acc == O_ACCMODE) {
      throw SyscallError.of(Errno.EINVAL);
    }
    boolean write = acc != 0;
    Inode node;
    synchronized (this) {
      boolean excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
      Namei.Lookup l = namei.lookup(c, dirfd, path, (flags & O_NOFOLLOW) == 0 && !excl);
      node = l.node();
      if (node == null) {
        if ((flags & O_CREAT) == 0) {
          throw SyscallError.of(Errno.ENOENT);
        }
        if (l.trailingSlash()) {
          throw SyscallError.of(Errno.EISDIR);
        }
        mutable(l.parent());
        kmem.charge(KernelMemory.Kind.INODE, Errno.ENOSPC);
        node =
            new Inode.Regular(
                namei.ino(),
                mode & ~c.umask & 07777,
                now,
                FileData.empty(pages, memory, maxFileSize));
        Namei.link(l.parent(), l.name(), node);
        l.parent().mtimeNs = now;
      } else if (excl) {
        throw SyscallError.of(Errno.EEXIST);
      }
      if (node instanceof Inode.Symlink) {
        throw SyscallError.of(Errno.ELOOP); // O_NOFOLLOW on a link
      }
      if ((flags & O_DIRECTORY) != 0 && !(node instanceof Inode.Dir)) {
        throw SyscallError.of(Errno.ENOTDIR);
      }
      if (node instanceof Inode.Dir && (write || (flags & O_CREAT) != 0)) {
        throw SyscallError.of(Errno.EISDIR);
      }
      if (node instanceof Inode.Special) {
        throw SyscallError.of(Errno.ENXIO); // a host FIFO, socket or device: never opened
      }
      if (node instanceof Inode.Device d && d.kind == Inode.Device.Kind.TTY) {
        return new ConsoleFile(openFiles, -1);
      }
      if (node instanceof Inode.Regular r) {
        if ((flags & O_TRUNC) != 0 && write) {
          r.data.truncate(0);
          r.mtimeNs = now;
        }
        r.opens++;
      }
    }
    int status = flags & (O_ACCMODE | O_APPEND | FileIo.O_NONBLOCK);
    if (node instanceof Inode.ProcFile p) {
      // Root may open it for writing, as in Linux; the write itself is EINVAL.
      return p.entry.open(openFiles, status);
    }
    try {
      return new InodeFile(openFiles, this, node, acc != O_WRONLY, write, status);
    } catch (SyscallError e) {
      closed(node);
      throw e;
    }
  }

  /** An open file's last descriptor closed: a file unlinked meanwhile is freed now. */
  synchronized void closed(Inode node) {
    if (node instanceof Inode.Regular r && --r.opens == 0 && r.parent == null) {
      free(r);
    }
  }

  private void free(Inode.Regular r) {
    r.data.free();
    kmem.uncharge(KernelMemory.Kind.INODE);
  }

  /** Takes {@code node} out of the tree; its data goes when no open file holds it. */
  void remove(Inode node) {
    node.parent.children.remove(node.name);
    node.parent = null;
    if (node instanceof Inode.Regular r) {
      if (r.opens == 0) {
        free(r);
      }
    } else {
      kmem.uncharge(KernelMemory.Kind.INODE);
    }
  }

  /** st_dev of {@code n}: the mount it is under. */
  long device(Inode n) {
    long dev = DEV_ROOT;
    for (Inode p = n; p != null; p = p.parent) {
      if (p == this.dev) {
        dev = DEV_DEVTMPFS;
      } else if (p == proc.root()) {
        dev = DEV_PROC;
      }
    }
    return dev;
  }

  /**
   * Unless the guest may add and remove entries of {@code dir}: EACCES for /dev, ENOENT for /proc
   * (Linux's proc makes no entry, so a name it lacks stays missing).
   */
  static void mutable(Inode.Dir dir) {
    if (!dir.mutable) {
      throw SyscallError.of(dir.listing != null ? Errno.ENOENT : Errno.EACCES);
    }
  }

  // ---- reading and writing ----

  /** Reads at {@code pos} into {@code dst}: the count, 0 at the end. */
  int read(InodeFile f, long pos, byte[] dst, int n) {
    Inode node = f.inode;
    if (node instanceof Inode.Dir) {
      throw SyscallError.of(Errno.EISDIR);
    }
    if (node instanceof Inode.Device d) {
      switch (d.kind) {
        case NULL:
          return 0;
        case URANDOM:
          random.fill(dst, n);
          return n;
        default:
          java.util.Arrays.fill(dst, 0, n, (byte) 0);
          return n;
      }
    }
    synchronized (this) {
      return ((Inode.Regular) node).data.read(pos, dst, 0, n);
    }
  }

  /** Writes {@code n} bytes at {@code pos} (at the end with O_APPEND when {@code pos} is -1). */
  int write(InodeFile f, long pos, byte[] src, int n, long now) {
    if (f.inode instanceof Inode.Device) {
      return n;
    }
    Inode.Regular r = (Inode.Regular) f.inode;
    synchronized (this) {
      long at = pos < 0 ? r.data.size() : pos;
      long before = r.data.size();
      r.data.write(at, src, 0, n);
      r.mtimeNs = now;
      return (int) Math.min(n, Math.max(r.data.size(), before) - at);
    }
  }

  /** The position a read or write at the current offset uses: -1 means "the end" (O_APPEND). */
  synchronized long position(InodeFile f, boolean forWrite) {
    return forWrite && (f.statusFlags() & O_APPEND) != 0 ? -1 : f.pos;
  }

  synchronized void advance(InodeFile f, long from, int n) {
    if (from < 0) {
      f.pos = ((Inode.Regular) f.inode).data.size();
    } else {
      f.pos = from + n;
    }
  }

  /** lseek on a file of the tree. */
  synchronized long lseek(InodeFile f, long offset, int whence) {
    long base;
    switch (whence) {
      case SEEK_SET:
        base = 0;
        break;
      case SEEK_CUR:
        base = f.pos;
        break;
      case SEEK_END:
        base = f.inode.size();
        break;
      default:
        throw SyscallError.of(Errno.EINVAL);
    }
    long to = base + offset;
    if (to < 0 || (offset > 0 && to < base)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    f.pos = to;
    return to;
  }

  /** ftruncate: EINVAL unless a regular file open for writing. */
  public synchronized void truncate(OpenFile file, long length, long now) {
    if (!(file instanceof InodeFile f && f.inode instanceof Inode.Regular r) || !f.writable()) {
      throw SyscallError.of(Errno.EINVAL);
    }
    r.data.truncate(length);
    r.mtimeNs = now;
  }

  // ---- execve ----

  /** A program file's bytes and its absolute path. */
  public record Executable(byte[] bytes, String path) {}

  /**
   * The regular file execve would run at {@code path}: EACCES for a directory, a special file or a
   * file without an execute bit, ENOEXEC past {@code maxSize}.
   */
  public synchronized Executable readExecutable(FsContext c, String path, long maxSize) {
    if (!(namei.existing(c, null, path, true) instanceof Inode.Regular r) || (r.mode & 0111) == 0) {
      throw SyscallError.of(Errno.EACCES);
    }
    if (r.data.size() > maxSize) {
      throw SyscallError.of(Errno.ENOEXEC);
    }
    byte[] bytes = new byte[(int) r.data.size()];
    int n = r.data.read(0, bytes, 0, bytes.length);
    String abs = namei.pathOf(r);
    return new Executable(
        n == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, n), abs == null ? path : abs);
  }
}
