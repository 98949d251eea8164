package hartlab.kernel.mm;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.KernelRig.PAGE;
import static hartlab.kernel.KernelRig.PRIVATE_ANON;
import static hartlab.kernel.KernelRig.RW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.uapi.Errno;
import hartlab.mmu.Mmu;
import hartlab.mmu.Pte;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** madvise: DONTNEED and FREE drop pages, the other hints change nothing, Linux's errno values. */
class MadviseTest {
  private final KernelRig rig = KernelRig.of(2);
  private final Madvise madvise = rig.vm.madvise();
  private final Hart hart = rig.hart(0);
  private final Mm mm = rig.newMm();

  {
    rig.load(0, mm);
  }

  private long map(int pages, int flags) {
    return rig.vm.mmap().mmap(hart, mm, 0, pages * PAGE, RW, flags, -1, 0);
  }

  private long write(long va, long value) {
    long pa = rig.touch(hart, mm, va, Mmu.STORE);
    rig.memory.putLong(pa, value);
    return pa;
  }

  @ParameterizedTest(name = "advice {0}")
  @ValueSource(ints = {Madvise.MADV_DONTNEED, Madvise.MADV_FREE})
  void droppedPrivatePagesReadBackAsZeroAndTheirFramesAreFree(int advice) {
    long base = map(4, PRIVATE_ANON);
    write(base, 1); // keeps the page tables in use, so only the dropped page's frame comes back
    long pa = write(base + PAGE, 99);
    int free = rig.freeFrames();
    assertEquals(0, madvise.madvise(hart, mm, base + PAGE, PAGE, advice));
    assertEquals(free + 1, rig.freeFrames());
    assertFalse(rig.frames.isAllocated(pa), "its frame went back");
    assertFalse(rig.cached(hart, mm, base + PAGE), "dropped page still in the TLB");
    assertEquals(0, rig.peek(hart, mm, base + PAGE), "reads back as zero");
    assertEquals(1, rig.peek(hart, mm, base), "the page beside it keeps its data");
    assertEquals(1, mm.vmas.size(), "the area itself stays");
  }

  @Test
  void sharedMemoryReadsBackAsItsObjectHoldsIt() {
    long base = map(2, Mmap.MAP_SHARED | Mmap.MAP_ANONYMOUS);
    long pa = write(base, 77);
    int free = rig.freeFrames();
    madvise.madvise(hart, mm, base, 2 * PAGE, Madvise.MADV_DONTNEED);
    assertEquals(0, rig.pageTable.lookup(mm.root, base), "the PTE is gone");
    rig.rcuQuiesce();
    assertEquals(
        free, rig.freeFrames(), "nothing freed: the area keeps its tables, the object its frame");
    assertTrue(rig.frames.isAllocated(pa), "the object keeps its frame");
    assertEquals(77, rig.peek(hart, mm, base), "and the data with it");
    assertEquals(pa, rig.touch(hart, mm, base, Mmu.LOAD));
  }

  @ParameterizedTest(name = "advice {0}")
  @ValueSource(
      ints = {
        Madvise.MADV_NORMAL,
        Madvise.MADV_RANDOM,
        Madvise.MADV_SEQUENTIAL,
        Madvise.MADV_WILLNEED
      })
  void theOtherHintsAreAcceptedAndChangeNothing(int advice) {
    long base = map(2, PRIVATE_ANON);
    long pa = write(base, 5);
    int free = rig.freeFrames();
    assertEquals(0, madvise.madvise(hart, mm, base, 2 * PAGE, advice));
    assertEquals(free, rig.freeFrames());
    assertTrue(rig.cached(hart, mm, base));
    assertEquals(pa, Pte.pa(rig.pageTable.lookup(mm.root, base)));
  }

  @Test
  void argumentsAreCheckedAsLinuxDoes() {
    long base = map(2, PRIVATE_ANON);
    assertEquals(Errno.EINVAL, errno(() -> madvise.madvise(hart, mm, base, PAGE, 77)));
    assertEquals(
        Errno.EINVAL, errno(() -> madvise.madvise(hart, mm, base + 8, PAGE, Madvise.MADV_NORMAL)));
    assertEquals(
        Errno.EINVAL, errno(() -> madvise.madvise(hart, mm, base, -PAGE, Madvise.MADV_NORMAL)));
    assertEquals(
        Errno.ENOMEM,
        errno(() -> madvise.madvise(hart, mm, 0x7000_0000L, PAGE, Madvise.MADV_DONTNEED)));
    assertEquals(
        Errno.ENOMEM,
        errno(() -> madvise.madvise(hart, mm, base, 3 * PAGE, Madvise.MADV_DONTNEED)),
        "runs past the area");
    assertEquals(0, madvise.madvise(hart, mm, 0x7000_0000L, 0, Madvise.MADV_DONTNEED));
  }

  @Test
  void droppingIsNeverDeferredEvenUnderTheDeferredStrategy() {
    KernelRig deferred = KernelRig.builder().harts(2).strategy("deferred").build();
    Mm m = deferred.newMm();
    deferred.runOn(0, deferred.newProcess(m));
    deferred.load(1, m);
    Hart h0 = deferred.hart(0), h1 = deferred.hart(1);
    long base = deferred.mmapAnon(h0, m, 2);
    deferred.poke(h0, m, base, 3);
    deferred.touch(h1, m, base, Mmu.LOAD);
    deferred.locked(h0, m, () -> deferred.vm.madvise().madvise(h0, m, base, PAGE, 4));
    assertFalse(deferred.cached(h1, m, base), "hart 1 flushed before madvise returned");
    assertFalse(deferred.tlbFlush.hasDeferred(1));
    assertEquals(0, deferred.peek(h1, m, base), "hart 1 sees the zero page");
    deferred.assertNoViolations();
  }

  @Test
  void droppingAWholeRegionKeepsItsPageTables() {
    long base =
        rig.vm
            .mmap()
            .mmap(hart, mm, 0x4000_0000L, 2 * PAGE, RW, PRIVATE_ANON | Mmap.MAP_FIXED, -1, 0);
    write(base, 1);
    write(base + PAGE, 2);
    int free = rig.freeFrames();
    madvise.madvise(hart, mm, base, 2 * PAGE, Madvise.MADV_DONTNEED);
    rig.rcuQuiesce();
    assertEquals(free + 2, rig.freeFrames(), "two pages; the area still spans its tables (Linux)");
    assertEquals(0, rig.peek(hart, mm, base + PAGE));
  }
}
