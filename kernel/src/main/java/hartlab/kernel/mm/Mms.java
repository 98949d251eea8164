package hartlab.kernel.mm;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.mmu.PageTable;
import java.util.concurrent.atomic.AtomicInteger;

/** Creates address spaces (mm_alloc): a fresh page-table root and a machine-unique id. */
public final class Mms {
  private final PageTable pageTable;
  private final KernelMemory kmem;
  private final VmaLocks locks;
  private final AtomicInteger nextId = new AtomicInteger(1);

  /**
   * Its mms' VMAs come from {@code locks}' pool and are charged to {@code kmem}; the mm_struct
   * itself is part of a task's charge.
   */
  public Mms(PageTable pageTable, KernelMemory kmem, VmaLocks locks) {
    this.pageTable = pageTable;
    this.kmem = kmem;
    this.locks = locks;
  }

  /** A new empty mm, or null when guest memory has no frame left for its root. */
  Mm create() {
    long root = pageTable.createRoot();
    return root < 0 ? null : new Mm(nextId.getAndIncrement(), root, kmem, locks);
  }
}
