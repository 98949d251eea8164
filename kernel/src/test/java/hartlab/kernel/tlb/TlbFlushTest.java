package hartlab.kernel.tlb;

import static hartlab.kernel.KernelRig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.proc.Task;
import hartlab.kernel.stats.Counter;
import hartlab.mmu.Mmu;
import hartlab.mmu.Pte;
import hartlab.mmu.TlbStats;
import org.junit.jupiter.api.Test;

/**
 * The flush entry point's own rules, whatever the strategy: the three TLB generations (latest, this
 * flush's, the hart's), range versus whole-ASID flushes, which harts count as lazy, and the
 * questions the coherence checker asks.
 */
class TlbFlushTest {
  /** Hart 0 runs a task of the mm, hart 1 another thread of it; {@code pages} pages cached. */
  private static final class Two {
    final KernelRig rig;
    final Mm mm;
    final long base;
    final Task init;

    Two(String strategy, int pages) {
      rig = KernelRig.builder().harts(2).strategy(strategy).build();
      mm = rig.newMm();
      init = rig.runOn(0, rig.newProcess(mm));
      rig.runOn(1, rig.newThread(init));
      base = rig.mmapAnon(rig.hart(0), mm, pages);
      for (int h = 0; h < 2; h++) {
        for (int p = 0; p < pages; p++) {
          rig.touch(rig.hart(h), mm, base + p * PAGE, Mmu.STORE);
        }
      }
    }

    TlbStats stats(int h) {
      return rig.hart(h).mmu().tlbStats();
    }
  }

  @Test
  void eachChangeBumpsTheMmsTlbGenerationAndUpToDateHartsFlushJustTheRange() {
    Two t = new Two("ipi-sync", 8);
    long gen = t.mm.tlbGen.get();
    t.rig.munmap(t.rig.hart(0), t.mm, t.base + 2 * PAGE, PAGE);
    assertEquals(gen + 1, t.mm.tlbGen.get());
    for (int h = 0; h < 2; h++) {
      assertEquals(gen + 1, t.mm.hartGen[h], "hart " + h + " caught up to the change");
      assertEquals(1, t.stats(h).flushesRange(), "hart " + h + ": a range flush");
      assertEquals(0, t.stats(h).flushesAsid());
      assertFalse(t.rig.cached(t.rig.hart(h), t.mm, t.base + 2 * PAGE));
      assertTrue(t.rig.cached(t.rig.hart(h), t.mm, t.base + 3 * PAGE), "the rest stays");
    }
    t.rig.assertNoViolations();
  }

  @Test
  void aHartThatMissedAChangeFlushesItsWholeAsidAndCatchesUpToTheLatest() {
    Two t = new Two("ipi-sync", 8);
    t.mm.tlbGen.incrementAndGet(); // a change whose flush neither hart saw
    t.rig.munmap(t.rig.hart(0), t.mm, t.base + 2 * PAGE, PAGE);
    long latest = t.mm.tlbGen.get();
    for (int h = 0; h < 2; h++) {
      assertEquals(1, t.stats(h).flushesAsid(), "hart " + h + " was two generations behind");
      assertEquals(0, t.stats(h).flushesRange());
      assertEquals(latest, t.mm.hartGen[h]);
      assertFalse(t.rig.cached(t.rig.hart(h), t.mm, t.base + 5 * PAGE), "everything went");
    }
  }

  @Test
  void aDeferredFlushOvertakenByALaterOneCostsNothingWhenItLands() {
    Two t = new Two("deferred", 4);
    Hart h0 = t.rig.hart(0), h1 = t.rig.hart(1);
    int free = t.rig.freeFrames();
    t.rig.munmap(h0, t.mm, t.base, PAGE); // generation g+1, deferred to hart 1
    assertTrue(t.rig.tlbFlush.hasDeferred(1));
    t.rig.mprotect(h0, t.mm, t.base + PAGE, PAGE, KernelRig.PROT_READ); // g+2, by IPI
    assertEquals(1, t.stats(1).flushesAsid(), "g+2 found hart 1 at g: whole ASID");
    assertEquals(t.mm.tlbGen.get(), t.mm.hartGen[1]);
    assertEquals(free, t.rig.freeFrames(), "the unmapped page is still quarantined");
    t.rig.tlbFlush.applyDeferred(h1);
    assertEquals(1, t.stats(1).flushesAsid(), "the deferred flush found nothing left to do");
    assertEquals(0, t.stats(1).flushesRange());
    assertEquals(1, t.rig.count(1, Counter.DEFERRED_APPLIED));
    assertEquals(free + 1, t.rig.freeFrames(), "applied: the page is free");
    t.rig.assertNoViolations();
  }

  @Test
  void aHartThatNeverLoadedTheMmIsNeverFlushed() {
    KernelRig rig = KernelRig.of(3);
    Mm mm = rig.newMm();
    rig.runOn(0, rig.newProcess(mm));
    long base = rig.mmapAnon(rig.hart(0), mm, 1);
    rig.touch(rig.hart(0), mm, base, Mmu.STORE);
    rig.munmap(rig.hart(0), mm, base, PAGE);
    for (int h = 1; h < 3; h++) {
      assertEquals(0, rig.count(h, Counter.IPIS_RECEIVED));
      TlbStats s = rig.hart(h).mmu().tlbStats();
      assertEquals(0, s.flushesRange() + s.flushesAsid() + s.flushesPage() + s.flushesAll());
    }
    assertEquals(0, rig.count(0, Counter.IPIS_SENT), "no target: no IPI");
  }

