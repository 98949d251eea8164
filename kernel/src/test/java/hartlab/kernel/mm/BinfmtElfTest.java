package hartlab.kernel.mm;

import static hartlab.kernel.KernelRig.PAGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.TinyElf;
import hartlab.kernel.uapi.Errno;
import hartlab.loader.ElfImage;
import hartlab.mmu.Mmu;
import hartlab.mmu.Pte;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** exec's loader building an mm from a tiny ELF: areas, bytes, bss, brk, the stack, failures. */
class BinfmtElfTest {
  private static final byte[] RANDOM = new byte[16];

  private final KernelRig rig = KernelRig.of(1);
  private final BinfmtElf binfmt = rig.vm.binfmt();
  private final Hart hart = rig.hart(0);

  private static byte[] data(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7 + 1);
    }
    return b;
  }

  private BinfmtElf.Started load(ElfImage image, List<String> argv, List<String> envp)
      throws BinfmtElf.ExecFailure {
    return binfmt.load(image, argv, envp, argv.isEmpty() ? "prog" : argv.get(0), RANDOM);
  }

  @Test
  void segmentsBecomeAreasWithTheirPermissionsAndBytes() throws Exception {
    BinfmtElf.Started s =
        load(TinyElf.exitProgram(data(0x100), 0x1F00), List.of("prog"), List.of());
    Mm mm = s.mm();
    List<Vma> areas = MmFixtures.areas(mm);
    assertEquals(4, areas.size(), "text, data, the stack and the signal trampoline: " + areas);
    assertEquals("[0x10000-0x11000 r-x text]", areas.get(0).toString());
    assertEquals("[0x11000-0x13000 rw- data]", areas.get(1).toString(), "bss rounds up");
    assertEquals(Vma.Kind.STACK, areas.get(2).kind());
    assertEquals(Mm.STACK_TOP, areas.get(2).end());
    assertEquals(Mm.STACK_SIZE, areas.get(2).end() - areas.get(2).start());
    assertEquals("r-x vdso", areas.get(3).toString().replaceAll(".* (r-x vdso)]", "$1"));
    assertEquals(0x10200, s.entry());
    assertEquals(0x13000, MmFixtures.brk(mm), "the break starts past the bss");
    long text = Pte.pa(rig.pageTable.lookup(mm.root, 0x10000));
    byte[] code = new byte[TinyElf.EXIT_0.length];
    rig.memory.getBytes(text + 0x200, code, 0, code.length);
    assertArrayEquals(TinyElf.EXIT_0, code);
    long d = Pte.pa(rig.pageTable.lookup(mm.root, 0x11000));
    byte[] got = new byte[0x100];
    rig.memory.getBytes(d, got, 0, got.length);
    assertArrayEquals(data(0x100), got);
    assertEquals(0, rig.memory.getLong(d + 0x100), "the rest of the page is zero");
    assertEquals(0, rig.pageTable.lookup(mm.root, 0x12000), "bss beyond the file is demand-zero");
    long textPte = rig.pageTable.lookup(mm.root, 0x10000);
    assertEquals(Pte.R | Pte.X | Pte.U, textPte & (Pte.R | Pte.W | Pte.X | Pte.U));
  }

  @Test
  void theStackHoldsArgcArgvAndEnvpForTheNewProgram() throws Exception {
    BinfmtElf.Started s =
        load(TinyElf.exitProgram(data(8), 0), List.of("prog", "one", "two"), List.of("K=V"));
    Mm mm = s.mm();
    rig.load(0, mm);
    assertEquals(0, s.sp() & 15, "16-byte aligned");
    assertTrue(s.sp() < Mm.STACK_TOP && s.sp() > Mm.STACK_TOP - Mm.STACK_SIZE);
    assertEquals(3, rig.peek(hart, mm, s.sp()), "argc");
    UserMemory user = rig.vm.user();
    List<String> argv = user.getStrings(hart, mm, s.sp() + 8, 16, 4096);
    assertEquals(List.of("prog", "one", "two"), argv);
    List<String> envp = user.getStrings(hart, mm, s.sp() + 8 * 5, 16, 4096);
    assertEquals(List.of("K=V"), envp);
    long firstWord =
        java.nio.ByteBuffer.wrap(TinyElf.EXIT_0).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(firstWord, rig.peek(hart, mm, 0x10200), "the text reads back through the MMU");
  }

  @Test
  void aPositionIndependentImageIsPlacedAtEtDynBase() throws Exception {
    byte[] text = new byte[0x200 + TinyElf.EXIT_0.length];
    System.arraycopy(TinyElf.EXIT_0, 0, text, 0x200, TinyElf.EXIT_0.length);
    ElfImage pie =
        TinyElf.image(
            TinyElf.ET_DYN,
            0x200,
            List.of(new TinyElf.Segment(TinyElf.PF_R | TinyElf.PF_X, 0, text, text.length)));
    BinfmtElf.Started s = load(pie, List.of("pie"), List.of());
    assertEquals(Mm.ET_DYN_BASE + 0x200, s.entry());
    assertEquals(Mm.ET_DYN_BASE, MmFixtures.areas(s.mm()).get(0).start());
  }

  @Test
  void segmentsSharingAPageGiveItTheUnionOfTheirPermissions() throws Exception {
    ElfImage image =
        TinyElf.image(
            TinyElf.ET_EXEC,
            0x10000,
            List.of(
                new TinyElf.Segment(TinyElf.PF_R | TinyElf.PF_X, 0x10000, data(0x800), 0x800),
                new TinyElf.Segment(TinyElf.PF_R | TinyElf.PF_W, 0x10800, data(0x100), 0x1900)));
    List<Vma> areas = MmFixtures.areas(load(image, List.of("p"), List.of()).mm());
    assertEquals("[0x10000-0x11000 rwx text]", areas.get(0).toString(), "the shared page");
    assertEquals("[0x11000-0x13000 rw- data]", areas.get(1).toString());
  }

  @Test
  void anArgumentListTooLongIsE2bigAndFreesEverything() {
    int free = rig.freeFrames();
    List<String> envp = new ArrayList<>();
    String big = "X=" + "y".repeat(4000);
    for (int i = 0; i < 600; i++) {
      envp.add(big);
    }
    BinfmtElf.ExecFailure e =
        assertThrows(
            BinfmtElf.ExecFailure.class,
            () -> load(TinyElf.exitProgram(data(16), 0), List.of("p"), envp));
    assertEquals(Errno.E2BIG, e.errno());
    assertEquals(free, rig.freeFrames(), "every frame the half-built image took came back");
  }

  @Test
  void runningOutOfMemoryIsEnomemAndFreesEverything() {
    rig.slabHeadroom(); // the image's areas fit: user memory is what runs out
    List<Long> hog = new ArrayList<>();
    for (long pa; (pa = rig.frames.alloc()) >= 0; ) {
      hog.add(pa);
    }
    for (int i = 0; i < 4; i++) {
      rig.frames.free(hog.remove(hog.size() - 1)); // a root and a few tables, no more
    }
    int free = rig.freeFrames();
    BinfmtElf.ExecFailure e =
        assertThrows(
            BinfmtElf.ExecFailure.class,
            () -> load(TinyElf.exitProgram(data(16), 0), List.of("p"), List.of()));
    assertEquals(Errno.ENOMEM, e.errno());
    assertTrue(e.getMessage().contains("out of guest memory"), e.getMessage());
    assertEquals(free, rig.freeFrames(), "nothing leaked");
    hog.forEach(rig.frames::free);
  }

  @Test
  void areasThatKernelMemoryCannotHoldAreEnomemToo() {
    List<Long> hog = new ArrayList<>();
    for (long pa; (pa = rig.frames.alloc()) >= 0; ) {
      hog.add(pa); // the kernel's reserve too: the slab cannot grow
    }
    for (int i = 0; i < 64; i++) {
      rig.frames.free(hog.remove(hog.size() - 1)); // room for pages, not above the reserve
    }
    int free = rig.freeFrames();
    long refused = rig.kmem.refusals();
    BinfmtElf.ExecFailure e =
        assertThrows(
            BinfmtElf.ExecFailure.class,
            () -> load(TinyElf.exitProgram(data(16), 0), List.of("p"), List.of()));
    assertEquals(Errno.ENOMEM, e.errno());
    assertTrue(e.getMessage().contains("out of kernel memory"), e.getMessage());
    assertTrue(rig.kmem.refusals() > refused, "counted as a refusal");
    assertEquals(free, rig.freeFrames(), "nothing leaked");
    hog.forEach(rig.frames::free);
  }

  @Test
  void theLoadedProgramRunsFromItsEntryOnAHart() throws Exception {
    BinfmtElf.Started s = load(TinyElf.exitProgram(data(8), 0), List.of("p"), List.of());
    rig.load(0, s.mm());
    hart.setPc(s.entry());
    hart.setReg(2, s.sp());
    long deadline = hart.cycles() + 1_000;
    assertEquals(Hart.EXIT_TRAP, hart.run(deadline), "stops at the ecall");
    assertEquals(hartlab.cpu.Cause.ECALL_FROM_U, hart.trapCause());
    assertEquals(93, hart.reg(17), "exit");
    assertEquals(0, hart.reg(10));
    assertTrue(hart.mmu().translate(s.entry(), Mmu.FETCH) >= 0);
    assertEquals(0x10000, s.entry() & ~(PAGE - 1));
  }
}
