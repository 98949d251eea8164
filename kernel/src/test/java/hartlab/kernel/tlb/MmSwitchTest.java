package hartlab.kernel.tlb;

import static hartlab.kernel.KernelRig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.check.ActiveMmChecker;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.MmFixtures;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Outcome;
import hartlab.mmu.Mmu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * switch_mm and the life of an mm in each lazy-TLB mode: what each hart has loaded, mm_users and
 * mm_count through switchTo, enterLazy, exitMm and mmput, who pays for the refcount atomics, and
 * what happens to harts still holding an mm when its last reference goes.
 */
class MmSwitchTest {
  private static final CostModel COST = CostModel.DEFAULT;

  private static KernelRig rig(LazyTlbMode mode, int harts) {
    return KernelRig.builder().harts(harts).lazyTlb(mode).build();
  }

  private static TlbState state(KernelRig rig, int hart) {
    return rig.tlb.states().hart(hart);
  }

  /** Cycles {@code hart} spends in {@code action}. */
  private static long cycles(Hart hart, Runnable action) {
    long before = hart.cycles();
    action.run();
    return hart.cycles() - before;
  }

  @ParameterizedTest
  @EnumSource(LazyTlbMode.class)
  void switchToLoadsTheTableUnderTheMmsAsidAndJoinsMmCpumask(LazyTlbMode mode) {
    KernelRig rig = rig(mode, 2);
    Mm a = rig.newMm();
    Hart h1 = rig.hart(1);
    long spent = cycles(h1, () -> rig.load(1, a));
    assertEquals(Mmu.makeSatp(a.root, a.asid), h1.mmu().satp());
    assertNotEquals(0, a.asid, "a user mm never runs under the kernel's ASID");
    assertEquals(0b10, a.cpumask.get(), "hart 1 joined mm_cpumask");
    assertSame(a, rig.tlb.states().activeMm(1));
    assertEquals(
        COST.satpWrite() + COST.remoteAtomic(),
        spent,
        "a first switch: satp, and mm_cpumask's line fetched to set the bit; no flush");
    assertEquals(1, a.users.get());
    assertEquals(1, a.count.get());
    assertEquals(0, cycles(h1, () -> rig.load(1, a)), "switching to the loaded mm is free");
    Mm b = rig.newMm();
    rig.load(1, b);
    assertEquals(
        COST.satpWrite() + COST.atomic(),
        cycles(h1, () -> rig.load(1, a)),
        "back to a: its cpumask line is still this hart's");
  }

  // ---- refcount ----

  @Test
  void refcountIdleTakesAnMmCountReferenceAndTheNextSwitchDropsIt() {
    KernelRig rig = rig(LazyTlbMode.REFCOUNT, 1);
    Mm a = rig.newMm(), b = rig.newMm();
    Hart h = rig.hart(0);
    rig.load(0, a);
    long satp = h.mmu().satp();
    assertEquals(COST.remoteAtomic(), cycles(h, () -> rig.goIdle(0)), "mmgrab: one remote atomic");
    assertEquals(2, a.count.get(), "the lazy hart's reference");
    assertTrue(state(rig, 0).lazyRef);
    assertEquals(satp, h.mmu().satp(), "idle keeps the user table loaded");
    assertEquals(0, cycles(h, () -> rig.goIdle(0)), "no second reference for a second idle");
    assertEquals(2, a.count.get());
    long spent = cycles(h, () -> rig.load(0, b));
    assertEquals(
        COST.satpWrite() + COST.remoteAtomic() + COST.atomic(),
        spent,
        "satp, b's cpumask line, and the mmdrop on a line this hart took with the mmgrab");
    assertEquals(1, a.count.get(), "the lazy reference went with the switch");
    assertFalse(state(rig, 0).lazyRef);
    assertFalse(a.freed);
  }

