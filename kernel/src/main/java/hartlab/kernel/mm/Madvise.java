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
 * so private anonymous memory reads back as zero and shared memory as its object holds it; the
 * hints that change nothing here are accepted. Callers hold the mmap lock for writing.
 */
public final class Madvise {
  static final int MADV_NORMAL = 0,
      MADV_RANDOM = 1,
      MADV_SEQUENTIAL = 2,
      MADV_WILLNEED = 3,
      MADV_DONTNEED = 4,
      MADV_FREE = 8;

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
    if (!drop
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
    if (drop) {
      List<Long> freed = new ArrayList<>();
      for (Vma v : mm.vmas.overlapping(addr, end)) {
        mmap.clearPtes(hart, mm, v, Math.max(addr, v.start), Math.min(end, v.end), freed);
      }
      List<Long> tables = pageTable.unhookEmptyTables(mm.root, addr, end);
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
}
