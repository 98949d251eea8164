package hartlab.kernel.mm;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.smp.CacheLine;
import hartlab.kernel.smp.WaitQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An address space (Linux's mm_struct): the page table, the VMAs, and the counts that decide its
 * lifetime.
 *
 * <p>{@code mm_users} counts tasks using it (and short-lived users such as fork); when it drops to
 * zero the mappings are torn down. {@code mm_count} counts references to the structure itself: one
 * for all users together, plus one per hart holding it lazily in refcount mode; when it drops to
 * zero the page-table root is freed and the mm is dead. {@link #vmas} and the page table below the
 * root are guarded by {@link #mmapLock}. The architecture's part (ASID context, TLB generations,
 * mm_cpumask) is owned by the {@code tlb} package.
 */
public final class Mm {
  /** Sv39 user space ends at 2^38 (TASK_SIZE on riscv64 with Sv39). */
  public static final long TASK_SIZE = 1L << 38;

  /** Lowest address mmap may hand out or MAP_FIXED may use (vm.mmap_min_addr). */
  public static final long MMAP_MIN_ADDR = 0x10000;

  public static final long STACK_TOP = TASK_SIZE - 0x1000;

  /**
   * The page above the stack holds the signal trampoline ({@code li a7, 139; ecall}: rt_sigreturn),
   * where a handler returns to; Linux's vDSO provides the same.
   */
  public static final long SIGRETURN_TRAMPOLINE = STACK_TOP;

  public static final long STACK_SIZE = 8L << 20;

  /**
   * Top of the mmap area: below the stack and a gap, as Linux's mmap_base without randomization.
   */
  public static final long MMAP_BASE = STACK_TOP - STACK_SIZE - (128L << 20);

  /** Load address of a position-independent executable (ELF_ET_DYN_BASE: 2/3 of TASK_SIZE). */
  public static final long ET_DYN_BASE = (TASK_SIZE / 3 * 2) & ~0xFFFL;

  public final int id;
  public final long root;
  public final MmapLock mmapLock = new MmapLock();

  /** Guarded by {@link #mmapLock}. */
  public final VmaTree vmas;

  /**
   * mm_lock_seq: moved on each time a writer releases the mmap lock, which unlocks every area it
   * write-locked ({@link Vma#vmLockSeq} equal to this means locked).
   */
  volatile long mmLockSeq;

  /** Dead entries munmap left in {@link #vmas} (dead-entry scheme); guarded by mmapLock. */
  final List<Vma> deadEntries = new ArrayList<>();

  /** Tasks waiting for dead entries to be done (MAP_FIXED over one); added under its monitor. */
  final WaitQueue deadWaiters = new WaitQueue();

  long startBrk; // guarded by mmapLock
  long brk; // guarded by mmapLock

  /** mm_users, and the cache line it lives on. */
  public final AtomicInteger users = new AtomicInteger(1);

  public final CacheLine usersLine = new CacheLine();

  /** mm_count, and its cache line: refcount-mode lazy TLB's traffic. */
  public final AtomicInteger count = new AtomicInteger(1);

  public final CacheLine countLine = new CacheLine();

  /**
   * mm_cpumask: harts whose TLBs may hold this mm's translations (bit i = hart i), kept as RISC-V
   * Linux keeps it: with ASIDs a hart's bit stays set once it loaded the mm, without ASIDs it is
   * cleared when the hart switches away (that switch flushes its whole TLB).
   */
  public final AtomicLong cpumask = new AtomicLong();

  public final CacheLine cpumaskLine = new CacheLine();

  /**
   * generation | ASID, and the ASID alone; owned by the ASID allocator, read by flushes anywhere.
   */
  public volatile long context;

  public volatile int asid;

  /** TLB generation: counts page-table changes that need a flush. */
  public final AtomicLong tlbGen = new AtomicLong();

  public final CacheLine tlbGenLine = new CacheLine();

  /** Per hart, the TLB generation it has caught up to; each slot written only by its own hart. */
  public final long[] hartGen = new long[64];

  /** Set when the mm's memory has been freed; the active_mm checker looks at it. */
  public volatile boolean freed;

  Mm(int id, long root, KernelMemory kmem, VmaLocks locks) {
    this.id = id;
    this.root = root;
    this.vmas = new VmaTree(kmem, locks);
  }

  /** An mm whose areas are not pooled (unit tests). */
  Mm(int id, long root, KernelMemory kmem) {
    this(id, root, kmem, null);
  }

  /**
   * mmget's part in the VMA tree: a second user may walk it while the first writes, so the tree
   * goes to RCU mode before the new user is counted (mt_set_in_rcu).
   */
  public void enterRcuForNewUser() {
    vmas.setInRcu();
  }

  /** mmput's teardown (mt_clear_in_rcu): no user is left to walk the tree. */
  public void leaveRcu() {
    vmas.clearInRcu();
  }

  /** Whether the VMA tree is in RCU mode. */
  public boolean vmasInRcu() {
    return vmas.isInRcu();
  }

  public void markLoadedOn(int hart) {
    long bit = 1L << hart;
    long m;
    while (((m = cpumask.get()) & bit) == 0 && !cpumask.compareAndSet(m, m | bit)) {
      // retry
    }
  }

  /** Clears {@code hart}'s bit: it switched away and flushed its whole TLB (no ASIDs). */
  public void markUnloadedOn(int hart) {
    long bit = 1L << hart;
    long m;
    while (((m = cpumask.get()) & bit) != 0 && !cpumask.compareAndSet(m, m & ~bit)) {
      // retry
    }
  }

  @Override
  public String toString() {
    return "mm#" + id;
  }
}
