package hartlab.mmu;

import java.util.Arrays;

/**
 * One hart's address translation: its {@code satp}, its {@link Tlb}, its walker, and a small
 * direct-mapped cache of recent pages per access kind in front of the TLB (compiled code alternates
 * between stack and heap pages, which a one-entry cache would miss every time).
 *
 * <p>Hart-local: every method runs on the owning hart's thread (the kernel running on that hart
 * included, e.g. for {@code copy_from_user}). The caches hold only what the TLB holds, so every
 * flush and every {@code satp} write clears them; that is why the TLB's flush methods are reached
 * only through here. Their hits count as TLB hits.
 *
 * <p>{@code satp} mode Bare (0) maps user addresses one-to-one onto RAM; the kernel never runs
 * guest tasks that way, but it keeps CPU tests free of page tables.
 */
public final class Mmu {
  public static final int FETCH = 0, LOAD = 1, STORE = 2;

  /** Results of {@link #translate}; a non-negative result is a physical address. */
  public static final long PAGE_FAULT = PageTableWalker.PAGE_FAULT;

  public static final long ACCESS_FAULT = PageTableWalker.ACCESS_FAULT;
  public static final long SATP_MODE_SV39 = 8L << 60;
  private static final long NO_PAGE = -1L;
  private static final long OFFSET = PhysicalMemory.PAGE_MASK;

  /** Entries per access kind in front of the TLB; a power of two. */
  private static final int CACHED_PAGES = 16;

  private static final int CACHE_MASK = CACHED_PAGES - 1;

  private final PhysicalMemory memory;
  private final Tlb tlb;
  private final PageTableWalker walker;
  private final int cyclesPerWalkLevel;

  private long satp;
  private boolean bare = true;
  private int asid;
  private long rootPa;

  // Per access kind: the virtual page number each slot caches, and its physical page base.
  private final long[] fetchVpn = new long[CACHED_PAGES];
  private final long[] fetchBase = new long[CACHED_PAGES];
  private final long[] loadVpn = new long[CACHED_PAGES];
  private final long[] loadBase = new long[CACHED_PAGES];
  private final long[] storeVpn = new long[CACHED_PAGES];
  private final long[] storeBase = new long[CACHED_PAGES];

  // Page-walk cache: leaf-table addresses of recently walked 2 MiB regions, tagged by ASID like
  // the TLB (so it survives satp writes), and dropped by the flushes of its ASID.
  private static final int WALK_CACHE = 8;
  private final long[] walkRegion = new long[WALK_CACHE];
  private final int[] walkAsid = new int[WALK_CACHE];
  private final long[] walkLeafTable = new long[WALK_CACHE];

  /** Each cached leaf table's generation when cached (for the table-read check only). */
  private final int[] walkLeafGeneration = new int[WALK_CACHE];

  private TableReadCheck tableCheck;

  /** The last address translated through a walk, where speculative walks look nearby. */
  private long lastWalkVa;

  private long cachedHits;
  private long walks;

  /** Every cycle walks have cost since the MMU was made (stallCycles is drained by the hart). */
  private long walkCycles;

  private long stallCycles;

  public Mmu(PhysicalMemory memory, Tlb tlb, int cyclesPerWalkLevel) {
    this.memory = memory;
    this.tlb = tlb;
    this.walker = new PageTableWalker(memory);
    this.cyclesPerWalkLevel = cyclesPerWalkLevel;
    forgetWalks(0, true);
  }

  public static long makeSatp(long rootPa, int asid) {
    return SATP_MODE_SV39 | ((long) (asid & 0xFFFF) << 44) | (rootPa >>> PhysicalMemory.PAGE_SHIFT);
  }

