package hartlab.kernel.mm;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.KernelRig.PAGE;
import static hartlab.kernel.KernelRig.PRIVATE_ANON;
import static hartlab.kernel.KernelRig.RW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.uapi.Errno;
import hartlab.mmu.Mmu;
import hartlab.mmu.Pte;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * mmap, munmap and brk against Linux's rules and errno values, with the frames and the TLB checked
 * after each: unmapped frames go back to the allocator, and no translation of them survives.
 */
class MmapTest {
  private static final int FIXED = Mmap.MAP_FIXED;

  private KernelRig rig;
  private Mmap mmap;
  private Hart hart;
  private Mm mm;
  private int freeAtStart;

  @BeforeEach
  void setUp() {
    rig = KernelRig.of(1);
    mmap = rig.vm.mmap();
    hart = rig.hart(0);
    mm = rig.newMm();
    rig.load(0, mm);
    MmFixtures.setBrk(mm, 0x100000);
    freeAtStart = rig.freeFrames();
  }

  private long map(long addr, long len, int prot, int flags) {
    return mmap.mmap(hart, mm, addr, len, prot, flags, -1, 0);
  }

  private long touch(long va) {
    return rig.touch(hart, mm, va, Mmu.STORE);
  }

  // ---- mmap's argument checks ----

  @Test
  void lengthOffsetTypeAndProtectionAreCheckedAsLinuxDoes() {
    assertEquals(Errno.EINVAL, errno(() -> map(0, 0, RW, PRIVATE_ANON)), "length 0");
    assertEquals(
        Errno.EINVAL,
        errno(() -> mmap.mmap(hart, mm, 0, PAGE, RW, PRIVATE_ANON, -1, 1)),
        "offset not page aligned");
    assertEquals(
        Errno.EINVAL,
        errno(() -> map(0, PAGE, RW, Mmap.MAP_ANONYMOUS)),
        "neither shared nor private");
    assertEquals(
        Errno.EINVAL, errno(() -> map(0, PAGE, RW, 0x0f | Mmap.MAP_ANONYMOUS)), "unknown type");
    assertEquals(Errno.EINVAL, errno(() -> map(0, PAGE, 8, PRIVATE_ANON)), "unknown PROT bit");
    assertEquals(Errno.ENOMEM, errno(() -> map(0, -PAGE, RW, PRIVATE_ANON)), "size_t length");
    assertEquals(Errno.ENOMEM, errno(() -> map(0, Mm.TASK_SIZE + PAGE, RW, PRIVATE_ANON)));
    assertEquals(freeAtStart, rig.freeFrames());
    assertTrue(MmFixtures.areas(mm).isEmpty(), "no failed call left an area");
  }

  @Test
  void fileMappingsAreRefusedByWhatTheDescriptorIs() {
    assertEquals(
        Errno.EBADF, errno(() -> mmap.mmap(hart, mm, 0, PAGE, RW, Mmap.MAP_PRIVATE, 7, 0)));
    assertEquals(
        Errno.ENODEV,
        errno(() -> mmap.mmap(hart, mm, 0, PAGE, RW, Mmap.MAP_PRIVATE, 1, 0)),
        "the console cannot be mapped");
  }

  @Test
  void sharedValidateRefusesUnknownFlagsWhilePlainMapsIgnoreThem() {
    int unknown = 0x400000;
    assertEquals(
        Errno.EOPNOTSUPP,
        errno(() -> map(0, PAGE, RW, Mmap.MAP_SHARED_VALIDATE | Mmap.MAP_ANONYMOUS | unknown)));
    assertEquals(
        Errno.EOPNOTSUPP,
        errno(
            () ->
                map(
                    0,
                    PAGE,
                    RW,
                    Mmap.MAP_SHARED_VALIDATE | Mmap.MAP_ANONYMOUS | Mmap.MAP_HUGETLB)));
    assertTrue(map(0, PAGE, RW, PRIVATE_ANON | unknown) > 0, "MAP_PRIVATE ignores it");
    long v = map(0, PAGE, RW, Mmap.MAP_SHARED_VALIDATE | Mmap.MAP_ANONYMOUS | Mmap.MAP_STACK);
    assertTrue(mm.vmas.find(v).isShared(), "a known flag is fine, and validate means shared");
  }

