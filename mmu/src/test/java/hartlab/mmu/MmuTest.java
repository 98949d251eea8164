package hartlab.mmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MmuTest {
  private PhysicalMemory memory;
  private FrameAllocator frames;
  private PageTable pt;
  private Mmu mmu;
  private long root;

  @BeforeEach
  void setUp() {
    memory = new PhysicalMemory(1 << 20);
    frames = new FrameAllocator(memory, 1, true);
    pt = new PageTable(memory, frames);
    mmu = new Mmu(memory, new Tlb(16, 4), 10);
    root = pt.createRoot();
    mmu.setSatp(Mmu.makeSatp(root, 7));
  }

  private long map(long va, long flags) {
    long frame = frames.alloc();
    pt.set(pt.leafSlot(root, va, true), Pte.make(frame, flags));
    return frame;
  }

  @Test
  void missWalksChargesCyclesAndFillsTheTlb() {
    long frame = map(0x50000L, Pte.V | Pte.R | Pte.U);
    assertEquals(frame + 8, mmu.translateLoad(0x50008L));
    assertEquals(30, mmu.takeStallCycles());
    assertEquals(frame + 16, mmu.translateLoad(0x50010L));
    assertEquals(0, mmu.takeStallCycles());
    assertEquals(1, mmu.walks());
    assertEquals(1, mmu.tlbStats().hits());
    assertTrue(mmu.tlb().holds(7, 0x50000L));
  }

  @Test
  void staleTranslationSurvivesAPteChangeUntilFlushed() {
    long frame = map(0x50000L, Pte.V | Pte.R | Pte.U);
    mmu.translateLoad(0x50000L);
    pt.set(pt.leafSlot(root, 0x50000L, false), 0); // unmapped, but not yet flushed
    assertEquals(frame, mmu.translateLoad(0x50000L), "the TLB still holds the old translation");
    mmu.flushPage(7, 0x50000L);
    assertEquals(Mmu.PAGE_FAULT, mmu.translateLoad(0x50000L));
  }

  @Test
  void satpWriteChangesAddressSpaceWithoutFlushing() {
    long frame = map(0x50000L, Pte.V | Pte.R | Pte.U);
    mmu.translateLoad(0x50000L);
    long otherRoot = pt.createRoot();
    mmu.setSatp(Mmu.makeSatp(otherRoot, 8));
    assertEquals(Mmu.PAGE_FAULT, mmu.translateLoad(0x50000L));
    mmu.setSatp(Mmu.makeSatp(root, 7));
    assertEquals(frame, mmu.translateLoad(0x50000L));
    assertEquals(0, mmu.tlbStats().flushes());
  }

  @Test
  void firstStoreToACleanPageRewalksToSetDirty() {
    map(0x50000L, Pte.V | Pte.R | Pte.W | Pte.U);
    mmu.translateLoad(0x50000L);
    long slot = pt.leafSlot(root, 0x50000L, false);
    assertEquals(0, pt.get(slot) & Pte.D);
    assertTrue(mmu.translateStore(0x50000L) >= 0);
    assertEquals(Pte.D, pt.get(slot) & Pte.D);
  }

  @Test
  void bareModeIsIdentityWithinRam() {
    mmu.setSatp(0);
    assertEquals(0x1234, mmu.translateFetch(0x1234));
    assertEquals(Mmu.ACCESS_FAULT, mmu.translateLoad(1L << 21));
  }

  /**
   * A store that misses (the page is read-only here) and walks to a new frame, as after another
   * hart broke copy-on-write, must also retire the cached load translation of the old frame: one
   * page, one translation, whatever the access kind.
   */
  @Test
  void walkToANewFrameRetiresEveryKindsCachedTranslation() {
    long oldFrame = map(0x50000L, Pte.V | Pte.R | Pte.W | Pte.U);
    long slot = pt.leafSlot(root, 0x50000L, false);
    pt.set(slot, Pte.make(oldFrame, Pte.V | Pte.R | Pte.U | Pte.A)); // write-protected (fork)
    assertEquals(oldFrame, mmu.translateLoad(0x50000L));
    long copy = frames.alloc();
    pt.set(slot, Pte.make(copy, Pte.V | Pte.R | Pte.W | Pte.U | Pte.A)); // COW broken elsewhere
    assertEquals(
        copy, mmu.translateStore(0x50000L), "the store misses (read-only entry) and walks");
    assertEquals(copy, mmu.translateLoad(0x50000L), "the load must not keep reading the old frame");
  }
}
