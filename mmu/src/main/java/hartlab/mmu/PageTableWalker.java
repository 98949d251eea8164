package hartlab.mmu;

/**
 * The hardware page-table walk, as in the privileged spec's "Virtual Address Translation Process"
 * (Sv39: LEVELS=3, PAGESIZE=4096, PTESIZE=8), for user-mode accesses.
 *
 * <p>Hart-local: each {@link Mmu} owns one, and the walk leaves the leaf it found in fields ({@link
 * #leafPte}, {@link #leafLevel}) instead of allocating a result. A and D are set with a
 * compare-and-set on the PTE, so a concurrent kernel edit of the entry makes us walk again rather
 * than write a stale entry back.
 */
public final class PageTableWalker {
  /** Result codes of {@link #walk}; a non-negative result is a physical address. */
  public static final long PAGE_FAULT = -1, ACCESS_FAULT = -2;

  private final PhysicalMemory memory;
  private TableReadCheck check;

  /** Leaf PTE of the last successful walk (after A/D update) and its level (0 = 4 KiB page). */
  long leafPte;

  int leafLevel;

  /** Page-table levels read by the last walk, for the cost model. */
  int levelsRead;

  /** Physical address of the leaf table (level 0) the last successful 4 KiB walk went through. */
  long leafTable = -1;

  public PageTableWalker(PhysicalMemory memory) {
    this.memory = memory;
  }

  void setCheck(TableReadCheck check) {
    this.check = check;
  }

  /**
   * Translates {@code va} for a user-mode {@code access} ({@link Mmu#FETCH}, {@link Mmu#LOAD},
   * {@link Mmu#STORE}) through the table rooted at {@code rootPa}.
   *
   * @return the physical address, or {@link #PAGE_FAULT} / {@link #ACCESS_FAULT}
   */
  public long walk(long rootPa, long va, int access) {
    return walk(rootPa, -1, va, access);
  }

  /**
   * As {@link #walk(long, long, int)}, starting at level 0 in {@code cachedLeafTable} when it is
   * not -1: a page-walk cache hit for the upper levels, as hardware keeps (and as a flush drops).
   */
  long walk(long rootPa, long cachedLeafTable, long va, int access) {
    return walk(rootPa, cachedLeafTable, TableReadCheck.NOT_CACHED, va, access);
  }

  /** As above, with the cached leaf table's generation for the table-read check. */
  long walk(long rootPa, long cachedLeafTable, int cachedGeneration, long va, int access) {
    levelsRead = 0;
    if (!Pte.isCanonical(va)) {
      return PAGE_FAULT;
    }
    for (; ; ) {
      // 1. a = satp.ppn × PAGESIZE, i = LEVELS − 1 (or the cached leaf table, i = 0).
      long a = cachedLeafTable >= 0 ? cachedLeafTable : rootPa;
      int i = cachedLeafTable >= 0 ? 0 : Pte.LEVELS - 1;
      long pte;
      long ptePa;
      for (; ; ) {
        // 2. pte = the PTE at a + va.vpn[i] × PTESIZE; outside RAM is an access fault.
        ptePa = a + (long) Pte.vpn(va, i) * Pte.PTE_SIZE;
        if (!memory.contains(ptePa, Pte.PTE_SIZE)) {
          return ACCESS_FAULT;
        }
        if (check != null) {
          check.beforeRead(
              a, va, i, false, a == cachedLeafTable ? cachedGeneration : TableReadCheck.NOT_CACHED);
        }
        pte = memory.getLongAcquire(ptePa);
        levelsRead++;
        // 3. Invalid, W without R, or reserved bits set: page fault.
        if ((pte & Pte.V) == 0 || (pte & (Pte.R | Pte.W)) == Pte.W || (pte & Pte.RESERVED) != 0) {
          return PAGE_FAULT;
        }
        // 4. A leaf has R or X; otherwise descend (D, A, U are reserved in non-leaf entries).
        if (Pte.isLeaf(pte)) {
          break;
        }
        if ((pte & (Pte.D | Pte.A | Pte.U)) != 0 || --i < 0) {
          return PAGE_FAULT;
        }
        a = Pte.pa(pte);
      }
      // 5. Permission check for a user-mode access.
      if (!permits(pte, access)) {
        return PAGE_FAULT;
      }
      // 6. A superpage must be aligned: its low PPN fields are zero.
      long pageSpan = 1L << (12 + 9 * i);
      long leafBase = Pte.pa(pte);
      if ((leafBase & (pageSpan - 1)) != 0) {
        return PAGE_FAULT;
      }
      // 7. Set A, and D on a store, atomically; if the entry changed under us, walk again.
      long wanted = pte | Pte.A | (access == Mmu.STORE ? Pte.D : 0);
      if (wanted != pte && !memory.compareAndSetLong(ptePa, pte, wanted)) {
        continue;
      }
      // 8. pa = leaf base + the untranslated low bits of va.
      long pa = leafBase | (va & (pageSpan - 1));
      if (!memory.contains(pa & ~PhysicalMemory.PAGE_MASK, PhysicalMemory.PAGE_SIZE)) {
        return ACCESS_FAULT;
      }
      leafPte = wanted;
      leafLevel = i;
      leafTable = i == 0 ? a : -1;
      return pa;
    }
  }

  /**
   * A walk the hardware makes on its own (prefetch, speculation): reads the tables for {@code va}
   * as far as they lead, changes nothing, and reports the table pages it read to the check.
   */
  void speculate(long rootPa, long cachedLeafTable, int cachedGeneration, long va) {
    if (!Pte.isCanonical(va)) {
      return;
    }
    long a = cachedLeafTable >= 0 ? cachedLeafTable : rootPa;
    for (int i = cachedLeafTable >= 0 ? 0 : Pte.LEVELS - 1; i >= 0; i--) {
      long ptePa = a + (long) Pte.vpn(va, i) * Pte.PTE_SIZE;
      if (!memory.contains(ptePa, Pte.PTE_SIZE)) {
        return;
      }
      if (check != null) {
        check.beforeRead(
            a, va, i, true, a == cachedLeafTable ? cachedGeneration : TableReadCheck.NOT_CACHED);
      }
      long pte = memory.getLongAcquire(ptePa);
      if (!Pte.isValid(pte) || Pte.isLeaf(pte) || (pte & Pte.RESERVED) != 0) {
        return;
      }
      a = Pte.pa(pte);
    }
  }

  /** Whether a leaf PTE lets user mode perform {@code access}. */
  static boolean permits(long pte, int access) {
    if ((pte & Pte.U) == 0) {
      return false;
    }
    switch (access) {
      case Mmu.FETCH:
        return (pte & Pte.X) != 0;
      case Mmu.LOAD:
        return (pte & Pte.R) != 0;
      default:
        return (pte & Pte.W) != 0;
    }
  }

  public int levelsRead() {
    return levelsRead;
  }
}
