package hartlab.kernel.mm;

import static hartlab.kernel.mm.Mmap.PAGE;
import static hartlab.kernel.mm.Mmap.fitsUserSpace;
import static hartlab.kernel.mm.Mmap.pageUp;

import hartlab.cpu.Hart;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PageTable;
import hartlab.mmu.Pte;
import java.util.ArrayList;
import java.util.List;

/**
 * mremap (Linux's mm/mremap.c): shrink in place, grow in place when the pages above are free, or
 * (with MAYMOVE) move the pages to a new range, taking their frames along; MREMAP_FIXED names the
 * new range. The old range must lie inside one area. Callers hold the mmap lock for writing.
 */
public final class Mremap {
  static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;

  private final Mmap mmap;
  private final PageTable pageTable;
  private final FrameRefs refs;
  private final FrameAllocator frames;
  private final TlbFlusher tlbFlush;
  private final PteObserver installed;

  public Mremap(
      Mmap mmap,
      PageTable pageTable,
      FrameRefs refs,
      FrameAllocator frames,
      TlbFlusher tlbFlush,
      PteObserver installed) {
    this.mmap = mmap;
    this.pageTable = pageTable;
    this.refs = refs;
    this.frames = frames;
    this.tlbFlush = tlbFlush;
    this.installed = installed;
  }

  public long mremap(
      Hart hart, Mm mm, long old, long oldSize, long newSize, int flags, long newAddr) {
    if ((old & (PAGE - 1)) != 0
        || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0
        || ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0)
        || (flags & MREMAP_DONTUNMAP) != 0
        || !fitsUserSpace(oldSize)
        || !fitsUserSpace(newSize)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long oldLen = pageUp(oldSize);
    long newLen = pageUp(newSize);
    if (newLen == 0 || oldLen == 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if ((flags & MREMAP_FIXED) != 0) {
      // Linux's mremap_to judges the new range before it looks at the old one.
      if ((newAddr & (PAGE - 1)) != 0
          || !fitsUserSpace(newAddr + newLen)
          || newAddr + newLen < newAddr
          || (newAddr < old + oldLen && old < newAddr + newLen)) {
        throw SyscallError.of(Errno.EINVAL);
      }
      if (newAddr < Mm.MMAP_MIN_ADDR) {
        throw SyscallError.of(Errno.EPERM); // as mmap's MAP_FIXED there
      }
    }
    Vma v = mm.vmas.find(old);
    if (v == null || old + oldLen > v.end) {
      throw SyscallError.of(Errno.EFAULT);
    }
    if ((flags & MREMAP_FIXED) != 0) {
      mmap.unmapLocked(hart, mm, newAddr, newAddr + newLen);
      if (mmap.waitForDeadEntries(hart, mm, newAddr, newAddr + newLen)) {
        return Waits.BLOCKED;
      }
      tlbFlush.beforeReuse(hart, mm, newAddr, newAddr + newLen);
      return move(hart, mm, old, oldLen, newAddr, newLen);
    }
    if (newLen <= oldLen) {
      if (newLen < oldLen) {
        mmap.unmapLocked(hart, mm, old + newLen, old + oldLen);
      }
      return old;
    }
    if (old + oldLen == v.end
        && old + newLen <= Mm.MMAP_BASE
        && mm.vmas.isFree(v.end, old + newLen)) {
      tlbFlush.beforeReuse(hart, mm, v.end, old + newLen);
      Mmap.replaceVma(hart, mm, v, mm.vmas.copyOf(mm, v, v.start, old + newLen, v.prot));
      return old;
    }
    if ((flags & MREMAP_MAYMOVE) == 0) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    long dst = Mmap.chooseAddress(mm, 0, newLen);
    tlbFlush.beforeReuse(hart, mm, dst, dst + newLen);
    return move(hart, mm, old, oldLen, dst, newLen);
  }

  /**
   * Moves the pages of {@code [old, old+oldLen)} to {@code dst} as a new area of {@code newLen}
   * bytes (the tail beyond the old length is demand-zero), flushes the old translations, and frees
   * the page tables left empty. Every page table the move needs is made first, so running out of
   * memory changes nothing.
   */
  private long move(Hart hart, Mm mm, long old, long oldLen, long dst, long newLen) {
    long moved = Math.min(oldLen, newLen);
    // No lockless fault may fill the source while its PTEs are listed and moved.
    mm.vmas.lockForWrite(hart, mm.vmas.find(old));
    List<long[]> pages = new ArrayList<>();
    pageTable.forEachLeaf(
        mm.root, old, old + moved, (va, slot, pte) -> pages.add(new long[] {va, slot}));
    long[] targets = new long[pages.size()];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = pageTable.leafSlot(mm.root, dst + (pages.get(i)[0] - old), true);
      if (targets[i] < 0) {
        throw SyscallError.of(Errno.ENOMEM);
      }
    }
    Vma piece = Mmap.isolate(hart, mm, old, old + oldLen).get(0);
    Vma moving =
        mm.vmas.allocate(
            mm, dst, dst + newLen, piece.prot, piece.kind, piece.shared, piece.sharedPageOffset);
    moving.dontCopy = piece.dontCopy;
    Mmap.insertVma(hart, mm, moving); // the one step that may fail (ENOMEM): before anything moves
    if (piece.shared != null) {
      piece.shared.retain();
    }
    for (int i = 0; i < targets.length; i++) {
      long slot = pages.get(i)[1];
      long pte = pageTable.get(slot);
      pageTable.set(targets[i], pte);
      pageTable.set(slot, 0);
      hart.addCycles(hart.cost().pteCopy());
      installed.installed(hart, mm, dst + (pages.get(i)[0] - old), Pte.pa(pte));
    }
    Mmap.removeVma(hart, mm, piece);
    List<Long> dropped = new ArrayList<>();
    if (oldLen > newLen) {
      mmap.clearPtes(hart, mm, piece, old + newLen, old + oldLen, dropped); // shrinking too
    }
    List<SharedAnonMemory> shared = new ArrayList<>();
    Mmap.retire(mm, piece, shared);
    Vma below = mm.vmas.findPrev(old);
    Vma above = mm.vmas.findNext(old + oldLen);
    List<Long> tables =
        pageTable.unhookEmptyTables(
            mm.root,
            old,
            old + oldLen,
            below == null ? 0 : below.end,
            above == null ? Mm.TASK_SIZE : above.start);
    tlbFlush.flushTlbMmRange(
        hart,
        mm,
        old,
        old + oldLen,
        "mremap",
        !tables.isEmpty(),
        true,
        () -> {
          dropped.forEach(refs::put);
          tables.forEach(frames::free);
          shared.forEach(SharedAnonMemory::release);
        });
    return dst;
  }
}
