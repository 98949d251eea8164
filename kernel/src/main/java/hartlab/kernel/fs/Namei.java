package hartlab.kernel.fs;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.PhysicalMemory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Path lookup in the guest's tree (Linux's fs/namei.c) and the making of its nodes: a path is
 * resolved one component at a time from the root, the working directory or a dirfd, and a host
 * directory under --root becomes nodes the first time a lookup enters it. See {@link Vfs} for why
 * no path can leave the root. Every method runs under the {@link Vfs}'s lock.
 */
final class Namei {
  private final KernelMemory kmem;
  private final PhysicalMemory memory;
  private final FileData.Pages pages;
  private final long maxFileSize;
  private final Inode.Dir root;
  private long nextIno = 1;

  Namei(RootFs spec, KernelMemory kmem, PhysicalMemory memory, FileData.Pages pages, long maxSize) {
    this.kmem = kmem;
    this.memory = memory;
    this.pages = pages;
    this.maxFileSize = maxSize;
    this.root = new Inode.Dir(ino(), 0755, spec.mtimeNs(), spec.host(), true);
  }

  Inode.Dir root() {
    return root;
  }

  /** What a lookup found: the directory the last name is in, that name, and its node or null. */
  record Lookup(Inode.Dir parent, String name, Inode node, boolean trailingSlash) {}

  /** The directory a *at call starts from: the cwd for AT_FDCWD (null), else dirfd's directory. */
  private Inode.Dir base(FsContext c, OpenFile dirfd, String path) {
    if (path.startsWith("/")) {
      return root;
    }
    if (dirfd == null) {
      return c.cwd;
    }
    if (dirfd instanceof InodeFile f && f.inode instanceof Inode.Dir d) {
      return d;
    }
    throw SyscallError.of(Errno.ENOTDIR);
  }

  Lookup lookup(FsContext c, OpenFile dirfd, String path, boolean followLast) {
    if (path.isEmpty()) {
      throw SyscallError.of(Errno.ENOENT);
    }
    if (path.length() >= Vfs.PATH_MAX) {
      throw SyscallError.of(Errno.ENAMETOOLONG);
    }
    return walk(c, base(c, dirfd, path), path, followLast, new int[1]);
  }

  /** The node {@code path} names (through a last link with {@code followLast}); ENOENT if none. */
  Inode existing(FsContext c, OpenFile dirfd, String path, boolean followLast) {
    Inode node = lookup(c, dirfd, path, followLast).node();
    if (node == null) {
      throw SyscallError.of(Errno.ENOENT);
    }
    return node;
  }

  /**
   * path_lookupat: resolves {@code path} from {@code dir} one component at a time, following
   * symlinks before the last always and at the last with {@code followLast}; {@code links} counts
   * the symlinks followed (ELOOP past {@link #MAX_SYMLINKS}).
   */
  private Lookup walk(FsContext c, Inode.Dir dir, String path, boolean followLast, int[] links) {
    if (path.startsWith("/")) {
      dir = root;
    }
    boolean trailing = path.endsWith("/");
    String[] parts = path.split("/");
    int last = parts.length - 1;
    while (last >= 0 && parts[last].isEmpty()) {
      last--;
    }
    if (last < 0) {
      return new Lookup(dir.parent == null ? dir : dir.parent, ".", dir, trailing);
    }
    for (int i = 0; ; i++) {
      String name = parts[i];
      if (name.isEmpty() || (name.equals(".") && i < last)) {
        continue;
      }
      if (name.length() > Vfs.NAME_MAX) {
        throw SyscallError.of(Errno.ENAMETOOLONG);
      }
      Inode node;
      if (name.equals(".")) {
        node = dir;
      } else if (name.equals("..")) {
        node = dir == root || dir.parent == null ? dir : dir.parent;
      } else {
        node = child(dir, name);
      }
      boolean isLast = i == last;
      if (node instanceof Inode.Symlink link && (!isLast || followLast || trailing)) {
        if (++links[0] > Vfs.MAX_SYMLINKS) {
          throw SyscallError.of(Errno.ELOOP);
        }
        String target = link.target(c);
        if (target.isEmpty()) {
          throw SyscallError.of(Errno.ENOENT);
        }
        Lookup r = walk(c, dir, target, true, links);
        if (isLast) {
          return new Lookup(r.parent, r.name, r.node, trailing || r.trailingSlash);
        }
        node = r.node;
      }
      if (isLast) {
        if (node != null && trailing && !(node instanceof Inode.Dir)) {
          throw SyscallError.of(Errno.ENOTDIR);
        }
        return new Lookup(dir, name, node, trailing);
      }
      if (node == null) {
        throw SyscallError.of(Errno.ENOENT);
      }
      if (!(node instanceof Inode.Dir d)) {
        throw SyscallError.of(Errno.ENOTDIR);
      }
      dir = d;
    }
  }

