package hartlab.mmu;

/**
 * One hart's address translation: its {@code satp}, its {@link Tlb}, its walker, and a one-entry
 * cache per access kind in front of the TLB.
 *
 * <p>Hart-local: every method runs on the owning hart's thread (the kernel running on that hart
 * included, e.g. for {@code copy_from_user}). The one-entry caches hold only what the TLB holds,
 * so every flush and every {@code satp} write clears them; that is why the TLB's flush methods
 * are reached only through here.
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

  private final PhysicalMemory memory;
  private final Tlb tlb;
  private final PageTableWalker walker;
  private final int cyclesPerWalkLevel;

  private long satp;
  private boolean bare = true;
  private int asid;
  private long rootPa;

  private long fetchVpn = NO_PAGE;
  private long fetchBase;
  private long loadVpn = NO_PAGE;
  private long loadBase;
  private long storeVpn = NO_PAGE;
  private long storeBase;

  private long cachedHits;
  private long walks;
  private long stallCycles;

  public Mmu(PhysicalMemory memory, Tlb tlb, int cyclesPerWalkLevel) {
    this.memory = memory;
    this.tlb = tlb;
    this.walker = new PageTableWalker(memory);
    this.cyclesPerWalkLevel = cyclesPerWalkLevel;
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
    if ((va >>> PhysicalMemory.PAGE_SHIFT) == fetchVpn) {
      cachedHits++;
      return fetchBase | (va & OFFSET);
    }
    return translate(va, FETCH);
  }

  public long translateLoad(long va) {
    if ((va >>> PhysicalMemory.PAGE_SHIFT) == loadVpn) {
      cachedHits++;
      return loadBase | (va & OFFSET);
    }
    return translate(va, LOAD);
  }

  public long translateStore(long va) {
    if ((va >>> PhysicalMemory.PAGE_SHIFT) == storeVpn) {
      cachedHits++;
      return storeBase | (va & OFFSET);
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
        long pa = walker.walk(rootPa, va, access);
        walks++;
        stallCycles += (long) walker.levelsRead * cyclesPerWalkLevel;
        if (pa < 0) {
          return pa;
        }
        base = pa & ~OFFSET;
        tlb.insert(vpn, asid, base, walker.leafPte);
      }
    }
    remember(access, vpn, base);
    return base | (va & OFFSET);
  }

  private void remember(int access, long vpn, long base) {
    switch (access) {
      case FETCH:
        fetchVpn = vpn;
        fetchBase = base;
        break;
      case LOAD:
        loadVpn = vpn;
        loadBase = base;
        break;
      default:
        storeVpn = vpn;
        storeBase = base;
        break;
    }
  }

  private void forgetCachedPages() {
    fetchVpn = NO_PAGE;
    loadVpn = NO_PAGE;
    storeVpn = NO_PAGE;
  }

  public void flushAll() {
    forgetCachedPages();
    tlb.flushAll();
  }

  public void flushAsid(int asid) {
    forgetCachedPages();
    tlb.flushAsid(asid);
  }

  public void flushPage(int asid, long va) {
    forgetCachedPages();
    tlb.flushPage(asid, va);
  }

  public void flushRange(int asid, long start, long end) {
    forgetCachedPages();
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

  public Tlb tlb() {
    return tlb;
  }

  public TlbStats tlbStats() {
    return tlb.stats(cachedHits);
  }
}