  @Test
  void refcountBackToTheLazyMmDropsTheReferenceWithoutReloading() {
    KernelRig rig = rig(LazyTlbMode.REFCOUNT, 1);
    Mm a = rig.newMm();
    Hart h = rig.hart(0);
    rig.load(0, a);
    rig.goIdle(0);
    long walksBefore = h.mmu().walks();
    assertEquals(COST.atomic(), cycles(h, () -> rig.load(0, a)), "only the mmdrop, a local one");
    assertEquals(1, a.count.get());
    assertEquals(walksBefore, h.mmu().walks());
  }

  @Test
  void refcountKeepsAnExitedMmAliveUntilItsLazyHartSwitchesAway() {
    KernelRig rig = rig(LazyTlbMode.REFCOUNT, 1);
    Hart h = rig.hart(0);
    Mm a = rig.newMm(), b = rig.newMm();
    rig.load(0, a);
    long base = rig.mmapAnon(h, a, 4);
    for (int i = 0; i < 4; i++) {
      rig.touch(h, a, base + i * PAGE, Mmu.STORE);
    }
    int free = rig.freeFrames();
    rig.mmSwitch.exitMm(h, a); // the last task of a exits on this hart
    assertEquals(0, a.users.get());
    assertEquals(1, a.count.get(), "the users' reference is gone, the lazy one is not");
    assertFalse(a.freed);
    assertTrue(rig.frames.isAllocated(a.root), "the root stays while a hart has it loaded");
    assertEquals(free + 4 + 2, rig.freeFrames(), "exit_mmap freed the pages and their tables");
    assertTrue(MmFixtures.areas(a).isEmpty());
    rig.load(0, b);
    assertEquals(0, a.count.get());
    assertTrue(a.freed, "__mmdrop once the hart let go");
    assertFalse(rig.frames.isAllocated(a.root));
    rig.assertNoViolations();
  }

  @Test
  void mmgetAndMmputCountUsersAndOnlyTheLastTearsTheMappingsDown() {
    KernelRig rig = rig(LazyTlbMode.REFCOUNT, 2);
    Mm a = rig.newMm(), b = rig.newMm();
    Hart h = rig.hart(0);
    rig.load(0, a);
    long base = rig.mmapAnon(h, a, 2);
    rig.touch(h, a, base, Mmu.STORE);
    rig.mmSwitch.mmget(h, a);
    assertEquals(2, a.users.get());
    rig.load(0, b);
    int free = rig.freeFrames();
    rig.mmSwitch.mmput(h, a);
    assertEquals(1, a.users.get());
    assertEquals(free, rig.freeFrames(), "one user left: nothing torn down");
    assertEquals(1, MmFixtures.areas(a).size());
    rig.mmSwitch.exitMm(h, a); // not loaded here: just drops the user
    assertEquals(0, a.users.get());
    assertTrue(a.freed, "no hart held it: freed at once");
    assertEquals(free + 1 + 2 + 1, rig.freeFrames(), "page, its two tables and the root");
    rig.assertNoViolations();
  }

  // ---- shootdown ----

  @Test
  void shootdownTakesNoReferenceAndTheLastMmdropMovesLazyHartsToTheKernelTable() {
    KernelRig rig = rig(LazyTlbMode.SHOOTDOWN, 3);
    Mm a = rig.newMm(), other = rig.newMm();
    rig.load(1, a);
    assertEquals(0, cycles(rig.hart(1), () -> rig.goIdle(1)), "no atomic, nothing to do");
    assertEquals(1, a.count.get(), "a lazy hart holds no reference in this mode");
    rig.load(2, a);
    rig.load(2, other); // hart 2 is in a's cpumask but has moved on
    rig.load(0, a);
    long sent = rig.count(0, Counter.IPIS_SENT);
    rig.mmSwitch.exitMm(rig.hart(0), a);
    assertTrue(a.freed);
    assertEquals(rig.kernelSatp, rig.hart(0).mmu().satp(), "the exiting hart let go itself");
    assertEquals(rig.kernelSatp, rig.hart(1).mmu().satp(), "the lazy hart was told to let go");
    assertNull(rig.tlb.states().activeMm(1));
    assertNull(rig.tlb.states().activeMm(0));
    assertSame(other, rig.tlb.states().activeMm(2), "a hart that moved on keeps its mm");
    assertEquals(1, rig.count(0, Counter.IPIS_SENT) - sent, "one IPI, to the lazy holder");
    assertEquals(1, rig.count(1, Counter.IPIS_RECEIVED));
    assertEquals(1, rig.count(1, Counter.LAZY_TLB_IPIS), "which it counts as a lazy-TLB IPI");
    assertEquals(0, rig.count(2, Counter.IPIS_RECEIVED), "a hart that moved on is left alone");
    assertFalse(rig.frames.isAllocated(a.root));
    rig.assertNoViolations();
  }

