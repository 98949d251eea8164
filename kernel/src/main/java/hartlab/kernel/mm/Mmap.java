package hartlab.kernel.mm;

import hartlab.cpu.Hart;
import hartlab.kernel.rcu.Rcu;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.Pte;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * mmap, munmap and brk (Linux's mm/mmap.c), with Linux's argument checks and errno values, and the
 * unmapping core the other VMA operations share. Callers hold the mm's mmap lock for writing.
 *
 * <p>Unmapping follows the order that keeps freed memory unreachable: clear the PTEs, flush the
 * TLBs ({@link TlbFlusher}), and only then drop the frames.
 */
public final class Mmap {
  static final int MAP_SHARED = 0x01,
      MAP_PRIVATE = 0x02,
      MAP_SHARED_VALIDATE = 0x03,
      MAP_TYPE = 0x0f,
      MAP_FIXED = 0x10,
      MAP_ANONYMOUS = 0x20,
      MAP_GROWSDOWN = 0x100,
      MAP_DENYWRITE = 0x800,
      MAP_EXECUTABLE = 0x1000,
      MAP_LOCKED = 0x2000,
      MAP_NORESERVE = 0x4000,
      MAP_POPULATE = 0x8000,
      MAP_NONBLOCK = 0x10000,
      MAP_STACK = 0x20000,
      MAP_HUGETLB = 0x40000,
      MAP_SYNC = 0x80000,
      MAP_FIXED_NOREPLACE = 0x100000;

  /** Flags MAP_SHARED_VALIDATE accepts; anything else is EOPNOTSUPP there. */
  private static final int KNOWN_FLAGS =
      MAP_TYPE
          | MAP_FIXED
          | MAP_ANONYMOUS
          | MAP_GROWSDOWN
          | MAP_DENYWRITE
          | MAP_EXECUTABLE
          | MAP_LOCKED
          | MAP_NORESERVE
          | MAP_POPULATE
          | MAP_NONBLOCK
          | MAP_STACK
          | MAP_FIXED_NOREPLACE;

  /** vm.max_map_count. */
  static final int MAX_MAP_COUNT = 65530;

  static final long PAGE = 4096;

  private final PageTable pageTable;
  private final FrameRefs refs;
  private final FrameAllocator frames;
  private final TlbFlusher tlbFlush;
  private final PageFaults faults;
  private final Rcu rcu;
  private final Waits waits;
  private final MunmapScheme scheme;

  /** {@code rcu} null: tables go with the shootdown alone (tests without an engine). */
  public Mmap(
      PageTable pageTable,
      FrameRefs refs,
      FrameAllocator frames,
      TlbFlusher tlbFlush,
      PageFaults faults,
      Rcu rcu,
      Waits waits,
      MunmapScheme scheme) {
    this.pageTable = pageTable;
    this.refs = refs;
    this.frames = frames;
    this.tlbFlush = tlbFlush;
    this.faults = faults;
    this.rcu = rcu;
    this.waits = waits;
    this.scheme = scheme;
  }

  static long pageUp(long v) {
    return (v + PAGE - 1) & -PAGE;
  }

  static long pageDown(long v) {
    return v & -PAGE;
  }

  /** Lengths and ends are size_t: compare unsigned, so a huge value cannot pass as negative. */
  static boolean fitsUserSpace(long v) {
    return Long.compareUnsigned(v, Mm.TASK_SIZE) <= 0;
  }

  /** mmap(2) for anonymous memory; file mappings are refused (no file system backs them yet). */
  public long mmap(
      Hart hart, Mm mm, long addr, long length, int prot, int flags, int fd, long offset) {
    if (length == 0 || (offset & (PAGE - 1)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (!fitsUserSpace(length)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    long len = pageUp(length);
    int type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (type == MAP_SHARED_VALIDATE && (flags & ~KNOWN_FLAGS) != 0) {
      throw SyscallError.of(Errno.EOPNOTSUPP);
    }
    if ((prot & ~(Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if ((flags & MAP_ANONYMOUS) == 0) {
      throw SyscallError.of(fd >= 0 && fd <= 2 ? Errno.ENODEV : Errno.EBADF);
    }
    boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
    reapDeadEntries(hart, mm);
    long start;
    if (fixed) {
      if ((addr & (PAGE - 1)) != 0) {
        throw SyscallError.of(Errno.EINVAL);
      }
      if (addr < Mm.MMAP_MIN_ADDR) {
        throw SyscallError.of(Errno.EPERM);
      }
      if (!fitsUserSpace(addr + len) || addr + len < addr) {
        throw SyscallError.of(Errno.ENOMEM);
      }
      if (!mm.vmas.overlapping(addr, addr + len).isEmpty()) {
        if ((flags & MAP_FIXED) == 0) {
          throw SyscallError.of(Errno.EEXIST);
        }
        unmapLocked(hart, mm, addr, addr + len);
      }
      if (waitForDeadEntries(hart, mm, addr, addr + len)) {
        return Waits.BLOCKED;
      }
      start = addr;
    } else {
      start = chooseAddress(mm, pageDown(addr), len);
    }
    if (mm.vmas.size() >= MAX_MAP_COUNT) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    boolean shared = type != MAP_PRIVATE;
    tlbFlush.beforeReuse(hart, mm, start, start + len);
    insertVma(
        hart,
        mm,
        mm.vmas.allocate(
            mm,
            start,
            start + len,
            prot,
            Vma.Kind.ANON,
            shared ? new SharedAnonMemory(refs) : null,
            0));
    if ((flags & MAP_POPULATE) != 0 && prot != 0) {
      populate(hart, mm, start, start + len, (prot & Vma.PROT_WRITE) != 0);
    }
    return start;
  }

  /** The hint if that range is free and legal, else the highest free gap below the mmap base. */
  static long chooseAddress(Mm mm, long hint, long len) {
    if (hint >= Mm.MMAP_MIN_ADDR
        && hint + len <= Mm.TASK_SIZE
        && hint + len > hint
        && mm.vmas.isFree(hint, hint + len)) {
      return hint;
    }
    long gap = mm.vmas.findGapTopDown(len, Mm.MMAP_MIN_ADDR, Mm.MMAP_BASE);
    if (gap < 0) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    return gap;
  }

  private void populate(Hart hart, Mm mm, long start, long end, boolean write) {
    for (long va = start; va < end; va += PAGE) {
      if (faults.handle(hart, mm, va, write ? Mmu.STORE : Mmu.LOAD)
          == PageFaults.Result.OUT_OF_MEMORY) {
        return; // MAP_POPULATE is best effort, as in Linux
      }
    }
  }

  public long munmap(Hart hart, Mm mm, long addr, long length) {
    if ((addr & (PAGE - 1)) != 0 || length == 0 || !fitsUserSpace(length)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long len = pageUp(length);
    if (!fitsUserSpace(addr + len) || addr + len < addr) {
      throw SyscallError.of(Errno.EINVAL);
    }
    reapDeadEntries(hart, mm);
    eraseDone(hart, mm, addr, addr + len, true);
    unmapLocked(hart, mm, addr, addr + len);
    return 0;
  }

  /** Whether the munmap syscall waits for a grace period (after the mmap lock is released). */
  public boolean munmapWaitsForGracePeriod() {
    return scheme == MunmapScheme.SYNC_RCU && rcu != null;
  }

  /** munmap's wait for a grace period: 0 once one has passed, else the task sleeps (BLOCKED). */
  public long synchronizeAfterMunmap(Hart hart) {
    return rcu.synchronizeExpedited(hart);
  }

  /**
   * dead-entry scheme: erases the dead entries whose grace period and shootdown are done, except
   * those a sleeping MAP_FIXED caller has claimed. Holds the mmap lock for writing.
   */
  void reapDeadEntries(Hart hart, Mm mm) {
    for (var it = mm.deadEntries.iterator(); it.hasNext(); ) {
      Vma d = it.next();
      if (d.dead.done && !d.dead.claimed) {
        it.remove();
        erase(hart, mm, d);
      }
    }
  }

  /**
   * Erases the done dead entries in {@code [start, end)}, claimed ones too if {@code claimed}: the
   * caller maps or unmaps that range itself. Holds the mmap lock for writing.
   */
  private void eraseDone(Hart hart, Mm mm, long start, long end, boolean claimed) {
    for (Vma d : mm.vmas.entries(start, end, true)) {
      if (d.dead != null && d.dead.done && (claimed || !d.dead.claimed)) {
        mm.deadEntries.remove(d);
        erase(hart, mm, d);
      }
    }
  }

  private static void erase(Hart hart, Mm mm, Vma d) {
    removeVma(hart, mm, d);
    mm.vmas.free(d);
  }

  /**
   * MAP_FIXED (or MREMAP_FIXED) over {@code [start, end)}, whose live areas are unmapped: erases
   * the dead entries there that are done; true if one is not done yet. The task then sleeps until
   * one is and its call runs again; meanwhile the entries there are claimed, so that no other
   * mapping takes the range before it does (the live areas it unmapped stay unmapped). Holds the
   * mmap lock for writing.
   */
  boolean waitForDeadEntries(Hart hart, Mm mm, long start, long end) {
    eraseDone(hart, mm, start, end, true);
    List<Vma> left = mm.vmas.entries(start, end, true); // dead ones only: the live are unmapped
    if (left.isEmpty()) {
      return false;
    }
    for (Vma d : left) {
      d.dead.claimed = true;
    }
    synchronized (mm.deadWaiters) {
      for (Vma d : left) {
        if (!d.dead.done) {
          waits.sleep(hart, mm.deadWaiters, true, Long.MAX_VALUE, 0);
          return true;
        }
      }
    }
    eraseDone(hart, mm, start, end, true); // all done meanwhile
    return false;
  }

  /**
   * Removes every mapping in {@code [start, end)}, splitting areas at the edges. Holds the mmap
   * lock or is the mm's last user (exit_mmap).
   */
  public void unmapLocked(Hart hart, Mm mm, long start, long end) {
    List<Vma> doomed = isolate(hart, mm, start, end);
    if (doomed.isEmpty()) {
      return;
    }
    Vma below = mm.vmas.findPrev(start);
    long floor = below == null ? 0 : below.end;
    List<Long> freed = new ArrayList<>();
    List<SharedAnonMemory> shared = new ArrayList<>();
    List<Vma.DeadEntry> dead = new ArrayList<>();
    for (Vma v : doomed) {
      if (scheme == MunmapScheme.DEAD_ENTRY) {
        Vma d = mm.vmas.allocate(mm, v.start, v.end, 0, v.kind, null, 0);
        d.dead = new Vma.DeadEntry();
        mm.vmas.replace(hart, v, d);
        hart.addCycles(hart.cost().vmaUpdate());
        mm.deadEntries.add(d);
        dead.add(d.dead);
      } else {
        removeVma(hart, mm, v);
      }
      clearPtes(hart, mm, v, v.start, v.end, freed);
      retire(mm, v, shared);
    }
    Vma above = mm.vmas.findNext(end);
    long ceiling = above == null ? Mm.TASK_SIZE : above.start;
    List<Long> tables = pageTable.unhookEmptyTables(mm.root, start, end, floor, ceiling);
    Runnable frames = release(freed, List.of(), shared);
    Runnable release;
    if (scheme == MunmapScheme.VMA_REFCOUNT) {
      tables.forEach(this.frames::free); // broken on purpose: before the shootdown
      release = frames;
    } else {
      Runnable last = afterGracePeriodAndShootdown(hart, mm, tables, dead);
      release =
          () -> {
            frames.run();
            last.run();
          };
    }
    tlbFlush.flushTlbMmRange(hart, mm, start, end, "munmap", !tables.isEmpty(), true, release);
  }

  /**
   * What waits for both the shootdown and a grace period (sync-rcu, dead-entry): freeing the
   * unhooked tables, then marking the dead entries done and waking who waits for them. Returns the
   * shootdown's half; the RCU half is queued now (on this hart, as callRcu requires).
   */
  private Runnable afterGracePeriodAndShootdown(
      Hart hart, Mm mm, List<Long> tables, List<Vma.DeadEntry> dead) {
    Runnable done =
        () -> {
          tables.forEach(frames::free);
          if (!dead.isEmpty()) {
            for (Vma.DeadEntry d : dead) {
              d.done = true;
            }
            synchronized (mm.deadWaiters) {
              waits.wakeAll(mm.deadWaiters);
            }
          }
        };
    if (rcu == null || (tables.isEmpty() && dead.isEmpty())) {
      return done;
    }
    AtomicInteger halves = new AtomicInteger(2);
    Runnable half =
        () -> {
          if (halves.decrementAndGet() == 0) {
            done.run();
          }
        };
    rcu.callRcu(hart.id(), half);
    return half;
  }

  /**
   * An area out of the tree goes back to the pool at once (it may be another area the next moment);
   * what the deferred release still needs of it, its shared object, is kept aside.
   */
  static void retire(Mm mm, Vma v, List<SharedAnonMemory> shared) {
    if (v.shared != null) {
      shared.add(v.shared);
    }
    mm.vmas.free(v);
  }

  /**
   * exit_mmap: the mm's last user is gone. Every mapping and every page-table page below the root
   * goes; the flush reaches only the harts that still hold the mm (lazily), the others' entries for
   * its ASID can no longer be used.
   */
  public void exitMmap(Hart hart, Mm mm) {
    List<Vma> doomed = mm.vmas.all();
    List<Long> freed = new ArrayList<>();
    List<SharedAnonMemory> shared = new ArrayList<>();
    for (Vma v : doomed) {
      removeVma(hart, mm, v);
      if (v.dead == null) {
        clearPtes(hart, mm, v, v.start, v.end, freed);
      }
      retire(mm, v, shared);
    }
    mm.deadEntries.clear(); // their own tables still go when their grace period is over
    List<Long> tables = pageTable.unhookEmptyTables(mm.root, 0, Mm.TASK_SIZE, 0, Mm.TASK_SIZE);
    tlbFlush.flushMmTeardown(hart, mm, !tables.isEmpty(), release(freed, tables, shared));
  }

  /** What a change that unmapped gives back once no TLB can reach it. */
  private Runnable release(List<Long> freed, List<Long> tables, List<SharedAnonMemory> shared) {
    return () -> {
      freed.forEach(refs::put);
      tables.forEach(frames::free);
      shared.forEach(SharedAnonMemory::release);
    };
  }

  /**
   * Files a new area in the tree, write-locked until the mmap lock is released (faults leave it to
   * the writer until then): a tree update, priced. Holds the mmap lock for writing.
   */
  static void insertVma(Hart hart, Mm mm, Vma v) {
    v.vmLockSeq = mm.mmLockSeq;
    mm.vmas.insert(hart, v);
    hart.addCycles(hart.cost().vmaUpdate());
  }

  /**
   * Puts {@code replacement} where {@code old} was, in one tree update: the way an area changes (it
   * is never edited in place, lockless readers may be looking at it). {@code old} goes back to the
   * pool. Holds the mmap lock for writing.
   */
  static void replaceVma(Hart hart, Mm mm, Vma old, Vma... replacement) {
    for (Vma p : replacement) {
      p.vmLockSeq = mm.mmLockSeq;
    }
    mm.vmas.replace(hart, old, replacement);
    mm.vmas.free(old);
    hart.addCycles(hart.cost().vmaUpdate());
  }

  /** Takes an area out of the tree: a tree update, priced. Holds the mmap lock for writing. */
  static void removeVma(Hart hart, Mm mm, Vma v) {
    mm.vmas.remove(hart, v);
    hart.addCycles(hart.cost().vmaUpdate());
  }

  /**
   * Splits areas so that {@code [start, end)} is covered by whole areas and returns those, in
   * order. Holds the mmap lock.
   */
  static List<Vma> isolate(Hart hart, Mm mm, long start, long end) {
    List<Vma> inside = new ArrayList<>();
    for (Vma v : mm.vmas.overlapping(start, end)) {
      if (v.start >= start && v.end <= end) {
        inside.add(v);
        continue;
      }
      long from = Math.max(start, v.start);
      long to = Math.min(end, v.end);
      List<Vma> pieces = new ArrayList<>(3);
      if (v.start < from) {
        pieces.add(mm.vmas.copyOf(mm, v, v.start, from, v.prot));
      }
      Vma middle = mm.vmas.copyOf(mm, v, from, to, v.prot);
      pieces.add(middle);
      if (to < v.end) {
        pieces.add(mm.vmas.copyOf(mm, v, to, v.end, v.prot));
      }
      SharedAnonMemory shared = v.shared;
      replaceVma(hart, mm, v, pieces.toArray(new Vma[0]));
      if (shared != null) {
        for (int i = 1; i < pieces.size(); i++) {
          shared.retain(); // each piece holds the object; the split area's hold passes on
        }
      }
      inside.add(middle);
    }
    return inside;
  }

  /**
   * Clears the PTEs of {@code v} in {@code [from, to)}, collecting the frame references they held;
   * each PTE cleared is priced. Holds the mmap lock (or is the mm's last user).
   */
  void clearPtes(Hart hart, Mm mm, Vma v, long from, long to, List<Long> freed) {
    int price = hart.cost().pteClear();
    pageTable.forEachLeaf(
        mm.root,
        from,
        to,
        (va, slot, pte) -> {
          pageTable.set(slot, 0);
          hart.addCycles(price);
          if (v.shared == null) {
            freed.add(Pte.pa(pte));
          }
        });
  }

  static boolean fullyMapped(Mm mm, long start, long end) {
    long next = start;
    for (Vma v : mm.vmas.overlapping(start, end)) {
      if (v.start > next) {
        return false;
      }
      next = v.end;
    }
    return next >= end;
  }

  /**
   * brk(2): Linux returns the (possibly unchanged) break rather than an error. The request is an
   * unsigned long: one below the start of the heap or beyond the mmap area (LONG_MAX, -1, anything
   * whose page-rounding would wrap) leaves the break where it was, as does running out of kernel
   * memory for the heap's area.
   */
  public long brk(Hart hart, Mm mm, long requested) {
    if (Long.compareUnsigned(requested, mm.startBrk) < 0
        || Long.compareUnsigned(requested, Mm.MMAP_BASE) > 0) {
      return mm.brk;
    }
    long oldEnd = pageUp(mm.brk);
    long newEnd = pageUp(requested);
    if (newEnd > Mm.MMAP_BASE) {
      return mm.brk;
    }
    try {
      if (newEnd > oldEnd) {
        if (!mm.vmas.isFree(oldEnd, newEnd)) {
          return mm.brk;
        }
        tlbFlush.beforeReuse(hart, mm, oldEnd, newEnd);
        Vma heap = oldEnd > mm.startBrk ? mm.vmas.find(oldEnd - 1) : null;
        if (heap != null && heap.kind == Vma.Kind.HEAP) {
          replaceVma(hart, mm, heap, mm.vmas.copyOf(mm, heap, heap.start, newEnd, heap.prot));
        } else {
          insertVma(
              hart,
              mm,
              mm.vmas.allocate(
                  mm, oldEnd, newEnd, Vma.PROT_READ | Vma.PROT_WRITE, Vma.Kind.HEAP, null, 0));
        }
      } else if (newEnd < oldEnd) {
        unmapLocked(hart, mm, newEnd, oldEnd);
      }
    } catch (SyscallError e) {
      return mm.brk; // ENOMEM: no kernel memory for the area, or for splitting the old one
    }
    mm.brk = requested;
    return mm.brk;
  }
}
