package hartlab.kernel.tlb;

import static hartlab.kernel.KernelRig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.proc.Task;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.tlb.shootdown.ShootdownStrategies;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import hartlab.mmu.Mmu;
import hartlab.mmu.Pte;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shootdown strategy the class path offers, found as the kernel finds them, against the flush
 * entry point: four stub harts, hart 0 running a task of the mm (the initiator), hart 1 running
 * another thread of it, hart 2 holding it lazily, hart 3 never having loaded it. Real translations
 * sit in the harts' TLBs (each touched the pages through its own MMU), and the strategy's work is
 * judged by what is left in those TLBs when it releases, and by when the freed memory comes back.
 */
class ShootdownStrategiesTest {
  private static final int INITIATOR = 0, RUNNING = 1, LAZY = 2, ELSEWHERE = 3;

  static Stream<Arguments> strategies() {
    List<ShootdownStrategy> all =
        ShootdownStrategies.all(ShootdownStrategiesTest.class.getClassLoader());
    assertTrue(all.size() >= 5, "the five built-in strategies at least: " + all);
    return all.stream().map(s -> Arguments.of(Named.of(s.name(), s)));
  }

  /** The four harts of the class comment, with {@code pages} pages mapped and cached. */
  private static final class Scene {
    final RecordingStrategy strategy;
    final KernelRig rig;
    final ReleaseLog log;
    final Mm mm;
    final long base;
    final Task init;
    final Task thread;

    Scene(ShootdownStrategy s, long fixedAt, int mappedPages, int touchedPages) {
      this(s, fixedAt, mappedPages, touchedPages, 33);
    }

    Scene(ShootdownStrategy s, long fixedAt, int mappedPages, int touchedPages, int ceiling) {
      strategy = new RecordingStrategy(s);
      rig = KernelRig.builder().harts(4).strategy(strategy).flushCeiling(ceiling).build();
      log = new ReleaseLog(rig.harts);
      rig.tlb.observers().add(log);
      mm = rig.newMm();
      init = rig.runOn(INITIATOR, rig.newProcess(mm));
      thread = rig.runOn(RUNNING, rig.newThread(init));
      rig.load(LAZY, mm);
      Hart h0 = rig.hart(INITIATOR);
      base =
          fixedAt == 0
              ? rig.mmapAnon(h0, mm, mappedPages)
              : rig.mmap(
                  h0,
                  mm,
                  fixedAt,
                  mappedPages * PAGE,
                  KernelRig.RW,
                  KernelRig.PRIVATE_ANON | KernelRig.MAP_FIXED);
      for (int h = INITIATOR; h <= LAZY; h++) {
        for (int p = 0; p < touchedPages; p++) {
          rig.touch(rig.hart(h), mm, page(p), Mmu.STORE);
        }
      }
      rig.goIdle(LAZY);
      for (int h = INITIATOR; h <= LAZY; h++) {
        assertTrue(rig.cached(rig.hart(h), mm, page(0)), "set-up: hart " + h + " caches page 0");
      }
      assertTrue(cachedNow(ELSEWHERE, 0, Mm.TASK_SIZE).isEmpty(), "hart 3 never saw the mm");
    }

    long page(int i) {
      return base + i * PAGE;
    }

    Hart hart(int h) {
      return rig.hart(h);
    }

    /** Pages of {@code [from, to)} that hart {@code h} caches now. */
    TreeSet<Long> cachedNow(int h, long from, long to) {
      TreeSet<Long> pages = new TreeSet<>();
      hart(h).mmu().tlb().forEachEntry(mm.asid, from, to, (vpn, b, f) -> pages.add(vpn));
      return pages;
    }
  }

  private static boolean in(long mask, int hart) {
    return (mask & (1L << hart)) != 0;
  }

