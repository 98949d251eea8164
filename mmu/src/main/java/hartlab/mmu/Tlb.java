package hartlab.mmu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A hart's TLB: set-associative, ASID-tagged, with a global bit, holding 4 KiB translations (a
 * superpage leaf is cached as the 4 KiB piece that was touched).
 *
 * <p>Hart-local: only the owning hart's thread reads or changes it; another hart that wants it
 * flushed sends that hart an IPI. Entries live in parallel primitive arrays so that a lookup
 * touches a few longs and a full flush is one {@link Arrays#fill}. Replacement is round-robin per
 * set, which keeps lockstep runs deterministic.
 *
 * <p>A hit whose permissions do not allow the access counts as a miss: the MMU walks again, which
 * sets D on the first store, or raises the fault if the page table agrees.
 */
public final class Tlb {
  private static final long INVALID = -1L;

  /**
   * Entries are published seqlock-style so a checker on another thread never pairs fields of two
   * entries.
   */
  private static final VarHandle VPN = MethodHandles.arrayElementVarHandle(long[].class);

  /** PTE bits kept per entry (R W X U G D all live in the low byte of a PTE). */
  private static final int KEPT = (int) (Pte.R | Pte.W | Pte.X | Pte.U | Pte.G | Pte.D);

  private final int ways;
  private final int setMask;
  private final long[] vpns;
  private final int[] asids;
  private final long[] pageBases;
  private final byte[] flags;

  /** Per set, the way to replace next; an int, since a set can have up to 65536 ways. */
  private final int[] nextVictim;

  // Counters, hart-local.
  long hits;
  long misses;
  private long flushesAll;
  private long flushesAsid;
  private long flushesPage;
  private long flushesRange;
  private long entriesInvalidated;

  /**
   * @param entries total entries, a power of two
   * @param ways associativity, a power of two dividing {@code entries} ({@code ways == entries} is
   *     fully associative)
   */
  public Tlb(int entries, int ways) {
    if (Integer.bitCount(entries) != 1 || Integer.bitCount(ways) != 1 || ways > entries) {
      throw new IllegalArgumentException(
          "TLB entries and ways must be powers of two with ways <= entries, got "
              + entries
              + "/"
              + ways);
    }
    this.ways = ways;
    this.setMask = entries / ways - 1;
    this.vpns = new long[entries];
    this.asids = new int[entries];
    this.pageBases = new long[entries];
    this.flags = new byte[entries];
    this.nextVictim = new int[entries / ways];
    Arrays.fill(vpns, INVALID);
  }

  public int entries() {
    return vpns.length;
  }

  public int ways() {
    return ways;
  }

  /**
   * Looks up the page of {@code vpn} for {@code asid}.
   *
   * @return the physical page base if an entry allows {@code access}, else -1
   */
  public long lookup(long vpn, int asid, int access) {
    int base = (int) (vpn & setMask) * ways;
    for (int i = base; i < base + ways; i++) {
      if (vpns[i] == vpn && (asids[i] == asid || (flags[i] & Pte.G) != 0)) {
        if (allows(flags[i], access)) {
          hits++;
          return pageBases[i];
        }
        break;
      }
    }
    misses++;
    return -1;
  }

  private static boolean allows(int f, int access) {
    switch (access) {
      case Mmu.FETCH:
        return (f & Pte.X) != 0;
      case Mmu.LOAD:
        return (f & Pte.R) != 0;
      default:
        return (f & (Pte.W | Pte.D)) == (Pte.W | Pte.D);
    }
  }

  /** Caches a translation from a successful walk, replacing any entry for the same page. */
  public void insert(long vpn, int asid, long pageBase, long pte) {
    int set = (int) (vpn & setMask);
    int base = set * ways;
    int slot = -1;
    for (int i = base; i < base + ways; i++) {
      if (vpns[i] == vpn && (asids[i] == asid || (flags[i] & Pte.G) != 0)) {
        slot = i;
        break;
      }
    }
    if (slot < 0) {
      slot = base + nextVictim[set];
      nextVictim[set] = (nextVictim[set] + 1) & (ways - 1);
    }
    // Invalidate, write the fields, then publish the vpn: see forEachEntry.
    VPN.setRelease(vpns, slot, INVALID);
    asids[slot] = asid;
    pageBases[slot] = pageBase;
    flags[slot] = (byte) (pte & KEPT);
    VPN.setRelease(vpns, slot, vpn);
  }

  /** sfence.vma x0, x0: every entry, global ones included. */
  void flushAll() {
    flushesAll++;
    for (long v : vpns) {
      if (v != INVALID) {
        entriesInvalidated++;
      }
    }
    Arrays.fill(vpns, INVALID);
  }

  /** sfence.vma x0, asid: every non-global entry of {@code asid}. */
  void flushAsid(int asid) {
    flushesAsid++;
    for (int i = 0; i < vpns.length; i++) {
      if (vpns[i] != INVALID && asids[i] == asid && (flags[i] & Pte.G) == 0) {
        invalidate(i);
      }
    }
  }

  /** sfence.vma va, asid: the non-global entry of {@code asid} for the page of {@code va}. */
  void flushPage(int asid, long va) {
    flushesPage++;
    flushPageEntries(asid, va >>> PhysicalMemory.PAGE_SHIFT);
  }

  /**
   * Flushes non-global entries of {@code asid} in {@code [start, end)}, page by page when the range
   * is small and by scanning the whole TLB when it has more pages than the TLB has entries.
   */
  void flushRange(int asid, long start, long end) {
    flushesRange++;
    long first = start >>> PhysicalMemory.PAGE_SHIFT;
    long last = (end - 1) >>> PhysicalMemory.PAGE_SHIFT;
    if (last - first + 1 <= vpns.length) {
      for (long vpn = first; vpn <= last; vpn++) {
        flushPageEntries(asid, vpn);
      }
      return;
    }
    for (int i = 0; i < vpns.length; i++) {
      if (vpns[i] >= first && vpns[i] <= last && asids[i] == asid && (flags[i] & Pte.G) == 0) {
        invalidate(i);
      }
    }
  }

  private void flushPageEntries(int asid, long vpn) {
    int base = (int) (vpn & setMask) * ways;
    for (int i = base; i < base + ways; i++) {
      if (vpns[i] == vpn && asids[i] == asid && (flags[i] & Pte.G) == 0) {
        invalidate(i);
      }
    }
  }

  private void invalidate(int i) {
    vpns[i] = INVALID;
    entriesInvalidated++;
  }

  /** Whether an entry for the page of {@code va} in {@code asid} (or global) is cached. */
  public boolean holds(int asid, long va) {
    long vpn = va >>> PhysicalMemory.PAGE_SHIFT;
    int base = (int) (vpn & setMask) * ways;
    for (int i = base; i < base + ways; i++) {
      if (vpns[i] == vpn && (asids[i] == asid || (flags[i] & Pte.G) != 0)) {
        return true;
      }
    }
    return false;
  }

  /** Visits a cached translation: its virtual page, physical page base and kept PTE bits. */
  @FunctionalInterface
  public interface EntryVisitor {
    void entry(long vpn, long pageBase, int pteBits);
  }

  /**
   * Shows every entry of {@code asid} (or global) whose page lies in {@code [start, end)} — for
   * checkers, which may call it from another hart's thread and then see a racy but untorn view.
   */
  public void forEachEntry(int asid, long start, long end, EntryVisitor visitor) {
    long first = start >>> PhysicalMemory.PAGE_SHIFT;
    long last = (end - 1) >>> PhysicalMemory.PAGE_SHIFT;
    for (int i = 0; i < vpns.length; i++) {
      long v = (long) VPN.getAcquire(vpns, i);
      if (v == INVALID || v < first || v > last) {
        continue;
      }
      int a = asids[i];
      long base = pageBases[i];
      int f = flags[i] & 0xFF;
      VarHandle.loadLoadFence();
      if ((long) VPN.getAcquire(vpns, i) == v && (a == asid || (f & Pte.G) != 0)) {
        visitor.entry(v, base, f); // the fields read between two equal vpn reads belong together
      }
    }
  }

  public TlbStats stats(long extraHits) {
    return new TlbStats(
        hits + extraHits,
        misses,
        flushesAll,
        flushesAsid,
        flushesPage,
        flushesRange,
        entriesInvalidated);
  }
}
