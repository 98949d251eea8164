package hartlab.kernel.check;

import static hartlab.kernel.KernelRig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.StubTurns;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Outcome;
import hartlab.kernel.tlb.LazyTlbMode;
import hartlab.kernel.tlb.shootdown.Shootdown;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each checker provoked once, through the real hook points and the one {@link Violations} sink with
 * a real {@link Halt}: the unsafe lazy-TLB mode (active_mm), a strategy that skips a hart (TLB
 * coherence), and one that frees page tables under a lazy hart (freed page table).
 */
class CheckersTest {
  /** Broken on purpose: ipi-sync that never interrupts the highest-numbered target. */
  static final class SkipsHighest implements ShootdownStrategy {
    @Override
    public String name() {
      return "test-skips-highest";
    }

    @Override
    public String description() {
      return "broken: forgets the highest target";
    }

    @Override
    public void shootdown(Shootdown s) {
      long forgotten = Long.highestOneBit(s.targets());
      s.flushLocal();
      s.await(s.sendIpis(s.targets() & ~forgotten));
      s.release();
    }
  }

  /** Broken on purpose: lazy-skip even when page tables are freed. */
  static final class FreesTablesUnderLazyHarts implements ShootdownStrategy {
    @Override
    public String name() {
      return "test-frees-tables-under-lazy-harts";
    }

    @Override
    public String description() {
      return "broken: skips lazy harts while freeing page tables";
    }

    @Override
    public void shootdown(Shootdown s) {
      Shootdown.Acks acks = s.sendIpis(s.targets() & ~s.lazyTargets());
      s.flushLocal();
      s.await(acks);
      s.catchUpOnSwitch(s.lazyTargets());
      s.release();
    }
  }

  /** Broken on purpose: leaves every target to catch up, running or not. */
  static final class LeavesEveryoneToCatchUp implements ShootdownStrategy {
    @Override
    public String name() {
      return "test-leaves-everyone-to-catch-up";
    }

    @Override
    public String description() {
      return "broken: treats running harts as lazy";
    }

    @Override
    public void shootdown(Shootdown s) {
      s.flushLocal();
      s.catchUpOnSwitch(s.targets());
      s.release();
    }
  }

  /** Broken on purpose: defers even what must not wait. */
  static final class DefersEverything implements ShootdownStrategy {
    @Override
    public String name() {
      return "test-defers-everything";
    }

    @Override
    public String description() {
      return "broken: defers mprotect too";
    }

    @Override
    public void shootdown(Shootdown s) {
      s.flushLocal();
      s.defer(s.targets());
      s.release();
    }
  }

  /** Hart 0 runs a task of an mm with four cached pages; harts 1 and 2 run threads of it. */
  private static final class Running {
    final KernelRig rig;
    final Mm mm;
    final long base;

    Running(KernelRig rig) {
      this.rig = rig;
      mm = rig.newMm();
      Task t = rig.runOn(0, rig.newProcess(mm));
      for (int h = 1; h < rig.harts.length; h++) {
        rig.runOn(h, rig.newThread(t));
      }
      base = rig.mmapAnon(rig.hart(0), mm, 4);
      for (int h = 0; h < rig.harts.length; h++) {
        for (int p = 0; p < 4; p++) {
          rig.touch(rig.hart(h), mm, base + p * PAGE, Mmu.STORE);
        }
      }
    }
  }

  private static Map<String, Long> zeros() {
    return Map.of(
        ActiveMmChecker.NAME,
        0L,
        CoherenceChecker.NAME,
        0L,
        FreedTableChecker.NAME,
        0L,
        StaleTranslationChecker.NAME,
        0L,
        RcuChecker.NAME,
        0L,
        VmaIdentityChecker.NAME,
        0L);
  }

  @Test
  void everyStandardCheckerIsListedWithZeroViolations() {
    KernelRig rig = KernelRig.of(2);
    assertEquals(zeros(), rig.violationCounts());
    assertNull(rig.halt.ending());
  }