  // ---- off ----

  @Test
  void offLoadsTheKernelTableAtIdleAndKeepsNoMm() {
    KernelRig rig = rig(LazyTlbMode.OFF, 1);
    Mm a = rig.newMm();
    Hart h = rig.hart(0);
    rig.load(0, a);
    assertEquals(COST.satpWrite(), cycles(h, () -> rig.goIdle(0)));
    assertEquals(rig.kernelSatp, h.mmu().satp());
    assertNull(rig.tlb.states().activeMm(0));
    assertEquals(1, a.count.get());
    long sent = rig.total(Counter.IPIS_SENT);
    rig.mmSwitch.mmput(h, a);
    assertTrue(a.freed);
    assertEquals(sent, rig.total(Counter.IPIS_SENT), "nobody to tell");
    assertEquals(
        COST.satpWrite() + COST.remoteAtomic(),
        cycles(h, () -> rig.load(0, rig.newMm())),
        "a plain load");
  }

  // ---- unsafe ----

  @Test
  void unsafeLeavesAFreedMmLoadedAndTheActiveMmCheckerCatchesTheFreeAndTheNextSwitch() {
    KernelRig rig = rig(LazyTlbMode.UNSAFE, 2);
    Mm a = rig.newMm(), b = rig.newMm();
    rig.load(1, a);
    rig.goIdle(1);
    assertEquals(1, a.count.get());
    rig.load(0, a);
    rig.mmSwitch.exitMm(rig.hart(0), a);
    assertTrue(a.freed, "freed while hart 1 still has it loaded");
    assertSame(a, rig.tlb.states().activeMm(1), "nobody told hart 1");
    assertEquals(Mmu.makeSatp(a.root, a.asid), rig.hart(1).mmu().satp(), "a freed root in satp");
    assertFalse(rig.frames.isAllocated(a.root));
    assertEquals(1, rig.violations.count(ActiveMmChecker.NAME), "freed while held");
    Halt.Ending end = rig.halt.ending();
    assertEquals(Outcome.VIOLATION, end.outcome());
    assertTrue(end.message().contains("still holds it as its active_mm"), end.message());
    assertTrue(end.message().contains(a.toString()), end.message());
    assertTrue(end.message().contains("unsafe"), end.message());
    rig.load(1, b);
    assertEquals(2, rig.violations.count(ActiveMmChecker.NAME), "switching away from it too");
  }

  // ---- who pays for the atomics ----

