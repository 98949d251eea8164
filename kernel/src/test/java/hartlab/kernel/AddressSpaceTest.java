package hartlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.shootdown.IpiSyncShootdown;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** mmap, munmap, mprotect and brk against Linux's rules, with frames and TLB checked after each. */
class AddressSpaceTest {
  private static final int RW = Vma.PROT_READ | Vma.PROT_WRITE;
  private static final int PRIVATE_ANON = AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS;

  private FrameAllocator frames;
  private PageFaults faults;
  private AddressSpace as;
  private Hart hart;
  private Mm mm;
  private int freeAtStart;

  @BeforeEach
  void setUp() {
    PhysicalMemory memory = new PhysicalMemory(4 << 20);
    frames = new FrameAllocator(memory, 1, true);
    PageTable pt = new PageTable(memory, frames);
    FrameRefs refs = new FrameRefs(frames, memory);
    TlbFlush flush = new TlbFlush(33, new IpiSyncShootdown(), pt);
    faults = new PageFaults(pt, refs, memory, flush);
    as = new AddressSpace(pt, refs, frames, flush, faults);
    hart =
        new Hart(0, new Mmu(memory, new Tlb(64, 4), 1), new CodeCache(memory), CostModel.DEFAULT);
    mm = new Mm(1, pt.createRoot());
    mm.asid = 1;
    mm.markLoadedOn(0); // only this hart: flushes stay local, no IPI machinery needed
    mm.startBrk = 0x100000;
    mm.brk = 0x100000;
    hart.mmu().setSatp(Mmu.makeSatp(mm.root, mm.asid));
    freeAtStart = frames.freeFrames();
  }

  private static int errno(LongSupplier call) {
    try {
      call.getAsLong();
      return 0;
    } catch (SyscallError e) {
      return e.errno;
    }
  }

  /**
   * Touches a page as a store from user mode would, faulting it in; returns its physical address.
   */
  private long touch(long va) {
    long pa = hart.mmu().translate(va, Mmu.STORE);
    if (pa < 0) {
      assertEquals(PageFaults.Result.FIXED, faults.handle(hart, mm, va, Mmu.STORE));
      pa = hart.mmu().translate(va, Mmu.STORE);
    }
    assertTrue(pa >= 0);
    return pa;
  }

  @Test
  void argumentErrorsMatchLinux() {
    assertEquals(Errno.EINVAL, errno(() -> as.mmap(hart, mm, 0, 0, RW, PRIVATE_ANON, -1, 0)));
    assertEquals(Errno.EINVAL, errno(() -> as.mmap(hart, mm, 0, 4096, RW, PRIVATE_ANON, -1, 1)));
    assertEquals(
        Errno.EINVAL,
        errno(() -> as.mmap(hart, mm, 0, 4096, RW, AddressSpace.MAP_ANONYMOUS, -1, 0)));
    assertEquals(Errno.EINVAL, errno(() -> as.mmap(hart, mm, 0, 4096, 8, PRIVATE_ANON, -1, 0)));
    assertEquals(
        Errno.EBADF, errno(() -> as.mmap(hart, mm, 0, 4096, RW, AddressSpace.MAP_PRIVATE, 7, 0)));
    assertEquals(
        Errno.EINVAL,
        errno(
            () ->
                as.mmap(
                    hart, mm, 0x10001, 4096, RW, PRIVATE_ANON | AddressSpace.MAP_FIXED, -1, 0)));
    assertEquals(
        Errno.EPERM,
        errno(
            () ->
                as.mmap(hart, mm, 0x1000, 4096, RW, PRIVATE_ANON | AddressSpace.MAP_FIXED, -1, 0)));
    assertEquals(Errno.ENOMEM, errno(() -> as.mmap(hart, mm, 0, -4096L, RW, PRIVATE_ANON, -1, 0)));
    assertEquals(Errno.EINVAL, errno(() -> as.munmap(hart, mm, 0x10001, 4096)));
    assertEquals(Errno.EINVAL, errno(() -> as.munmap(hart, mm, 0x10000, 0)));
    assertEquals(Errno.ENOMEM, errno(() -> as.mprotect(hart, mm, 0x200000, 4096, Vma.PROT_READ)));
    assertEquals(Errno.EINVAL, errno(() -> as.mprotect(hart, mm, 0x200001, 4096, Vma.PROT_READ)));
  }

