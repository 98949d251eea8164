package hartlab.kernel.mm;

import static hartlab.kernel.mm.Mmap.PAGE;
import static hartlab.kernel.mm.Mmap.fitsUserSpace;
import static hartlab.kernel.mm.Mmap.pageUp;

import hartlab.cpu.Hart;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PageTable;
import java.util.ArrayList;
import java.util.List;

/**
 * madvise (Linux's mm/madvise.c): DONTNEED (and FREE, treated alike) drops the pages of the range,
 * so private anonymous memory reads back as zero and shared memory as its object holds it;
 * DONTFORK/DOFORK set and clear VM_DONTCOPY (fork leaves the area out of the child); the hints that
 * change nothing here are accepted. Callers hold the mmap lock for writing.
 */
public final class Madvise {
  static final int MADV_NORMAL = 0,
      MADV_RANDOM = 1,
      MADV_SEQUENTIAL = 2,
      MADV_WILLNEED = 3,
      MADV_DONTNEED = 4,
      MADV_FREE = 8,
      MADV_DONTFORK = 10,
      MADV_DOFORK = 11;

  private final Mmap mmap;
  private final PageTable pageTable;
  private final FrameRefs refs;
  private final FrameAllocator frames;
  private final TlbFlusher tlbFlush;

  public Madvise(
      Mmap mmap, PageTable pageTable, FrameRefs refs, FrameAllocator frames, TlbFlusher tlbFlush) {
    this.mmap = mmap;
    this.pageTable = pageTable;
    this.refs = refs;
    this.frames = frames;
    this.tlbFlush = tlbFlush;
  }

  public long madvise(Hart hart, Mm mm, long addr, long length, int advice) {
    if ((addr & (PAGE - 1)) != 0 || !fitsUserSpace(length)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long end = addr + pageUp(length);
    if (!fitsUserSpace(end) || end < addr) {
      throw SyscallError.of(Errno.EINVAL);
    }
    boolean drop = advice == MADV_DONTNEED || advice == MADV_FREE;
    boolean fork = advice == MADV_DONTFORK || advice == MADV_DOFORK;
    if (!drop
        && !fork
        && advice != MADV_NORMAL
        && advice != MADV_RANDOM
        && advice != MADV_SEQUENTIAL
        && advice != MADV_WILLNEED) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (end == addr) {
      return 0;
    }
    if (!Mmap.fullyMapped(mm, addr, end)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    if (fork) {
      setDontCopy(hart, mm, addr, end, advice == MADV_DONTFORK);
    }
    if (drop) {
      List<Long> freed = new ArrayList<>();
      for (Vma v : mm.vmas.overlapping(addr, end)) {
        mm.vmas.lockForWrite(hart, v);
        mmap.clearPtes(hart, mm, v, Math.max(addr, v.start), Math.min(end, v.end), freed);
      }
      // Tables reaching outside the range may serve faults in the areas around it: they stay.
      List<Long> tables = pageTable.unhookEmptyTables(mm.root, addr, end, addr, end);
      tlbFlush.flushTlbMmRange(
          hart,
          mm,
          addr,
          end,
          "madvise(DONTNEED)",
          !tables.isEmpty(),
          false,
          () -> {
            freed.forEach(refs::put);
            tables.forEach(frames::free);
          });
    }
    return 0;
  }

  /**
   * MADV_DONTFORK / MADV_DOFORK: VM_DONTCOPY on the areas of {@code [addr, end)}, split at its
   * edges; each flagged area is a new area replacing the old one.
   */
  private static void setDontCopy(Hart hart, Mm mm, long addr, long end, boolean dontCopy) {
    for (Vma old : Mmap.isolate(hart, mm, addr, end)) {
      if (old.dontCopy != dontCopy) {
        Vma v = mm.vmas.copyOf(mm, old, old.start, old.end, old.prot);
        v.dontCopy = dontCopy;
        Mmap.replaceVma(hart, mm, old, v);
      }
    }
  }
}