  @Test
  void withoutCheckingNothingIsListed() {
    KernelRig rig = KernelRig.builder().harts(2).check(false).build();
    assertEquals(Map.of(), rig.violationCounts());
  }

  // ---- active_mm ----

  @Test
  void activeMmCatchesAnMmFreedWhileALazyHartHoldsItAndTheSwitchAwayFromIt() {
    KernelRig rig = KernelRig.builder().harts(2).lazyTlb(LazyTlbMode.UNSAFE).build();
    rig.newProcess(rig.newMm()); // init, so the exit below is not the machine's last
    Mm mm = rig.newMm();
    rig.load(1, mm);
    rig.goIdle(1);
    rig.runOn(0, rig.newProcess(mm));
    rig.assertNoViolations();
    rig.schedule.exit(rig.hart(0), rig.schedule.current(rig.hart(0))); // the last task exits
    assertTrue(mm.freed);
    assertEquals(1, rig.violations.count(ActiveMmChecker.NAME), "freed under a lazy hart");
    Halt.Ending end = rig.halt.ending();
    assertEquals(Outcome.VIOLATION, end.outcome());
    assertTrue(
        end.message().startsWith("active_mm checker: hart 0 frees " + mm + " while hart "),
        end.message());
    assertTrue(end.message().contains("still holds it as its active_mm"), end.message());
    assertTrue(end.message().contains("lazy TLB mode unsafe"), end.message());
    assertTrue(rig.turns.stopped(), "the run is stopping");
    rig.load(1, rig.newMm());
    assertEquals(2, rig.violations.count(ActiveMmChecker.NAME), "and using it is one more");
    assertEquals(0, rig.violations.count(CoherenceChecker.NAME));
    assertEquals(end, rig.halt.ending(), "the first report is the run's");
  }

  @Test
  void activeMmStaysQuietInTheSafeModes() {
    for (LazyTlbMode mode : new LazyTlbMode[] {LazyTlbMode.REFCOUNT, LazyTlbMode.SHOOTDOWN}) {
      KernelRig rig = KernelRig.builder().harts(2).lazyTlb(mode).build();
      rig.newProcess(rig.newMm());
      Mm mm = rig.newMm();
      rig.load(1, mm);
      rig.goIdle(1);
      rig.runOn(0, rig.newProcess(mm));
      rig.schedule.exit(rig.hart(0), rig.schedule.current(rig.hart(0)));
      rig.load(1, rig.newMm());
      assertEquals(zeros(), rig.violationCounts(), mode.name());
      assertNull(rig.halt.ending(), mode.name());
    }
  }

  // ---- TLB coherence ----

  @Test
  void coherenceNamesTheHartTheAddressAndTheStrategyThatLeftAStaleEntry() {
    Running r = new Running(KernelRig.builder().harts(3).strategy(new SkipsHighest()).build());
    r.rig.munmap(r.rig.hart(0), r.mm, r.base + PAGE, PAGE);
    assertEquals(1, r.rig.violations.count(CoherenceChecker.NAME));
    String report = r.rig.halt.ending().message();
    assertTrue(report.startsWith("TLB coherence checker: hart 2 "), report);
    assertTrue(report.contains(String.format("va 0x%x", r.base + PAGE)), report);
    assertTrue(report.contains("strategy 'test-skips-highest'"), report);
    assertTrue(report.contains("munmap of " + r.mm), report);
    assertTrue(report.contains("(hart was targeted"), report);
    assertEquals(0, r.rig.violations.count(ActiveMmChecker.NAME));
  }

  @Test
  void coherenceHoldsARunningHartLeftToCatchUpToo() {
    Running r =
        new Running(KernelRig.builder().harts(2).strategy(new LeavesEveryoneToCatchUp()).build());
    r.rig.mprotect(r.rig.hart(0), r.mm, r.base, PAGE, KernelRig.PROT_READ);
    assertEquals(1, r.rig.violations.count(CoherenceChecker.NAME), "hart 1 runs the mm");
  }