  @Test
  void munmapInTheMiddleSplitsFreesFramesAndLeavesNoStaleTranslation() {
    long base = as.mmap(hart, mm, 0, 16 * 4096, RW, PRIVATE_ANON, -1, 0);
    for (int i = 0; i < 16; i++) {
      touch(base + i * 4096L);
    }
    assertTrue(hart.mmu().tlb().holds(mm.asid, base + 5 * 4096L));
    int before = frames.freeFrames();
    as.munmap(hart, mm, base + 4 * 4096L, 4 * 4096L);
    assertEquals(before + 4, frames.freeFrames());
    assertFalse(
        hart.mmu().tlb().holds(mm.asid, base + 5 * 4096L), "unmapped page still in the TLB");
    assertEquals(Mmu.PAGE_FAULT, hart.mmu().translate(base + 5 * 4096L, Mmu.LOAD));
    List<Vma> areas = mm.vmas.all();
    assertEquals(2, areas.size());
    assertEquals(base + 4 * 4096L, areas.get(0).end());
    assertEquals(base + 8 * 4096L, areas.get(1).start());
    assertEquals(PageFaults.Result.NO_AREA, faults.handle(hart, mm, base + 5 * 4096L, Mmu.LOAD));
  }

  @Test
  void fixedNoReplaceRefusesAndFixedReplaces() {
    long base = as.mmap(hart, mm, 0, 4 * 4096, RW, PRIVATE_ANON, -1, 0);
    long pa = touch(base);
    hart.mmu().memory().putLong(pa, 42);
    assertEquals(
        Errno.EEXIST,
        errno(
            () ->
                as.mmap(
                    hart,
                    mm,
                    base,
                    4096,
                    RW,
                    PRIVATE_ANON | AddressSpace.MAP_FIXED_NOREPLACE,
                    -1,
                    0)));
    assertEquals(42, hart.mmu().memory().getLong(touch(base)));
    assertEquals(
        base, as.mmap(hart, mm, base, 4096, RW, PRIVATE_ANON | AddressSpace.MAP_FIXED, -1, 0));
    assertEquals(0, hart.mmu().memory().getLong(touch(base)), "MAP_FIXED gave a fresh zero page");
  }

  @Test
  void mprotectDowngradeFlushesAndForbidsStores() {
    long base = as.mmap(hart, mm, 0, 2 * 4096, RW, PRIVATE_ANON, -1, 0);
    touch(base);
    as.mprotect(hart, mm, base, 4096, Vma.PROT_READ);
    assertEquals(
        Mmu.PAGE_FAULT, hart.mmu().translate(base, Mmu.STORE), "stale writable entry survived");
    assertEquals(PageFaults.Result.FORBIDDEN, faults.handle(hart, mm, base, Mmu.STORE));
    assertTrue(hart.mmu().translate(base, Mmu.LOAD) >= 0);
    assertEquals(2, mm.vmas.size());
    as.mprotect(hart, mm, base, 4096, 0);
    assertEquals(Mmu.PAGE_FAULT, hart.mmu().translate(base, Mmu.LOAD));
    as.mprotect(hart, mm, base, 4096, RW);
    assertTrue(hart.mmu().translate(base, Mmu.STORE) >= 0, "frame kept across PROT_NONE");
  }

  @Test
  void brkGrowsShrinksAndNeverFails() {
    assertEquals(0x100000, as.brk(hart, mm, 0));
    assertEquals(0x100000 + 10000, as.brk(hart, mm, 0x100000 + 10000));
    touch(0x100000 + 9000);
    assertEquals(0x100000, as.brk(hart, mm, 0x100000));
    assertEquals(PageFaults.Result.NO_AREA, faults.handle(hart, mm, 0x100000 + 9000, Mmu.LOAD));
    as.mmap(hart, mm, 0x200000, 4096, RW, PRIVATE_ANON | AddressSpace.MAP_FIXED, -1, 0);
    assertEquals(
        0x100000, as.brk(hart, mm, 0x300000), "growing into a mapping leaves the break alone");
  }

