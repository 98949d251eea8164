package hartlab.loader;

import static hartlab.loader.ProgramHeader.P_ALIGN;
import static hartlab.loader.ProgramHeader.P_FILESZ;
import static hartlab.loader.ProgramHeader.P_MEMSZ;
import static hartlab.loader.ProgramHeader.P_OFFSET;
import static hartlab.loader.ProgramHeader.P_TYPE;
import static hartlab.loader.ProgramHeader.P_VADDR;
import static hartlab.loader.TestElf.PT_INTERP;
import static hartlab.loader.TestElf.PT_LOAD;
import static hartlab.loader.TestElf.PT_NOTE;
import static hartlab.loader.TestElf.PT_PHDR;
import static hartlab.loader.TestElf.phdrField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.loader.TestElf.Phdr;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ElfParserTest {

  /** Parses a minimal file changed by {@code breakIt}, expecting a rejection. */
  private static ElfFormatException reject(Consumer<TestElf> breakIt) {
    TestElf e = TestElf.minimal();
    breakIt.accept(e);
    return reject(e.build());
  }

  private static ElfFormatException reject(byte[] file) {
    return assertThrows(ElfFormatException.class, () -> ElfParser.parse(file));
  }

  private static void assertRejected(ElfFormatException e, long offset, String... reasonParts) {
    assertEquals(offset, e.offset(), () -> "offset of: " + e.getMessage());
    for (String part : reasonParts) {
      assertTrue(e.reason().contains(part), () -> "'" + part + "' missing from: " + e.reason());
    }
  }

  // ---- valid files ----

  @Test
  void parsesMinimalExecutable() throws ElfFormatException {
    byte[] file = TestElf.minimal().build();
    ElfImage img = ElfParser.parse(file);

    assertEquals(ElfImage.ET_EXEC, img.type());
    assertFalse(img.isPositionIndependent());
    assertEquals(0x10200, img.entry());
    assertEquals(
        List.of(
            new ElfSegment(0x10000, 0x1000, 0, 0x1000, 5, 0x1000),
            new ElfSegment(0x11000, 0x2000, 0x1000, 0x100, 6, 0x1000)),
        img.loadSegments());
    // No PT_PHDR: the table at file offset 0x40 is in the text segment loaded from offset 0.
    assertEquals(0x10040, img.phdrVaddr());
    assertEquals(56, img.phentsize());
    assertEquals(4, img.phnum());
    assertEquals(1, img.flags());
    assertSame(file, img.file());
    assertEquals(0x10000, img.lowestVaddr());
    assertEquals(0x13000, img.highestVaddrEnd());
  }

  @Test
  void segmentPermissions() throws ElfFormatException {
    List<ElfSegment> segs = ElfParser.parse(TestElf.minimal().build()).loadSegments();
    ElfSegment text = segs.get(0);
    ElfSegment data = segs.get(1);
    assertTrue(text.readable() && text.executable() && !text.writable());
    assertTrue(data.readable() && data.writable() && !data.executable());
  }

  @Test
  void copySegmentDataCopiesTheFileBytes() throws ElfFormatException {
    ElfImage img = ElfParser.parse(TestElf.minimal().build());
    ElfSegment data = img.loadSegments().get(1);
    byte[] dst = new byte[0x110];
    Arrays.fill(dst, (byte) 0x55);
    img.copySegmentData(data, dst, 8);
    for (int i = 0; i < 0x100; i++) {
      assertEquals((byte) i, dst[8 + i]);
    }
    assertEquals(0x55, dst[7]);
    assertEquals(0x55, dst[8 + 0x100]); // only fileSize bytes are copied
  }

  @Test
  void acceptsLinuxOsAbi() throws ElfFormatException {
    TestElf e = TestElf.minimal();
    e.osAbi = 3;
    ElfParser.parse(e.build());
  }

  @Test
  void acceptsSectionHeaderTableInsideTheFile() throws ElfFormatException {
    TestElf e = TestElf.minimal();
    e.shoff = 0x1140;
    e.shnum = 2;
    e.shstrndx = 1;
    ElfParser.parse(e.build());
  }

  @Test
  void dropsEmptyLoadSegments() throws ElfFormatException {
    TestElf e = TestElf.minimal();
    e.phdrs.add(new Phdr(PT_LOAD, 4, 0x1100, 0x20000, 0, 0, 0x1000));
    assertEquals(2, ElfParser.parse(e.build()).loadSegments().size());
  }

  @Test
  void mismatchedPageOffsetIsFineWithoutFileBytes() throws ElfFormatException {
    TestElf e = TestElf.minimal();
    e.phdrs.add(new Phdr(PT_LOAD, 6, 0x123, 0x20000, 0, 0x1000, 0x1000)); // pure bss
    assertEquals(3, ElfParser.parse(e.build()).loadSegments().size());
  }

  @Test
  void phdrVaddrIsZeroWhenTheTableIsNotLoaded() throws ElfFormatException {
    TestElf e = TestElf.minimal();
    e.phdrs.set(0, new Phdr(PT_LOAD, 5, 0x200, 0x10200, 0xe00, 0xe00, 0x1000));
    assertEquals(0, ElfParser.parse(e.build()).phdrVaddr());
  }

  @Test
  void parsesStaticPie() throws ElfFormatException {
    ElfImage img = ElfParser.parse(TestElf.staticPie().build());
    assertTrue(img.isPositionIndependent());
    assertEquals(0x40, img.phdrVaddr()); // from PT_PHDR
    assertEquals(7, img.phnum());
    assertEquals(0, img.lowestVaddr());
    assertEquals(0x3000, img.highestVaddrEnd());
  }

  @Test
  void relocateShiftsEveryAddressOfAStaticPie() throws ElfFormatException {
    ElfImage img = ElfParser.parse(TestElf.staticPie().build());
    long bias = 0x2aaaaaa000L;
    ElfImage moved = img.relocate(bias);
    assertEquals(img.entry() + bias, moved.entry());
    assertEquals(img.phdrVaddr() + bias, moved.phdrVaddr());
    assertEquals(bias, moved.lowestVaddr());
    assertEquals(bias + 0x3000, moved.highestVaddrEnd());
    for (int i = 0; i < img.loadSegments().size(); i++) {
      ElfSegment s = img.loadSegments().get(i);
      ElfSegment m = moved.loadSegments().get(i);
      assertEquals(s.vaddr() + bias, m.vaddr());
      assertEquals(s.fileOffset(), m.fileOffset());
      assertEquals(s.memSize(), m.memSize());
    }
  }

  @Test
  void relocateRejectsUnalignedBias() throws ElfFormatException {
    ElfImage img = ElfParser.parse(TestElf.staticPie().build());
    assertThrows(IllegalArgumentException.class, () -> img.relocate(0x100800));
  }

  @Test
  void relocateOfEtExecAllowsOnlyBiasZero() throws ElfFormatException {
    ElfImage img = ElfParser.parse(TestElf.minimal().build());
    assertSame(img, img.relocate(0));
    assertThrows(IllegalArgumentException.class, () -> img.relocate(0x1000));
  }

  /** Case 21 for ET_DYN: page zero is checked once the addresses are final. */
  @Test
  void relocateRejectsStaticPieInPageZero() throws ElfFormatException {
    ElfImage img = ElfParser.parse(TestElf.staticPie().build());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> img.relocate(0));
    assertTrue(e.getMessage().contains("page zero"), e.getMessage());
  }

  @Test
  void relocateRejectsBiasAboveUserSpace() throws ElfFormatException {
    ElfImage img = ElfParser.parse(TestElf.staticPie().build());
    assertThrows(IllegalArgumentException.class, () -> img.relocate((1L << 38) - 0x2000));
    assertThrows(IllegalArgumentException.class, () -> img.relocate(1L << 62));
  }

  @Test
  void messageHasOffsetPrefix() {
    ElfFormatException e = new ElfFormatException(0x38, "e_phnum is 0");
    assertEquals("at file offset 0x38: e_phnum is 0", e.getMessage());
    assertEquals("e_phnum is 0", e.reason());
    assertEquals(0x38, e.offset());
  }

  // ---- 1. truncated ----

  @Test
  void rejectsEmptyFile() {
    assertRejected(reject(new byte[0]), 0, "empty");
  }

  @Test
  void rejectsFileShorterThanTheElfHeader() {
    byte[] file = Arrays.copyOf(TestElf.minimal().build(), 40);
    assertRejected(reject(file), 40, "40 bytes", "truncated");
  }

  @Test
  void rejectsFileShorterThanTheMagic() {
    assertRejected(reject(new byte[] {0x7f, 'E'}), 2, "truncated");
  }

  // ---- 2. magic ----

  @Test
  void rejectsBadMagic() {
    ElfFormatException e = reject(t -> t.magic = new byte[] {'M', 'Z', 0, 0});
    assertRejected(e, 0, "bad magic 4d 5a 00 00", "not an ELF file");
  }

  @Test
  void rejectsScriptWithHint() {
    byte[] file = "#!/bin/sh\necho hello\n".getBytes(StandardCharsets.US_ASCII);
    assertRejected(reject(file), 0, "script");
  }

  // ---- 3. class ----

  @Test
  void rejectsElfClass32() {
    assertRejected(reject(t -> t.elfClass = 1), 4, "ELFCLASS32", "riscv64-linux-gnu-gcc");
  }

  @Test
  void rejectsInvalidClass() {
    assertRejected(reject(t -> t.elfClass = 0), 4, "EI_CLASS is 0");
  }

  // ---- 4. data encoding ----

  @Test
  void rejectsBigEndian() {
    assertRejected(reject(t -> t.data = 2), 5, "big-endian");
  }

  @Test
  void rejectsInvalidDataEncoding() {
    assertRejected(reject(t -> t.data = 7), 5, "EI_DATA is 7");
  }

  // ---- 5. versions ----

  @Test
  void rejectsIdentVersion() {
    assertRejected(reject(t -> t.identVersion = 0), 6, "EI_VERSION is 0", "expected 1");
  }

  @Test
  void rejectsEVersion() {
    assertRejected(reject(t -> t.version = 2), 20, "e_version is 2", "expected 1");
  }

  // ---- 6. OS ABI ----

  @Test
  void rejectsFreeBsdOsAbi() {
    assertRejected(reject(t -> t.osAbi = 9), 7, "EI_OSABI is 9 (FreeBSD)", "Linux");
  }

  // ---- 7. type ----

  @Test
  void rejectsRelocatableObject() {
    assertRejected(reject(t -> t.type = 1), 16, "ET_REL", "-static");
  }

  @Test
  void rejectsCoreDump() {
    assertRejected(reject(t -> t.type = 4), 16, "ET_CORE");
  }

  // ---- 8. machine ----

  @ParameterizedTest
  @CsvSource({"62, x86-64", "183, AArch64", "40, ARM", "3, x86", "999, unknown"})
  void rejectsForeignMachine(int machine, String name) {
    assertRejected(
        reject(t -> t.machine = machine),
        18,
        "e_machine is " + machine + " (" + name + ")",
        "expected 243 (RISC-V)",
        "riscv64-linux-gnu-gcc");
  }

  // ---- 9. header sizes ----

  @Test
  void rejectsWrongEhsize() {
    assertRejected(reject(t -> t.ehsize = 52), 52, "e_ehsize is 52", "expected 64");
  }

  @Test
  void rejectsWrongPhentsize() {
    assertRejected(reject(t -> t.phentsize = 32), 54, "e_phentsize is 32", "expected 56");
  }

  // ---- 10. program header table ----

  @Test
  void rejectsProgramHeaderTableOutsideTheFile() {
    byte[] file = TestElf.minimal().build();
    TestElf.putLong(file, 32, 0x1180); // 4 entries from 0x1180 run past 0x1200
    assertRejected(reject(file), 32, "outside the file");
  }

  @Test
  void rejectsProgramHeaderTableOffsetOverflow() {
    byte[] file = TestElf.minimal().build();
    TestElf.putLong(file, 32, 0xffff_ffff_ffff_ffc0L); // + 4 * 56 wraps
    assertRejected(reject(file), 32, "overflows");
  }

  @Test
  void rejectsProgramHeaderTableInsideTheElfHeader() {
    byte[] file = TestElf.minimal().build();
    TestElf.putLong(file, 32, 0);
    assertRejected(reject(file), 32, "into the 64-byte ELF header");
  }

  @Test
  void rejectsZeroPhnum() {
    assertRejected(reject(t -> t.phnum = 0), 56, "e_phnum is 0", "no program headers");
  }

  @Test
  void rejectsTooManyProgramHeaders() {
    assertRejected(reject(t -> t.phnum = 257), 56, "e_phnum is 257", "more than the 256");
  }

  @Test
  void rejectsExtendedPhnum() {
    assertRejected(reject(t -> t.phnum = 0xffff), 56, "PN_XNUM");
  }

  // ---- section header table (checked though never used) ----

  @Test
  void rejectsSectionHeaderTableOutsideTheFile() {
    assertRejected(
        reject(
            t -> {
              t.shoff = 0x1180;
              t.shnum = 3;
            }),
        40,
        "section header table",
        "outside the file");
  }

  @Test
  void rejectsWrongShentsize() {
    assertRejected(
        reject(
            t -> {
              t.shoff = 0x1140;
              t.shnum = 1;
              t.shentsize = 40;
            }),
        58,
        "e_shentsize is 40");
  }

  @Test
  void rejectsSectionCountWithoutTable() {
    assertRejected(reject(t -> t.shnum = 5), 60, "e_shoff is 0");
  }

  @Test
  void rejectsShstrndxPastTheSections() {
    assertRejected(
        reject(
            t -> {
              t.shoff = 0x1140;
              t.shnum = 2;
              t.shstrndx = 2;
            }),
        62,
        "e_shstrndx is 2");
  }

  // ---- 11. no PT_LOAD ----

  @Test
  void rejectsFileWithoutLoadSegment() {
    ElfFormatException e = reject(t -> t.phdrs.removeIf(p -> p.type() == PT_LOAD));
    assertRejected(e, 64, "PT_LOAD", "nothing to load");
  }

  // ---- 12. PT_INTERP ----

  @Test
  void rejectsDynamicallyLinkedExecutable() {
    byte[] file =
        build(t -> t.phdrs.add(1, new Phdr(PT_INTERP, 4, 0x1140, 0x11140, 0x20, 0x20, 1)));
    byte[] interp = "/lib/ld-linux-riscv64-lp64.so.1\0".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(interp, 0, file, 0x1140, interp.length);
    assertRejected(
        reject(file),
        phdrField(1, P_TYPE),
        "dynamically linked",
        "/lib/ld-linux-riscv64-lp64.so.1",
        "link with -static");
  }

  // ---- 13. p_filesz > p_memsz ----

  @Test
  void rejectsFileSizeLargerThanMemorySize() {
    ElfFormatException e = reject(t -> t.phdrs.set(1, t.phdrs.get(1).withMemsz(0x80)));
    assertRejected(e, phdrField(1, P_FILESZ), "program header 1 (PT_LOAD)", "larger than p_memsz");
  }

  // ---- 14. segment file range ----

  @Test
  void rejectsSegmentOffsetPastTheEndOfTheFile() {
    ElfFormatException e = reject(t -> t.phdrs.set(1, t.phdrs.get(1).withOffset(0x3000)));
    assertRejected(e, phdrField(1, P_OFFSET), "past the end of the file");
  }

  @Test
  void rejectsSegmentRunningPastTheEndOfTheFile() {
    ElfFormatException e = reject(t -> t.phdrs.set(1, t.phdrs.get(1).withFilesz(0x300)));
    assertRejected(e, phdrField(1, P_FILESZ), "[0x1000, 0x1300)", "truncated");
  }

  @Test
  void rejectsSegmentFileRangeOverflow() {
    ElfFormatException e =
        reject(
            t -> t.phdrs.set(1, t.phdrs.get(1).withFilesz(0xffff_ffff_ffff_f800L).withMemsz(-1)));
    assertRejected(e, phdrField(1, P_FILESZ), "overflows 64 bits");
  }

  @Test
  void rejectsNonLoadSegmentOutsideTheFile() {
    ElfFormatException e = reject(t -> t.phdrs.add(new Phdr(PT_NOTE, 4, 0x11f0, 0, 0x20, 0x20, 4)));
    assertRejected(e, phdrField(4, P_FILESZ), "program header 4 (PT_NOTE)", "past the end");
  }

  // ---- 15. huge sizes ----

  @Test
  void rejectsSegmentLargerThanOneGiB() {
    ElfFormatException e = reject(t -> t.phdrs.set(1, t.phdrs.get(1).withMemsz((1L << 30) + 1)));
    assertRejected(e, phdrField(1, P_MEMSZ), "1 GiB");
  }

  @Test
  void rejectsSegmentAddressOverflow() {
    ElfFormatException e =
        reject(t -> t.phdrs.set(1, t.phdrs.get(1).withVaddr(0xffff_ffff_ffff_f000L)));
    assertRejected(e, phdrField(1, P_VADDR), "overflows 64 bits");
  }

  @Test
  void rejectsSegmentAboveSv39UserSpace() {
    ElfFormatException e =
        reject(t -> t.phdrs.set(1, t.phdrs.get(1).withVaddr((1L << 38) - 0x1000)));
    assertRejected(e, phdrField(1, P_VADDR), "above 0x4000000000", "Sv39");
  }

  /** Linux would fail execve with EEXIST; the kernel here would have two areas on one range. */
  @Test
  void rejectsSegmentReachingIntoTheStackArea() {
    ElfFormatException e =
        reject(t -> t.phdrs.set(1, t.phdrs.get(1).withVaddr(UserSpace.STACK_BOTTOM - 0x1000)));
    assertRejected(e, phdrField(1, P_VADDR), "initial stack", "0x3fff7ff000", "link it to end");
  }

  @Test
  void acceptsSegmentEndingRightBelowTheStackArea() throws ElfFormatException {
    TestElf t = TestElf.minimal();
    t.phdrs.set(1, t.phdrs.get(1).withVaddr(UserSpace.STACK_BOTTOM - 0x2000));
    ElfImage img = ElfParser.parse(t.build());
    assertEquals(UserSpace.STACK_BOTTOM, img.highestVaddrEnd());
  }

  /** Before, this parsed and the kernel's relocate threw IllegalArgumentException: exit 64. */
  @Test
  void unplaceableStaticPieIsRejectedWhenParsed() {
    long tooHigh = UserSpace.STACK_BOTTOM - UserSpace.ET_DYN_BASE - 0x1000;
    TestElf t = TestElf.staticPie();
    t.phdrs.set(2, t.phdrs.get(2).withVaddr(tooHigh));
    ElfFormatException e = reject(t.build());
    assertRejected(e, phdrField(2, P_VADDR), "static-pie", "initial stack", "0x2aaaaaa000");
  }

  @Test
  void everyAcceptedStaticPieRelocatesAtEtDynBase() throws ElfFormatException {
    long highest = UserSpace.STACK_BOTTOM - UserSpace.ET_DYN_BASE - 0x2000;
    TestElf t = TestElf.staticPie();
    t.phdrs.set(2, t.phdrs.get(2).withVaddr(highest));
    ElfImage moved = ElfParser.parse(t.build()).relocate(UserSpace.ET_DYN_BASE);
    assertEquals(UserSpace.STACK_BOTTOM, moved.highestVaddrEnd());
  }

  // ---- 16. alignment ----

  @Test
  void rejectsAlignmentThatIsNotAPowerOfTwo() {
    ElfFormatException e = reject(t -> t.phdrs.set(1, t.phdrs.get(1).withAlign(0x3000)));
    assertRejected(e, phdrField(1, P_ALIGN), "p_align 0x3000", "power of two");
  }

  @Test
  void rejectsVaddrAndOffsetOnDifferentPageOffsets() {
    ElfFormatException e = reject(t -> t.phdrs.set(1, t.phdrs.get(1).withVaddr(0x11800)));
    assertRejected(e, phdrField(1, P_VADDR), "differ modulo the 4096-byte page");
  }

  // ---- 17. overlap ----

  @Test
  void rejectsOverlappingLoadSegments() {
    ElfFormatException e = reject(t -> t.phdrs.set(1, t.phdrs.get(1).withVaddr(0x10000)));
    assertRejected(
        e,
        phdrField(1, P_VADDR),
        "overlap",
        "program header 0 [0x10000, 0x11000)",
        "program header 1 [0x10000, 0x12000)");
  }

  @Test
  void rejectsLoadSegmentInsideAnother() {
    ElfFormatException e =
        reject(t -> t.phdrs.add(0, new Phdr(PT_LOAD, 4, 0, 0xf000, 0, 0x10000, 0x1000)));
    assertRejected(e, phdrField(1, P_VADDR), "overlap");
  }

  // ---- 18. entry point ----

  @Test
  void rejectsEntryOutsideEverySegment() {
    assertRejected(reject(t -> t.entry = 0x40000), 24, "e_entry 0x40000", "not inside any PT_LOAD");
  }

  @Test
  void rejectsEntryInNonExecutableSegment() {
    assertRejected(reject(t -> t.entry = 0x11000), 24, "not executable", "RW-");
  }

  @Test
  void rejectsOddEntry() {
    assertRejected(reject(t -> t.entry = 0x10201), 24, "odd");
  }

  // ---- 19. e_flags ----

  @Test
  void rejectsRve() {
    assertRejected(
        reject(t -> t.flags = 0x9), 48, "EF_RISCV_RVE", "16 integer", "-march=rv64gc -mabi=lp64d");
  }

  /** lp64 (soft-float), lp64f and lp64d, with or without RVC: RV64GC runs them all. */
  @ParameterizedTest
  @CsvSource({"0x0", "0x1", "0x2", "0x3", "0x4", "0x5"})
  void acceptsSoftSingleAndDoubleFloatAbis(String flags) throws ElfFormatException {
    TestElf e = TestElf.minimal();
    e.flags = Long.decode(flags);
    assertEquals(e.flags, ElfParser.parse(e.build()).flags());
  }

  @ParameterizedTest
  @CsvSource({"0x6", "0x7"})
  void rejectsQuadFloatAbi(String flags) {
    long f = Long.decode(flags);
    assertRejected(
        reject(t -> t.flags = f), 48, "lp64q (quad-float)", "Q extension", "-mabi=lp64d");
  }

  @Test
  void rejectsTso() {
    assertRejected(reject(t -> t.flags = 0x11), 48, "EF_RISCV_TSO");
  }

  // ---- 20. file size ----

  @Test
  void rejectsFileLargerThan64MiB() {
    byte[] file = Arrays.copyOf(TestElf.minimal().build(), (64 << 20) + 1);
    assertRejected(reject(file), 64L << 20, "64 MiB");
  }

  // ---- 21. page zero ----

  @Test
  void rejectsEtExecSegmentInPageZero() {
    ElfFormatException e =
        reject(t -> t.phdrs.add(new Phdr(PT_LOAD, 4, 0, 0, 0x100, 0x100, 0x1000)));
    assertRejected(e, phdrField(4, P_VADDR), "page zero");
  }

  // ---- PT_PHDR ----

  @Test
  void rejectsPtPhdrOutsideLoadedFileBytes() {
    ElfFormatException e =
        reject(t -> t.phdrs.add(0, new Phdr(PT_PHDR, 4, 0x40, 0x12000, 0x118, 0x118, 8)));
    assertRejected(e, phdrField(0, P_VADDR), "AT_PHDR");
  }

  @Test
  void rejectsSecondPtPhdr() {
    ElfFormatException e =
        reject(
            t -> {
              t.phdrs.add(0, new Phdr(PT_PHDR, 4, 0x40, 0x10040, 0x150, 0x150, 8));
              t.phdrs.add(1, new Phdr(PT_PHDR, 4, 0x40, 0x10040, 0x150, 0x150, 8));
            });
    assertRejected(e, phdrField(1, P_TYPE), "second PT_PHDR");
  }

  // ---- robustness ----

  /** Whatever the bytes, parse either succeeds or throws ElfFormatException. */
  @Test
  void mutatedFilesNeverEscapeAsOtherExceptions() {
    byte[] good = TestElf.minimal().build();
    Random random = new Random(42);
    for (int round = 0; round < 20_000; round++) {
      byte[] file = good.clone();
      int changes = 1 + random.nextInt(4);
      for (int i = 0; i < changes; i++) {
        // Mostly the headers, where the parser looks.
        int at = random.nextInt(10) < 9 ? random.nextInt(0x120) : random.nextInt(file.length);
        file[at] = (byte) random.nextInt(256);
      }
      parseQuietly(file);
    }
    for (int len = 0; len < good.length; len++) {
      parseQuietly(Arrays.copyOf(good, len));
    }
  }

  private static void parseQuietly(byte[] file) {
    try {
      ElfImage img = ElfParser.parse(file);
      for (ElfSegment s : img.loadSegments()) {
        img.copySegmentData(s, new byte[(int) s.fileSize()], 0);
      }
    } catch (ElfFormatException expected) {
      assertTrue(expected.offset() >= 0);
    }
  }

  private static byte[] build(Consumer<TestElf> change) {
    TestElf e = TestElf.minimal();
    change.accept(e);
    return e.build();
  }
}