  // ---- munmap: deferrable, frees frames but no page table ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void afterReleaseNoHartKeepsAStaleTranslationUnlessDeferredOrLeftToCatchUp(ShootdownStrategy s) {
    Scene sc = new Scene(s, 0, 8, 8);
    sc.rig.munmap(sc.hart(INITIATOR), sc.mm, sc.page(2), 3 * PAGE);

    ReleaseLog.Release r = sc.log.last();
    RecordingStrategy.Call call = sc.strategy.last();
    assertEquals(1, call.releases, "released exactly once");
    assertEquals(0b110, call.targets, "targets: the other harts in mm_cpumask");
    assertEquals(1L << LAZY, call.lazyTargets, "hart 2 holds the mm lazily");
    assertTrue(call.deferrable);
    assertFalse(call.freesPageTables);
    for (int h = INITIATOR; h <= ELSEWHERE; h++) {
      if (!in(r.deferred() | r.catchUp(), h)) {
        assertEquals(
            new TreeSet<Long>(), r.cachedOn(h), "hart " + h + " at release, under " + s.name());
      }
    }
    assertTrue(r.cachedOn(INITIATOR).isEmpty(), "the initiator always flushes itself");
    for (int p : new int[] {0, 1, 5, 6, 7}) {
      assertTrue(sc.rig.cached(sc.hart(INITIATOR), sc.mm, sc.page(p)), "page " + p + " kept");
    }
    sc.rig.assertNoViolations();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void deferredFlushesLandAtEachTargetsNextKernelEntryAndOnlyThenIsMemoryFreed(
      ShootdownStrategy s) {
    Scene sc = new Scene(s, 0, 8, 8);
    int free = sc.rig.freeFrames();
    sc.rig.munmap(sc.hart(INITIATOR), sc.mm, sc.page(2), 3 * PAGE);
    long deferred = sc.log.last().deferred();
    assertEquals(sc.strategy.last().deferred, deferred, "the observer sees what was deferred");
    for (int h = 0; h < 4; h++) {
      assertEquals(in(deferred, h), sc.rig.tlbFlush.hasDeferred(h), "hart " + h + " owes a flush");
    }
    if (deferred == 0) {
      assertEquals(free + 3, sc.rig.freeFrames(), "nothing deferred: the frames are back at once");
      return;
    }
    assertEquals(free, sc.rig.freeFrames(), "frames quarantined until every deferred flush");
    List<Integer> order = new ArrayList<>();
    for (long m = deferred; m != 0; m &= m - 1) {
      order.add(Long.numberOfTrailingZeros(m));
    }
    for (int i = 0; i < order.size(); i++) {
      int h = order.get(i);
      assertFalse(
          sc.cachedNow(h, sc.page(2), sc.page(5)).isEmpty(), "hart " + h + " not flushed yet");
      sc.rig.tlbFlush.applyDeferred(sc.hart(h)); // the target's next kernel entry
      assertTrue(sc.cachedNow(h, sc.page(2), sc.page(5)).isEmpty(), "hart " + h + " flushed");
      assertFalse(sc.rig.tlbFlush.hasDeferred(h));
      assertEquals(1, sc.rig.count(h, Counter.DEFERRED_APPLIED));
      boolean last = i == order.size() - 1;
      assertEquals(last ? free + 3 : free, sc.rig.freeFrames(), "after hart " + h + "'s flush");
    }
    sc.rig.tlbFlush.applyDeferred(sc.hart(order.get(0)));
    assertEquals(free + 3, sc.rig.freeFrames(), "a second kernel entry frees nothing twice");
    sc.rig.assertNoViolations();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void lazyHartsAreSkippedOnlyWhenTheStrategySaysSoAndCatchUpWhenTheyReturn(ShootdownStrategy s) {
    Scene sc = new Scene(s, 0, 8, 8);
    sc.rig.munmap(sc.hart(INITIATOR), sc.mm, sc.page(2), 3 * PAGE);
    ReleaseLog.Release r = sc.log.last();
    RecordingStrategy.Call call = sc.strategy.last();
    assertEquals(call.catchUp, r.catchUp(), "the observer sees the catch-up harts");
    assertEquals(0, r.catchUp() & ~call.lazyTargets, "only lazy harts may be left to catch up");
    boolean lazyTouched = in(call.ipis | call.deferred | call.broadcast | call.catchUp, LAZY);
    assertTrue(lazyTouched, "the lazy hart is flushed, deferred or left to catch up");
    if (in(r.catchUp(), LAZY)) {
      assertFalse(r.cachedOn(LAZY).isEmpty(), "skipped: its stale entries are still there");
      long seen = sc.mm.hartGen[LAZY];
      assertTrue(seen < sc.mm.tlbGen.get(), "and it knows it is behind");
      sc.rig.load(LAZY, sc.mm); // it switches back to the mm
      assertTrue(sc.cachedNow(LAZY, sc.page(2), sc.page(5)).isEmpty(), "caught up on switch");
      assertEquals(sc.mm.tlbGen.get(), sc.mm.hartGen[LAZY]);
    }
    sc.rig.assertNoViolations();
  }

  // ---- munmap of a whole 2 MiB region: page tables are freed ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void freeingPageTablesNeverLeavesALazyHartBehind(ShootdownStrategy s) {
    long at = 0x4000_0000L;
    Scene sc = new Scene(s, at, 512, 4);
    KernelRig rig = sc.rig;
    long leafTableSlot = rig.pageTable.leafSlot(sc.mm.root, at, false);
    assertTrue(leafTableSlot > 0);
    long leafTable = leafTableSlot & ~(PAGE - 1);
    int free = rig.freeFrames();
    rig.munmap(sc.hart(INITIATOR), sc.mm, at, 512 * PAGE);
    RecordingStrategy.Call call = sc.strategy.last();
    assertTrue(call.freesPageTables, "the leaf and middle tables went with the region");
    assertEquals(0, sc.log.last().catchUp(), "nobody is left to catch up when tables are freed");
    if (!in(sc.log.last().deferred(), LAZY)) {
      assertTrue(sc.log.last().cachedOn(LAZY).isEmpty(), "the lazy hart flushed before release");
    }
    // Its hardware may walk at any time, near where it last walked: the tables must not be
    // reachable once freed.
    for (int i = -8; i <= 8; i++) {
      sc.hart(LAZY).mmu().speculativeWalk(i);
    }
    for (int h = 0; h < 4; h++) {
      rig.tlbFlush.applyDeferred(sc.hart(h));
    }
    for (int i = -8; i <= 8; i++) {
      sc.hart(LAZY).mmu().speculativeWalk(i);
    }
    rig.rcuQuiesce(); // sync-rcu: the tables go after a grace period
    assertFalse(rig.frames.isAllocated(leafTable), "the leaf table was freed in the end");
    assertEquals(free + 4 + 2, rig.freeFrames(), "four data frames and two tables");
    rig.assertNoViolations();
  }

