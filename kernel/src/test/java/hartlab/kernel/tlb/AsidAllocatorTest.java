package hartlab.kernel.tlb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.MmFixtures;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.tlb.shootdown.Shootdown;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import hartlab.mmu.Mmu;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generation-based ASID allocator: contexts are {@code generation | asid}, ASIDs are handed out
 * once per generation, a rollover frees all but those loaded on a hart and makes every hart flush
 * before its next switch, and ASID 0 is the kernel's. The model-based test at the end holds the
 * allocator to what the TLBs need, for every width {@code --asid-bits} accepts.
 */
class AsidAllocatorTest {
  private static final long PAGE = KernelRig.PAGE;
  private static final int FIXED_ANON = KernelRig.PRIVATE_ANON | KernelRig.MAP_FIXED;
  private int nextId = 1;

  private Mm mm() {
    return MmFixtures.detachedMm(nextId++);
  }

  @Test
  void widthsOutsideTwoToSixteenBitsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new AsidAllocator(1, 4));
    assertThrows(IllegalArgumentException.class, () -> new AsidAllocator(17, 4));
    new AsidAllocator(2, 64);
    new AsidAllocator(16, 1);
  }

  @Test
  void firstGenerationHandsOutOneTwoThreeAndKeepsEachMmsAsid() {
    AsidAllocator a = new AsidAllocator(8, 2);
    Mm x = mm(), y = mm(), z = mm();
    assertEquals(new AsidAllocator.Switch(1, false), a.switchTo(x, 0));
    assertEquals(new AsidAllocator.Switch(2, false), a.switchTo(y, 1));
    assertEquals(new AsidAllocator.Switch(3, false), a.switchTo(z, 0));
    assertEquals(new AsidAllocator.Switch(1, false), a.switchTo(x, 1), "x keeps its ASID");
    assertEquals(1, x.asid);
    assertEquals((1L << 8) | 1, x.context, "context = generation | asid, first generation 1<<8");
    assertEquals(0, a.rollovers());
  }

  @Test
  void runningOutRollsOverAndEveryHartFlushesOnceBeforeItsNextSwitch() {
    int bits = 3; // ASIDs 1..7
    AsidAllocator a = new AsidAllocator(bits, 3);
    List<Mm> mms = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      Mm m = mm();
      mms.add(m);
      assertFalse(a.switchTo(m, 0).flushAll());
    }
    assertEquals(0, a.rollovers());
    Mm eighth = mm();
    AsidAllocator.Switch s = a.switchTo(eighth, 0);
    assertEquals(1, a.rollovers());
    assertTrue(s.flushAll(), "the hart that rolled over flushes before loading");
    assertTrue(s.asid() >= 1 && s.asid() <= 7);
    assertEquals(2L << bits, eighth.context & ~7L, "second generation");
    assertFalse(a.flushPending(0), "hart 0 has flushed");
    assertTrue(a.flushPending(1), "hart 1 still owes its flush");
    assertTrue(a.flushPending(2), "hart 2 too");
    assertTrue(a.switchTo(mms.get(0), 1).flushAll(), "hart 1 flushes at its next switch");
    assertFalse(a.flushPending(1));
    assertFalse(a.switchTo(mms.get(1), 1).flushAll(), "and only once");
    assertTrue(a.flushPending(2), "hart 2 has not switched yet");
  }

  @Test
  void anMmLoadedOnAHartKeepsItsAsidThroughARollover() {
    AsidAllocator a = new AsidAllocator(3, 2);
    Mm running = mm();
    int kept = a.switchTo(running, 1).asid();
    Set<Integer> handedOut = new HashSet<>();
    for (int i = 0; i < 20; i++) { // several rollovers while hart 1 keeps running it
      Mm m = mm();
      handedOut.add(a.switchTo(m, 0).asid());
      assertNotEquals(kept, m.asid, "the ASID of the mm running on hart 1 is reserved");
    }
    assertTrue(a.rollovers() >= 2);
    assertEquals(kept, a.switchTo(running, 1).asid(), "it still has it in the new generation");
    assertEquals(kept, running.asid);
    assertFalse(handedOut.contains(0));
  }

  /**
   * Hart 0 runs X through two rollovers without switching, while hart 2 carries X into the second
   * generation in between. X must keep the ASID hart 0 loaded, or X's flushes stop reaching hart
   * 0's entries (a reservation that remembered only the context value of the first rollover lost X
   * at the second).
   */
  @Test
  void anMmRunningThroughTwoRolloversKeepsTheAsidItsHartLoaded() {
    AsidAllocator a = new AsidAllocator(3, 3); // ASIDs 1..7
    Mm x = mm();
    assertEquals(1, a.switchTo(x, 0).asid());
    for (int i = 2; i <= 7; i++) {
      a.switchTo(mm(), 1);
    }
    a.switchTo(mm(), 1); // first rollover: X reserved by hart 0
    assertEquals(1, a.rollovers());
    assertEquals(1, a.switchTo(x, 2).asid(), "hart 2 carries X into the new generation");
    a.switchTo(mm(), 2);
    for (int i = 0; i < 4; i++) {
      a.switchTo(mm(), 1);
    }
    assertEquals(2, a.rollovers(), "second rollover, hart 0 still running X");
    a.switchTo(x, 2);
    assertEquals(1, x.asid, "X still runs on hart 0 under ASID 1");
  }

  @Test
  void anMmNoLongerLoadedAnywhereLosesItsAsidAtTheRollover() {
    AsidAllocator a = new AsidAllocator(2, 1); // ASIDs 1..3
    Mm old = mm();
    a.switchTo(old, 0);
    a.leave(0); // hart 0 goes to the kernel's table
    Mm b = mm(), c = mm(), d = mm();
    a.switchTo(b, 0);
    a.switchTo(c, 0);
    a.switchTo(d, 0); // out of ASIDs: rollover, keeping only c's (loaded on hart 0)
    assertEquals(1, a.rollovers());
    long generation = d.context & ~3L;
    assertNotEquals(generation, old.context & ~3L, "old's context is from the last generation");
    a.switchTo(old, 0);
    assertEquals(generation, old.context & ~3L, "it gets a context of the current one");
  }

  @Test
  void aRolledOverMmTakesItsOldAsidBackWhenNobodyHasIt() {
    AsidAllocator a = new AsidAllocator(4, 1);
    List<Mm> mms = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      Mm m = mm();
      mms.add(m);
      a.switchTo(m, 0);
    }
    a.switchTo(mm(), 0); // rollover: the new one gets an ASID, the 15 others are stale
    Mm third = mms.get(2);
    int before = third.asid;
    a.switchTo(third, 0);
    assertEquals(before, third.asid, "its ASID was free in the new generation");
  }

  // ---- issue 8, row 13 ----

  @Test
  void row13AsidBits2With4HartsNeverHandsOutAsidZero() {
    AsidAllocator a = new AsidAllocator(2, 4);
    Mm[] mms = {mm(), mm(), mm(), mm()};
    AsidAllocator.Switch[] s = new AsidAllocator.Switch[4];
    for (int h = 0; h < 4; h++) {
      s[h] = a.switchTo(mms[h], h);
      assertNotEquals(0, s[h].asid(), "hart " + h + " was handed the kernel's ASID");
      assertEquals(s[h].asid(), mms[h].asid, "flushes of the mm must name the ASID it runs with");
    }
    // Three user ASIDs, four running mms: hart 3's mm can only run on an ASID another hart's mm
    // holds. The sharing hart starts from an empty TLB and empties it again before it next
    // switches, so its entries under that ASID are only ever the one mm's it is running.
    assertEquals(Set.of(1, 2, 3), Set.of(s[0].asid(), s[1].asid(), s[2].asid()), "the first three");
    assertTrue(s[3].flushAll(), "the sharing hart flushes before it loads");
    assertTrue(a.flushPending(3), "and owes another flush before its next switch");
    for (int h = 0; h < 3; h++) {
      assertFalse(s[h].flushAll());
      assertFalse(a.flushPending(h), "hart " + h + " shares nothing and flushes nothing");
    }
    assertEquals(0, a.rollovers(), "a rollover that frees no ASID is not made");
    // Once a hart lets go of its mm, a rollover frees an ASID again and is made; hart 3's mm,
    // still loaded there, keeps the ASID it shares through it.
    a.leave(1);
    Mm fifth = mm();
    AsidAllocator.Switch t = a.switchTo(fifth, 1);
    assertEquals(1, a.rollovers());
    assertNotEquals(0, t.asid());
    AsidAllocator.Switch again = a.switchTo(mms[3], 2);
    assertNotEquals(0, again.asid());
    assertEquals(again.asid(), mms[3].asid);
  }

  @Test
  void row13SixtyFourHartsOnTwoBitsStillRunWithoutAsidZero() {
    AsidAllocator a = new AsidAllocator(2, 64);
    for (int round = 0; round < 3; round++) {
      for (int h = 0; h < 64; h++) {
        Mm m = mm();
        assertNotEquals(0, a.switchTo(m, h).asid(), "round " + round + ", hart " + h);
        assertNotEquals(0, m.asid);
      }
    }
  }

  @Test
  void row13ThroughMmSwitchNoHartLoadsAUserTableWithAsidZero() {
    KernelRig rig = KernelRig.builder().harts(4).asidBits(2).build();
    for (int h = 0; h < 4; h++) {
      rig.runNewProcess(h);
    }
    for (int h = 0; h < 4; h++) {
      Hart hart = rig.hart(h);
      assertNotEquals(rig.kernelSatp, hart.mmu().satp());
      assertNotEquals(0, hart.mmu().asid(), "hart " + h + " runs a user mm under ASID 0");
      assertEquals(rig.tlb.states().activeMm(h).asid, hart.mmu().asid());
    }
    rig.assertNoViolations();
  }

  /**
   * Four harts, three user ASIDs: the mm on hart 3 shares hart 0's mm's ASID. Hart 0 held the
   * shared mm for a moment (its bit stays in that mm's cpumask) and flushed on the way back; now it
   * caches its own mm's translation of the very address the shared mm unmaps (forked processes have
   * one layout). The shootdown reaches hart 0, which flushes that ASID and refills the entry from
   * its own table as it runs on, before the initiator releases: that entry was never the shared
   * mm's, and the coherence checker held it against the shared mm's page table (issue 8 row 13
   * after the first fix: violations in most forkstorm runs with {@code --asid-bits 2} on 4 harts).
   */
  @Test
  void row13TheOtherHolderOfASharedAsidIsNotHeldToTheSharedMmsPageTable() {
    Runnable[] runOn = {() -> {}};
    ShootdownStrategy ipiSyncThenRunOn =
        new ShootdownStrategy() {
          @Override
          public String name() {
            return "ipi-sync";
          }

          @Override
          public String description() {
            return "ipi-sync; the targets run on between their acknowledgement and the release";
          }

          @Override
          public void shootdown(Shootdown s) {
            s.flushLocal();
            s.await(s.sendIpis(s.targets()));
            runOn[0].run();
            s.release();
          }
        };
    KernelRig rig = KernelRig.builder().harts(4).asidBits(2).strategy(ipiSyncThenRunOn).build();
    Hart h0 = rig.hart(0), h3 = rig.hart(3);
    Mm own = rig.newMm(), shared = rig.newMm();
    rig.runOn(0, rig.newProcess(own));
    rig.runNewProcess(1);
    rig.runNewProcess(2);
    rig.runOn(3, rig.newProcess(shared));
    assertEquals(own.asid, shared.asid, "no ASID left: hart 3's mm shares hart 0's");
    rig.load(0, shared); // hart 0 holds the shared mm for a moment...
    rig.load(0, own); // ...and flushes on the way back
    assertEquals(0b1001, shared.cpumask.get(), "hart 0's bit stays in the shared mm's cpumask");
    long va = rig.mmapAnon(h0, own, 1);
    assertEquals(va, rig.mmap(h3, shared, va, PAGE, KernelRig.RW, FIXED_ANON));
    long sharedFrame = rig.touch(h3, shared, va, Mmu.STORE);
    long ownFrame = rig.touch(h0, own, va, Mmu.STORE);
    assertNotEquals(sharedFrame, ownFrame);
    runOn[0] = () -> rig.touch(h0, own, va, Mmu.LOAD);
    rig.munmap(h3, shared, va, PAGE);
    assertEquals(1, rig.count(0, Counter.IPIS_RECEIVED), "hart 0 was a target");
    assertEquals(ownFrame, rig.touch(h0, own, va, Mmu.LOAD), "and cached its own frame again");
    assertTrue(rig.cached(h0, own, va));
    rig.assertNoViolations();
    // What the checkers are told: each hart's entries under the ASID are those of the mm it runs.
    assertTrue(rig.tlbFlush.tlbEntriesBelongTo(3, shared));
    assertTrue(rig.tlbFlush.tlbEntriesBelongTo(0, own));
    assertFalse(rig.tlbFlush.tlbEntriesBelongTo(0, shared));
    assertFalse(rig.tlbFlush.tlbEntriesBelongTo(3, own));
  }

  /**
   * What the checkers may hold against a hart's entries under an mm's ASID across a rollover: the
   * loaded mm's always (it kept its ASID), a stale mm's never once its ASID went to another.
   */
  @Test
  void row13EntriesUnderAnAsidBelongToItsHolderOnEachHart() {
    AsidAllocator a = new AsidAllocator(2, 2); // ASIDs 1..3
    Mm x = mm(), y = mm(), z = mm(), w = mm();
    a.switchTo(x, 0);
    a.switchTo(y, 1);
    a.switchTo(z, 0);
    a.switchTo(w, 0); // rollover: y and z keep 2 and 3, w takes x's 1
    assertEquals(1, a.rollovers());
    assertEquals(1, w.asid);
    assertEquals(1, x.asid, "x's context is stale: it names the ASID it had");
    assertTrue(a.entriesBelongTo(0, w), "hart 0 flushed and loaded w");
    assertFalse(a.entriesBelongTo(0, x), "hart 0's entries under ASID 1 are w's now");
    assertTrue(a.entriesBelongTo(1, y), "hart 1 runs y through the rollover under its ASID");
    assertFalse(a.entriesBelongTo(1, w), "hart 1 has not flushed: its ASID 1 entries are x's");
  }

  // ---- the model: what the TLBs need of the allocator ----

  static IntStream widths() {
    return IntStream.rangeClosed(2, 16);
  }

  /**
   * Random switches, leaves and idling on many harts over many mms, checked after every allocator
   * decision against a model of each hart's TLB: which mm each ASID's entries may belong to. For
   * every width the config accepts: up to 64 harts (more harts than ASIDs for the narrow widths),
   * and enough mms that every width rolls over at least twice.
   */
  @ParameterizedTest(name = "{0} bits")
  @MethodSource("widths")
  void everyWidthKeepsEveryHartsTlbUnambiguous(int bits) {
    int asids = (1 << bits) - 1;
    int harts = Math.min(64, asids + 3);
    AsidAllocator a = new AsidAllocator(bits, harts);
    SplittableRandom random = new SplittableRandom(bits * 31L);
    List<Mm> pool = new ArrayList<>();
    for (int i = 0; i < Math.min(asids + 2, 300); i++) {
      pool.add(mm());
    }
    Mm[] loaded = new Mm[harts];
    int[] loadedAsid = new int[harts];
    List<Map<Integer, Mm>> tlb = new ArrayList<>();
    for (int h = 0; h < harts; h++) {
      tlb.add(new HashMap<>());
    }
    long steps = 0;
    while (a.rollovers() < 2 || steps < 5_000) {
      steps++;
      int h = random.nextInt(harts);
      int action = random.nextInt(10);
      if (action == 0) {
        a.leave(h); // idle with lazy TLB off, or the mm died: the kernel's table
        loaded[h] = null;
        continue;
      }
      // Mostly new mms (fork/exec), sometimes one of a pool that keeps coming back.
      Mm next = action < 7 ? mm() : pool.get(random.nextInt(pool.size()));
      if (next == loaded[h]) {
        continue; // switch_mm to the loaded mm does not ask the allocator
      }
      AsidAllocator.Switch s = a.switchTo(next, h);
      if (s.asid() <= 0 || s.asid() >= (1 << bits) || s.asid() != next.asid) {
        throw new AssertionError(
            "handed out ASID " + s.asid() + " for " + next + " at " + where(bits, steps, h));
      }
      if (s.flushAll()) {
        tlb.get(h).clear();
      }
      Mm owner = tlb.get(h).get(s.asid());
      if (owner != null && owner != next) {
        throw new AssertionError(
            "hart "
                + h
                + " may still cache "
                + owner
                + "'s translations under ASID "
                + s.asid()
                + " and now runs "
                + next
                + " with it, at "
                + where(bits, steps, h));
      }
      tlb.get(h).put(s.asid(), next);
      loaded[h] = next;
      loadedAsid[h] = s.asid();
      for (int o = 0; o < harts; o++) {
        if (loaded[o] == next && loadedAsid[o] != next.asid) {
          throw new AssertionError(
              "hart "
                  + o
                  + " runs "
                  + next
                  + " under ASID "
                  + loadedAsid[o]
                  + " but its flushes now name ASID "
                  + next.asid
                  + ", at "
                  + where(bits, steps, h));
        }
      }
    }
    assertTrue(a.rollovers() >= 2, "rolled over at least twice");
  }

  private static String where(int bits, long step, int hart) {
    return bits + " bits, step " + step + ", hart " + hart;
  }

  @Test
  void rolloversAreCountedForTheStatistics() {
    KernelRig rig = KernelRig.builder().harts(1).asidBits(2).build();
    for (int i = 0; i < 8; i++) {
      rig.load(0, rig.newMm());
    }
    assertTrue(rig.tlb.asids().rollovers() >= 2);
    assertEquals(
        Mmu.makeSatp(rig.tlb.states().activeMm(0).root, rig.hart(0).mmu().asid()),
        rig.hart(0).mmu().satp());
  }
}
