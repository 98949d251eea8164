package hartlab.kernel.mm;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.mmu.PageTable;
import java.util.List;

/**
 * What tests of the packages above {@code mm} need of its package-private side: making an empty mm
 * (mm_alloc) and reading reference counts and areas. Lives in the test tree, so the main code's
 * surface stays as narrow as the kernel needs.
 */
public final class MmFixtures {
  private MmFixtures() {}

  /** A new empty mm with its own page-table root, as {@code mm_alloc} makes it. */
  public static Mm newMm(PageTable pageTable, KernelMemory kmem, VmaLocks locks) {
    Mm mm = new Mms(pageTable, kmem, locks).create();
    if (mm == null) {
      throw new IllegalStateException("MmFixtures.newMm: no frame left for a root");
    }
    return mm;
  }

  /** An mm with {@code id} over a root nobody walks: enough for the ASID allocator. */
  public static Mm detachedMm(int id) {
    return new Mm(id, 0, KernelMemory.unaccounted());
  }

  /** References held on frame {@code pa} (page tables mapping it privately). */
  public static int refCount(FrameRefs refs, long pa) {
    return refs.count(pa);
  }

  /** The areas of {@code mm}, in address order. */
  public static List<Vma> areas(Mm mm) {
    return mm.vmas.all();
  }

  /** Sets the program break as exec would after loading an image. */
  public static void setBrk(Mm mm, long brk) {
    mm.startBrk = brk;
    mm.brk = brk;
  }

  public static long brk(Mm mm) {
    return mm.brk;
  }

  /** Whether the mm's mmap lock is held for writing now. */
  public static boolean writeLocked(Mm mm) {
    return mm.mmapLock.isWriteLocked();
  }
}
