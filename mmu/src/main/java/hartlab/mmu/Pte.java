package hartlab.mmu;

/**
 * Sv39 page-table entry fields (RISC-V privileged spec, section "Sv39").
 *
 * <pre>
 *  63    54 53        28 27        19 18        10 9   8 7 6 5 4 3 2 1 0
 * | rsvd   | PPN[2]     | PPN[1]     | PPN[0]     | RSW | D A G U X W R V |
 * </pre>
 */
public final class Pte {
  public static final long V = 1,
      R = 1 << 1,
      W = 1 << 2,
      X = 1 << 3,
      U = 1 << 4,
      G = 1 << 5,
      A = 1 << 6,
      D = 1 << 7;

  /** Bits 63..54 must be zero without Svpbmt/Svnapot. */
  public static final long RESERVED = 0x3FFL << 54;

  public static final int LEVELS = 3;
  public static final int PTE_SIZE = 8;
  private static final long PPN_MASK = (1L << 44) - 1;

  private Pte() {}

  public static long ppn(long pte) {
    return (pte >>> 10) & PPN_MASK;
  }

  /** Physical address the entry points at (next table, or the page of a leaf). */
  public static long pa(long pte) {
    return ppn(pte) << PhysicalMemory.PAGE_SHIFT;
  }

  public static long make(long pa, long flags) {
    return ((pa >>> PhysicalMemory.PAGE_SHIFT) << 10) | flags;
  }

  public static boolean isValid(long pte) {
    return (pte & V) != 0;
  }

  public static boolean isLeaf(long pte) {
    return (pte & (R | X)) != 0;
  }

  /** VPN[level] of a virtual address: 9 bits each, level 0 lowest. */
  public static int vpn(long va, int level) {
    return (int) (va >>> (12 + 9 * level)) & 0x1FF;
  }

  /** Sv39 addresses are 39 bits sign-extended to 64. */
  public static boolean isCanonical(long va) {
    return (va >> 38) == 0 || (va >> 38) == -1;
  }
}