  /** Writes satp. Does not flush the TLB: entries are tagged by ASID, as on hardware. */
  public void setSatp(long value) {
    long mode = value >>> 60;
    if (mode != 0 && mode != 8) {
      throw new IllegalArgumentException(String.format("Mmu.setSatp: unsupported mode %d", mode));
    }
    satp = value;
    bare = mode == 0;
    asid = (int) ((value >>> 44) & 0xFFFF);
    rootPa = (value & ((1L << 44) - 1)) << PhysicalMemory.PAGE_SHIFT;
    forgetCachedPages();
  }

  public long satp() {
    return satp;
  }

  public int asid() {
    return asid;
  }

  public PhysicalMemory memory() {
    return memory;
  }

  public long translateFetch(long va) {
    long vpn = va >>> PhysicalMemory.PAGE_SHIFT;
    int i = (int) vpn & CACHE_MASK;
    if (fetchVpn[i] == vpn) {
      cachedHits++;
      return fetchBase[i] | (va & OFFSET);
    }
    return translate(va, FETCH);
  }

  public long translateLoad(long va) {
    long vpn = va >>> PhysicalMemory.PAGE_SHIFT;
    int i = (int) vpn & CACHE_MASK;
    if (loadVpn[i] == vpn) {
      cachedHits++;
      return loadBase[i] | (va & OFFSET);
    }
    return translate(va, LOAD);
  }

  public long translateStore(long va) {
    long vpn = va >>> PhysicalMemory.PAGE_SHIFT;
    int i = (int) vpn & CACHE_MASK;
    if (storeVpn[i] == vpn) {
      cachedHits++;
      return storeBase[i] | (va & OFFSET);
    }
    return translate(va, STORE);
  }

  /**
   * Translates a user-mode access through the TLB, walking the page table on a miss.
   *
   * @return the physical address, or {@link #PAGE_FAULT} / {@link #ACCESS_FAULT}
   */
  public long translate(long va, int access) {
    long vpn = va >>> PhysicalMemory.PAGE_SHIFT;
    long base;
    if (bare) {
      base = va & ~OFFSET;
      if (!memory.contains(base, PhysicalMemory.PAGE_SIZE)) {
        return ACCESS_FAULT;
      }
    } else {
      if (!Pte.isCanonical(va)) {
        return PAGE_FAULT;
      }
      base = tlb.lookup(vpn, asid, access);
      if (base < 0) {
        long region = va >>> 21;
        int w = (int) region & (WALK_CACHE - 1);
        long pa =
            walker.walk(rootPa, cachedLeafTable(w, region), walkLeafGeneration[w], va, access);
        walks++;
        lastWalkVa = va;
        long cost = (long) walker.levelsRead * cyclesPerWalkLevel;
        stallCycles += cost;
        walkCycles += cost;
        if (pa < 0) {
          return pa;
        }
        if (walker.leafTable >= 0) {
          walkRegion[w] = region;
          walkAsid[w] = asid;
          walkLeafTable[w] = walker.leafTable;
          if (tableCheck != null) {
            walkLeafGeneration[w] = tableCheck.generation(walker.leafTable);
          }
        }
        base = pa & ~OFFSET;
        tlb.insert(vpn, asid, base, walker.leafPte);
        // The walk may have found a new translation (another hart broke copy-on-write): the TLB
        // holds one entry per page, so every access kind's cached copy of the old one goes too.
        forgetPage(vpn);
      }
    }
    remember(access, vpn, base);
    return base | (va & OFFSET);
  }

  private void remember(int access, long vpn, long base) {
    int i = (int) vpn & CACHE_MASK;
    switch (access) {
      case FETCH:
        fetchVpn[i] = vpn;
        fetchBase[i] = base;
        break;
      case LOAD:
        loadVpn[i] = vpn;
        loadBase[i] = base;
        break;
      default:
        storeVpn[i] = vpn;
        storeBase[i] = base;
        break;
    }
  }

  private void forgetPage(long vpn) {
    int i = (int) vpn & CACHE_MASK;
    if (fetchVpn[i] == vpn) {
      fetchVpn[i] = NO_PAGE;
    }
    if (loadVpn[i] == vpn) {
      loadVpn[i] = NO_PAGE;
    }
    if (storeVpn[i] == vpn) {
      storeVpn[i] = NO_PAGE;
    }
  }

