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
import hartlab.kernel.stats.Counter;
import hartlab.kernel.uapi.Errno;
import hartlab.mmu.Mmu;
import hartlab.mmu.Pte;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** mprotect: Linux's errno values, whole-area semantics, and the shootdown of revoked access. */
class MprotectTest {
  private KernelRig rig;
  private Mprotect mprotect;
  private Hart hart;
  private Mm mm;

  @BeforeEach
  void setUp() {
    rig = KernelRig.of(2);
    mprotect = rig.vm.mprotect();
    hart = rig.hart(0);
    mm = rig.newMm();
    rig.load(0, mm);
  }

  private long map(int pages, int prot) {
    return rig.vm.mmap().mmap(hart, mm, 0, pages * PAGE, prot, PRIVATE_ANON, -1, 0);
  }

  @Test
  void argumentsAreCheckedAsLinuxDoes() {
    long base = map(4, RW);
    assertEquals(Errno.EINVAL, errno(() -> mprotect.mprotect(hart, mm, base + 1, PAGE, 1)));
    assertEquals(Errno.EINVAL, errno(() -> mprotect.mprotect(hart, mm, base, PAGE, 0x10)));
    assertEquals(
        Errno.ENOMEM, errno(() -> mprotect.mprotect(hart, mm, 0x200000, PAGE, 1)), "unmapped");
    assertEquals(Errno.ENOMEM, errno(() -> mprotect.mprotect(hart, mm, base, -PAGE, 1)));
    assertEquals(
        Errno.ENOMEM,
        errno(() -> mprotect.mprotect(hart, mm, base, 5 * PAGE, 1)),
        "runs past the end of the area");
    assertEquals(0, mprotect.mprotect(hart, mm, base, 0, 1), "nothing to do");
    assertEquals(0, mprotect.mprotect(hart, mm, 0x200000, 0, 1), "even where nothing is mapped");
  }

  @Test
  void aRangeWithAHoleIsRefusedAndChangesNothing() {
    long a =
        rig.vm
            .mmap()
            .mmap(hart, mm, 0x4000_0000L, 2 * PAGE, RW, PRIVATE_ANON | Mmap.MAP_FIXED, -1, 0);
    rig.vm.mmap().mmap(hart, mm, a + 3 * PAGE, PAGE, RW, PRIVATE_ANON | Mmap.MAP_FIXED, -1, 0);
    assertEquals(
        Errno.ENOMEM, errno(() -> mprotect.mprotect(hart, mm, a, 4 * PAGE, Vma.PROT_READ)));
    for (Vma v : MmFixtures.areas(mm)) {
      assertEquals(RW, v.prot(), "untouched: " + v);
    }
    assertEquals(2, mm.vmas.size(), "and not split");
  }

  @Test
  void downgradeSplitsTheAreaShootsDownAndForbidsStores() {
    long base = map(2, RW);
    rig.touch(hart, mm, base, Mmu.STORE);
    rig.touch(hart, mm, base + PAGE, Mmu.STORE);
    mprotect.mprotect(hart, mm, base, PAGE, Vma.PROT_READ);
    assertEquals(Mmu.PAGE_FAULT, hart.mmu().translate(base, Mmu.STORE), "stale W entry survived");
    assertEquals(PageFaults.Result.FORBIDDEN, rig.vm.faults().handle(hart, mm, base, Mmu.STORE));
    assertTrue(hart.mmu().translate(base, Mmu.LOAD) >= 0);
    assertTrue(hart.mmu().translate(base + PAGE, Mmu.STORE) >= 0, "the other page is untouched");
    assertEquals(2, mm.vmas.size());
    assertEquals(Vma.PROT_READ, mm.vmas.find(base).prot());
    assertEquals(RW, mm.vmas.find(base + PAGE).prot());
    assertEquals(1, rig.count(0, Counter.SHOOTDOWNS));
  }

  @Test
  void upgradeRewritesThePtesWithoutAShootdown() {
    long base = map(1, Vma.PROT_READ);
    rig.touch(hart, mm, base, Mmu.LOAD);
    mprotect.mprotect(hart, mm, base, PAGE, RW);
    assertEquals(0, rig.count(0, Counter.SHOOTDOWNS), "nothing was taken away");
    long pte = rig.pageTable.lookup(mm.root, base);
    assertTrue((pte & Pte.W) != 0, "the present PTE got W in place");
    assertTrue(hart.mmu().translate(base, Mmu.STORE) >= 0, "the store needs no fault");
  }

  @Test
  void protNoneKeepsTheFrameAndTheDataForALaterUpgrade() {
    long base = map(2, RW);
    long pa = rig.touch(hart, mm, base, Mmu.STORE);
    rig.memory.putLong(pa, 0x1234);
    int free = rig.freeFrames();
    mprotect.mprotect(hart, mm, base, PAGE, KernelRig.PROT_NONE);
    assertEquals(Mmu.PAGE_FAULT, hart.mmu().translate(base, Mmu.LOAD));
    assertEquals(PageFaults.Result.FORBIDDEN, rig.vm.faults().handle(hart, mm, base, Mmu.LOAD));
    long pte = rig.pageTable.lookup(mm.root, base);
    assertTrue(Pte.isValid(pte) && (pte & Pte.U) == 0, "mapped, but not for user mode");
    assertEquals(free, rig.freeFrames());
    mprotect.mprotect(hart, mm, base, PAGE, RW);
    assertEquals(pa, hart.mmu().translate(base, Mmu.STORE), "the same frame came back");
    assertEquals(0x1234, rig.memory.getLong(pa));
  }

  @Test
  void writeOnlyAndExecOnlyAreWhatSv39CanExpress() {
    long w = map(1, Vma.PROT_WRITE);
    long x = map(1, Vma.PROT_EXEC);
    rig.touch(hart, mm, w, Mmu.STORE);
    assertTrue(hart.mmu().translate(w, Mmu.LOAD) >= 0, "write implies read");
    assertEquals(PageFaults.Result.FIXED, rig.vm.faults().handle(hart, mm, x, Mmu.FETCH));
    assertTrue(hart.mmu().translate(x, Mmu.FETCH) >= 0);
    assertEquals(PageFaults.Result.FORBIDDEN, rig.vm.faults().handle(hart, mm, x, Mmu.LOAD));
    mprotect.mprotect(hart, mm, x, PAGE, Vma.PROT_READ);
    assertEquals(Mmu.PAGE_FAULT, hart.mmu().translate(x, Mmu.FETCH), "exec was revoked");
  }

  @Test
  void anotherHartsWritableTranslationIsGoneWhenTheCallReturns() {
    rig.load(1, mm);
    long base = map(1, RW);
    rig.touch(rig.hart(1), mm, base, Mmu.STORE);
    assertTrue(rig.cached(rig.hart(1), mm, base));
    mprotect.mprotect(hart, mm, base, PAGE, Vma.PROT_READ);
    assertFalse(rig.cached(rig.hart(1), mm, base), "hart 1 was told before the call returned");
    assertEquals(Mmu.PAGE_FAULT, rig.hart(1).mmu().translate(base, Mmu.STORE));
    rig.assertNoViolations();
  }
}
