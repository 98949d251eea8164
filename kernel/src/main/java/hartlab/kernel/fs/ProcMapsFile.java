package hartlab.kernel.fs;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.MmUsers;
import hartlab.kernel.mm.Vma;
import hartlab.kernel.mm.VmaLocks;
import hartlab.kernel.mm.VmaLocks.AreaView;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An open {@code /proc/PID/maps}: one line per area, in Linux's format, made afresh by each read
 * from the address space as it is then, walked under RCU without the mmap lock.
 *
 * <p>Consistency, as Linux's lockless maps reading gives it: each read resumes at the end address
 * of the last line it produced (never at a line count), so the lines one open file yields have
 * strictly increasing, non-overlapping ranges: no area printed twice, none out of order, even while
 * other threads mremap, mmap and munmap. Each line is one area's state at one moment; the file as a
 * whole is no snapshot: an area moved upwards by mremap during the reads may show at its old and
 * its new place, one moved downwards at neither, and one that grew across the point where the
 * reading stood is not shown again (its lower part was). A line never splits across reads unless a
 * read's buffer is shorter than the line, in which case the rest comes first in the next read.
 *
 * <p>Each read takes a user reference on the mm with mmget_not_zero (which puts its VMA tree into
 * RCU mode) and drops it before returning: a dead process's maps read as empty. The file is opened
 * through the tree ({@link ProcFs}); root may open it for writing, as in Linux, but a write is
 * EINVAL.
 */
public final class ProcMapsFile extends OpenFile {
  /** Where the name column starts (Linux pads to 25 + 6 * sizeof(void *) - 1 columns). */
  private static final int NAME_COLUMN = 72;

  private final Mm mm;
  private final MmUsers users;
  private final VmaLocks vmaLocks;

  // The read position. Two threads reading one description at once are not serialized (Linux
  // holds seq_file's mutex; a host lock here would be held across the mmap lock's spinning wait).
  private long next;
  private byte[] pending = new byte[0];
  private int pendingAt;
  private long position; // bytes handed out since the last rewind: what lseek reports

  ProcMapsFile(OpenFiles owner, Mm mm, MmUsers users, VmaLocks vmaLocks, int statusFlags) {
    super(owner, statusFlags);
    this.mm = mm;
    this.users = users;
    this.vmaLocks = vmaLocks;
  }

  /** Up to {@code count} bytes of the listing, continuing where the last read stopped; 0 at EOF. */
  byte[] read(Hart hart, int count) {
    byte[] bytes = produce(hart, count);
    position += bytes.length;
    return bytes;
  }

  /**
   * lseek: back to the start (offset 0 from the start, as programs that read the file again do), or
   * where the reading stands (SEEK_CUR 0, or SEEK_SET there). Any other offset is EINVAL: the
   * reading resumes at an address, not a byte offset, and a byte offset into a listing that keeps
   * changing names no line (Linux re-reads from the start and skips that many bytes).
   */
  long seek(long offset, int whence) {
    long to =
        switch (whence) {
          case Vfs.SEEK_SET -> offset;
          case Vfs.SEEK_CUR -> offset == 0 ? position : -1;
          default -> -1;
        };
    if (to == 0) {
      next = 0;
      pending = new byte[0];
      pendingAt = 0;
      position = 0;
    } else if (to != position) {
      throw SyscallError.of(Errno.EINVAL);
    }
    return position;
  }

  private byte[] produce(Hart hart, int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(count, 4096));
    int fromPending = Math.min(count, pending.length - pendingAt);
    out.write(pending, pendingAt, fromPending);
    pendingAt += fromPending;
    if (pendingAt < pending.length || fromPending == count) {
      return out.toByteArray();
    }
    boolean wasRcu = mm.vmasInRcu();
    if (!users.mmgetNotZero(hart, mm)) {
      return out.toByteArray();
    }
    try {
      if (!wasRcu) {
        vmaLocks.waitForInPlaceWriter(hart, mm);
      }
      while (out.size() < count) {
        AreaView a = vmaLocks.nextArea(hart, mm, next);
        if (a == null) {
          break;
        }
        if (a.start() < next) {
          next = a.end(); // grew across the resume point: its lower part was the last line
          continue;
        }
        byte[] line = line(a).getBytes(StandardCharsets.US_ASCII);
        next = a.end();
        int room = count - out.size();
        if (line.length > room) {
          if (out.size() > 0) {
            pending = line; // whole lines first; this one opens the next read
            pendingAt = 0;
            break;
          }
          out.write(line, 0, room);
          pending = line;
          pendingAt = room;
          break;
        }
        out.write(line, 0, line.length);
      }
    } finally {
      users.mmput(hart, mm);
    }
    return out.toByteArray();
  }

  /** One line: {@code start-end perms offset dev inode [name]}, as show_map_vma prints it. */
  static String line(AreaView a) {
    StringBuilder b = new StringBuilder(96);
    b.append(String.format("%08x-%08x ", a.start(), a.end()));
    b.append((a.prot() & Vma.PROT_READ) != 0 ? 'r' : '-');
    b.append((a.prot() & Vma.PROT_WRITE) != 0 ? 'w' : '-');
    b.append((a.prot() & Vma.PROT_EXEC) != 0 ? 'x' : '-');
    b.append(a.shared() ? 's' : 'p');
    b.append(String.format(" %08x 00:00 0 ", a.offset()));
    String name =
        switch (a.kind()) {
          case HEAP -> "[heap]";
          case STACK -> "[stack]";
          default -> a.shared() ? "/dev/zero (deleted)" : null;
        };
    if (name != null) {
      while (b.length() < NAME_COLUMN) {
        b.append(' ');
      }
      b.append(name);
    }
    return b.append('\n').toString();
  }

  @Override
  void lastClose() {}

  @Override
  boolean readable() {
    return (statusFlags() & Vfs.O_ACCMODE) != Vfs.O_WRONLY;
  }

  @Override
  boolean writable() {
    return (statusFlags() & Vfs.O_ACCMODE) != 0;
  }
}
