package hartlab.kernel.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.check.Violations;
import hartlab.kernel.check.VmaIdentityChecker;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.smp.Turns;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import org.junit.jupiter.api.Test;

/**
 * Scripted interleavings of the per-VMA lock's read side: between a fault's lookup and its
 * reference, the area is freed and (being type-stable) handed out again at once. The re-check must
 * catch every case and count it; the broken read sides ({@code --break}) must not, and the
 * VMA-identity checker must then report the use.
 */
class VmaLocksTest {
  private static final long VA = 0x10000;

  private final Counters counters = new Counters(1);
  private final Hart hart = hart();
  private Violations violations;
  private VmaLocks locks;
  private Mm a;
  private Mm b;
  private Vma x;

  private static Hart hart() {
    PhysicalMemory memory = new PhysicalMemory(1 << 20);
    return new Hart(
        0, new Mmu(memory, new Tlb(16, 4), 25), new CodeCache(memory), CostModel.DEFAULT);
  }

  private void setUp(VmaBreak broken) {
    Hart[] none = new Hart[0];
    violations = new Violations(new Halt(none, Turns.create(false, none, 1, null, null)));
    locks = new VmaLocks(null, null, counters, broken, null);
    VmaIdentityChecker checker = new VmaIdentityChecker(violations);
    violations.register(checker);
    locks.setCheck(checker);
    a = new Mm(1, 0, KernelMemory.unaccounted(), locks);
    b = new Mm(2, 0, KernelMemory.unaccounted(), locks);
    x = a.vmas.allocate(a, VA, VA + 0x2000, Vma.PROT_READ | Vma.PROT_WRITE, Vma.Kind.ANON, null, 0);
    a.vmas.insert(x);
  }

  private long count(Counter c) {
    return counters.hart(0).get(c);
  }

  /** What the fault path does: lock under RCU, tell the checker, use, unlock. */
  private Vma fault(long va) {
    Vma v = locks.lockVmaUnderRcu(hart, a, va);
    if (v != null) {
      locks.using(hart, a, v, va);
      locks.vmaEndRead(v);
    }
    return v;
  }

  /** In the window: x leaves mm a and the pool hands the same object out to mm b. */
  private void reuseForOtherMm() {
    locks.setLookupWindow(
        (hart, mm, found) -> {
          locks.setLookupWindow(null);
          a.vmas.remove(null, found);
          a.vmas.free(found);
          Vma y = b.vmas.allocate(b, 0x40000, 0x41000, Vma.PROT_READ, Vma.Kind.ANON, null, 0);
          assertSame(found, y, "the pool hands the freed area out again at once");
          b.vmas.insert(y);
        });
  }

  /** In the window: x leaves and comes back as another area of the same mm, elsewhere. */
  private void reuseElsewhereInSameMm() {
    locks.setLookupWindow(
        (hart, mm, found) -> {
          locks.setLookupWindow(null);
          a.vmas.remove(null, found);
          a.vmas.free(found);
          Vma y = a.vmas.allocate(a, 0x50000, 0x52000, Vma.PROT_READ, Vma.Kind.ANON, null, 0);
          assertSame(found, y);
          a.vmas.insert(y);
        });
  }

  @Test
  void anUndisturbedLookupTakesAndDropsOneReference() {
    setUp(VmaBreak.NONE);
    Vma v = locks.lockVmaUnderRcu(hart, a, VA + 0x1000);
    assertSame(x, v);
    assertEquals(2, x.refcnt());
    locks.vmaEndRead(v);
    assertEquals(1, x.refcnt());
    assertEquals(0, count(Counter.VMA_LOCK_FALLBACKS));
  }

  @Test
  void reuseForAnotherMmIsCaughtByTheRecheckAndCounted() {
    setUp(VmaBreak.NONE);
    reuseForOtherMm();
    assertNull(fault(VA));
    assertEquals(1, count(Counter.VMA_RECHECK_MM));
    assertEquals(1, count(Counter.VMA_LOCK_FALLBACKS));
    assertEquals(0, violations.count(VmaIdentityChecker.NAME));
    assertEquals(1, x.refcnt(), "the failed reader let go of the reused area");
  }

