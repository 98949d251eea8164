package hartlab.kernel.fs;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.PhysicalMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;

/**
 * A regular file's bytes (Linux's page cache for one inode, with tmpfs's rule that there is no disk
 * behind it). They start in a read-only source, a host file under --root or a built-in image, and
 * move into guest frames the first time the guest changes them: copy-up, as an overlay's upper
 * layer does, so a host file is never written. Frames come from {@link KernelMemory#allocPage}, so
 * what a guest writes counts against the machine's RAM, at most half of it ({@link Pages}): past
 * that a write gets ENOSPC, and the host heap holds no file data at all. A page never written is a
 * hole and reads as zeros.
 *
 * <p>Guarded by the {@link Vfs}'s lock.
 */
final class FileData {
  private static final int PAGE = PhysicalMemory.PAGE_SIZE;

  /**
   * The pages every file's data may take together: half the machine's RAM, tmpfs's default size, so
   * that files a guest leaves behind can never take the memory its processes need. Guarded by the
   * {@link Vfs}'s lock.
   */
  static final class Pages {
    private final KernelMemory kmem;
    private final long limit;
    private long used;

    Pages(KernelMemory kmem, long limit) {
      this.kmem = kmem;
      this.limit = limit;
    }

    /** A frame, or -1 past the limit or when kernel memory is out. */
    long alloc() {
      if (used >= limit) {
        return -1;
      }
      long pa = kmem.allocPage();
      if (pa >= 0) {
        used++;
      }
      return pa;
    }

    void free(long pa) {
      kmem.freePage(pa);
      used--;
    }
  }

  private final Pages pages;
  private final PhysicalMemory memory;

  /** Largest size a file may reach (EFBIG beyond): the machine's RAM, which bounds its pages. */
  private final long maxSize;

  /** The read-only source until copy-up: a host file, or a built-in image; both null after. */
  private Path host;

  private byte[] image;

  private long size;

  /** Frames by page index once copied up; a page absent is a hole. Ordered: frees are in order. */
  private final TreeMap<Long, Long> frames = new TreeMap<>();

  private FileData(
      Pages pages, PhysicalMemory memory, long maxSize, Path host, byte[] image, long size) {
    this.pages = pages;
    this.memory = memory;
    this.maxSize = maxSize;
    this.host = host;
    this.image = image;
    this.size = size;
  }

  static FileData ofHost(Pages pages, PhysicalMemory memory, long max, Path host, long size) {
    return new FileData(pages, memory, max, host, null, size);
  }

  static FileData ofImage(Pages pages, PhysicalMemory memory, long max, byte[] image) {
    return new FileData(pages, memory, max, null, image, image.length);
  }

  static FileData empty(Pages pages, PhysicalMemory memory, long max) {
    return new FileData(pages, memory, max, null, null, 0);
  }

  long size() {
    return size;
  }

  /** Reads up to {@code len} bytes at {@code pos}: the count, 0 at or past the end. */
  int read(long pos, byte[] dst, int off, int len) {
    if (pos >= size) {
      return 0;
    }
    int n = (int) Math.min(len, size - pos);
    if (image != null) {
      System.arraycopy(image, (int) pos, dst, off, n);
      return n;
    }
    if (host != null) {
      return readHost(pos, dst, off, n);
    }
    for (int done = 0; done < n; ) {
      long p = pos + done;
      int inPage = (int) (p % PAGE);
      int k = Math.min(n - done, PAGE - inPage);
      Long frame = frames.get(p / PAGE);
      if (frame == null) {
        java.util.Arrays.fill(dst, off + done, off + done + k, (byte) 0);
      } else {
        memory.getBytes(frame + inPage, dst, off + done, k);
      }
      done += k;
    }
    return n;
  }

  /**
   * Reads the host file without following a link at its last component and only while it still is a
   * regular file (a FIFO put in its place would block the open); a file that shrank reads zeros.
   */
  private int readHost(long pos, byte[] dst, int off, int n) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        throw SyscallError.of(Errno.EIO);
      }
      try (SeekableByteChannel ch =
          Files.newByteChannel(host, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        ch.position(pos);
        ByteBuffer b = ByteBuffer.wrap(dst, off, n);
        while (b.hasRemaining() && ch.read(b) > 0) {}
        java.util.Arrays.fill(dst, b.position(), off + n, (byte) 0);
      }
      return n;
    } catch (IOException e) {
      throw SyscallError.of(Errno.EIO);
    }
  }

  /** Writes {@code len} bytes at {@code pos}; ENOSPC when frames run out, EFBIG past the limit. */
  void write(long pos, byte[] src, int off, int len) {
    if (pos < 0 || pos > maxSize - len) {
      throw SyscallError.of(Errno.EFBIG);
    }
    copyUp();
    for (int done = 0; done < len; ) {
      long p = pos + done;
      int inPage = (int) (p % PAGE);
      int k = Math.min(len - done, PAGE - inPage);
      long frame = frame(p / PAGE);
      if (frame < 0) {
        if (done == 0) {
          throw SyscallError.of(Errno.ENOSPC);
        }
        len = done; // a short write: what fitted
        break;
      }
      memory.putBytes(frame + inPage, src, off + done, k);
      done += k;
    }
    size = Math.max(size, pos + len);
  }

  /** ftruncate/O_TRUNC: shorter frees the pages past the end; longer adds a hole. */
  void truncate(long newSize) {
    if (newSize < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (newSize > maxSize) {
      throw SyscallError.of(Errno.EFBIG);
    }
    if (newSize == 0) {
      host = null;
      image = null;
    }
    copyUp();
    long firstGone = (newSize + PAGE - 1) / PAGE;
    Map<Long, Long> gone = frames.tailMap(firstGone, true);
    for (long frame : gone.values()) {
      pages.free(frame);
    }
    gone.clear();
    if (newSize % PAGE != 0) {
      Long last = frames.get(newSize / PAGE);
      if (last != null) {
        memory.fill(last + newSize % PAGE, (int) (PAGE - newSize % PAGE), (byte) 0);
      }
    }
    size = newSize;
  }

  /** The file is gone and closed: its frames go back. */
  void free() {
    for (long frame : frames.values()) {
      pages.free(frame);
    }
    frames.clear();
    host = null;
    image = null;
    size = 0;
  }

  /** Moves the read-only source's bytes into frames; ENOSPC (and no change) if they do not fit. */
  private void copyUp() {
    if (host == null && image == null) {
      return;
    }
    byte[] chunk = new byte[PAGE];
    try {
      for (long p = 0; p < size; p += PAGE) {
        int n = read(p, chunk, 0, PAGE);
        long frame = frame(p / PAGE);
        if (frame < 0) {
          throw SyscallError.of(Errno.ENOSPC);
        }
        memory.putBytes(frame, chunk, 0, n);
      }
    } catch (SyscallError e) {
      for (long frame : frames.values()) {
        pages.free(frame);
      }
      frames.clear();
      throw e;
    }
    host = null;
    image = null;
  }

  /** The frame behind page {@code index}, allocating a zeroed one; -1 when memory is out. */
  private long frame(long index) {
    Long f = frames.get(index);
    if (f != null) {
      return f;
    }
    long pa = pages.alloc();
    if (pa >= 0) {
      memory.fill(pa, PAGE, (byte) 0);
      frames.put(index, pa);
    }
    return pa;
  }
}
