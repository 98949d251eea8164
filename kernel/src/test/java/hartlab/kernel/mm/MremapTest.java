package hartlab.kernel.mm;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.KernelRig.PAGE;
import static hartlab.kernel.KernelRig.PRIVATE_ANON;
import static hartlab.kernel.KernelRig.RW;
import static hartlab.kernel.mm.Mremap.MREMAP_DONTUNMAP;
import static hartlab.kernel.mm.Mremap.MREMAP_FIXED;
import static hartlab.kernel.mm.Mremap.MREMAP_MAYMOVE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.uapi.Errno;
import hartlab.mmu.Mmu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * mremap: shrinking, growing in place, moving with the data, MREMAP_FIXED, and the errno values.
 */
class MremapTest {
  private static final long AT = 0x4000_0000L;

  private KernelRig rig;
  private Mremap mremap;
  private Hart hart;
  private Mm mm;

  @BeforeEach
  void setUp() {
    rig = KernelRig.of(1);
    mremap = rig.vm.mremap();
    hart = rig.hart(0);
    mm = rig.newMm();
    rig.load(0, mm);
  }

  private long mapAt(long addr, int pages) {
    return rig.vm
        .mmap()
        .mmap(hart, mm, addr, pages * PAGE, RW, PRIVATE_ANON | Mmap.MAP_FIXED, -1, 0);
  }

  private long write(long va, long value) {
    long pa = rig.touch(hart, mm, va, Mmu.STORE);
    rig.memory.putLong(pa, value);
    return pa;
  }

  private long read(long va) {
    return rig.memory.getLong(rig.touch(hart, mm, va, Mmu.LOAD));
  }

  @Test
  void flagsAndLengthsAreCheckedAsLinuxDoes() {
    long base = mapAt(AT, 2);
    assertEquals(Errno.EINVAL, errno(() -> mremap.mremap(hart, mm, base + 1, PAGE, PAGE, 0, 0)));
    assertEquals(Errno.EINVAL, errno(() -> mremap.mremap(hart, mm, base, PAGE, PAGE, 8, 0)));
    assertEquals(
        Errno.EINVAL,
        errno(() -> mremap.mremap(hart, mm, base, PAGE, PAGE, MREMAP_FIXED, AT + 0x100000)),
        "MREMAP_FIXED needs MREMAP_MAYMOVE");
    assertEquals(
        Errno.EINVAL,
        errno(() -> mremap.mremap(hart, mm, base, PAGE, PAGE, MREMAP_DONTUNMAP | 1, 0)),
        "not supported");
    assertEquals(Errno.EINVAL, errno(() -> mremap.mremap(hart, mm, base, PAGE, 0, 0, 0)));
    assertEquals(Errno.EINVAL, errno(() -> mremap.mremap(hart, mm, base, -PAGE, PAGE, 0, 0)));
    assertEquals(
        Errno.EFAULT,
        errno(() -> mremap.mremap(hart, mm, AT + 0x100000, PAGE, 2 * PAGE, 1, 0)),
        "nothing mapped there");
    assertEquals(
        Errno.EFAULT,
        errno(() -> mremap.mremap(hart, mm, base, 3 * PAGE, 4 * PAGE, 1, 0)),
        "the old range must lie inside one area");
  }

  @Test
  void fixedTargetsAreCheckedAsLinuxDoes() {
    long base = mapAt(AT, 2);
    int move = MREMAP_MAYMOVE | MREMAP_FIXED;
    assertEquals(
        Errno.EINVAL,
        errno(() -> mremap.mremap(hart, mm, base, 2 * PAGE, 2 * PAGE, move, AT + 0x100001)),
        "unaligned");
    assertEquals(
        Errno.EINVAL,
        errno(() -> mremap.mremap(hart, mm, base, 2 * PAGE, 2 * PAGE, move, base + PAGE)),
        "overlapping the old range");
    assertEquals(
        Errno.EINVAL,
        errno(() -> mremap.mremap(hart, mm, base, 2 * PAGE, 2 * PAGE, move, Mm.TASK_SIZE - PAGE)),
        "past the end of user space");
    assertEquals(
        Errno.EPERM,
        errno(() -> mremap.mremap(hart, mm, base, 2 * PAGE, 2 * PAGE, move, 0x1000)),
        "below vm.mmap_min_addr");
    assertEquals(
        Errno.EINVAL,
        errno(() -> mremap.mremap(hart, mm, 0x7000_0000L, PAGE, PAGE, move, AT + 0x1001)),
        "the new address is judged before the old range is looked up");
    assertEquals(1, mm.vmas.size(), "nothing moved");
  }

  @Test
  void shrinkingInPlaceFreesTheTail() {
    long base = mapAt(AT, 4);
    for (int i = 0; i < 4; i++) {
      write(base + i * PAGE, i);
    }
    int free = rig.freeFrames();
    assertEquals(base, mremap.mremap(hart, mm, base, 4 * PAGE, 2 * PAGE, 0, 0));
    assertEquals(free + 2, rig.freeFrames());
    assertEquals(base + 2 * PAGE, mm.vmas.find(base).end());
    assertFalse(rig.cached(hart, mm, base + 3 * PAGE));
    assertEquals(1, read(base + PAGE));
  }