  @Test
  void coherenceLetsALazyHartCatchUpLater() {
    KernelRig rig = KernelRig.builder().harts(2).strategy(new LeavesEveryoneToCatchUp()).build();
    Mm mm = rig.newMm();
    rig.runOn(0, rig.newProcess(mm));
    long base = rig.mmapAnon(rig.hart(0), mm, 1);
    rig.load(1, mm);
    rig.touch(rig.hart(1), mm, base, Mmu.STORE);
    rig.goIdle(1);
    rig.mprotect(rig.hart(0), mm, base, PAGE, KernelRig.PROT_READ);
    rig.assertNoViolations();
    assertTrue(rig.cached(rig.hart(1), mm, base), "stale, but it cannot use it while lazy");
    rig.load(1, mm);
    assertFalse(rig.cached(rig.hart(1), mm, base), "caught up on switching back");
    rig.assertNoViolations();
  }

  @Test
  void coherenceAcceptsDeferralOnlyForChangesThatMayWait() {
    Running r = new Running(KernelRig.builder().harts(2).strategy(new DefersEverything()).build());
    r.rig.munmap(r.rig.hart(0), r.mm, r.base, PAGE);
    r.rig.assertNoViolations(); // munmap may wait: its memory stays quarantined
    r.rig.mprotect(r.rig.hart(0), r.mm, r.base + PAGE, PAGE, KernelRig.PROT_READ);
    assertEquals(1, r.rig.violations.count(CoherenceChecker.NAME), "mprotect may not wait");
  }

  // ---- freed page tables ----

  /** An mm mapped on hart 0 whose leaf table hart 1 walked before going idle (lazily). */
  private static Mm tableInALazyHartsWalkCache(KernelRig rig, long at) {
    Mm mm = rig.newMm();
    rig.runOn(0, rig.newProcess(mm));
    rig.mmap(
        rig.hart(0), mm, at, 4 * PAGE, KernelRig.RW, KernelRig.PRIVATE_ANON | KernelRig.MAP_FIXED);
    rig.touch(rig.hart(0), mm, at, Mmu.STORE);
    rig.load(1, mm);
    rig.touch(rig.hart(1), mm, at + PAGE, Mmu.LOAD); // its walk cache now points at the table
    rig.goIdle(1);
    return mm;
  }

  @Test
  void freedPageTableCatchesATableFreedUnderALazyHartsWalkCache() {
    KernelRig rig =
        KernelRig.builder()
            .harts(2)
            .strategy(new FreesTablesUnderLazyHarts())
            .speculativeWalks(true)
            .build();
    long at = 0x4000_0000L;
    Mm mm = tableInALazyHartsWalkCache(rig, at);
    rig.assertNoViolations();
    rig.munmap(rig.hart(0), mm, at, 4 * PAGE); // unhooks the leaf and middle tables
    rig.rcuQuiesce(); // sync-rcu: they are freed after a grace period
    assertEquals(1, rig.violations.count(FreedTableChecker.NAME));
    String report = rig.halt.ending().message();
    assertTrue(report.startsWith("freed-page-table checker: page-table page 0x"), report);
    assertTrue(report.contains("hart 1's page-walk cache still pointed at it"), report);
    assertTrue(report.contains("'test-frees-tables-under-lazy-harts'"), report);
  }

  @Test
  void freedPageTableStaysQuietWhenTheStrategyFlushesLazyHartsToo() {
    KernelRig rig = KernelRig.builder().harts(2).speculativeWalks(true).build();
    long at = 0x4000_0000L;
    Mm mm = tableInALazyHartsWalkCache(rig, at);
    int before = rig.turns.pauses();
    rig.munmap(rig.hart(0), mm, at, 4 * PAGE);
    for (int i = -8; i <= 8; i++) {
      rig.hart(1).mmu().speculativeWalk(i); // hardware may walk at any time
    }
    rig.assertNoViolations();
    assertTrue(rig.turns.pauses() > before, "hart 0 waited for hart 1's acknowledgement");
  }

  // ---- stale translations ----