  /** The entry {@code name} of {@code dir}, listing the host directory first if not yet done. */
  private Inode child(Inode.Dir dir, String name) {
    if (dir.listing != null) {
      dir.listing.refresh(dir, name);
    } else {
      load(dir);
    }
    return dir.children.get(name);
  }

  /**
   * Lists a host directory into {@code dir} once, or a /proc directory afresh each time. Each host
   * entry's type comes from its own attributes, never following a link; names the tree already has
   * (/dev, /proc) keep their node.
   */
  void load(Inode.Dir dir) {
    if (dir.listing != null) {
      dir.listing.refresh(dir, null);
      return;
    }
    Path host = dir.host;
    if (host == null) {
      return;
    }
    dir.host = null;
    // Nodes are made in name order, not the host file system's, so inode numbers are the same
    // wherever the same tree is given.
    TreeMap<String, Path> entries = new TreeMap<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(host)) {
      for (Path p : stream) {
        entries.put(p.getFileName().toString(), p);
      }
    } catch (IOException e) {
      // An unreadable host directory lists as what could be read: the guest sees what we saw.
    }
    entries.forEach(
        (name, p) -> {
          if (!dir.children.containsKey(name)) {
            Inode node = hostNode(p);
            if (node != null) {
              link(dir, name, node);
            }
          }
        });
  }

  /** A node for host file {@code p}, typed without following links; null if it vanished. */
  private Inode hostNode(Path p) {
    Map<String, Object> a;
    try {
      a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
    int mode = (Integer) a.get("mode");
    long size = (Long) a.get("size");
    long mtime =
        ((FileTime) a.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS);
    int perm = mode & 07777;
    kmem.charge(KernelMemory.Kind.INODE, Errno.ENOMEM);
    switch (mode & Inode.S_IFMT) {
      case Inode.S_IFDIR:
        return new Inode.Dir(ino(), perm, mtime, p, true);
      case Inode.S_IFREG:
        return new Inode.Regular(
            ino(), perm, mtime, FileData.ofHost(pages, memory, maxFileSize, p, size));
      case Inode.S_IFLNK:
        try {
          return new Inode.Symlink(ino(), mtime, Files.readSymbolicLink(p).toString(), null);
        } catch (IOException e) {
          return new Inode.Special(ino(), mode, mtime);
        }
      default:
        return new Inode.Special(ino(), mode, mtime);
    }
  }

  long ino() {
    return nextIno++;
  }

  static void link(Inode.Dir dir, String name, Inode node) {
    node.parent = dir;
    node.name = name;
    dir.children.put(name, node);
  }

  Inode.Dir mkdirNode(Inode.Dir parent, String name, int perm, long now) {
    Inode.Dir d = new Inode.Dir(ino(), perm, now, null, true);
    link(parent, name, d);
    return d;
  }

  /** The absolute path of {@code node}, or null once it is no longer reachable from the root. */
  String pathOf(Inode node) {
    if (node == root) {
      return "/";
    }
    Deque<String> names = new ArrayDeque<>();
    for (Inode n = node; n != root; n = n.parent) {
      if (n == null) {
        return null;
      }
      names.addFirst(n.name);
    }
    return "/" + String.join("/", names);
  }
}