  @Test
  void growingInPlaceWhenThePagesAboveAreFreeElseNeedsMayMove() {
    long base = mapAt(AT, 2);
    write(base, 1234);
    assertEquals(base, mremap.mremap(hart, mm, base, 2 * PAGE, 4 * PAGE, 0, 0), "in place");
    assertEquals(4 * PAGE, mm.vmas.find(base).end() - base);
    assertEquals(1, mm.vmas.size());
    mapAt(base + 4 * PAGE, 1);
    assertEquals(
        Errno.ENOMEM, errno(() -> mremap.mremap(hart, mm, base, 4 * PAGE, 8 * PAGE, 0, 0)));
    assertEquals(1234, read(base), "a refused grow changes nothing");
  }

  @Test
  void growingAPieceInTheMiddleOfAnAreaMustMove() {
    long base = mapAt(AT, 8);
    assertEquals(
        Errno.ENOMEM, errno(() -> mremap.mremap(hart, mm, base, 2 * PAGE, 3 * PAGE, 0, 0)));
    long moved = mremap.mremap(hart, mm, base, 2 * PAGE, 3 * PAGE, MREMAP_MAYMOVE, 0);
    assertNotEquals(base, moved);
    assertEquals(2, mm.vmas.size(), "the moved piece, and the rest of the area it came from");
    assertEquals(base + 2 * PAGE, MmFixtures.areas(mm).get(0).start());
  }

  @Test
  void mayMoveTakesThePagesAlongAndLeavesNothingBehind() {
    long base = mapAt(AT, 4);
    long pa = write(base, 1234);
    write(base + 3 * PAGE, 99);
    mapAt(base + 4 * PAGE, 1);
    long moved = mremap.mremap(hart, mm, base, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE, 0);
    assertNotEquals(base, moved);
    assertEquals(pa, rig.touch(hart, mm, moved, Mmu.LOAD), "the very frame moved, not a copy");
    assertEquals(1234, read(moved));
    assertEquals(99, read(moved + 3 * PAGE));
    assertEquals(0, read(moved + 5 * PAGE), "the grown part is demand-zero");
    assertEquals(PageFaults.Result.NO_AREA, rig.vm.faults().handle(hart, mm, base, Mmu.LOAD));
    assertFalse(rig.cached(hart, mm, base), "old translation survived the move");
    assertEquals(8 * PAGE, mm.vmas.find(moved).end() - moved);
    assertTrue(rig.frames.isAllocated(pa));
  }

  @Test
  void shrinkingWhileMovingDropsTheTail() {
    long base = mapAt(AT, 4);
    for (int i = 0; i < 4; i++) {
      write(base + i * PAGE, 10 + i);
    }
    long to = AT + 0x10_0000L;
    int free = rig.freeFrames();
    long moved =
        mremap.mremap(hart, mm, base, 4 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to);
    assertEquals(to, moved);
    assertEquals(10, read(to));
    assertEquals(11, read(to + PAGE));
    assertEquals(2 * PAGE, mm.vmas.find(to).end() - to);
    assertEquals(free + 2, rig.freeFrames(), "the two dropped pages were freed");
  }

  @Test
  void fixedReplacesWhatWasThereAndMovesTheData() {
    long base = mapAt(AT, 1);
    write(base, 1234);
    long target = AT + 0x20_0000L;
    mapAt(target, 2);
    long oldThere = write(target, 555);
    long fixed = mremap.mremap(hart, mm, base, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    assertEquals(target, fixed);
    assertEquals(1234, read(target));
    assertFalse(rig.frames.isAllocated(oldThere), "the replaced page was unmapped and freed");
    assertEquals(PageFaults.Result.NO_AREA, rig.vm.faults().handle(hart, mm, base, Mmu.LOAD));
    assertEquals(2, mm.vmas.size(), "the moved page and the rest of what was there");
  }

  @Test
  void aSharedMappingMovesWithItsObject() {
    long base =
        rig.vm
            .mmap()
            .mmap(
                hart,
                mm,
                AT,
                2 * PAGE,
                RW,
                Mmap.MAP_SHARED | Mmap.MAP_ANONYMOUS | Mmap.MAP_FIXED,
                -1,
                0);
    long pa = write(base, 42);
    Object object = mm.vmas.find(base).sharedObject();
    long moved =
        mremap.mremap(
            hart, mm, base, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, AT + 0x40_0000L);
    assertSame(object, mm.vmas.find(moved).sharedObject());
    assertEquals(pa, rig.touch(hart, mm, moved, Mmu.LOAD));
    assertTrue(rig.frames.isAllocated(pa), "the object still holds the frame");
    rig.vm.mmap().munmap(hart, mm, moved, 2 * PAGE);
    assertFalse(rig.frames.isAllocated(pa), "and lets it go with the last mapping");
  }
}