  @Test
  void fixedAddressesAreCheckedForAlignmentFloorAndCeiling() {
    assertEquals(Errno.EINVAL, errno(() -> map(0x10001, PAGE, RW, PRIVATE_ANON | FIXED)));
    assertEquals(
        Errno.EPERM,
        errno(() -> map(0x1000, PAGE, RW, PRIVATE_ANON | FIXED)),
        "below vm.mmap_min_addr");
    assertEquals(
        Errno.ENOMEM, errno(() -> map(Mm.TASK_SIZE - PAGE, 2 * PAGE, RW, PRIVATE_ANON | FIXED)));
    assertEquals(
        Errno.EEXIST,
        errno(
            () -> {
              map(0x200000, PAGE, RW, PRIVATE_ANON | FIXED);
              return map(0x200000, PAGE, RW, PRIVATE_ANON | Mmap.MAP_FIXED_NOREPLACE);
            }));
    assertEquals(Mm.MMAP_MIN_ADDR, map(Mm.MMAP_MIN_ADDR, PAGE, RW, PRIVATE_ANON | FIXED));
  }

  // ---- where mmap puts things ----

  @Test
  void withoutAHintMappingsGrowDownFromTheMmapBase() {
    long first = map(0, 3 * PAGE, RW, PRIVATE_ANON);
    long second = map(0, PAGE, RW, PRIVATE_ANON);
    assertEquals(Mm.MMAP_BASE - 3 * PAGE, first);
    assertEquals(first - PAGE, second, "right below the first");
    assertEquals(second - 2 * PAGE, map(0, 5000, RW, PRIVATE_ANON), "5000 bytes take two pages");
  }

  @Test
  void aFreeHintIsTakenAndATakenOneIgnored() {
    assertEquals(0x7000_0000L, map(0x7000_0000L, PAGE, RW, PRIVATE_ANON));
    long again = map(0x7000_0000L, PAGE, RW, PRIVATE_ANON);
    assertNotEquals(0x7000_0000L, again, "occupied: mmap looks elsewhere");
    assertEquals(Mm.MMAP_BASE - PAGE, again);
    assertEquals(0x7000_1000L, map(0x7000_1234L, PAGE, RW, PRIVATE_ANON), "hint rounds down");
    assertEquals(Mm.MMAP_BASE - 2 * PAGE, map(0x1000, PAGE, RW, PRIVATE_ANON), "under min_addr");
  }

  @Test
  void populateMapsEveryPageUpFrontButNotForProtNone() {
    long v = map(0, 4 * PAGE, RW, PRIVATE_ANON | Mmap.MAP_POPULATE);
    for (int i = 0; i < 4; i++) {
      long pte = rig.pageTable.lookup(mm.root, v + i * PAGE);
      assertTrue(Pte.isValid(pte), "page " + i + " is mapped already");
      assertTrue((pte & Pte.D) != 0, "populated for writing");
    }
    int free = rig.freeFrames();
    long none = map(0, 4 * PAGE, 0, PRIVATE_ANON | Mmap.MAP_POPULATE);
    assertEquals(free, rig.freeFrames(), "PROT_NONE populates nothing");
    assertEquals(0, rig.pageTable.lookup(mm.root, none));
  }

  /** Separate one-page areas from {@code at} until mmap refuses; returns how many it took. */
  private static int mapUntilRefused(KernelRig rig, Mm mm, long at) {
    Hart h = rig.hart(0);
    for (int i = 0; ; i++) {
      long addr = at + 2L * i * PAGE;
      int err = errno(() -> rig.vm.mmap().mmap(h, mm, addr, PAGE, RW, PRIVATE_ANON | FIXED, -1, 0));
      if (err != 0) {
        assertEquals(Errno.ENOMEM, err);
        return i;
      }
    }
  }

  @Test
  void theMapCountIsLimitedToVmMaxMapCount() {
    KernelRig big = KernelRig.builder().harts(1).memoryBytes(64L << 20).build();
    Mm m = big.newMm();
    big.load(0, m);
    long at = 0x1000_0000L;
    assertEquals(Mmap.MAX_MAP_COUNT, mapUntilRefused(big, m, at));
    assertEquals(Mmap.MAX_MAP_COUNT, m.vmas.size());
    assertEquals(0, big.kmem.refusals(), "the count refused, not kernel memory");
    big.vm.mmap().munmap(big.hart(0), m, at, PAGE);
    assertTrue(
        big.vm.mmap().mmap(big.hart(0), m, 0, PAGE, RW, PRIVATE_ANON, -1, 0) > 0,
        "one unmapped, one mapped");
  }

