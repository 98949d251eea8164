package hartlab.kernel.mm;

import hartlab.mmu.PageTable;
import java.util.concurrent.atomic.AtomicInteger;

/** Creates address spaces (mm_alloc): a fresh page-table root and a machine-unique id. */
public final class Mms {
  private final PageTable pageTable;
  private final AtomicInteger nextId = new AtomicInteger(1);

  public Mms(PageTable pageTable) {
    this.pageTable = pageTable;
  }

  /** A new empty mm, or null when guest memory has no frame left for its root. */
  Mm create() {
    long root = pageTable.createRoot();
    return root < 0 ? null : new Mm(nextId.getAndIncrement(), root);
  }
}
