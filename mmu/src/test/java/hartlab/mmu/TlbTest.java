package hartlab.mmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TlbTest {
  private static final long RW = Pte.V | Pte.R | Pte.W | Pte.U | Pte.A | Pte.D;

  @Test
  void hitsAndMissesAreCounted() {
    Tlb tlb = new Tlb(16, 4);
    assertEquals(-1, tlb.lookup(5, 1, Mmu.LOAD));
    tlb.insert(5, 1, 0x9000, RW);
    assertEquals(0x9000, tlb.lookup(5, 1, Mmu.LOAD));
    TlbStats s = tlb.stats(0);
    assertEquals(1, s.hits());
    assertEquals(1, s.misses());
  }

  @Test
  void entriesAreTaggedByAsidUnlessGlobal() {
    Tlb tlb = new Tlb(16, 4);
    tlb.insert(5, 1, 0x9000, RW);
    assertEquals(-1, tlb.lookup(5, 2, Mmu.LOAD));
    tlb.insert(6, 1, 0xA000, RW | Pte.G);
    assertEquals(0xA000, tlb.lookup(6, 2, Mmu.LOAD));
  }

  @Test
  void storeNeedsWriteAndDirty() {
    Tlb tlb = new Tlb(16, 4);
    tlb.insert(5, 1, 0x9000, Pte.V | Pte.R | Pte.W | Pte.U | Pte.A); // clean
    assertEquals(0x9000, tlb.lookup(5, 1, Mmu.LOAD));
    assertEquals(-1, tlb.lookup(5, 1, Mmu.STORE));
    tlb.insert(5, 1, 0x9000, RW);
    assertEquals(0x9000, tlb.lookup(5, 1, Mmu.STORE));
    tlb.insert(7, 1, 0xB000, Pte.V | Pte.R | Pte.U | Pte.A);
    assertEquals(-1, tlb.lookup(7, 1, Mmu.FETCH));
  }

  @Test
  void flushPageHitsOnlyThatPageAndAsidAndSparesGlobals() {
    Tlb tlb = new Tlb(16, 4);
    tlb.insert(5, 1, 0x9000, RW);
    tlb.insert(5, 2, 0x8000, RW);
    tlb.insert(6, 1, 0xA000, RW);
    tlb.flushPage(1, 5L << 12);
    assertFalse(tlb.holds(1, 5L << 12));
    assertTrue(tlb.holds(2, 5L << 12));
    assertTrue(tlb.holds(1, 6L << 12));
    tlb.insert(9, 1, 0xC000, RW | Pte.G);
    tlb.flushPage(1, 9L << 12);
    assertTrue(tlb.holds(1, 9L << 12), "global entries survive an ASID-specific flush");
  }

  @Test
  void flushAsidAndFlushAll() {
    Tlb tlb = new Tlb(16, 4);
    tlb.insert(5, 1, 0x9000, RW);
    tlb.insert(6, 2, 0xA000, RW);
    tlb.insert(7, 3, 0xB000, RW | Pte.G);
    tlb.flushAsid(1);
    assertFalse(tlb.holds(1, 5L << 12));
    assertTrue(tlb.holds(2, 6L << 12));
    tlb.flushAll();
    assertFalse(tlb.holds(2, 6L << 12));
    assertFalse(tlb.holds(3, 7L << 12));
    TlbStats s = tlb.stats(0);
    assertEquals(1, s.flushesAsid());
    assertEquals(1, s.flushesAll());
    assertEquals(3, s.entriesInvalidated());
  }

  @Test
  void flushRangeSmallAndLargerThanTheTlb() {
    Tlb tlb = new Tlb(16, 16);
    for (long vpn = 0; vpn < 10; vpn++) {
      tlb.insert(vpn, 1, vpn << 12, RW);
    }
    tlb.flushRange(1, 2L << 12, 4L << 12);
    assertTrue(tlb.holds(1, 1L << 12));
    assertFalse(tlb.holds(1, 2L << 12));
    assertFalse(tlb.holds(1, 3L << 12));
    assertTrue(tlb.holds(1, 4L << 12));
    tlb.flushRange(1, 0, 1L << 30); // more pages than entries: scans instead
    for (long vpn = 0; vpn < 10; vpn++) {
      assertFalse(tlb.holds(1, vpn << 12));
    }
  }

  @Test
  void setConflictsEvictRoundRobin() {
    Tlb tlb = new Tlb(8, 2); // 4 sets
    tlb.insert(0, 1, 0x1000, RW);
    tlb.insert(4, 1, 0x2000, RW);
    tlb.insert(8, 1, 0x3000, RW); // same set: evicts vpn 0
    assertFalse(tlb.holds(1, 0));
    assertTrue(tlb.holds(1, 4L << 12));
    assertTrue(tlb.holds(1, 8L << 12));
  }

  @Test
  void rejectsShapesThatAreNotPowersOfTwo() {
    assertThrows(IllegalArgumentException.class, () -> new Tlb(48, 4));
    assertThrows(IllegalArgumentException.class, () -> new Tlb(16, 32));
  }

  /**
   * A fully associative TLB of 256 entries replaces round-robin through every way. The victim index
   * used to be kept in a byte, so after 128 fills it went negative: an index out of bounds on the
   * hart (exit 70), reachable with --tlb-entries 256 --tlb-ways 256.
   */
  @Test
  void wideSetsReplaceRoundRobinThroughEveryWay() {
    Tlb tlb = new Tlb(256, 256);
    for (long vpn = 0; vpn < 300; vpn++) {
      tlb.insert(vpn, 1, vpn << 12, RW);
    }
    for (long vpn = 0; vpn < 44; vpn++) {
      assertFalse(tlb.holds(1, vpn << 12), "entry " + vpn + " should have been replaced");
    }
    for (long vpn = 44; vpn < 300; vpn++) {
      assertEquals(vpn << 12, tlb.lookup(vpn, 1, Mmu.LOAD), "entry " + vpn);
    }
  }
}