  @Test
  void lazyHartsAreThoseHoldingTheMmWithNoTaskRunning() {
    KernelRig rig = KernelRig.of(4);
    Mm mm = rig.newMm(), other = rig.newMm();
    rig.runOn(0, rig.newProcess(mm)); // running a task of mm
    rig.load(1, mm); // holding mm, no task
    rig.load(2, mm);
    rig.load(2, other); // moved on
    assertEquals(0b0010, rig.tlbFlush.lazyHarts(mm));
    assertTrue(rig.tlbFlush.isRunning(0, mm));
    assertFalse(rig.tlbFlush.isRunning(1, mm));
    assertFalse(rig.tlbFlush.isRunning(2, mm));
    assertEquals(0b0100, rig.tlbFlush.lazyHarts(other));
  }

  @Test
  void theCheckersQuestionsAnswerFromThePageTableAndTheAsidState() {
    KernelRig rig = KernelRig.of(2);
    Mm mm = rig.newMm();
    Hart h = rig.hart(0);
    rig.load(0, mm);
    long base = rig.mmapAnon(h, mm, 2);
    long pa = rig.touch(h, mm, base, Mmu.STORE) & ~(PAGE - 1);
    long vpn = base >>> 12;
    long pte = rig.tlbFlush.currentPte(mm, vpn);
    assertEquals(pa, Pte.pa(pte));
    int rw = (int) (Pte.R | Pte.W | Pte.U);
    assertTrue(rig.tlbFlush.stillValid(mm, vpn, pa, rw), "same frame, same permissions");
    assertFalse(rig.tlbFlush.stillValid(mm, vpn, pa + PAGE, rw), "another frame");
    rig.mprotect(h, mm, base, PAGE, KernelRig.PROT_READ);
    assertFalse(rig.tlbFlush.stillValid(mm, vpn, pa, rw), "write was taken away");
    assertTrue(rig.tlbFlush.stillValid(mm, vpn, pa, (int) (Pte.R | Pte.U)), "read is still fine");
    assertFalse(rig.tlbFlush.stillValid(mm, vpn + 1, pa, rw), "never mapped");
    assertTrue(rig.tlbFlush.tlbEntriesBelongTo(0, mm), "no rollover pending");
    assertEquals(0, rig.tlbFlush.currentPte(mm, vpn + 1));
  }

  @Test
  void withoutAsidsOnlyTheHartWithTheMmLoadedHoldsItsEntries() {
    KernelRig rig = KernelRig.builder().harts(2).asids(false).build();
    Mm a = rig.newMm(), b = rig.newMm();
    rig.load(0, a);
    rig.load(1, b);
    assertTrue(rig.tlbFlush.tlbEntriesBelongTo(0, a));
    assertFalse(rig.tlbFlush.tlbEntriesBelongTo(1, a), "ASID 0 there is b's");
  }

  @Test
  void everyShootdownIsCountedOnItsInitiator() {
    Two t = new Two("ipi-sync", 4);
    t.rig.mprotect(t.rig.hart(1), t.mm, t.base, 4 * PAGE, KernelRig.PROT_READ);
    assertEquals(1, t.rig.count(1, Counter.SHOOTDOWNS));
    assertEquals(0, t.rig.count(0, Counter.SHOOTDOWNS));
    assertEquals(4, t.rig.count(1, Counter.PAGES_INVALIDATED));
    assertEquals(1, t.rig.count(1, Counter.IPIS_SENT));
    assertEquals(1, t.rig.count(0, Counter.IPIS_RECEIVED));
    assertEquals(t.rig.count(0, Counter.IPIS_RECEIVED), t.rig.total(Counter.IPIS_RECEIVED));
  }

  // ---- the barrier before reuse ----

  private static void mapFixed(Two t, long at, int pages) {
    t.rig.mmap(
        t.rig.hart(0),
        t.mm,
        at,
        pages * PAGE,
        KernelRig.RW,
        KernelRig.PRIVATE_ANON | KernelRig.MAP_FIXED);
  }

  @Test
  void mappingARangeAgainCompletesTheFlushesStillPendingForItFirst() {
    Two t = new Two("deferred", 4);
    t.rig.munmap(t.rig.hart(0), t.mm, t.base, 2 * PAGE);
    assertTrue(t.rig.cached(t.rig.hart(1), t.mm, t.base), "hart 1 was left to flush later");
    assertTrue(t.rig.tlbFlush.hasDeferred(1));
    mapFixed(t, t.base + PAGE, 1); // overlaps the unmapped range
    assertEquals(1, t.rig.count(0, Counter.REUSE_WAITS));
    assertTrue(t.rig.count(0, Counter.REUSE_WAIT_CYCLES) > 0, "the wait took virtual time");
    assertFalse(t.rig.cached(t.rig.hart(1), t.mm, t.base), "hart 1 flushed before the reuse");
    assertEquals(1, t.rig.count(1, Counter.IPIS_RECEIVED), "told by IPI");
    mapFixed(t, t.base, 1);
    assertEquals(1, t.rig.count(0, Counter.REUSE_WAITS), "nothing pending any more");
    t.rig.assertNoViolations();
  }

  @Test
  void mappingElsewhereDoesNotWaitForPendingFlushes() {
    Two t = new Two("deferred", 4);
    t.rig.munmap(t.rig.hart(0), t.mm, t.base, PAGE);
    mapFixed(t, t.base + 64 * PAGE, 1);
    assertEquals(0, t.rig.count(0, Counter.REUSE_WAITS));
    assertTrue(t.rig.cached(t.rig.hart(1), t.mm, t.base), "still pending: nothing forced it");
    t.rig.assertNoViolations();
  }
}
