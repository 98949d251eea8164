package hartlab.kernel.fs;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/**
 * The machine's open file descriptions (Linux's fs/file_table.c): how many exist, against file-max,
 * and each one's charge to kernel memory. Linux sizes file-max at a tenth of RAM in KiB and never
 * below NR_FILE; a description beyond it is ENFILE, one kernel memory cannot hold ENOMEM.
 *
 * <p>Thread-safe through its monitor, a short lock.
 */
public final class OpenFiles {
  /** NR_FILE: file-max is never lower. */
  static final int NR_FILE = 8192;

  private final KernelMemory kmem;
  private final long maxFiles;
  private long count; // guarded by this

  /** The open files of a machine with {@code memoryBytes} of RAM, charged to {@code kmem}. */
  public OpenFiles(KernelMemory kmem, long memoryBytes) {
    this.kmem = kmem;
    this.maxFiles = Math.max(NR_FILE, memoryBytes / 1024 / 10);
  }

  /** Open files of a subsystem built alone: counted, never refused by memory. */
  public static OpenFiles unaccounted() {
    return new OpenFiles(KernelMemory.unaccounted(), Long.MAX_VALUE / 2);
  }

  public KernelMemory kmem() {
    return kmem;
  }

  /** file-max. */
  public long max() {
    return maxFiles;
  }

  /** alloc_empty_file: ENFILE at file-max, ENOMEM when kernel memory cannot hold one more. */
  synchronized void allocate() {
    if (count >= maxFiles) {
      throw SyscallError.of(Errno.ENFILE);
    }
    kmem.charge(KernelMemory.Kind.FILE, Errno.ENOMEM);
    count++;
  }

  /** The last reference to a description went away. */
  synchronized void free() {
    count--;
    kmem.uncharge(KernelMemory.Kind.FILE);
  }

  /** Open file descriptions now. */
  public synchronized long count() {
    return count;
  }
}
