package hartlab.mmu;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's editor of Sv39 page tables in guest RAM. Maps only 4 KiB leaves.
 *
 * <p>Several page faults of one mm may edit its table at once (they share the mmap lock for
 * reading), and walkers on other harts read it concurrently: tables are created and leaves
 * installed with compare-and-set, and every entry is published with release semantics after the
 * frame it points at is initialized.
 */
public final class PageTable {
  /** Visits a valid leaf: its virtual page, the physical address of its PTE slot, and the PTE. */
  @FunctionalInterface
  public interface LeafVisitor {
    void leaf(long va, long slotPa, long pte);
  }

  private final PhysicalMemory memory;
  private final FrameAllocator frames;

  public PageTable(PhysicalMemory memory, FrameAllocator frames) {
    this.memory = memory;
    this.frames = frames;
  }

  /** A new empty root table, or -1 when memory is exhausted. */
  public long createRoot() {
    return frames.alloc();
  }

  /**
   * Physical address of the level-0 PTE slot for {@code va}, creating missing intermediate tables
   * when {@code create}. Returns -1 if a table is missing (and not created) or memory ran out.
   */
  public long leafSlot(long root, long va, boolean create) {
    long table = root;
    for (int level = Pte.LEVELS - 1; level > 0; level--) {
      long slot = table + (long) Pte.vpn(va, level) * Pte.PTE_SIZE;
      long pte = memory.getLongAcquire(slot);
      if (!Pte.isValid(pte)) {
        if (!create) {
          return -1;
        }
        long next = frames.alloc();
        if (next < 0) {
          return -1;
        }
        // Two faults on one mm may race to create the same table: the loser frees its frame.
        long fresh = Pte.make(next, Pte.V);
        if (memory.compareAndSetLong(slot, pte, fresh)) {
          pte = fresh;
        } else {
          frames.free(next);
          pte = memory.getLongAcquire(slot);
        }
      } else if (Pte.isLeaf(pte)) {
        throw new IllegalStateException(
            String.format("PageTable.leafSlot: superpage at level %d for va 0x%x", level, va));
      }
      table = Pte.pa(pte);
    }
    return table + (long) Pte.vpn(va, 0) * Pte.PTE_SIZE;
  }

  public long get(long slotPa) {
    return memory.getLongAcquire(slotPa);
  }

  public void set(long slotPa, long pte) {
    memory.putLongRelease(slotPa, pte);
  }

  public boolean compareAndSet(long slotPa, long expected, long pte) {
    return memory.compareAndSetLong(slotPa, expected, pte);
  }

  /** The leaf PTE for {@code va}, or 0 when none is mapped. */
  public long lookup(long root, long va) {
    long slot = leafSlot(root, va, false);
    return slot < 0 ? 0 : get(slot);
  }

  /**
   * Unhooks the page-table pages below the root that map nothing any more in the regions touching
   * {@code [start, end)} (Linux's free_pgtables), clearing the entries that point at them, and
   * returns them. Only tables whose whole span lies inside {@code [floor, ceiling)} go (floor and
   * ceiling: where the neighbouring mappings end and begin): a table that also maps a neighbour may
   * be walked by a fault in that neighbour, which holds no mmap lock with per-VMA locking. They
   * must not be freed until every hart's TLB and page-walk cache have let go of them. Caller holds
   * the mm's mmap lock for writing and write-locked every area inside the span.
   */
  public List<Long> unhookEmptyTables(long root, long start, long end, long floor, long ceiling) {
    List<Long> unhooked = new ArrayList<>();
    for (long gig = start >>> 30; gig <= (end - 1) >>> 30 && gig < 512; gig++) {
      long rootSlot = root + gig * Pte.PTE_SIZE;
      long l1 = memory.getLongAcquire(rootSlot);
      if (!Pte.isValid(l1) || Pte.isLeaf(l1)) {
        continue;
      }
      long mid = Pte.pa(l1);
      long from = gig == start >>> 30 ? (start >>> 21) & 0x1FF : 0;
      long to = gig == (end - 1) >>> 30 ? ((end - 1) >>> 21) & 0x1FF : 511;
      for (long i = from; i <= to; i++) {
        long base = (gig << 30) | (i << 21);
        if (!within(base, 1L << 21, floor, ceiling)) {
          continue;
        }
        long midSlot = mid + i * Pte.PTE_SIZE;
        long l0 = memory.getLongAcquire(midSlot);
        if (Pte.isValid(l0) && !Pte.isLeaf(l0) && isEmpty(Pte.pa(l0))) {
          memory.putLongRelease(midSlot, 0);
          unhooked.add(Pte.pa(l0));
        }
      }
      if (within(gig << 30, 1L << 30, floor, ceiling) && isEmpty(mid)) {
        memory.putLongRelease(rootSlot, 0);
        unhooked.add(mid);
      }
    }
    return unhooked;
  }

  private static boolean within(long base, long span, long floor, long ceiling) {
    return base >= floor && base + span <= ceiling;
  }

  private boolean isEmpty(long table) {
    for (int i = 0; i < 512; i++) {
      if (memory.getLongAcquire(table + (long) i * Pte.PTE_SIZE) != 0) {
        return false;
      }
    }
    return true;
  }

  /** Visits every valid leaf with {@code start <= va < end}, in address order. */
  public void forEachLeaf(long root, long start, long end, LeafVisitor visitor) {
    visit(root, Pte.LEVELS - 1, 0, start, end, visitor);
  }

  private void visit(long table, int level, long base, long start, long end, LeafVisitor visitor) {
    long span = 1L << (12 + 9 * level);
    for (int i = 0; i < 512; i++) {
      long va = base + i * span;
      if (va + span <= start || va >= end) {
        continue;
      }
      long slot = table + (long) i * Pte.PTE_SIZE;
      long pte = memory.getLongAcquire(slot);
      if (!Pte.isValid(pte)) {
        continue;
      }
      if (level == 0) {
        visitor.leaf(va, slot, pte);
      } else if (!Pte.isLeaf(pte)) {
        visit(Pte.pa(pte), level - 1, va, start, end, visitor);
      }
    }
  }

  /**
   * Frees every table page below the root after showing each valid leaf to {@code leaves} (which
   * drops the data frames), and clears the root. The root itself stays: a hart may still have it
   * loaded lazily. The caller guarantees no hart translates through the freed tables any more.
   */
  public void freeBelowRoot(long root, LeafVisitor leaves) {
    for (int i = 0; i < 512; i++) {
      long slot = root + (long) i * Pte.PTE_SIZE;
      long pte = memory.getLongAcquire(slot);
      if (Pte.isValid(pte)) {
        memory.putLongRelease(slot, 0);
        freeLevel(Pte.pa(pte), Pte.LEVELS - 2, (long) i << 30, leaves);
      }
    }
  }

  private void freeLevel(long table, int level, long base, LeafVisitor leaves) {
    long span = 1L << (12 + 9 * level);
    for (int i = 0; i < 512; i++) {
      long slot = table + (long) i * Pte.PTE_SIZE;
      long pte = memory.getLongAcquire(slot);
      if (!Pte.isValid(pte)) {
        continue;
      }
      if (level == 0) {
        leaves.leaf(base + i * span, slot, pte);
      } else {
        freeLevel(Pte.pa(pte), level - 1, base + i * span, leaves);
      }
    }
    frames.free(table);
  }
}
