package hartlab.kernel;

/**
 * An address space: the page table, its ASID, and the VMAs (Linux's {@code struct mm_struct}).
 *
 * <p>Locking: {@link #lock} guards the VMA tree, brk and the page table contents (it plays both
 * mmap_lock and page_table_lock here); walkers on harts read the page table without it.
 */
public final class Mm {
  /** Sv39 user space ends at 2^38 (TASK_SIZE on riscv64 with Sv39). */
  public static final long TASK_SIZE = 1L << 38;
  /** Lowest address mmap may hand out or MAP_FIXED may use (vm.mmap_min_addr). */
  public static final long MMAP_MIN_ADDR = 0x10000;
  public static final long STACK_TOP = TASK_SIZE - 0x1000;
  public static final long STACK_SIZE = 8L << 20;
  /** Top of the mmap area: below the stack and a gap, as Linux's mmap_base without randomization. */
  public static final long MMAP_BASE = STACK_TOP - STACK_SIZE - (128L << 20);
  /** Load address of a position-independent executable (ELF_ET_DYN_BASE: 2/3 of TASK_SIZE). */
  public static final long ET_DYN_BASE = (TASK_SIZE / 3 * 2) & ~0xFFFL;

  final Object lock = new Object();
  final long root;
  final int asid;
  final VmaTree vmas = new VmaTree(); // guarded by lock
  long startBrk; // guarded by lock
  long brk; // guarded by lock
  long residentPages; // guarded by lock

  Mm(long root, int asid) {
    this.root = root;
    this.asid = asid;
  }

  public int asid() {
    return asid;
  }

  public long root() {
    return root;
  }

  @Override
  public String toString() {
    return String.format("mm(asid=%d root=0x%x)", asid, root);
  }
}