  @Test
  void reuseElsewhereInTheSameMmIsCaughtByTheRangeRecheck() {
    setUp(VmaBreak.NONE);
    reuseElsewhereInSameMm();
    assertNull(fault(VA));
    assertEquals(1, count(Counter.VMA_RECHECK_RANGE));
    assertEquals(0, violations.count(VmaIdentityChecker.NAME));
  }

  @Test
  void anAreaTakenOutRefusesTheReference() {
    setUp(VmaBreak.NONE);
    locks.setLookupWindow((hart, mm, found) -> a.vmas.remove(null, found));
    assertNull(fault(VA));
    assertEquals(1, count(Counter.VMA_RECHECK_DETACHED));
  }

  @Test
  void aWriteLockedAreaSendsTheFaultToTheMmapLock() {
    setUp(VmaBreak.NONE);
    locks.setLookupWindow((hart, mm, found) -> locks.vmaStartWrite(null, a, found));
    assertNull(fault(VA));
    assertEquals(1, count(Counter.VMA_RECHECK_WRITER));
    a.mmLockSeq++; // the writer releases the mmap lock: every area it locked is unlocked
    locks.setLookupWindow(null);
    assertSame(x, fault(VA));
  }

  @Test
  void withoutTheRecheckTheIdentityCheckerCatchesTheReusedArea() {
    setUp(VmaBreak.RECHECK);
    reuseForOtherMm();
    Vma used = fault(VA);
    assertNotNull(used);
    assertFalse(used.isAreaOf(a, VA));
    assertEquals(1, violations.count(VmaIdentityChecker.NAME));
    assertEquals(0, count(Counter.VMA_RECHECK_MM), "nothing re-checked, nothing counted");
  }

  @Test
  void withoutTheRecheckTheIdentityCheckerCatchesAWriteLockedArea() {
    setUp(VmaBreak.RECHECK);
    locks.setLookupWindow((hart, mm, found) -> locks.vmaStartWrite(null, a, found));
    assertSame(x, fault(VA), "the reference is taken once the writer has seen no reader");
    assertTrue(x.isAreaOf(a, VA), "still the area: only its lock was skipped");
    assertEquals(1, violations.count(VmaIdentityChecker.NAME));
  }

  /**
   * A reader that passed its re-check before the writer came is in the area legitimately: the
   * writer waits for it, and the checker must not take the writer's mark for a skipped re-check.
   */
  @Test
  void aReaderTheWriterWaitsForIsNoViolation() throws InterruptedException {
    setUp(VmaBreak.NONE);
    Vma v = locks.lockVmaUnderRcu(hart, a, VA);
    assertSame(x, v);
    Thread writer = new Thread(() -> locks.vmaStartWrite(null, a, x));
    writer.start();
    while (x.refcnt() < Vma.VMA_LOCK_OFFSET) {
      Thread.onSpinWait();
    }
    locks.using(hart, a, v, VA);
    assertTrue(writer.isAlive(), "the writer waits for the reader");
    locks.vmaEndRead(v);
    writer.join(10_000);
    assertFalse(writer.isAlive(), "the writer got through once the reader left");
    assertEquals(0, violations.count(VmaIdentityChecker.NAME));
    assertTrue(x.writeLockedIn(a), "the writer holds the area now");
    assertNull(fault(VA), "a new reader sees the writer's lock");
  }

  @Test
  void withoutAcquireTheRecheckSeesStaleFieldsAndTheCheckerCatchesIt() {
    setUp(VmaBreak.ACQUIRE);
    reuseElsewhereInSameMm();
    Vma used = fault(VA);
    assertNotNull(used, "the re-check passed on the fields read before the reference");
    assertEquals(1, violations.count(VmaIdentityChecker.NAME));
    assertEquals(0, count(Counter.VMA_RECHECK_RANGE));
  }

  @Test
  void withoutAcquireAnUndisturbedLookupIsStillFine() {
    setUp(VmaBreak.ACQUIRE);
    assertSame(x, fault(VA));
    assertTrue(x.isAreaOf(a, VA));
    assertEquals(0, violations.count(VmaIdentityChecker.NAME));
  }
}
