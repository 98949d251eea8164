package hartlab.loader;

/**
 * The layout of a process's user address space that a loaded image must fit, as riscv64 Linux lays
 * it out under Sv39 without randomization: user space is {@code [0, 2^38)}; the initial stack is
 * the 8 MiB just below the top page; a static-pie (ET_DYN) is moved up by {@link #ET_DYN_BASE}. The
 * kernel builds every new mm this way, so the loader can refuse, with the reason, an image that
 * would collide with it.
 */
public final class UserSpace {
  public static final long PAGE_SIZE = 4096;

  /** Sv39 user space is {@code [0, 2^38)}, the lower half of the 39-bit space (TASK_SIZE). */
  public static final long TASK_SIZE = 1L << 38;

  /** First byte above the initial stack; the top page stays unmapped. */
  public static final long STACK_TOP = TASK_SIZE - PAGE_SIZE;

  /** Size of the initial stack area. */
  public static final long STACK_SIZE = 8L << 20;

  /** Lowest address of the stack area: no loaded segment may reach above it. */
  public static final long STACK_BOTTOM = STACK_TOP - STACK_SIZE;

  /** Load bias of a position-independent executable (ELF_ET_DYN_BASE: 2/3 of TASK_SIZE). */
  public static final long ET_DYN_BASE = (TASK_SIZE / 3 * 2) & -PAGE_SIZE;

  private UserSpace() {}

  static long pageOffset(long x) {
    return x & (PAGE_SIZE - 1);
  }

  static long pageDown(long x) {
    return x & -PAGE_SIZE;
  }

  static long pageUp(long x) {
    return (x + PAGE_SIZE - 1) & -PAGE_SIZE;
  }
}