  @Test
  void onASmallMachineKernelMemoryLimitsTheAreasFirst() {
    long at = 0x1000_0000L;
    int mapped = mapUntilRefused(rig, mm, at);
    assertTrue(mapped < Mmap.MAX_MAP_COUNT, "8 MiB cannot hold 65530 areas: " + mapped);
    assertTrue(mapped > 1000, "but holds many: " + mapped);
    assertEquals(1, rig.kmem.refusals());
    assertEquals(mapped, mm.vmas.size(), "the refused call left no area behind");
    mmap.munmap(hart, mm, at, 2L * mapped * PAGE);
    assertEquals(freeAtStart, rig.freeFrames(), "every frame came back");
  }

  @Test
  void fixedNoReplaceRefusesAndFixedReplacesWithAFreshZeroPage() {
    long base = map(0, 4 * PAGE, RW, PRIVATE_ANON);
    long pa = touch(base);
    rig.memory.putLong(pa, 42);
    assertEquals(
        Errno.EEXIST, errno(() -> map(base, PAGE, RW, PRIVATE_ANON | Mmap.MAP_FIXED_NOREPLACE)));
    assertEquals(42, rig.memory.getLong(touch(base)), "untouched by the refusal");
    int free = rig.freeFrames();
    assertEquals(base, map(base, PAGE, RW, PRIVATE_ANON | FIXED));
    rig.rcuQuiesce();
    assertEquals(
        free + 1,
        rig.freeFrames(),
        "the replaced frame; the tables stay, as the rest of the area around it still spans them");
    assertFalse(rig.cached(hart, mm, base), "and its translation with it");
    assertEquals(0, rig.memory.getLong(touch(base)), "MAP_FIXED gave a fresh zero page");
    assertEquals(2, mm.vmas.size(), "the new page, and the rest of the old area");
  }

  // ---- munmap ----

  @Test
  void munmapArgumentsAreCheckedAsLinuxDoes() {
    assertEquals(Errno.EINVAL, errno(() -> mmap.munmap(hart, mm, 0x10001, PAGE)));
    assertEquals(Errno.EINVAL, errno(() -> mmap.munmap(hart, mm, 0x10000, 0)));
    assertEquals(Errno.EINVAL, errno(() -> mmap.munmap(hart, mm, 0x10000, -PAGE)));
    assertEquals(Errno.EINVAL, errno(() -> mmap.munmap(hart, mm, Mm.TASK_SIZE - PAGE, 2 * PAGE)));
    assertEquals(0, mmap.munmap(hart, mm, 0x7000_0000L, 16 * PAGE), "nothing there is fine");
  }

  @Test
  void munmapInTheMiddleSplitsFreesFramesAndLeavesNoStaleTranslation() {
    long base = map(0, 16 * PAGE, RW, PRIVATE_ANON);
    for (int i = 0; i < 16; i++) {
      touch(base + i * PAGE);
    }
    assertTrue(rig.cached(hart, mm, base + 5 * PAGE));
    int before = rig.freeFrames();
    mmap.munmap(hart, mm, base + 4 * PAGE, 4 * PAGE);
    assertEquals(before + 4, rig.freeFrames());
    assertFalse(rig.cached(hart, mm, base + 5 * PAGE), "unmapped page still in the TLB");
    assertEquals(Mmu.PAGE_FAULT, hart.mmu().translate(base + 5 * PAGE, Mmu.LOAD));
    List<Vma> areas = MmFixtures.areas(mm);
    assertEquals(2, areas.size());
    assertEquals(base + 4 * PAGE, areas.get(0).end());
    assertEquals(base + 8 * PAGE, areas.get(1).start());
    assertEquals(PageFaults.Result.NO_AREA, rig.vm.faults().handle(hart, mm, base + 5 * PAGE, 1));
    assertTrue(rig.cached(hart, mm, base + 3 * PAGE), "the pages around it stay cached");
  }

  @Test
  void munmapAcrossSeveralAreasAndHolesRemovesExactlyTheRange() {
    long a = map(0x4000_0000L, 2 * PAGE, RW, PRIVATE_ANON | FIXED);
    map(a + 4 * PAGE, 2 * PAGE, Vma.PROT_READ, PRIVATE_ANON | FIXED);
    map(a + 8 * PAGE, 4 * PAGE, RW, PRIVATE_ANON | FIXED);
    mmap.munmap(hart, mm, a + PAGE, 9 * PAGE);
    List<Vma> left = MmFixtures.areas(mm);
    assertEquals(2, left.size());
    assertEquals(a, left.get(0).start());
    assertEquals(a + PAGE, left.get(0).end());
    assertEquals(a + 10 * PAGE, left.get(1).start());
    assertEquals(a + 12 * PAGE, left.get(1).end());
  }

