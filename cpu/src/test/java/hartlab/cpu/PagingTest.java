package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Pte;
import hartlab.mmu.Tlb;
import org.junit.jupiter.api.Test;

/**
 * Translation through Sv39 page tables: page faults with the right cause and value, split accesses,
 * walk stalls.
 */
class PagingTest {
  static final long RWX = Pte.R | Pte.W | Pte.X | Pte.U | Pte.A | Pte.D | Pte.V;
  static final long RX = Pte.R | Pte.X | Pte.U | Pte.A | Pte.V;
  static final long RW = Pte.R | Pte.W | Pte.U | Pte.A | Pte.D | Pte.V;
  static final long R = Pte.R | Pte.U | Pte.A | Pte.V;
  static final long CODE = 0x40_0000L;
  static final long DATA = 0x100_0000L;

  final PhysicalMemory mem = new PhysicalMemory(4 << 20);
  final FrameAllocator frames = new FrameAllocator(mem, 1, false);
  final PageTable pt = new PageTable(mem, frames);
  final long root = pt.createRoot();
  final CodeCache cc = new CodeCache(mem);
  final Mmu mmu = new Mmu(mem, new Tlb(64, 4), CostModel.DEFAULT.walkLevel());
  final Hart hart = new Hart(0, mmu, cc, CostModel.DEFAULT);

  PagingTest() {
    mmu.setSatp(Mmu.makeSatp(root, 1));
  }

  /** Maps {@code va}'s page to a fresh frame; returns the frame. */
  long map(long va, long flags) {
    long frame = frames.alloc();
    pt.set(pt.leafSlot(root, va, true), Pte.make(frame, flags));
    return frame;
  }

  /** Copies {@code p} into already-mapped pages through the page table (as copy_to_user would). */
  void load(Program p) {
    byte[] b = p.bytes();
    for (int k = 0; k < b.length; k++) {
      long va = p.origin + k;
      long pa = Pte.pa(pt.lookup(root, va)) | (va & PhysicalMemory.PAGE_MASK);
      mem.putByte(pa, b[k]);
      cc.invalidate(pa);
    }
    hart.setPc(p.origin);
  }

  int trap() {
    assertEquals(Hart.EXIT_TRAP, hart.run(Long.MAX_VALUE));
    return hart.trapCause();
  }

  @Test
  void runsMappedCodeOnData() {
    map(CODE, RX);
    long frame = map(DATA, RW);
    hart.setReg(A1, DATA);
    load(new Program(CODE).i(addi(A0, ZERO, 42)).i(sd(A0, A1, 16)).i(ld(A2, A1, 16)).ecall());
    assertEquals(Cause.ECALL_FROM_U, trap());
    assertEquals(42, mem.getLong(frame + 16));
    assertEquals(42, hart.reg(A2));
  }

  @Test
  void walksAddStallCycles() {
    map(CODE, RX);
    map(DATA, RW);
    hart.setReg(A1, DATA);
    load(new Program(CODE).i(ld(A0, A1, 0)).ecall());
    assertEquals(Cause.ECALL_FROM_U, trap());
    CostModel c = CostModel.DEFAULT;
    // Two walks of three levels (fetch, load), plus the load itself.
    assertEquals(2 * 3 * c.walkLevel() + c.load(), hart.cycles());
  }

  @Test
  void fetchFromUnmappedOrNonExecutablePage() {
    map(CODE, RX);
    map(DATA, RW);
    hart.setReg(A1, CODE + 0x1000);
    load(new Program(CODE).i(jalr(RA, A1, 0)).ecall());
    assertEquals(Cause.INSTRUCTION_PAGE_FAULT, trap());
    assertEquals(CODE + 0x1000, hart.trapValue());
    assertEquals(CODE + 0x1000, hart.pc());

    hart.setReg(A1, DATA + 8);
    load(new Program(CODE).i(jalr(RA, A1, 0)).ecall());
    assertEquals(Cause.INSTRUCTION_PAGE_FAULT, trap());
    assertEquals(DATA + 8, hart.trapValue());
  }

  @Test
  void loadAndStoreFaults() {
    map(CODE, RX);
    map(DATA, R); // read-only
    hart.setReg(A1, DATA);
    hart.setReg(A2, DATA + 0x5000); // unmapped
    load(new Program(CODE).i(ld(A0, A1, 8)).i(lw(A0, A2, 12)).ecall());
    assertEquals(Cause.LOAD_PAGE_FAULT, trap());
    assertEquals(DATA + 0x5000 + 12, hart.trapValue());
    assertEquals(CODE + 4, hart.pc());

    load(new Program(CODE).i(sw(A0, A1, 24)).ecall());
    assertEquals(Cause.STORE_PAGE_FAULT, trap());
    assertEquals(DATA + 24, hart.trapValue());
    assertEquals(CODE, hart.pc());
    assertEquals(0, hart.instret() - 1); // only the ld of the first program retired
  }

  @Test
  void atomicsOnAReadOnlyPage() {
    map(CODE, RX);
    long frame = map(DATA, R);
    mem.putLong(frame, 7);
    hart.setReg(A1, DATA);
    load(new Program(CODE).i(lrD(A0, A1)).i(amo(AMOADD, 3, A2, A1, A0)).ecall());
    assertEquals(Cause.STORE_PAGE_FAULT, trap()); // LR loads fine; the AMO needs write permission
    assertEquals(7, hart.reg(A0));
    assertEquals(DATA, hart.trapValue());
    assertEquals(CODE + 4, hart.pc());
    load(new Program(CODE).i(scD(A3, A1, A0)).ecall());
    assertEquals(Cause.STORE_PAGE_FAULT, trap());
  }

