package hartlab.mmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PageTableWalkerTest {
  private PhysicalMemory memory;
  private FrameAllocator frames;
  private PageTable pt;
  private PageTableWalker walker;
  private long root;

  @BeforeEach
  void setUp() {
    memory = new PhysicalMemory(1 << 20);
    frames = new FrameAllocator(memory, 1, true);
    pt = new PageTable(memory, frames);
    walker = new PageTableWalker(memory);
    root = pt.createRoot();
  }

  private long map(long va, long flags) {
    long frame = frames.alloc();
    pt.set(pt.leafSlot(root, va, true), Pte.make(frame, flags));
    return frame;
  }

  @Test
  void translatesA4KiBPageAndKeepsTheOffset() {
    long frame = map(0x12345000L, Pte.V | Pte.R | Pte.W | Pte.U);
    assertEquals(frame + 0xABC, walker.walk(root, 0x12345ABCL, Mmu.LOAD));
    assertEquals(3, walker.levelsRead());
    assertEquals(0, walker.leafLevel);
  }

  /** Permission matrix of step 5: which leaf bits allow which user access. */
  @ParameterizedTest(name = "flags {0} access {1} -> ok {2}")
  @CsvSource({
    "R, 1, true",
    "R, 2, false",
    "R, 0, false",
    "RW, 2, true",
    "RW, 1, true",
    "RW, 0, false",
    "X, 0, true",
    "X, 1, false",
    "X, 2, false",
    "RX, 0, true",
    "RX, 1, true",
    "RWX, 2, true"
  })
  void permissionChecks(String perms, int access, boolean ok) {
    long flags =
        Pte.V
            | Pte.U
            | (perms.contains("R") ? Pte.R : 0)
            | (perms.contains("W") ? Pte.W : 0)
            | (perms.contains("X") ? Pte.X : 0);
    map(0x40000L, flags);
    long pa = walker.walk(root, 0x40010L, access);
    assertEquals(ok, pa >= 0, "pa=" + pa);
    if (!ok) {
      assertEquals(PageTableWalker.PAGE_FAULT, pa);
    }
  }

  @Test
  void supervisorPagesAreNotUserAccessible() {
    map(0x40000L, Pte.V | Pte.R | Pte.W);
    assertEquals(PageTableWalker.PAGE_FAULT, walker.walk(root, 0x40000L, Mmu.LOAD));
  }

  @Test
  void setsAccessedOnLoadAndDirtyOnStore() {
    map(0x40000L, Pte.V | Pte.R | Pte.W | Pte.U);
    long slot = pt.leafSlot(root, 0x40000L, false);
    walker.walk(root, 0x40000L, Mmu.LOAD);
    assertEquals(Pte.A, pt.get(slot) & (Pte.A | Pte.D));
    walker.walk(root, 0x40000L, Mmu.STORE);
    assertEquals(Pte.A | Pte.D, pt.get(slot) & (Pte.A | Pte.D));
  }

  @Test
  void invalidReservedAndWriteOnlyEntriesFault() {
    assertEquals(PageTableWalker.PAGE_FAULT, walker.walk(root, 0x40000L, Mmu.LOAD));
    map(0x41000L, Pte.V | Pte.W | Pte.U); // W without R is reserved
    assertEquals(PageTableWalker.PAGE_FAULT, walker.walk(root, 0x41000L, Mmu.STORE));
    map(0x42000L, Pte.V | Pte.R | Pte.U | (1L << 60)); // reserved high bits
    assertEquals(PageTableWalker.PAGE_FAULT, walker.walk(root, 0x42000L, Mmu.LOAD));
  }

  @Test
  void nonCanonicalAddressesFault() {
    assertEquals(PageTableWalker.PAGE_FAULT, walker.walk(root, 1L << 38, Mmu.LOAD));
    assertEquals(PageTableWalker.PAGE_FAULT, walker.walk(root, 0x8000_0000_0000_0000L, Mmu.LOAD));
  }

  @Test
  void megapageLeafTranslatesAndMisalignedSuperpageFaults() {
    long va = 0x4020_0000L; // VPN[1] = 1 inside the second gigabyte
    long l1 = frames.alloc();
    memory.putLong(root + (long) Pte.vpn(va, 2) * 8, Pte.make(l1, Pte.V));
    long megaBase = 0; // 2 MiB aligned, inside the 1 MiB of test RAM for the offsets used
    memory.putLong(l1 + (long) Pte.vpn(va, 1) * 8, Pte.make(megaBase, Pte.V | Pte.R | Pte.U));
    assertEquals(megaBase + 0x1234, walker.walk(root, va + 0x1234, Mmu.LOAD));
    assertEquals(1, walker.leafLevel);
    memory.putLong(
        l1 + (long) Pte.vpn(va, 1) * 8, Pte.make(megaBase + 0x1000, Pte.V | Pte.R | Pte.U));
    assertEquals(PageTableWalker.PAGE_FAULT, walker.walk(root, va, Mmu.LOAD));
  }

  @Test
  void nonLeafWithAccessedBitFaults() {
    long va = 0x40000L;
    map(va, Pte.V | Pte.R | Pte.U);
    long l2slot = root + (long) Pte.vpn(va, 2) * 8;
    memory.putLong(l2slot, memory.getLong(l2slot) | Pte.A);
    assertEquals(PageTableWalker.PAGE_FAULT, walker.walk(root, va, Mmu.LOAD));
  }

  @Test
  void pointerOutsideRamIsAnAccessFault() {
    long va = 0x40000L;
    memory.putLong(root + (long) Pte.vpn(va, 2) * 8, Pte.make(1L << 32, Pte.V));
    assertEquals(PageTableWalker.ACCESS_FAULT, walker.walk(root, va, Mmu.LOAD));
  }

  @Test
  void walkThroughAFreedTablePageFaultsOnThePoison() {
    long va = 0x40000L;
    map(va, Pte.V | Pte.R | Pte.U);
    long l1 = Pte.pa(memory.getLong(root + (long) Pte.vpn(va, 2) * 8));
    frames.free(l1); // poisoned: every entry has reserved bits set
    assertEquals(PageTableWalker.PAGE_FAULT, walker.walk(root, va, Mmu.LOAD));
    assertTrue((FrameAllocator.POISON & Pte.RESERVED) != 0);
  }
}