  /** Broken on purpose: defers every flush and lets the range be mapped again meanwhile. */
  static final class ReusesUnderPendingFlushes implements ShootdownStrategy {
    @Override
    public String name() {
      return "test-reuses-under-pending-flushes";
    }

    @Override
    public String description() {
      return "broken: no barrier before reuse";
    }

    @Override
    public void shootdown(Shootdown s) {
      s.flushLocal();
      s.defer(s.targets());
      s.release();
    }

    @Override
    public void beforeReuse(Shootdown.Pending p) {
      // forgets that another hart may still cache the old frame
    }
  }

  /** munmap one page of {@code r}, map it again at the same address and fault it in on hart 0. */
  private static void unmapAndReuse(Running r) {
    r.rig.munmap(r.rig.hart(0), r.mm, r.base, PAGE);
    r.rig.mmap(
        r.rig.hart(0),
        r.mm,
        r.base,
        PAGE,
        KernelRig.RW,
        KernelRig.PRIVATE_ANON | KernelRig.MAP_FIXED);
    r.rig.touch(r.rig.hart(0), r.mm, r.base, Mmu.STORE);
  }

  @Test
  void staleTranslationCatchesARangeMappedAgainWhileAHartStillCachesTheOldFrame() {
    Running r =
        new Running(KernelRig.builder().harts(2).strategy(new ReusesUnderPendingFlushes()).build());
    unmapAndReuse(r);
    assertEquals(1, r.rig.violations.count(StaleTranslationChecker.NAME));
    assertEquals(0, r.rig.violations.count(CoherenceChecker.NAME), "deferring munmap is allowed");
    String report = r.rig.halt.ending().message();
    assertTrue(
        report.startsWith(
            String.format("stale-translation checker: hart 0 installed va 0x%x", r.base)),
        report);
    assertTrue(report.contains("while hart 1, running that mm, its TLB maps it"), report);
    assertTrue(report.contains("'test-reuses-under-pending-flushes'"), report);
  }

  @Test
  void staleTranslationStaysQuietWhenPendingFlushesCompleteBeforeReuse() {
    Running r = new Running(KernelRig.builder().harts(2).strategy(new DefersEverything()).build());
    unmapAndReuse(r);
    r.rig.assertNoViolations();
    assertEquals(1, r.rig.count(0, Counter.REUSE_WAITS), "the reuse waited for the flush");
    assertFalse(r.rig.cached(r.rig.hart(1), r.mm, r.base), "hart 1 dropped the old frame");
  }

  // ---- the sink ----

  @Test
  void violationsAreCountedPerCheckerAndTheFirstOneEndsTheRun() {
    Hart[] harts = new Hart[2];
    PhysicalMemory memory = new PhysicalMemory(1 << 20);
    for (int i = 0; i < 2; i++) {
      harts[i] =
          new Hart(i, new Mmu(memory, new Tlb(16, 4), 1), new CodeCache(memory), CostModel.DEFAULT);
    }
    StubTurns turns = new StubTurns(harts);
    Halt halt = new Halt(harts, turns);
    Violations v = new Violations(halt);
    Checker a = named("a-checker");
    Checker b = named("b-checker");
    v.register(a);
    v.register(b);
    assertEquals(Map.of("a-checker", 0L, "b-checker", 0L), v.counts());
    v.report(b, "first report");
    v.report(a, "second report");
    v.report(b, "third report");
    assertEquals(Map.of("a-checker", 1L, "b-checker", 2L), v.counts());
    assertEquals(2, v.count("b-checker"));
    assertEquals(0, v.count("never-registered"));
    assertEquals(new Halt.Ending(Outcome.VIOLATION, 0, "first report"), halt.ending());
    assertTrue(harts[0].interruptPending() && harts[1].interruptPending(), "harts interrupted");
    v.report(named("late"), "late");
    assertEquals(1, v.count("late"), "an unregistered checker is counted when it reports");
  }

  private static Checker named(String name) {
    return new Checker() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void install(CheckerHooks hooks) {}
    };
  }
}