  @Test
  void faultThenMapThenRestart() {
    map(CODE, RX);
    hart.setReg(A1, DATA);
    load(new Program(CODE).i(addi(A0, ZERO, 5)).i(sd(A0, A1, 0)).i(ld(A2, A1, 0)).ecall());
    assertEquals(Cause.STORE_PAGE_FAULT, trap());
    long frame = map(DATA, RW); // the kernel's page-fault handler; pc still at the store
    assertEquals(Cause.ECALL_FROM_U, trap());
    assertEquals(5, mem.getLong(frame));
    assertEquals(5, hart.reg(A2));
  }

  @Test
  void misalignedAccessAcrossPagesInDifferentFrames() {
    map(CODE, RX);
    long f1 = map(DATA, RW);
    frames.alloc(); // so the next frame is not adjacent
    long f2 = map(DATA + 0x1000, RW);
    assertTrue(f2 != f1 + 0x1000);
    hart.setReg(A1, DATA + 0xFFD);
    hart.setReg(A2, 0x1122_3344_5566_7788L);
    load(new Program(CODE).i(sd(A2, A1, 0)).i(ld(A3, A1, 0)).ecall());
    assertEquals(Cause.ECALL_FROM_U, trap());
    assertEquals(0x5566_77_88L & 0xFFFFFF, mem.getInt(f1 + 0xFFC) >>> 8);
    assertEquals(0x11_2233_4455L, mem.getLong(f2) & 0xFF_FFFF_FFFFL);
    assertEquals(0x1122_3344_5566_7788L, hart.reg(A3));
  }

  @Test
  void misalignedAccessIntoAnUnmappedPageFaultsOnThatPage() {
    map(CODE, RX);
    long f1 = map(DATA, RW);
    hart.setReg(A1, DATA + 0xFFE);
    hart.setReg(A2, -1);
    load(new Program(CODE).i(lw(A0, A1, 0)).ecall());
    assertEquals(Cause.LOAD_PAGE_FAULT, trap());
    assertEquals(DATA + 0x1000, hart.trapValue());
    load(new Program(CODE).i(sw(A2, A1, 0)).ecall());
    assertEquals(Cause.STORE_PAGE_FAULT, trap());
    assertEquals(DATA + 0x1000, hart.trapValue());
    assertEquals(0, mem.getShort(f1 + 0xFFE)); // nothing written to the first page
  }

  @Test
  void instructionSpanningTwoPages() {
    long f1 = map(CODE, RX);
    frames.alloc();
    long f2 = map(CODE + 0x1000, RX);
    assertTrue(f2 != f1 + 0x1000);
    Program p =
        new Program(CODE + 0xFF8)
            .i(addi(A0, ZERO, 1))
            .c(cNop())
            .i(addi(A0, A0, 2))
            .i(addi(A0, A0, 4))
            .ecall();
    load(p);
    assertEquals(Cause.ECALL_FROM_U, trap());
    assertEquals(7, hart.reg(A0));
    assertEquals(4, hart.instret());
    // Change the second page's half of the spanning instruction: it is refetched every time.
    long hiHalf = f2;
    mem.putShort(hiHalf, (short) (addi(A0, A0, 0x7F) >>> 16));
    hart.setPc(CODE + 0xFF8);
    assertEquals(Cause.ECALL_FROM_U, trap());
    assertEquals(1 + 0x7F + 4, hart.reg(A0));
  }

  @Test
  void spanningInstructionWhoseSecondPageIsUnmapped() {
    map(CODE, RX);
    Program p = new Program(CODE + 0xFFA).i(addi(A0, ZERO, 1)).i(addi(A0, A0, 2));
    load(withoutSecondPage(p));
    assertEquals(Cause.INSTRUCTION_PAGE_FAULT, trap());
    assertEquals(CODE + 0x1000, hart.trapValue()); // the half that faulted
    assertEquals(CODE + 0xFFE, hart.pc()); // the instruction
    assertEquals(1, hart.reg(A0));
  }

  /** Writes only the bytes of {@code p} that fall in its first page. */
  private Program withoutSecondPage(Program p) {
    byte[] b = p.bytes();
    Program q = new Program(p.origin);
    int n = (int) (((p.origin | 0xFFF) + 1) - p.origin);
    for (int k = 0; k + 1 < n; k += 2) {
      q.c((b[k] & 0xFF) | ((b[k + 1] & 0xFF) << 8));
    }
    return q;
  }

  @Test
  void twoVirtualPagesOfOneFrameShareTheDecode() {
    long frame = map(CODE, RX);
    pt.set(pt.leafSlot(root, CODE + 0x10_0000, true), Pte.make(frame, RX));
    load(new Program(CODE).i(addi(A0, A0, 1)).ecall());
    assertEquals(Cause.ECALL_FROM_U, trap());
    hart.setPc(CODE + 0x10_0000);
    assertEquals(Cause.ECALL_FROM_U, trap());
    assertEquals(2, hart.reg(A0));
    assertEquals(1, cc.decodedPages());
  }

  @Test
  void remappingBetweenRunsTakesEffect() {
    // The kernel points the code page at another frame (and flushes) between two runs.
    long f1 = map(CODE, RX);
    load(new Program(CODE).i(addi(A0, ZERO, 1)).ecall());
    assertEquals(Cause.ECALL_FROM_U, trap());
    long f2 = frames.alloc();
    byte[] b = new Program(CODE).i(addi(A0, ZERO, 2)).ecall().bytes();
    mem.putBytes(f2, b, 0, b.length);
    pt.set(pt.leafSlot(root, CODE, false), Pte.make(f2, RX));
    mmu.flushPage(1, CODE);
    hart.setPc(CODE);
    assertEquals(Cause.ECALL_FROM_U, trap());
    assertEquals(2, hart.reg(A0));
    assertTrue(f1 != f2);
  }
}
