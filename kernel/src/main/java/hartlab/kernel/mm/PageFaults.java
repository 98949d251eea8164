package hartlab.kernel.mm;

import hartlab.cpu.Hart;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Pte;

/**
 * The page-fault handler (Linux's handle_mm_fault for anonymous memory): demand-zero paging, shared
 * anonymous pages, and breaking copy-on-write. Decides only; killing the task is the caller's job.
 *
 * <p>Ownership rule: a leaf PTE in a private area holds one {@link FrameRefs} reference to its
 * frame; a leaf in a shared area holds none (its {@link SharedAnonMemory} does).
 */
public final class PageFaults {
  /** What became of a fault. */
  public enum Result {
    /** A page is mapped now; retry the access. */
    FIXED,
    /** No area covers the address (SEGV_MAPERR). */
    NO_AREA,
    /** An area covers it but forbids this access (SEGV_ACCERR). */
    FORBIDDEN,
    /** Guest RAM is exhausted. */
    OUT_OF_MEMORY,
    /** The mmap lock was taken: the task sleeps and retries the access when it is free. */
    SLEPT
  }

  /** A fault's result, with the area that forbade the access for {@link Result#FORBIDDEN}. */
  public record Fault(Result result, Vma vma) {
    private static final Fault[] PLAIN = new Fault[Result.values().length];

    static {
      for (Result r : Result.values()) {
        PLAIN[r.ordinal()] = new Fault(r, null);
      }
    }

    static Fault of(Result r) {
      return PLAIN[r.ordinal()];
    }

    /** Whether the access can run now or after a wait: the task lives on. */
    public boolean resolved() {
      return result == Result.FIXED || result == Result.SLEPT;
    }

    /** Why an unresolved fault ends the task, for its kill report. */
    public String reason() {
      switch (result) {
        case NO_AREA:
          return "no mapping at this address";
        case FORBIDDEN:
          return "not permitted by mapping " + vma;
        case OUT_OF_MEMORY:
          return "out of guest memory (raise --mem)";
        default:
          return result.name();
      }
    }
  }

  private static final long PERMISSIONS = Pte.R | Pte.W | Pte.X | Pte.U;

  private final PageTable pageTable;
  private final FrameRefs refs;
  private final PhysicalMemory memory;
  private final TlbFlusher tlbFlush;
  private final MmapLocking locking;
  private final VmaLocks vmaLocks;
  private final Counters counters;
  private final PteObserver installed;

  /**
   * A PTE taken away while a copy-on-write break flushes the old translation: not valid (the
   * hardware faults), and a fault that finds it retries the access (Linux holds the page-table lock
   * through ptep_clear_flush; hartlab's faults run in parallel and wait this way).
   */
  static final long BREAKING = 1L << 8;

  public PageFaults(
      PageTable pageTable,
      FrameRefs refs,
      PhysicalMemory memory,
      TlbFlusher tlbFlush,
      MmapLocking locking,
      VmaLocks vmaLocks,
      Counters counters,
      PteObserver installed) {
    this.pageTable = pageTable;
    this.refs = refs;
    this.memory = memory;
    this.tlbFlush = tlbFlush;
    this.locking = locking;
    this.vmaLocks = vmaLocks;
    this.counters = counters;
    this.installed = installed;
  }

  /**
   * Resolves a fault: the one way into the handler from outside the mm. First under the area's own
   * lock, found without the mmap lock ({@link VmaLocks#lockVmaUnderRcu}); if that fails, or the
   * access is not allowed (the report is made under the mmap lock), under the mmap lock held for
   * reading. {@code maySleep}: a fault from user mode sleeps for the lock (the instruction runs
   * again when woken); one inside a syscall (copy_from_user) spins for it.
   */
  public Fault fault(Hart hart, Mm mm, long va, int access, boolean maySleep) {
    Vma vma = vmaLocks.lockVmaUnderRcu(hart, mm, va);
    if (vma != null) {
      try {
        vmaLocks.using(hart, mm, vma, va);
        if (vma.allows(access)) {
          counters.hart(hart.id()).add(Counter.FAULTS_VMA_LOCK);
          return Fault.of(handleIn(hart, mm, vma, va, access));
        }
      } finally {
        vmaLocks.vmaEndRead(vma);
      }
    }
    counters.hart(hart.id()).add(Counter.FAULTS_MMAP_LOCK);
    if (maySleep) {
      if (!locking.lockOrSleep(hart, mm, false)) {
        return Fault.of(Result.SLEPT);
      }
    } else {
      locking.lockSpinning(hart, mm, false);
    }
    try {
      Result r = handle(hart, mm, va, access);
      return r == Result.FORBIDDEN ? new Fault(r, mm.vmas.find(va)) : Fault.of(r);
    } finally {
      locking.unlock(hart, mm, false);
    }
  }

