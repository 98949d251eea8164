package hartlab.kernel.mm;

import static hartlab.kernel.mm.Mmap.PAGE;
import static hartlab.kernel.mm.Mmap.fitsUserSpace;
import static hartlab.kernel.mm.Mmap.pageUp;

import hartlab.cpu.Hart;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.PageTable;
import hartlab.mmu.Pte;

/**
 * mprotect (Linux's mm/mprotect.c): new permissions for whole areas, rewritten into the present
 * PTEs; taking a permission away shoots the old translations down before the call returns. Callers
 * hold the mmap lock for writing.
 */
public final class Mprotect {
  private final PageTable pageTable;
  private final FrameRefs refs;
  private final TlbFlusher tlbFlush;

  public Mprotect(PageTable pageTable, FrameRefs refs, TlbFlusher tlbFlush) {
    this.pageTable = pageTable;
    this.refs = refs;
    this.tlbFlush = tlbFlush;
  }

  public long mprotect(Hart hart, Mm mm, long addr, long length, int prot) {
    if ((addr & (PAGE - 1)) != 0
        || (prot & ~(Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (!fitsUserSpace(length)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    long end = addr + pageUp(length);
    if (end < addr || !fitsUserSpace(end)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    if (end == addr) {
      return 0;
    }
    if (!Mmap.fullyMapped(mm, addr, end)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    boolean downgrade = false;
    int price = hart.cost().pteClear();
    for (Vma was : Mmap.isolate(hart, mm, addr, end)) {
      downgrade |= (was.prot & ~prot) != 0;
      Vma v = mm.vmas.copyOf(mm, was, was.start, was.end, prot);
      Mmap.replaceVma(hart, mm, was, v);
      pageTable.forEachLeaf(
          mm.root,
          v.start,
          v.end,
          (va, slot, pte) -> {
            long old;
            do {
              old = pageTable.get(slot);
            } while (!pageTable.compareAndSet(slot, old, withPermissions(v, old)));
            hart.addCycles(price);
          });
    }
    if (downgrade) {
      tlbFlush.flushTlbMmRange(hart, mm, addr, end, "mprotect");
    }
    return 0;
  }

  /**
   * A present leaf's PTE with its area's current permissions. A private frame still shared
   * copy-on-write stays read-only, so the first store breaks the sharing.
   */
  private long withPermissions(Vma v, long pte) {
    long bits = PageFaults.permissionBits(v.prot);
    if (v.shared == null && refs.count(Pte.pa(pte)) > 1) {
      bits &= ~Pte.W;
    }
    return (pte & ~(Pte.R | Pte.W | Pte.X | Pte.U)) | bits;
  }
}