  @Test
  void sharedAnonymousFramesLiveUntilTheLastPieceGoes() {
    long base =
        as.mmap(
            hart, mm, 0, 4 * 4096, RW, AddressSpace.MAP_SHARED | AddressSpace.MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 4; i++) {
      touch(base + i * 4096L);
    }
    as.munmap(hart, mm, base + 4096, 4096); // two pieces now share the object
    as.munmap(hart, mm, base, 4096);
    assertTrue(frames.freeFrames() < freeAtStart);
    as.munmap(hart, mm, base, 4 * 4096);
    assertEquals(
        freeAtStart, frames.freeFrames(), "frames and the emptied page tables all returned");
  }

  @Test
  void madviseDontneedDropsPrivatePagesToZero() {
    long base = as.mmap(hart, mm, 0, 4 * 4096, RW, PRIVATE_ANON, -1, 0);
    touch(base); // keeps the page tables in use, so only the dropped page's frame comes back
    long pa = touch(base + 4096);
    hart.mmu().memory().putLong(pa, 99);
    int free = frames.freeFrames();
    assertEquals(0, as.madvise(hart, mm, base + 4096, 4096, AddressSpace.MADV_DONTNEED));
    assertEquals(free + 1, frames.freeFrames());
    assertFalse(hart.mmu().tlb().holds(mm.asid, base + 4096), "dropped page still in the TLB");
    assertEquals(0, hart.mmu().memory().getLong(touch(base + 4096)), "reads back as zero");
    assertEquals(Errno.EINVAL, errno(() -> as.madvise(hart, mm, base, 4096, 77)));
    assertEquals(
        Errno.ENOMEM,
        errno(() -> as.madvise(hart, mm, 0x7000_0000L, 4096, AddressSpace.MADV_DONTNEED)));
  }

  @Test
  void mremapGrowsInPlaceShrinksAndMovesWithItsData() {
    long base =
        as.mmap(hart, mm, 0x4000_0000L, 2 * 4096, RW, PRIVATE_ANON | AddressSpace.MAP_FIXED, -1, 0);
    hart.mmu().memory().putLong(touch(base), 1234);
    assertEquals(base, as.mremap(hart, mm, base, 2 * 4096, 4 * 4096, 0, 0), "grows in place");
    assertEquals(4 * 4096, mm.vmas.find(base).end() - base);
    as.mmap(hart, mm, base + 4 * 4096, 4096, RW, PRIVATE_ANON | AddressSpace.MAP_FIXED, -1, 0);
    assertEquals(Errno.ENOMEM, errno(() -> as.mremap(hart, mm, base, 4 * 4096, 8 * 4096, 0, 0)));
    long moved = as.mremap(hart, mm, base, 4 * 4096, 8 * 4096, AddressSpace.MREMAP_MAYMOVE, 0);
    assertTrue(moved != base);
    assertEquals(1234, hart.mmu().memory().getLong(touch(moved)), "data moved with the pages");
    assertEquals(PageFaults.Result.NO_AREA, faults.handle(hart, mm, base, Mmu.LOAD));
    assertFalse(hart.mmu().tlb().holds(mm.asid, base), "old translation survived the move");
    assertEquals(moved, as.mremap(hart, mm, moved, 8 * 4096, 4096, 0, 0), "shrinks in place");
    long fixed =
        as.mremap(
            hart,
            mm,
            moved,
            4096,
            4096,
            AddressSpace.MREMAP_MAYMOVE | AddressSpace.MREMAP_FIXED,
            0x5000_0000L);
    assertEquals(0x5000_0000L, fixed);
    assertEquals(1234, hart.mmu().memory().getLong(touch(fixed)));
    assertEquals(Errno.EFAULT, errno(() -> as.mremap(hart, mm, 0x6000_0000L, 4096, 8192, 1, 0)));
    assertEquals(
        Errno.EINVAL,
        errno(() -> as.mremap(hart, mm, fixed, 4096, 8192, AddressSpace.MREMAP_FIXED, 0)));
  }

  @Test
  void munmapFreesEmptyPageTablesAfterTheFlush() {
    long base =
        as.mmap(hart, mm, 0x4000_0000L, 4096, RW, PRIVATE_ANON | AddressSpace.MAP_FIXED, -1, 0);
    touch(base);
    int free = frames.freeFrames();
    as.munmap(hart, mm, base, 4096);
    assertEquals(free + 3, frames.freeFrames(), "the data frame and the two tables below the root");
    assertEquals(Mmu.PAGE_FAULT, hart.mmu().translate(base, Mmu.LOAD));
  }
}