  @ParameterizedTest
  @EnumSource(LazyTlbMode.class)
  void lazyReferencesCostAtomicsOnlyInRefcountMode(LazyTlbMode mode) {
    KernelRig rig = rig(mode, 1);
    Hart h = rig.hart(0);
    Mm a = rig.newMm(), b = rig.newMm();
    rig.load(0, a);
    long idle = cycles(h, () -> rig.goIdle(0));
    long back = cycles(h, () -> rig.load(0, b));
    long load = COST.satpWrite() + COST.remoteAtomic(); // b's cpumask line comes to this hart
    long remote = rig.count(0, Counter.MM_COUNT_REMOTE_ATOMICS);
    long local = rig.count(0, Counter.MM_COUNT_LOCAL_ATOMICS);
    switch (mode) {
      case REFCOUNT:
        assertEquals(COST.remoteAtomic(), idle, "mmgrab fetches mm_count's line");
        assertEquals(load + COST.atomic(), back, "and the mmdrop finds it still here");
        assertEquals(1, remote);
        assertEquals(1, local);
        break;
      case OFF:
        assertEquals(COST.satpWrite(), idle, "the kernel table instead");
        assertEquals(load, back);
        assertEquals(0, remote + local);
        break;
      default:
        assertEquals(0, idle);
        assertEquals(load, back);
        assertEquals(0, remote + local);
        break;
    }
    rig.mmSwitch.mmput(h, a); // a is empty: only the references
    assertTrue(a.freed);
    assertEquals(
        remote + local + 1,
        rig.count(0, Counter.MM_COUNT_REMOTE_ATOMICS)
            + rig.count(0, Counter.MM_COUNT_LOCAL_ATOMICS),
        "in every mode, one mmdrop: the users' reference");
  }

  // ---- without ASIDs ----

  @Test
  void withoutAsidsEverySwitchFlushesTheWholeTlb() {
    KernelRig rig = KernelRig.builder().harts(1).asids(false).build();
    Hart h = rig.hart(0);
    Mm a = rig.newMm(), b = rig.newMm();
    long spent = cycles(h, () -> rig.load(0, a));
    assertEquals(COST.flushAll() + COST.satpWrite() + COST.remoteAtomic(), spent);
    assertEquals(0, a.asid);
    assertEquals(Mmu.makeSatp(a.root, 0), h.mmu().satp());
    long base = rig.mmapAnon(h, a, 1);
    rig.touch(h, a, base, Mmu.LOAD);
    assertTrue(h.mmu().tlb().holds(0, base));
    rig.load(0, b);
    assertFalse(h.mmu().tlb().holds(0, base), "a's entries did not survive the switch");
    assertEquals(2, h.mmu().tlbStats().flushesAll());
    rig.load(0, a);
    assertEquals(3, h.mmu().tlbStats().flushesAll(), "one full flush per switch");
  }

  @Test
  void withAsidsSwitchingBackFindsTheEntriesStillThere() {
    KernelRig rig = KernelRig.of(1);
    Hart h = rig.hart(0);
    Mm a = rig.newMm(), b = rig.newMm();
    rig.load(0, a);
    long base = rig.mmapAnon(h, a, 1);
    rig.touch(h, a, base, Mmu.LOAD);
    rig.load(0, b);
    rig.load(0, a);
    long misses = h.mmu().tlbStats().misses();
    assertTrue(h.mmu().translate(base, Mmu.LOAD) >= 0);
    assertEquals(misses, h.mmu().tlbStats().misses(), "a hit under a's ASID, no walk");
    assertEquals(0, h.mmu().tlbStats().flushesAll());
  }

  // ---- catching up from the TLB generation ----

  @Test
  void aHartBehindTheMmsTlbGenerationFlushesTheAsidWhenItSwitchesBack() {
    KernelRig rig = KernelRig.of(2);
    Hart h1 = rig.hart(1);
    Mm a = rig.newMm(), b = rig.newMm();
    rig.load(1, a);
    long base = rig.mmapAnon(h1, a, 1);
    rig.touch(h1, a, base, Mmu.LOAD);
    rig.load(1, b);
    assertEquals(a.tlbGen.get(), a.hartGen[1], "up to date when it left");
    a.tlbGen.incrementAndGet(); // a change hart 1 was not told about, as while it was away
    long spent = cycles(h1, () -> rig.load(1, a));
    assertEquals(COST.satpWrite() + COST.flushAsid() + COST.atomic(), spent);
    assertFalse(h1.mmu().tlb().holds(a.asid, base), "caught up: the ASID was flushed");
    assertEquals(a.tlbGen.get(), a.hartGen[1]);
    assertEquals(
        COST.satpWrite() + COST.atomic(), cycles(h1, () -> rig.load(1, b)), "b was not behind");
  }
}
