package hartlab.kernel.mm;

import hartlab.cpu.Hart;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PageTable;
import hartlab.mmu.Pte;

/**
 * fork's dup_mmap (Linux's kernel/fork.c): a new mm with copies of every area but those marked
 * VM_DONTCOPY (MADV_DONTFORK), the areas bulk-loaded into its tree (nodes preallocated for exactly
 * that many, filled in one pass), and every private page shared copy-on-write: write-protected in
 * both. Before returning it flushes the parent's now stale writable translations on every hart.
 */
public final class DupMmap {
  private final Mms mms;
  private final Mmap mmap;
  private final PageTable pageTable;
  private final FrameRefs refs;
  private final FrameAllocator frames;
  private final TlbFlusher tlbFlush;

  public DupMmap(
      Mms mms,
      Mmap mmap,
      PageTable pageTable,
      FrameRefs refs,
      FrameAllocator frames,
      TlbFlusher tlbFlush) {
    this.mms = mms;
    this.mmap = mmap;
    this.pageTable = pageTable;
    this.refs = refs;
    this.frames = frames;
    this.tlbFlush = tlbFlush;
  }

  /**
   * The child's mm. Caller holds the parent's mmap lock for writing. ENOMEM leaves the parent as it
   * was, minus write permission the next fault restores.
   */
  public Mm dupMmap(Hart hart, Mm parent) {
    Mm child = mms.create();
    if (child == null) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    long root = child.root;
    child.startBrk = parent.startBrk;
    child.brk = parent.brk;
    // As Linux's dup_mmap: no lockless fault may change the parent's page tables under the copy.
    for (Vma v : parent.vmas.all()) {
      parent.vmas.lockForWrite(hart, v);
    }
    try {
      child.vmas.loadCopyOf(
          parent.vmas,
          v -> {
            if (v.dontCopy || v.dead != null) {
              return null;
            }
            if (v.shared != null) {
              v.shared.retain();
            }
            return child.vmas.copyOf(child, v, v.start, v.end, v.prot);
          });
    } catch (SyscallError e) {
      frames.free(root); // kernel memory could not hold the copies: nothing was shared yet
      throw e;
    }
    boolean[] outOfMemory = {false};
    int pteCopy = hart.cost().pteCopy();
    for (Vma v : child.vmas.all()) {
      hart.addCycles(hart.cost().vmaUpdate()); // the bulk load's share for this area
      pageTable.forEachLeaf(
          parent.root,
          v.start,
          v.end,
          (va, slot, pte) -> {
            long slotInChild = outOfMemory[0] ? -1 : pageTable.leafSlot(root, va, true);
            if (slotInChild < 0) {
              outOfMemory[0] = true;
              return;
            }
            long shared = pte;
            if (v.shared == null) {
              long old;
              do {
                old = pageTable.get(slot);
                shared = old & ~Pte.W;
              } while (old != shared && !pageTable.compareAndSet(slot, old, shared));
              refs.get(Pte.pa(shared));
            }
            pageTable.set(slotInChild, shared);
            hart.addCycles(pteCopy);
          });
    }
    tlbFlush.flushTlbMmRange(hart, parent, 0, Mm.TASK_SIZE, "fork write-protect");
    if (outOfMemory[0]) {
      // Drops the shared frames and every table below the root.
      mmap.exitMmap(hart, child);
      frames.free(root);
      throw SyscallError.of(Errno.ENOMEM);
    }
    return child;
  }
}
