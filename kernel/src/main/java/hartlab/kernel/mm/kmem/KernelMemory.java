package hartlab.kernel.mm.kmem;

import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PhysicalMemory;

/**
 * The machine's kernel memory: every kernel object a guest can multiply is charged here, against
 * the machine's own RAM, as Linux charges slab objects and pipe pages to memory (kmemcg's {@code
 * __GFP_ACCOUNT}). Charges are kept in bytes and backed by whole frames taken from the {@link
 * FrameAllocator}, the way a slab takes pages: kernel objects and user pages compete for the same
 * frames. A charge that would need a frame when only the reserve is left fails, and the caller
 * fails its system call with the errno Linux gives there.
 *
 * <p>Each {@link Kind} costs a fixed number of bytes, chosen to be at least the host heap the
 * object and everything it keeps reachable take (measured by {@code KernelMemoryChargeTest}), so
 * the host heap all guest-made kernel objects can hold is at most the bytes charged, which is at
 * most the machine's RAM. The figures are fixed, not measured at run time, so a lockstep run
 * charges the same in every run.
 *
 * <p>Thread-safe through its monitor, a short lock (it nests the frame allocator's, and is never
 * held across a wait); any hart may charge and uncharge.
 */
public final class KernelMemory {
  /** The objects a guest can multiply, and what each is charged. */
  public enum Kind {
    /**
     * A thread: its task_struct with saved registers, scheduler entity, run-queue and timer
     * entries, its futex wait entry, and the mm_struct and VMA-tree root it may own; Linux also
     * charges the kernel stack (THREAD_SIZE, 16 KiB on riscv64).
     */
    TASK(16384),
    /**
     * A thread group: signal_struct, its place in the process tree and the pid table, its list of
     * children and its wait queue. Charged until the process is reaped, so zombies cost memory.
     */
    PROCESS(2048),
    /** A vm_area_struct with its place in the mm's VMA tree (and the shared object it may name). */
    VMA(256),
    /** A files_struct with its table of 1024 descriptor slots and close-on-exec flags. */
    FILE_TABLE(8192),
    /** An open file description (struct file): the console or a pipe end. */
    FILE(256),
    /** A pipe's inode: its wait queues and the ring of page slots its data lives in. */
    PIPE(1024),
    /**
     * A file-tree node (inode and dentry): a file, directory or link the guest made, or a host
     * entry listed under --root. A file's data is charged apart, a page per frame it fills.
     */
    INODE(1024),
    /**
     * One queued signal (struct sigqueue), for queued real-time signals to come: pending signals
     * are bit sets today, one of each, which no guest can grow.
     */
    SIGQUEUE(128);

    private final int bytes;

    Kind(int bytes) {
      this.bytes = bytes;
    }

    /** What one object of this kind is charged, in bytes. */
    public int bytes() {
      return bytes;
    }
  }

  private static final int PAGE = PhysicalMemory.PAGE_SIZE;

  /** Null for an unaccounted instance: charges always succeed and no frame is taken. */
  private final FrameAllocator frames;

  /** Frames the kernel leaves to user pages and page tables (Linux's min_free_kbytes). */
  private final int reserveFrames;

  private long used; // guarded by this: bytes charged, pipe pages included
  private long peak; // guarded by this
  private long refusals; // guarded by this
  private long[] slab = new long[16]; // guarded by this: frames backing the object charges
  private int slabFrames; // guarded by this
  private long objectBytes; // guarded by this: the part of used that slab frames back

  private KernelMemory(FrameAllocator frames) {
    this.frames = frames;
    this.reserveFrames = frames == null ? 0 : reserveFor(frames.totalFrames());
  }

  /** Kernel memory of a machine whose RAM {@code frames} hands out. */
  public static KernelMemory of(FrameAllocator frames) {
    return new KernelMemory(frames);
  }

  /**
   * Kernel memory that counts but never fails and takes no frames: for a subsystem built alone (a
   * unit test, a tool), never for a machine.
   */
  public static KernelMemory unaccounted() {
    return new KernelMemory(null);
  }

