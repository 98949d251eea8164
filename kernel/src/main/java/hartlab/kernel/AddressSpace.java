package hartlab.kernel;

import hartlab.cpu.Hart;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PageTable;
import hartlab.mmu.Pte;
import java.util.ArrayList;
import java.util.List;

/**
 * The VMA-level operations on an mm: mmap, munmap, mprotect, brk and fork's dup_mmap, with Linux's
 * argument checks and errno values. Callers hold the mm's mmap lock for writing.
 *
 * <p>Unmapping follows the order that keeps freed memory unreachable: clear the PTEs, flush the
 * TLBs ({@link TlbFlush}), and only then drop the frames.
 */
final class AddressSpace {
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

  private static final int EOPNOTSUPP = 95;

  /** vm.max_map_count. */
  static final int MAX_MAP_COUNT = 65530;

  private static final long PAGE = 4096;

  private final PageTable pageTable;
  private final FrameRefs refs;
  private final FrameAllocator frames;
  private final TlbFlush tlbFlush;
  private final PageFaults faults;

  AddressSpace(
      PageTable pageTable,
      FrameRefs refs,
      FrameAllocator frames,
      TlbFlush tlbFlush,
      PageFaults faults) {
    this.pageTable = pageTable;
    this.refs = refs;
    this.frames = frames;
    this.tlbFlush = tlbFlush;
    this.faults = faults;
  }

  static long pageUp(long v) {
    return (v + PAGE - 1) & -PAGE;
  }

  static long pageDown(long v) {
    return v & -PAGE;
  }

  /** Lengths and ends are size_t: compare unsigned, so a huge value cannot pass as negative. */
  private static boolean fitsUserSpace(long v) {
    return Long.compareUnsigned(v, Mm.TASK_SIZE) <= 0;
  }