  /**
   * Resolves a fault of a user-mode {@code access} at {@code va} in {@code mm}, on {@code hart}.
   * Caller holds mm's mmap lock (read or write).
   */
  Result handle(Hart hart, Mm mm, long va, int access) {
    Vma vma = mm.vmas.find(va);
    if (vma == null) {
      return Result.NO_AREA;
    }
    if (!vma.allows(access)) {
      return Result.FORBIDDEN;
    }
    return handleIn(hart, mm, vma, va, access);
  }

  /**
   * Resolves an allowed access at {@code va} inside {@code vma}. Caller holds mm's mmap lock, or a
   * read lock on {@code vma} itself: either keeps the area and its page tables from being changed
   * or freed underneath.
   */
  private Result handleIn(Hart hart, Mm mm, Vma vma, long va, int access) {
    long page = va & ~PhysicalMemory.PAGE_MASK;
    long slot = pageTable.leafSlot(mm.root, page, true);
    if (slot < 0) {
      return Result.OUT_OF_MEMORY;
    }
    long flags = pteFlags(vma.prot) | (access == Mmu.STORE ? Pte.D : 0);
    long old = pageTable.get(slot);
    if (old == BREAKING) {
      return Result.FIXED; // another hart is breaking copy-on-write here: try again
    }
    if (!Pte.isValid(old)) {
      return mapFresh(hart, mm, vma, page, slot, old, flags);
    }
    if (access == Mmu.STORE && (old & Pte.W) == 0 && vma.shared == null) {
      return breakCow(hart, mm, page, slot, old, flags);
    }
    // Another hart mapped it first, or the PTE lags the area's permissions: bring it up to date.
    pageTable.compareAndSet(slot, old, (old & ~PERMISSIONS) | (flags & PERMISSIONS));
    return Result.FIXED;
  }

  private Result mapFresh(Hart hart, Mm mm, Vma vma, long page, long slot, long old, long flags) {
    if (vma.shared != null) {
      long index = vma.sharedPageOffset + ((page - vma.start) >>> 12);
      boolean fresh = !vma.shared.has(index);
      long frame = vma.shared.frameFor(index);
      if (frame < 0) {
        return Result.OUT_OF_MEMORY;
      }
      if (fresh) {
        hart.addCycles(hart.cost().pageZero());
      }
      if (pageTable.compareAndSet(slot, old, Pte.make(frame, flags))) {
        installed.installed(hart, mm, page, frame);
      }
      return Result.FIXED;
    }
    long frame = refs.allocate();
    if (frame < 0) {
      return Result.OUT_OF_MEMORY;
    }
    hart.addCycles(hart.cost().pageZero());
    if (pageTable.compareAndSet(slot, old, Pte.make(frame, flags))) {
      installed.installed(hart, mm, page, frame);
    } else {
      refs.put(frame); // another fault on this page won the race
    }
    return Result.FIXED;
  }

  /**
   * A store to a private page mapped read-only since fork. The last sharer takes the frame over;
   * the others copy it. As Linux's wp_page_copy (ptep_clear_flush, then set_pte_at): the old
   * translation is taken away and shot down on every hart of this mm before the new one is
   * installed, so no two harts ever map the page to different frames at once.
   */
  private Result breakCow(Hart hart, Mm mm, long page, long slot, long old, long flags) {
    long frame = Pte.pa(old);
    long keep = old & (Pte.A | Pte.D);
    if (refs.count(frame) == 1) {
      pageTable.compareAndSet(slot, old, Pte.make(frame, flags | keep));
      return Result.FIXED;
    }
    long copy = refs.allocate();
    if (copy < 0) {
      return Result.OUT_OF_MEMORY;
    }
    memory.copyFrame(frame, copy);
    hart.addCycles(hart.cost().pageCopy());
    if (!pageTable.compareAndSet(slot, old, BREAKING)) {
      refs.put(copy);
      return Result.FIXED;
    }
    tlbFlush.flushTlbMmRange(
        hart,
        mm,
        page,
        page + PhysicalMemory.PAGE_SIZE,
        "COW break",
        false,
        false,
        () -> refs.put(frame));
    pageTable.set(slot, Pte.make(copy, flags));
    installed.installed(hart, mm, page, copy);
    return Result.FIXED;
  }

  /**
   * Leaf PTE flags for an area's protection. Sv39 has no write-only pages, so write implies read.
   * PROT_NONE keeps the frame mapped but without U, so user accesses fault and the frame survives a
   * later mprotect back to readable.
   */
  static long pteFlags(int prot) {
    long f = Pte.V | Pte.A;
    if ((prot & (Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC)) == 0) {
      return f | Pte.R;
    }
    f |= Pte.U;
    if ((prot & (Vma.PROT_READ | Vma.PROT_WRITE)) != 0) {
      f |= Pte.R;
    }
    if ((prot & Vma.PROT_WRITE) != 0) {
      f |= Pte.W;
    }
    if ((prot & Vma.PROT_EXEC) != 0) {
      f |= Pte.X;
    }
    return f;
  }

  static long permissionBits(int prot) {
    return pteFlags(prot) & PERMISSIONS;
  }
}