  private void forgetCachedPages() {
    Arrays.fill(fetchVpn, NO_PAGE);
    Arrays.fill(loadVpn, NO_PAGE);
    Arrays.fill(storeVpn, NO_PAGE);
  }

  private long cachedLeafTable(int slot, long region) {
    return walkRegion[slot] == region && walkAsid[slot] == asid ? walkLeafTable[slot] : -1;
  }

  /**
   * Whether the page-walk cache still points at page-table page {@code tablePa} under the ASID now
   * loaded: the hardware may walk through that entry at any time, speculatively too. Entries of
   * other ASIDs lie dormant until that ASID is loaded again, which an ASID's reuse never allows
   * without a flush first. Racy when asked from another hart's thread, as a view of another core's
   * caches is.
   */
  public boolean walkCachePointsTo(long tablePa) {
    if (bare) {
      return false;
    }
    for (int i = 0; i < WALK_CACHE; i++) {
      if (walkRegion[i] != NO_PAGE && walkAsid[i] == asid && walkLeafTable[i] == tablePa) {
        return true;
      }
    }
    return false;
  }

  /**
   * The leaf table the page-walk cache holds for {@code va} under {@code asid}, or -1. Racy when
   * asked from another hart's thread.
   */
  public long walkCacheLeafTable(int asid, long va) {
    long region = va >>> 21;
    int i = (int) region & (WALK_CACHE - 1);
    return walkRegion[i] == region && walkAsid[i] == asid ? walkLeafTable[i] : -1;
  }

  /** sfence.vma drops the page-walk cache's (non-leaf) entries of the ASIDs it flushes. */
  private void forgetWalks(int flushedAsid, boolean all) {
    forgetCachedPages();
    for (int i = 0; i < WALK_CACHE; i++) {
      if (all || walkAsid[i] == flushedAsid) {
        walkRegion[i] = NO_PAGE;
      }
    }
  }

  /** Reports every page-table page a walk of this hart reads (the freed-page-table checker). */
  public void setTableReadCheck(TableReadCheck check) {
    walker.setCheck(check);
    tableCheck = check;
  }

  /**
   * A speculative walk, as hardware may make at any time: through the loaded page table (and the
   * page-walk cache) at {@code pagesAway} pages from the last address walked. Changes nothing; its
   * only effect is what the table-read check sees.
   */
  public void speculativeWalk(int pagesAway) {
    if (bare) {
      return;
    }
    long va = lastWalkVa + ((long) pagesAway << PhysicalMemory.PAGE_SHIFT);
    long region = va >>> 21;
    int w = (int) region & (WALK_CACHE - 1);
    walker.speculate(rootPa, cachedLeafTable(w, region), walkLeafGeneration[w], va);
  }

  public void flushAll() {
    forgetWalks(0, true);
    tlb.flushAll();
  }

  public void flushAsid(int asid) {
    forgetWalks(asid, false);
    tlb.flushAsid(asid);
  }

  public void flushPage(int asid, long va) {
    forgetWalks(asid, false);
    tlb.flushPage(asid, va);
  }

  public void flushRange(int asid, long start, long end) {
    forgetWalks(asid, false);
    tlb.flushRange(asid, start, end);
  }

  /** Cycles spent walking page tables since the last call; the hart adds them to its clock. */
  public long takeStallCycles() {
    long c = stallCycles;
    stallCycles = 0;
    return c;
  }

  public long walks() {
    return walks;
  }

  /** Cycles the walker has cost on TLB misses so far: levels read times the price of one. */
  public long walkCycles() {
    return walkCycles;
  }

  public Tlb tlb() {
    return tlb;
  }

  public TlbStats tlbStats() {
    return tlb.stats(cachedHits);
  }
}