  /**
   * Linux's min_free_kbytes, int_sqrt(lowmem_kbytes * 16) clamped to [128 KiB, 256 MiB], in frames:
   * 512 frames (2 MiB) of 256 MiB, 1024 of 1 GiB.
   */
  static int reserveFor(int totalFrames) {
    long kib = (long) totalFrames * (PAGE / 1024);
    long minFreeKib = Math.max(128, Math.min(262_144, (long) Math.sqrt(kib * 16.0)));
    return (int) Math.min(totalFrames / 2, minFreeKib / (PAGE / 1024));
  }

  /** The machine's RAM and how much of it is free, in bytes. */
  public record Ram(long totalBytes, long freeBytes) {}

  /** The machine's RAM now (sysinfo); zeros when unaccounted. */
  public Ram ram() {
    return frames == null
        ? new Ram(0, 0)
        : new Ram((long) frames.totalFrames() * PAGE, (long) frames.freeFrames() * PAGE);
  }

  /** Charges one {@code kind}; false when the machine's memory cannot hold it. */
  public boolean tryCharge(Kind kind) {
    return tryCharge(kind, 1);
  }

  /** Charges {@code count} objects of {@code kind}, all or none; false when they do not fit. */
  public synchronized boolean tryCharge(Kind kind, long count) {
    long bytes = kind.bytes * count;
    long needed = objectBytes + bytes;
    while ((long) slabFrames * PAGE < needed) {
      if (!growSlab()) {
        refusals++;
        shrinkSlab();
        return false;
      }
    }
    objectBytes = needed;
    used += bytes;
    peak = Math.max(peak, used);
    return true;
  }

  /** Charges one {@code kind} or fails the system call with {@code errno}. */
  public void charge(Kind kind, int errno) {
    if (!tryCharge(kind, 1)) {
      throw SyscallError.of(errno);
    }
  }

  /** Gives back what {@code count} objects of {@code kind} were charged. */
  public void uncharge(Kind kind, long count) {
    synchronized (this) {
      long bytes = kind.bytes * count;
      if (bytes > objectBytes) {
        throw new IllegalStateException(
            "KernelMemory.uncharge: " + count + " " + kind + " were never charged");
      }
      objectBytes -= bytes;
      used -= bytes;
      shrinkSlab();
    }
  }

  public void uncharge(Kind kind) {
    uncharge(kind, 1);
  }

  /**
   * A zeroed frame for kernel data a guest makes (a page of pipe data), charged a page; -1 when
   * only the reserve is left. Give it back with {@link #freePage}.
   */
  public synchronized long allocPage() {
    if (frames == null) {
      throw new IllegalStateException("KernelMemory.allocPage: unaccounted memory has no frames");
    }
    long pa = takeFrame();
    if (pa < 0) {
      refusals++;
      return -1;
    }
    used += PAGE;
    peak = Math.max(peak, used);
    return pa;
  }

  public synchronized void freePage(long pa) {
    used -= PAGE;
    if (frames != null) {
      frames.free(pa);
    }
  }

  /** Bytes charged now. */
  public synchronized long used() {
    return used;
  }

  /** The most ever charged at once. */
  public synchronized long peak() {
    return peak;
  }

  /** Charges refused because the machine's memory was exhausted. */
  public synchronized long refusals() {
    return refusals;
  }

  /** Frames backing object charges now, a spare included: neither free nor user memory. */
  public synchronized int slabFrames() {
    return slabFrames;
  }

  /** Frames a charge may not take, left for user pages and page tables. */
  public int reserveFrames() {
    return reserveFrames;
  }

  private boolean growSlab() {
    long pa = takeFrame();
    if (pa < 0) {
      return false;
    }
    if (slabFrames == slab.length) {
      slab = java.util.Arrays.copyOf(slab, slab.length * 2);
    }
    slab[slabFrames++] = pa;
    return true;
  }

  /** Keeps at most one frame more than the charged objects fill, as a slab keeps a spare. */
  private void shrinkSlab() {
    while (slabFrames > 0 && (long) (slabFrames - 1) * PAGE >= objectBytes + PAGE) {
      long pa = slab[--slabFrames];
      if (frames != null) {
        frames.free(pa);
      }
    }
  }

  /** A frame above the reserve, or -1; an unaccounted instance only counts (frame 0). */
  private long takeFrame() {
    if (frames == null) {
      return 0;
    }
    if (frames.freeFrames() <= reserveFrames) {
      return -1;
    }
    return frames.alloc();
  }
}
