package hartlab.kernel.fs;

import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Listing a directory (Linux's fs/readdir.c): getdents64 over an open directory of the tree, and
 * the working directory (chdir, fchdir, getcwd). Every method runs under the {@link Vfs}'s lock.
 */
public final class Readdir {
  private final Vfs vfs;
  private final Namei namei;

  Readdir(Vfs vfs, Namei namei) {
    this.vfs = vfs;
    this.namei = namei;
  }

  /**
   * getdents64: as many {@code struct linux_dirent64} as fit in {@code size} bytes, "." and ".."
   * first, then the entries in name order. 0 at the end, EINVAL if not even one fits.
   */
  public byte[] getdents(OpenFile file, int size) {
    if (!(file instanceof InodeFile f) || !(f.inode instanceof Inode.Dir dir)) {
      throw SyscallError.of(Errno.ENOTDIR);
    }
    synchronized (vfs) {
      namei.load(dir);
      if (f.dirCursorPos != f.pos) {
        seekDir(f, dir);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (; ; ) {
        String name;
        Inode node;
        if (f.pos == 0) {
          name = ".";
          node = dir;
        } else if (f.pos == 1) {
          name = "..";
          node = dir.parent == null ? dir : dir.parent;
        } else {
          Map.Entry<String, Inode> e =
              f.dirCursor == null
                  ? dir.children.firstEntry()
                  : dir.children.higherEntry(f.dirCursor);
          if (e == null) {
            break;
          }
          name = e.getKey();
          node = e.getValue();
        }
        byte[] rec = dirent(node.ino, f.pos + 1, node.direntType(), name);
        if (out.size() + rec.length > size) {
          if (out.size() == 0) {
            throw SyscallError.of(Errno.EINVAL);
          }
          break;
        }
        out.write(rec, 0, rec.length);
        if (f.pos >= 2) {
          f.dirCursor = name;
        }
        f.pos++;
        f.dirCursorPos = f.pos;
      }
      return out.toByteArray();
    }
  }

  /** One {@code struct linux_dirent64}: ino, next offset, length, type, the NUL-ended name. */
  private static byte[] dirent(long ino, long off, int type, String name) {
    byte[] nm = name.getBytes(StandardCharsets.UTF_8);
    int reclen = (19 + nm.length + 1 + 7) & ~7;
    byte[] rec = new byte[reclen];
    putLong(rec, 0, ino);
    putLong(rec, 8, off);
    rec[16] = (byte) reclen;
    rec[17] = (byte) (reclen >>> 8);
    rec[18] = (byte) type;
    System.arraycopy(nm, 0, rec, 19, nm.length);
    return rec;
  }

  /** Puts a directory's cursor at entry {@code f.pos} after an lseek. */
  private static void seekDir(InodeFile f, Inode.Dir dir) {
    f.dirCursor = null;
    long i = 2;
    for (String name : dir.children.keySet()) {
      if (i >= f.pos) {
        break;
      }
      f.dirCursor = name;
      i++;
    }
    f.dirCursorPos = f.pos;
  }

  private static void putLong(byte[] b, int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  public void chdir(FsContext c, String path) {
    synchronized (vfs) {
      if (!(namei.existing(c, null, path, true) instanceof Inode.Dir d)) {
        throw SyscallError.of(Errno.ENOTDIR);
      }
      c.cwd = d;
    }
  }

  public void fchdir(FsContext c, OpenFile file) {
    if (!(file instanceof InodeFile f && f.inode instanceof Inode.Dir d)) {
      throw SyscallError.of(Errno.ENOTDIR);
    }
    synchronized (vfs) {
      c.cwd = d;
    }
  }

  /** getcwd: ENOENT once the working directory was removed. */
  public String getcwd(FsContext c) {
    synchronized (vfs) {
      String p = namei.pathOf(c.cwd);
      if (p == null) {
        throw SyscallError.of(Errno.ENOENT);
      }
      return p;
    }
  }
}