  // ---- mprotect: revokes write access, not deferrable ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void revokedWriteAccessIsGoneEverywhereButOnHartsLeftToCatchUp(ShootdownStrategy s) {
    Scene sc = new Scene(s, 0, 8, 8);
    sc.rig.mprotect(sc.hart(INITIATOR), sc.mm, sc.base, 8 * PAGE, KernelRig.PROT_READ);
    RecordingStrategy.Call call = sc.strategy.last();
    assertFalse(call.deferrable, "mprotect cannot wait for the targets' next entry");
    ReleaseLog.Release r = sc.log.last();
    assertEquals(0, r.deferred(), "nothing counts as deferred for a change that may not wait");
    for (int h = INITIATOR; h <= ELSEWHERE; h++) {
      if (!in(r.catchUp(), h)) {
        assertTrue(r.cachedOn(h).isEmpty(), "hart " + h + " under " + s.name());
        assertFalse(sc.rig.tlbFlush.hasDeferred(h), "and owes nothing");
      }
    }
    for (int h : new int[] {INITIATOR, RUNNING}) {
      assertEquals(
          Mmu.PAGE_FAULT, sc.hart(h).mmu().translate(sc.page(3), Mmu.STORE), "store on " + h);
      assertTrue(sc.hart(h).mmu().translate(sc.page(3), Mmu.LOAD) >= 0, "load on " + h);
    }
    sc.rig.assertNoViolations();
  }

  // ---- the freed memory, called through the entry point directly ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void freeMemoryRunsOnceAndOnlyAfterTheLastDeferredFlush(ShootdownStrategy s) {
    Scene sc = new Scene(s, 0, 8, 8);
    KernelRig rig = sc.rig;
    Hart h0 = sc.hart(INITIATOR);
    List<Long> frames = new ArrayList<>();
    rig.pageTable.forEachLeaf(
        sc.mm.root,
        sc.page(0),
        sc.page(2),
        (va, slot, pte) -> {
          frames.add(Pte.pa(pte));
          rig.pageTable.set(slot, 0);
        });
    int[] runs = {0};
    long[] outstandingWhenRun = {-1};
    Runnable free =
        () -> {
          runs[0]++;
          long owed = 0;
          for (int h = 0; h < 4; h++) {
            owed |= rig.tlbFlush.hasDeferred(h) ? 1L << h : 0;
          }
          outstandingWhenRun[0] = owed;
        };
    rig.tlbFlush.flushTlbMmRange(
        h0, sc.mm, sc.page(0), sc.page(2), "test unmap", false, true, free);
    long deferred = sc.log.last().deferred();
    assertEquals(deferred == 0 ? 1 : 0, runs[0], "runs at release only if nothing was deferred");
    for (int h = 0; h < 4; h++) {
      rig.tlbFlush.applyDeferred(sc.hart(h));
    }
    assertEquals(1, runs[0], "runs exactly once");
    assertEquals(0, outstandingWhenRun[0], "no hart still owed the flush when memory was freed");
    for (int h = INITIATOR; h <= LAZY; h++) {
      if (!in(sc.log.last().catchUp(), h)) {
        assertTrue(sc.cachedNow(h, sc.page(0), sc.page(2)).isEmpty(), "hart " + h);
      }
    }
    assertEquals(2, frames.size());
    rig.assertNoViolations();
  }

  // ---- what the strategies cost, as counted ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void ipisAreCountedBySenderAndReceiversAndOnlyMmCpumaskIsTargeted(ShootdownStrategy s) {
    Scene sc = new Scene(s, 0, 8, 8);
    KernelRig rig = sc.rig;
    sc.rig.munmap(sc.hart(INITIATOR), sc.mm, sc.page(2), 3 * PAGE);
    sc.rig.mprotect(sc.hart(INITIATOR), sc.mm, sc.base, 2 * PAGE, KernelRig.PROT_READ);
    int messages = 0;
    long broadcasts = 0;
    for (RecordingStrategy.Call c : sc.strategy.calls) {
      messages += c.ipiMessages;
      broadcasts += c.broadcast != 0 ? 1 : 0;
      assertEquals(0, (c.ipis | c.deferred | c.broadcast) & (1L << ELSEWHERE), "hart 3");
    }
    assertEquals(messages, rig.count(INITIATOR, Counter.IPIS_SENT), "sent, one per target");
    long received = 0;
    for (int h = 0; h < 4; h++) {
      received += rig.count(h, Counter.IPIS_RECEIVED);
      assertEquals(
          rig.count(h, Counter.IPIS_RECEIVED),
          rig.counters.hart(h).histogram(Latency.IPI_CYCLES).getTotalCount(),
          "one latency sample per IPI handled on hart " + h);
    }
    assertEquals(messages, received, "every IPI sent was handled once");
    assertEquals(0, rig.count(ELSEWHERE, Counter.IPIS_RECEIVED), "hart 3 never loaded the mm");
    assertEquals(broadcasts, rig.count(INITIATOR, Counter.BROADCASTS));
    assertEquals(2, rig.count(INITIATOR, Counter.SHOOTDOWNS));
    assertEquals(3 + 2, rig.count(INITIATOR, Counter.PAGES_INVALIDATED));
    assertEquals(0, rig.count(INITIATOR, Counter.FULL_SHOOTDOWNS));
    assertEquals(
        2, rig.counters.hart(INITIATOR).histogram(Latency.SHOOTDOWN_CYCLES).getTotalCount());
    rig.assertNoViolations();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void overTheCeilingTheTargetsFlushTheirWholeAsid(ShootdownStrategy s) {
    Scene sc = new Scene(s, 0, 8, 8, 2);
    sc.rig.munmap(sc.hart(INITIATOR), sc.mm, sc.page(2), 3 * PAGE);
    assertEquals(1, sc.rig.count(INITIATOR, Counter.FULL_SHOOTDOWNS));
    assertEquals(0, sc.rig.count(INITIATOR, Counter.PAGES_INVALIDATED));
    for (int h = 0; h < 4; h++) {
      sc.rig.tlbFlush.applyDeferred(sc.hart(h));
    }
    RecordingStrategy.Call call = sc.strategy.last();
    if (in(call.ipis | call.deferred | call.broadcast, RUNNING)) {
      assertTrue(
          sc.cachedNow(RUNNING, sc.base, sc.page(8)).isEmpty(),
          "a full flush drops the pages outside the range too");
    }
    sc.rig.assertNoViolations();
  }

  // ---- strategies that break the contract ----

  @Test
  void aStrategyThatForgetsReleaseIsStoppedNamingIt() {
    ShootdownStrategy forgetful =
        new ShootdownStrategy() {
          @Override
          public String name() {
            return "test-forgets-release";
          }

          @Override
          public String description() {
            return "flushes everywhere and never releases";
          }

          @Override
          public void shootdown(hartlab.kernel.tlb.shootdown.Shootdown s) {
            s.flushLocal();
            s.await(s.sendIpis(s.targets()));
          }
        };
    KernelRig rig = KernelRig.builder().harts(2).strategy(forgetful).build();
    Mm mm = rig.newMm();
    rig.runOn(0, rig.newProcess(mm));
    long base = rig.mmapAnon(rig.hart(0), mm, 1);
    rig.touch(rig.hart(0), mm, base, Mmu.STORE);
    int[] freed = {0};
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                rig.tlbFlush.flushTlbMmRange(
                    rig.hart(0), mm, base, base + PAGE, "test", false, true, () -> freed[0]++));
    assertTrue(e.getMessage().contains("test-forgets-release"), e.getMessage());
    assertTrue(e.getMessage().contains("release()"), e.getMessage());
    assertEquals(0, freed[0], "memory of an unreleased shootdown is never freed");
  }

  @Test
  void releasingTwiceIsRefused() {
    ShootdownStrategy twice =
        new ShootdownStrategy() {
          @Override
          public String name() {
            return "test-releases-twice";
          }

          @Override
          public String description() {
            return "releases twice";
          }

          @Override
          public void shootdown(hartlab.kernel.tlb.shootdown.Shootdown s) {
            s.flushLocal();
            s.release();
            s.release();
          }
        };
    KernelRig rig = KernelRig.builder().harts(1).strategy(twice).build();
    Mm mm = rig.newMm();
    rig.runOn(0, rig.newProcess(mm));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> rig.tlbFlush.flushTlbMmRange(rig.hart(0), mm, 0x10000, 0x11000, "test"));
    assertTrue(e.getMessage().contains("twice"), e.getMessage());
  }

  @Test
  void theStrategyInUseIsTheOneConfigured() {
    for (ShootdownStrategy s : ShootdownStrategies.all(getClass().getClassLoader())) {
      KernelRig rig = KernelRig.builder().harts(1).strategy(s.name()).build();
      assertSame(s.getClass(), rig.tlbFlush.strategy().getClass());
    }
  }
}