  @Test
  void munmapFreesPageTablesLeftEmptyAfterTheFlush() {
    long base = map(0x4000_0000L, PAGE, RW, PRIVATE_ANON | FIXED);
    touch(base);
    int free = rig.freeFrames();
    mmap.munmap(hart, mm, base, PAGE);
    rig.rcuQuiesce(); // sync-rcu: the tables go after a grace period
    assertEquals(free + 3, rig.freeFrames(), "the data frame and the two tables below the root");
    assertEquals(Mmu.PAGE_FAULT, hart.mmu().translate(base, Mmu.LOAD));
    assertEquals(freeAtStart, rig.freeFrames(), "everything the mapping took came back");
  }

  @Test
  void sharedAnonymousFramesLiveUntilTheLastPieceGoes() {
    long base = map(0, 4 * PAGE, RW, Mmap.MAP_SHARED | Mmap.MAP_ANONYMOUS);
    for (int i = 0; i < 4; i++) {
      touch(base + i * PAGE);
    }
    mmap.munmap(hart, mm, base + PAGE, PAGE); // two pieces now share the object
    mmap.munmap(hart, mm, base, PAGE);
    assertTrue(rig.freeFrames() < freeAtStart, "the object still holds its frames");
    mmap.munmap(hart, mm, base, 4 * PAGE);
    rig.rcuQuiesce(); // the tables go after a grace period (sync-rcu)
    assertEquals(freeAtStart, rig.freeFrames(), "frames and emptied page tables all returned");
  }

  @Test
  void sharedPagesAreOneFrameHoweverManyTimesFaulted() {
    long base = map(0, 2 * PAGE, RW, Mmap.MAP_SHARED | Mmap.MAP_ANONYMOUS);
    long pa = touch(base);
    mmap.munmap(hart, mm, base + PAGE, PAGE);
    int free = rig.freeFrames();
    rig.memory.putLong(pa, 77);
    assertEquals(pa, touch(base), "same frame");
    assertEquals(free, rig.freeFrames());
    assertEquals(1, MmFixtures.refCount(rig.vm.refs(), pa), "one reference: the object's");
  }

  // ---- brk ----

  @Test
  void brkGrowsShrinksAndNeverFails() {
    assertEquals(0x100000, mmap.brk(hart, mm, 0), "brk(0) asks for the current break");
    assertEquals(0x100000 + 10000, mmap.brk(hart, mm, 0x100000 + 10000));
    assertEquals(1, mm.vmas.size());
    assertEquals(Vma.Kind.HEAP, mm.vmas.find(0x100000).kind());
    touch(0x100000 + 9000);
    assertEquals(0x100000 + 20000, mmap.brk(hart, mm, 0x100000 + 20000));
    assertEquals(1, mm.vmas.size(), "the heap grows as one area");
    int free = rig.freeFrames();
    assertEquals(0x100000, mmap.brk(hart, mm, 0x100000));
    rig.rcuQuiesce(); // the tables go after a grace period (sync-rcu)
    assertEquals(free + 1 + 2, rig.freeFrames(), "the touched page and its tables");
    assertEquals(PageFaults.Result.NO_AREA, rig.vm.faults().handle(hart, mm, 0x100000 + 9000, 1));
    map(0x200000, PAGE, RW, PRIVATE_ANON | FIXED);
    assertEquals(
        0x100000, mmap.brk(hart, mm, 0x300000), "growing into a mapping leaves the break alone");
    assertEquals(0x100000, mmap.brk(hart, mm, 0x10000), "below the start: unchanged");
    assertEquals(0x100000, mmap.brk(hart, mm, Mm.MMAP_BASE + PAGE), "into the mmap area");
    assertEquals(0x100000, MmFixtures.brk(mm));
  }

  @Test
  void brkWithinThePageMovesTheBreakButNotTheArea() {
    mmap.brk(hart, mm, 0x100000 + 100);
    Vma heap = mm.vmas.find(0x100000);
    assertEquals(0x101000, heap.end());
    assertEquals(0x100000 + 200, mmap.brk(hart, mm, 0x100000 + 200));
    assertEquals(0x101000, heap.end());
    assertEquals(1, mm.vmas.size());
  }
}
