package hartlab.kernel;

import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.Pte;

/**
 * The page-fault handler (Linux's handle_mm_fault for anonymous memory): demand-zero paging of
 * private areas and lookup of shared ones. Decides only; killing the task is the caller's job.
 */
final class PageFaults {
  enum Result {
    /** A page is mapped now; retry the access. */
    FIXED,
    /** No area covers the address (SEGV_MAPERR). */
    NO_AREA,
    /** An area covers it but forbids this access (SEGV_ACCERR). */
    FORBIDDEN,
    /** Guest RAM is exhausted. */
    OUT_OF_MEMORY
  }

  private final PageTable pageTable;
  private final FrameAllocator frames;

  PageFaults(PageTable pageTable, FrameAllocator frames) {
    this.pageTable = pageTable;
    this.frames = frames;
  }

  /** Resolves a fault of a user-mode {@code access} at {@code va}. Takes the mm's lock. */
  Result handle(Mm mm, long va, int access) {
    synchronized (mm.lock) {
      Vma vma = mm.vmas.find(va);
      if (vma == null) {
        return Result.NO_AREA;
      }
      if (!vma.allows(access)) {
        return Result.FORBIDDEN;
      }
      long page = va & ~0xFFFL;
      long slot = pageTable.leafSlot(mm.root, page, true);
      if (slot < 0) {
        return Result.OUT_OF_MEMORY;
      }
      long old = pageTable.get(slot);
      long flags = pteFlags(vma.prot) | (access == Mmu.STORE ? Pte.D : 0);
      if (Pte.isValid(old)) {
        // Another hart mapped it first, or the PTE lags the area's permissions: bring it up to date.
        pageTable.compareAndSet(slot, old, (old & ~PERMISSIONS) | (flags & PERMISSIONS));
        return Result.FIXED;
      }
      long frame = vma.shared != null
          ? vma.shared.frameFor(vma.sharedPageOffset + ((page - vma.start) >>> 12))
          : frames.alloc();
      if (frame < 0) {
        return Result.OUT_OF_MEMORY;
      }
      pageTable.set(slot, Pte.make(frame, flags));
      mm.residentPages++;
      return Result.FIXED;
    }
  }

  private static final long PERMISSIONS = Pte.R | Pte.W | Pte.X | Pte.U;

  /**
   * Leaf PTE flags for an area's protection. Sv39 has no write-only pages, so write implies read.
   * PROT_NONE keeps the frame mapped but without U, so user accesses fault and the frame survives
   * a later mprotect back to readable.
   */
  static long pteFlags(int prot) {
    long f = Pte.V | Pte.A;
    if ((prot & (Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC)) == 0) {
      return f | Pte.R;
    }
    f |= Pte.U;
    if ((prot & (Vma.PROT_READ | Vma.PROT_WRITE)) != 0) {
      f |= Pte.R;
    }
    if ((prot & Vma.PROT_WRITE) != 0) {
      f |= Pte.W;
    }
    if ((prot & Vma.PROT_EXEC) != 0) {
      f |= Pte.X;
    }
    return f;
  }

  static long permissionBits(int prot) {
    return pteFlags(prot) & PERMISSIONS;
  }
}