  /** mmap(2) for anonymous memory; file mappings are refused (no file system backs them yet). */
  long mmap(Hart hart, Mm mm, long addr, long length, int prot, int flags, int fd, long offset) {
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
      throw SyscallError.of(EOPNOTSUPP);
    }
    if ((prot & ~(Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if ((flags & MAP_ANONYMOUS) == 0) {
      throw SyscallError.of(fd >= 0 && fd <= 2 ? Errno.ENODEV : Errno.EBADF);
    }
    boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
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
      if (!mm.vmas.isFree(addr, addr + len)) {
        if ((flags & MAP_FIXED) == 0) {
          throw SyscallError.of(Errno.EEXIST);
        }
        unmapLocked(hart, mm, addr, addr + len);
      }
      start = addr;
    } else {
      start = chooseAddress(mm, pageDown(addr), len);
    }
    if (mm.vmas.size() >= MAX_MAP_COUNT) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    boolean shared = type != MAP_PRIVATE;
    mm.vmas.insert(
        new Vma(
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
  private static long chooseAddress(Mm mm, long hint, long len) {
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
      if (faults.handle(hart, mm, va, write ? hartlab.mmu.Mmu.STORE : hartlab.mmu.Mmu.LOAD)
          == PageFaults.Result.OUT_OF_MEMORY) {
        return; // MAP_POPULATE is best effort, as in Linux
      }
    }
  }

  long munmap(Hart hart, Mm mm, long addr, long length) {
    if ((addr & (PAGE - 1)) != 0 || length == 0 || !fitsUserSpace(length)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long len = pageUp(length);
    if (!fitsUserSpace(addr + len) || addr + len < addr) {
      throw SyscallError.of(Errno.EINVAL);
    }
    unmapLocked(hart, mm, addr, addr + len);
    return 0;
  }

  /**
   * Removes every mapping in {@code [start, end)}, splitting areas at the edges. Holds the mmap
   * lock or is the mm's last user.
   */
  void unmapLocked(Hart hart, Mm mm, long start, long end) {
    List<Vma> doomed = isolate(mm, start, end);
    if (doomed.isEmpty()) {
      return;
    }
    List<Long> freed = new ArrayList<>();
    for (Vma v : doomed) {
      mm.vmas.remove(v);
      clearPtes(mm, v, v.start, v.end, freed);
    }
    List<Long> tables = pageTable.unhookEmptyTables(mm.root, start, end);
    tlbFlush.flushTlbMmRange(
        hart,
        mm,
        start,
        end,
        "munmap",
        !tables.isEmpty(),
        true,
        () -> {
          freed.forEach(refs::put);
          tables.forEach(frames::free);
          for (Vma v : doomed) {
            if (v.shared != null) {
              v.shared.release();
            }
          }
        });
  }

  /**
   * Splits areas so that {@code [start, end)} is covered by whole areas and returns those, in
   * order. Holds the mmap lock.
   */
  private static List<Vma> isolate(Mm mm, long start, long end) {
    List<Vma> inside = new ArrayList<>();
    for (Vma v : mm.vmas.overlapping(start, end)) {
      Vma piece = v;
      if (piece.start < start) {
        piece = piece.splitAt(start);
        mm.vmas.insert(piece);
      }
      if (piece.end > end) {
        mm.vmas.insert(piece.splitAt(end));
      }
      inside.add(piece);
    }
    return inside;
  }

  /**
   * Clears the PTEs of {@code v} in {@code [from, to)}, collecting the frame references they held.
   * Holds the mmap lock.
   */
  private void clearPtes(Mm mm, Vma v, long from, long to, List<Long> freed) {
    pageTable.forEachLeaf(
        mm.root,
        from,
        to,
        (va, slot, pte) -> {
          pageTable.set(slot, 0);
          if (v.shared == null) {
            freed.add(Pte.pa(pte));
          }
        });
  }

  long mprotect(Hart hart, Mm mm, long addr, long length, int prot) {
    if ((addr & (PAGE - 1)) != 0
        || (prot & ~(Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (!fitsUserSpace(length)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    long end = addr + pageUp(length);
    if (end < addr || !fitsUserSpace(end)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    if (end == addr) {
      return 0;
    }
    if (!fullyMapped(mm, addr, end)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    boolean downgrade = false;
    for (Vma v : isolate(mm, addr, end)) {
      downgrade |= (v.prot & ~prot) != 0;
      v.prot = prot;
      pageTable.forEachLeaf(
          mm.root,
          v.start,
          v.end,
          (va, slot, pte) -> {
            long old;
            do {
              old = pageTable.get(slot);
            } while (!pageTable.compareAndSet(slot, old, withPermissions(v, old)));
          });
    }
    if (downgrade) {
      tlbFlush.flushTlbMmRange(hart, mm, addr, end, "mprotect");
    }
    return 0;
  }

  /**
   * A present leaf's PTE with its area's current permissions. A private frame still shared
   * copy-on-write stays read-only, so the first store breaks the sharing.
   */
  long withPermissions(Vma v, long pte) {
    long bits = PageFaults.permissionBits(v.prot);
    if (v.shared == null && refs.count(Pte.pa(pte)) > 1) {
      bits &= ~Pte.W;
    }
    return (pte & ~(Pte.R | Pte.W | Pte.X | Pte.U)) | bits;
  }

  private static boolean fullyMapped(Mm mm, long start, long end) {
    long next = start;
    for (Vma v : mm.vmas.overlapping(start, end)) {
      if (v.start > next) {
        return false;
      }
      next = v.end;
    }
    return next >= end;
  }

  /** brk(2): Linux returns the (possibly unchanged) break rather than an error. */
  long brk(Hart hart, Mm mm, long requested) {
    if (requested < mm.startBrk) {
      return mm.brk;
    }
    long oldEnd = pageUp(mm.brk);
    long newEnd = pageUp(requested);
    if (newEnd > Mm.MMAP_BASE) {
      return mm.brk;
    }
    if (newEnd > oldEnd) {
      if (!mm.vmas.isFree(oldEnd, newEnd)) {
        return mm.brk;
      }
      Vma heap = oldEnd > mm.startBrk ? mm.vmas.find(oldEnd - 1) : null;
      if (heap != null && heap.kind == Vma.Kind.HEAP) {
        heap.end = newEnd;
      } else {
        mm.vmas.insert(
            new Vma(oldEnd, newEnd, Vma.PROT_READ | Vma.PROT_WRITE, Vma.Kind.HEAP, null, 0));
      }
    } else if (newEnd < oldEnd) {
      unmapLocked(hart, mm, newEnd, oldEnd);
    }
    mm.brk = requested;
    return mm.brk;
  }

  /**
   * fork's dup_mmap: a new mm with copies of every area, the areas bulk-loaded into its tree, and
   * every private page shared copy-on-write: write-protected in both. Before returning it flushes
   * the parent's now stale writable translations on every hart. Caller holds the parent's mmap lock
   * for writing. ENOMEM leaves the parent as it was, minus write permission the next fault
   * restores.
   */
  Mm dupMmap(Hart hart, Mm parent, int id) {
    long root = pageTable.createRoot();
    if (root < 0) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    Mm child = new Mm(id, root);
    child.startBrk = parent.startBrk;
    child.brk = parent.brk;
    child.vmas.loadCopyOf(
        parent.vmas,
        v -> {
          if (v.shared != null) {
            v.shared.retain();
          }
          return v.copy();
        });
    boolean[] outOfMemory = {false};
    for (Vma v : child.vmas.all()) {
      pageTable.forEachLeaf(
          parent.root,
          v.start,
          v.end,
          (va, slot, pte) -> {
            long slotInChild = outOfMemory[0] ? -1 : pageTable.leafSlot(root, va, true);
            if (slotInChild < 0) {
              outOfMemory[0] = true;
              return;
            }
            long shared = pte;
            if (v.shared == null) {
              long old;
              do {
                old = pageTable.get(slot);
                shared = old & ~Pte.W;
              } while (old != shared && !pageTable.compareAndSet(slot, old, shared));
              refs.get(Pte.pa(shared));
            }
            pageTable.set(slotInChild, shared);
          });
    }
    tlbFlush.flushTlbMmRange(hart, parent, 0, Mm.TASK_SIZE, "fork write-protect");
    if (outOfMemory[0]) {
      unmapLocked(
          hart, child, 0, Mm.TASK_SIZE); // drops the shared frames and every table below the root
      frames.free(root);
      throw SyscallError.of(Errno.ENOMEM);
    }
    return child;
  }

  static final int MADV_NORMAL = 0,
      MADV_RANDOM = 1,
      MADV_SEQUENTIAL = 2,
      MADV_WILLNEED = 3,
      MADV_DONTNEED = 4,
      MADV_FREE = 8;

  /**
   * madvise: DONTNEED (and FREE, treated alike) drops the pages of the range, so private anonymous
   * memory reads back as zero and shared memory as its object holds it; the hints that change
   * nothing here are accepted.
   */
  long madvise(Hart hart, Mm mm, long addr, long length, int advice) {
    if ((addr & (PAGE - 1)) != 0 || !fitsUserSpace(length)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long end = addr + pageUp(length);
    if (!fitsUserSpace(end) || end < addr) {
      throw SyscallError.of(Errno.EINVAL);
    }
    boolean drop = advice == MADV_DONTNEED || advice == MADV_FREE;
    if (!drop
        && advice != MADV_NORMAL
        && advice != MADV_RANDOM
        && advice != MADV_SEQUENTIAL
        && advice != MADV_WILLNEED) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (end == addr) {
      return 0;
    }
    if (!fullyMapped(mm, addr, end)) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    if (drop) {
      List<Long> freed = new ArrayList<>();
      for (Vma v : mm.vmas.overlapping(addr, end)) {
        clearPtes(mm, v, Math.max(addr, v.start), Math.min(end, v.end), freed);
      }
      List<Long> tables = pageTable.unhookEmptyTables(mm.root, addr, end);
      tlbFlush.flushTlbMmRange(
          hart,
          mm,
          addr,
          end,
          "madvise(DONTNEED)",
          !tables.isEmpty(),
          false,
          () -> {
            freed.forEach(refs::put);
            tables.forEach(frames::free);
          });
    }
    return 0;
  }

  static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;

  /**
   * mremap: shrink in place, grow in place when the pages above are free, or (with MAYMOVE) move
   * the pages to a new range, taking their frames along; MREMAP_FIXED names the new range. The old
   * range must lie inside one area.
   */
  long mremap(Hart hart, Mm mm, long old, long oldSize, long newSize, int flags, long newAddr) {
    if ((old & (PAGE - 1)) != 0
        || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0
        || ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0)
        || (flags & MREMAP_DONTUNMAP) != 0
        || !fitsUserSpace(oldSize)
        || !fitsUserSpace(newSize)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long oldLen = pageUp(oldSize);
    long newLen = pageUp(newSize);
    if (newLen == 0 || oldLen == 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    Vma v = mm.vmas.find(old);
    if (v == null || old + oldLen > v.end) {
      throw SyscallError.of(Errno.EFAULT);
    }
    if ((flags & MREMAP_FIXED) != 0) {
      if ((newAddr & (PAGE - 1)) != 0 || (newAddr < old + oldLen && old < newAddr + newLen)) {
        throw SyscallError.of(Errno.EINVAL);
      }
      if (newAddr < Mm.MMAP_MIN_ADDR || !fitsUserSpace(newAddr + newLen)) {
        throw SyscallError.of(Errno.ENOMEM);
      }
      unmapLocked(hart, mm, newAddr, newAddr + newLen);
      return move(hart, mm, old, oldLen, newAddr, newLen);
    }
    if (newLen <= oldLen) {
      if (newLen < oldLen) {
        unmapLocked(hart, mm, old + newLen, old + oldLen);
      }
      return old;
    }
    if (old + oldLen == v.end
        && old + newLen <= Mm.MMAP_BASE
        && mm.vmas.isFree(v.end, old + newLen)) {
      v.end = old + newLen;
      return old;
    }
    if ((flags & MREMAP_MAYMOVE) == 0) {
      throw SyscallError.of(Errno.ENOMEM);
    }
    return move(hart, mm, old, oldLen, chooseAddress(mm, 0, newLen), newLen);
  }

  /**
   * Moves the pages of {@code [old, old+oldLen)} to {@code dst} as a new area of {@code newLen}
   * bytes (the tail beyond the old length is demand-zero), flushes the old translations, and frees
   * the page tables left empty. Every page table the move needs is made first, so running out of
   * memory changes nothing.
   */
  private long move(Hart hart, Mm mm, long old, long oldLen, long dst, long newLen) {
    long moved = Math.min(oldLen, newLen);
    List<long[]> pages = new ArrayList<>();
    pageTable.forEachLeaf(
        mm.root, old, old + moved, (va, slot, pte) -> pages.add(new long[] {va, slot}));
    long[] targets = new long[pages.size()];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = pageTable.leafSlot(mm.root, dst + (pages.get(i)[0] - old), true);
      if (targets[i] < 0) {
        throw SyscallError.of(Errno.ENOMEM);
      }
    }
    Vma piece = isolate(mm, old, old + oldLen).get(0);
    Vma moving =
        new Vma(dst, dst + newLen, piece.prot, piece.kind, piece.shared, piece.sharedPageOffset);
    if (piece.shared != null) {
      piece.shared.retain();
    }
    for (int i = 0; i < targets.length; i++) {
      long slot = pages.get(i)[1];
      pageTable.set(targets[i], pageTable.get(slot));
      pageTable.set(slot, 0);
    }
    mm.vmas.remove(piece);
    mm.vmas.insert(moving);
    List<Long> dropped = new ArrayList<>();
    if (oldLen > newLen) {
      clearPtes(mm, piece, old + newLen, old + oldLen, dropped); // shrinking while moving
    }
    List<Long> tables = pageTable.unhookEmptyTables(mm.root, old, old + oldLen);
    tlbFlush.flushTlbMmRange(
        hart,
        mm,
        old,
        old + oldLen,
        "mremap",
        !tables.isEmpty(),
        true,
        () -> {
          dropped.forEach(refs::put);
          tables.forEach(frames::free);
          releaseShared(piece);
        });
    return dst;
  }

  private static void releaseShared(Vma v) {
    if (v.shared != null) {
      v.shared.release();
    }
  }
}
