package hartlab.kernel.fs;

import java.nio.file.Path;
import java.util.TreeMap;

/**
 * A node of the guest's file tree (Linux's struct inode with its dentry: hartlab keeps one name per
 * node, so hard links are not offered). Every node lives in memory; one that mirrors a host file
 * under {@code --root} keeps the host path it came from and reads the host only for what it has not
 * got yet: a directory's entries (once), a file's bytes (until the guest writes it, when they are
 * copied into guest frames and the host file is never looked at again).
 *
 * <p>All fields are guarded by the {@link Vfs}'s lock.
 */
abstract sealed class Inode {
  static final int S_IFMT = 0170000,
      S_IFSOCK = 0140000,
      S_IFLNK = 0120000,
      S_IFREG = 0100000,
      S_IFBLK = 0060000,
      S_IFDIR = 0040000,
      S_IFCHR = 0020000,
      S_IFIFO = 0010000;

  final long ino;

  /** File type and permission bits, as st_mode. */
  int mode;

  /** Last modification, nanoseconds since the epoch (virtual realtime for guest-made nodes). */
  long mtimeNs;

  /** Where the node hangs: null for the root, and for a node unlinked from the tree. */
  Dir parent;

  String name;

  Inode(long ino, int mode, long mtimeNs) {
    this.ino = ino;
    this.mode = mode;
    this.mtimeNs = mtimeNs;
  }

  final int type() {
    return mode & S_IFMT;
  }

  /** d_type for getdents64: the file type's top four bits. */
  final int direntType() {
    return type() >>> 12;
  }

  long size() {
    return 0;
  }

  int nlink() {
    return 1;
  }

  /** A directory; {@link #children} holds the host's entries once {@link #loaded}. */
  static final class Dir extends Inode {
    /** Entries by name, in name order (getdents64 walks them in that order). */
    final TreeMap<String, Inode> children = new TreeMap<>();

    /** The host directory still to be listed into {@link #children}, or null. */
    Path host;

    /** Whether the guest may add or remove entries (/dev and /proc are fixed). */
    final boolean mutable;

    /** For a /proc directory, what brings {@link #children} up to date before each use. */
    final ProcEntry.Listing listing;

    Dir(long ino, int perm, long mtimeNs, Path host, boolean mutable) {
      this(ino, perm, mtimeNs, host, mutable, null);
    }

    Dir(long ino, int perm, long mtimeNs, Path host, boolean mutable, ProcEntry.Listing listing) {
      super(ino, S_IFDIR | perm, mtimeNs);
      this.host = host;
      this.mutable = mutable;
      this.listing = listing;
    }

    @Override
    int nlink() {
      int n = 2;
      for (Inode c : children.values()) {
        if (c instanceof Dir) {
          n++;
        }
      }
      return n;
    }

    @Override
    long size() {
      return 4096;
    }
  }

  /** A regular file: its bytes in {@link FileData}. */
  static final class Regular extends Inode {
    final FileData data;

    /** Open file descriptions of it: an unlinked file's data goes with the last. */
    int opens;

    Regular(long ino, int perm, long mtimeNs, FileData data) {
      super(ino, S_IFREG | perm, mtimeNs);
      this.data = data;
    }

    @Override
    long size() {
      return data.size();
    }
  }

  /**
   * A symbolic link. A /proc link's target depends on who reads it ({@link ProcEntry}): {@code
   * proc} is non-null then, and {@link #target} unused.
   */
  static final class Symlink extends Inode {
    final String target;
    final ProcEntry.Link proc;

    Symlink(long ino, long mtimeNs, String target, ProcEntry.Link proc) {
      super(ino, S_IFLNK | 0777, mtimeNs);
      this.target = target;
      this.proc = proc;
    }

    String target(FsContext caller) {
      return proc != null ? proc.target(caller) : target;
    }

    @Override
    long size() {
      return proc != null ? 0 : target.length();
    }
  }

  /** A character device (/dev/null, ...): what reading and writing it do is {@link #kind}'s. */
  static final class Device extends Inode {
    enum Kind {
      NULL(1, 3),
      ZERO(1, 5),
      URANDOM(1, 9),
      TTY(5, 0);

      final int major;
      final int minor;

      Kind(int major, int minor) {
        this.major = major;
        this.minor = minor;
      }
    }

    final Kind kind;

    Device(long ino, long mtimeNs, Kind kind) {
      super(ino, S_IFCHR | 0666, mtimeNs);
      this.kind = kind;
    }
  }

  /**
   * A /proc file: opening it makes an open file of its own kind ({@link ProcEntry.File}), which
   * reads the process's state as it is then. Its size is 0, as Linux reports.
   */
  static final class ProcFile extends Inode {
    final ProcEntry.File entry;

    ProcFile(long ino, long mtimeNs, ProcEntry.File entry) {
      super(ino, S_IFREG | 0444, mtimeNs);
      this.entry = entry;
    }
  }

  /**
   * A host node that is none of the above (a FIFO, socket or device under --root): listed and
   * stat'ed with its type, never opened, so that no host object but a regular file is ever read.
   */
  static final class Special extends Inode {
    Special(long ino, int mode, long mtimeNs) {
      super(ino, mode, mtimeNs);
    }
  }
}
