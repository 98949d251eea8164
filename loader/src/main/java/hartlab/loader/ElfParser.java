package hartlab.loader;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Parses and validates a static RISC-V Linux executable (ELF-64, little-endian, EM_RISCV).
 *
 * <p>Every header field and every bound is checked before it is used, so a hostile or truncated
 * file gives an {@link ElfFormatException} at the offending field's file offset, never an index
 * error or a half-loaded image. The checks run in file order: the ELF header, then each program
 * header, then the rules that span headers (overlap, entry point, program-header address). All
 * 64-bit fields are unsigned in ELF; they are compared with {@code Long.compareUnsigned}.
 */
public final class ElfParser {
  static final long PAGE_SIZE = 4096;

  /** Sv39 user space is [0, 2^38): the lower half of the 39-bit address space. */
  static final long USER_VA_LIMIT = 1L << 38;

  static final long MAX_FILE_SIZE = 64L << 20;
  static final long MAX_SEGMENT_SIZE = 1L << 30;
  static final int MAX_PHNUM = 256;

  static final int EHDR_SIZE = 64;
  static final int PHDR_SIZE = 56;
  static final int SHDR_SIZE = 64;

  // Elf64_Ehdr field offsets.
  static final int EI_CLASS = 4;
  static final int EI_DATA = 5;
  static final int EI_VERSION = 6;
  static final int EI_OSABI = 7;
  static final int E_TYPE = 16;
  static final int E_MACHINE = 18;
  static final int E_VERSION = 20;
  static final int E_ENTRY = 24;
  static final int E_PHOFF = 32;
  static final int E_SHOFF = 40;
  static final int E_FLAGS = 48;
  static final int E_EHSIZE = 52;
  static final int E_PHENTSIZE = 54;
  static final int E_PHNUM = 56;
  static final int E_SHENTSIZE = 58;
  static final int E_SHNUM = 60;
  static final int E_SHSTRNDX = 62;

  // Elf64_Phdr field offsets, relative to the entry.
  static final int P_TYPE = 0;
  static final int P_FLAGS = 4;
  static final int P_OFFSET = 8;
  static final int P_VADDR = 16;
  static final int P_FILESZ = 32;
  static final int P_MEMSZ = 40;
  static final int P_ALIGN = 48;

  static final int PT_LOAD = 1;
  static final int PT_INTERP = 3;
  static final int PT_PHDR = 6;

  static final int EM_RISCV = 243;

  // RISC-V psABI e_flags.
  static final long EF_RISCV_FLOAT_ABI = 0x6;
  static final long EF_RISCV_FLOAT_ABI_QUAD = 0x6;
  static final long EF_RISCV_RVE = 0x8;
  static final long EF_RISCV_TSO = 0x10;

  private static final Map<Integer, String> MACHINES =
      Map.ofEntries(
          Map.entry(0, "EM_NONE"),
          Map.entry(2, "SPARC"),
          Map.entry(3, "x86"),
          Map.entry(8, "MIPS"),
          Map.entry(20, "PowerPC"),
          Map.entry(21, "PowerPC64"),
          Map.entry(22, "S/390"),
          Map.entry(40, "ARM"),
          Map.entry(43, "SPARC64"),
          Map.entry(62, "x86-64"),
          Map.entry(183, "AArch64"),
          Map.entry(243, "RISC-V"),
          Map.entry(258, "LoongArch"));

  private static final Map<Integer, String> OS_ABIS =
      Map.of(1, "HP-UX", 2, "NetBSD", 6, "Solaris", 9, "FreeBSD", 12, "OpenBSD", 255, "standalone");

  private static final Map<Integer, String> SEGMENT_TYPES =
      Map.ofEntries(
          Map.entry(0, "PT_NULL"),
          Map.entry(1, "PT_LOAD"),
          Map.entry(2, "PT_DYNAMIC"),
          Map.entry(3, "PT_INTERP"),
          Map.entry(4, "PT_NOTE"),
          Map.entry(5, "PT_SHLIB"),
          Map.entry(6, "PT_PHDR"),
          Map.entry(7, "PT_TLS"),
          Map.entry(0x6474e550, "PT_GNU_EH_FRAME"),
          Map.entry(0x6474e551, "PT_GNU_STACK"),
          Map.entry(0x6474e552, "PT_GNU_RELRO"),
          Map.entry(0x6474e553, "PT_GNU_PROPERTY"),
          Map.entry(0x70000003, "PT_RISCV_ATTRIBUTES"));

  /** The default of Debian's riscv64-linux-gnu-gcc, and what hartlab harts run. */
  private static final String REBUILD = "build for RV64GC: -march=rv64gc -mabi=lp64d";

  private ElfParser() {}

  /** The ELF header fields the loader uses, already validated. */
  private record Header(int type, long entry, long phoff, int phnum, long flags) {}

  /** One program header, raw, with {@code at}: the file offset of its entry. */
  private record ProgramHeader(
      int index,
      long at,
      int type,
      int flags,
      long offset,
      long vaddr,
      long filesz,
      long memsz,
      long align) {
    String name() {
      return "program header " + index + " (" + segmentTypeName(type) + ")";
    }

    String range() {
      return String.format("[0x%x, 0x%x)", vaddr, vaddr + memsz);
    }

    ElfSegment toSegment() {
      return new ElfSegment(vaddr, memsz, offset, filesz, flags, align);
    }
  }

  /**
   * Parses {@code file} (kept by reference in the result; see {@link ElfImage}).
   *
   * @throws ElfFormatException if hartlab cannot run the file, at the offending offset
   */
  public static ElfImage parse(byte[] file) throws ElfFormatException {
    Objects.requireNonNull(file, "file");
    checkFileSize(file);
    ByteBuf buf = Unpooled.wrappedBuffer(file);
    try {
      Header h = readHeader(buf);
      List<ProgramHeader> phdrs = readProgramHeaders(buf, h);
      return buildImage(h, phdrs, file);
    } finally {
      buf.release();
    }
  }

  // ---- ELF header ----

  private static void checkFileSize(byte[] file) throws ElfFormatException {
    if (file.length > MAX_FILE_SIZE) {
      throw new ElfFormatException(
          MAX_FILE_SIZE,
          String.format(
              "file is %d bytes, larger than the 64 MiB hartlab loads; is it really a guest"
                  + " program? (strip it with riscv64-linux-gnu-strip)",
              file.length));
    }
    if (file.length == 0) {
      throw new ElfFormatException(0, "file is empty; expected a RISC-V ELF executable");
    }
  }

  private static Header readHeader(ByteBuf buf) throws ElfFormatException {
    int length = buf.capacity();
    checkMagic(buf);
    if (length < EHDR_SIZE) {
      throw new ElfFormatException(
          length,
          String.format(
              "file ends after %d bytes, inside the 64-byte ELF header; the file is truncated",
              length));
    }
    checkIdent(buf);
    int type = checkType(buf);
    checkMachine(buf);
    checkVersion(buf);
    checkHeaderSizes(buf);
    long flags = checkFlags(buf);
    int phnum = checkPhnum(buf);
    long phoff = checkProgramHeaderTable(buf, phnum);
    checkSectionHeaderTable(buf);
    return new Header(type, buf.getLongLE(E_ENTRY), phoff, phnum, flags);
  }

  private static void checkMagic(ByteBuf buf) throws ElfFormatException {
    byte[] magic = {0x7f, 'E', 'L', 'F'};
    int n = Math.min(magic.length, buf.capacity());
    for (int i = 0; i < n; i++) {
      if (buf.getByte(i) != magic[i]) {
        StringBuilder got = new StringBuilder();
        for (int j = 0; j < n; j++) {
          got.append(String.format("%02x ", buf.getByte(j)));
        }
        String hint =
            n >= 2 && buf.getByte(0) == '#' && buf.getByte(1) == '!'
                ? "; it is a script (#!), and hartlab runs only ELF binaries"
                : "; this is not an ELF file";
        throw new ElfFormatException(
            0, "bad magic " + got.toString().trim() + ", expected 7f 45 4c 46 (\\x7fELF)" + hint);
      }
    }
  }

  private static void checkIdent(ByteBuf buf) throws ElfFormatException {
    int elfClass = buf.getUnsignedByte(EI_CLASS);
    if (elfClass == 1) {
      throw new ElfFormatException(
          EI_CLASS,
          "EI_CLASS is 1 (ELFCLASS32, a 32-bit file), expected 2 (ELFCLASS64); hartlab runs RV64"
              + " binaries: build with riscv64-linux-gnu-gcc");
    }
    if (elfClass != 2) {
      throw new ElfFormatException(
          EI_CLASS, "EI_CLASS is " + elfClass + " (invalid), expected 2 (ELFCLASS64)");
    }
    int data = buf.getUnsignedByte(EI_DATA);
    if (data == 2) {
      throw new ElfFormatException(
          EI_DATA,
          "EI_DATA is 2 (ELFDATA2MSB, big-endian), expected 1 (ELFDATA2LSB);"
              + " RISC-V Linux binaries are little-endian");
    }
    if (data != 1) {
      throw new ElfFormatException(
          EI_DATA, "EI_DATA is " + data + " (invalid), expected 1 (ELFDATA2LSB, little-endian)");
    }
    int version = buf.getUnsignedByte(EI_VERSION);
    if (version != 1) {
      throw new ElfFormatException(
          EI_VERSION, "EI_VERSION is " + version + ", expected 1 (EV_CURRENT)");
    }
    int osAbi = buf.getUnsignedByte(EI_OSABI);
    if (osAbi != 0 && osAbi != 3) {
      throw new ElfFormatException(
          EI_OSABI,
          String.format(
              "EI_OSABI is %d (%s), expected 0 (System V) or 3 (Linux/GNU); build for riscv64"
                  + " Linux",
              osAbi, OS_ABIS.getOrDefault(osAbi, "unknown")));
    }
    // EI_ABIVERSION and the padding bytes carry nothing a static Linux binary needs.
  }

  private static int checkType(ByteBuf buf) throws ElfFormatException {
    int type = buf.getUnsignedShortLE(E_TYPE);
    if (type == ElfImage.ET_EXEC || type == ElfImage.ET_DYN) {
      return type;
    }
    String what =
        switch (type) {
          case 0 -> "ET_NONE, no file type";
          case 1 -> "ET_REL, a relocatable object file";
          case 4 -> "ET_CORE, a core dump";
          default -> "unknown";
        };
    String hint = type == 1 ? "; link the object into an executable with -static" : "";
    throw new ElfFormatException(
        E_TYPE,
        String.format(
            "e_type is %d (%s), expected 2 (ET_EXEC) or 3 (ET_DYN, static-pie)%s",
            type, what, hint));
  }

  private static void checkMachine(ByteBuf buf) throws ElfFormatException {
    int machine = buf.getUnsignedShortLE(E_MACHINE);
    if (machine != EM_RISCV) {
      throw new ElfFormatException(
          E_MACHINE,
          String.format(
              "e_machine is %d (%s), expected 243 (RISC-V); build with riscv64-linux-gnu-gcc",
              machine, MACHINES.getOrDefault(machine, "unknown")));
    }
  }

  private static void checkVersion(ByteBuf buf) throws ElfFormatException {
    long version = buf.getUnsignedIntLE(E_VERSION);
    if (version != 1) {
      throw new ElfFormatException(
          E_VERSION, "e_version is " + version + ", expected 1 (EV_CURRENT)");
    }
  }

  private static void checkHeaderSizes(ByteBuf buf) throws ElfFormatException {
    int ehsize = buf.getUnsignedShortLE(E_EHSIZE);
    if (ehsize != EHDR_SIZE) {
      throw new ElfFormatException(
          E_EHSIZE, "e_ehsize is " + ehsize + ", expected 64 (sizeof(Elf64_Ehdr))");
    }
    int phentsize = buf.getUnsignedShortLE(E_PHENTSIZE);
    if (phentsize != PHDR_SIZE) {
      throw new ElfFormatException(
          E_PHENTSIZE, "e_phentsize is " + phentsize + ", expected 56 (sizeof(Elf64_Phdr))");
    }
  }

  /**
   * hartlab harts are RV64GC: the soft-float (lp64), single-float (lp64f) and double-float (lp64d)
   * ABIs all run on them; the quad-float ABI needs Q, RV64E's ABI assumes 16 integer registers, and
   * Ztso a memory model the harts do not promise.
   */
  private static long checkFlags(ByteBuf buf) throws ElfFormatException {
    long flags = buf.getUnsignedIntLE(E_FLAGS);
    if ((flags & EF_RISCV_RVE) != 0) {
      throw new ElfFormatException(
          E_FLAGS,
          String.format(
              "e_flags 0x%x has EF_RISCV_RVE (0x8): built for the RV64E ABI with 16 integer"
                  + " registers; "
                  + REBUILD,
              flags));
    }
    if ((flags & EF_RISCV_FLOAT_ABI) == EF_RISCV_FLOAT_ABI_QUAD) {
      throw new ElfFormatException(
          E_FLAGS,
          String.format(
              "e_flags 0x%x selects the lp64q (quad-float) ABI, which passes long double in FP"
                  + " registers and needs the Q extension; hartlab harts are RV64GC (F and D, no"
                  + " Q): "
                  + REBUILD,
              flags));
    }
    if ((flags & EF_RISCV_TSO) != 0) {
      throw new ElfFormatException(
          E_FLAGS,
          String.format(
              "e_flags 0x%x has EF_RISCV_TSO (0x10): the program relies on the Ztso memory"
                  + " model, and hartlab harts promise only RVWMO; build without Ztso",
              flags));
    }
    return flags;
  }

  private static int checkPhnum(ByteBuf buf) throws ElfFormatException {
    int phnum = buf.getUnsignedShortLE(E_PHNUM);
    if (phnum == 0) {
      throw new ElfFormatException(
          E_PHNUM, "e_phnum is 0: no program headers, so nothing to load; is this an object file?");
    }
    if (phnum > MAX_PHNUM) {
      throw new ElfFormatException(
          E_PHNUM,
          String.format(
              "e_phnum is %d, more than the %d program headers hartlab accepts%s",
              phnum, MAX_PHNUM, phnum == 0xffff ? " (0xffff is PN_XNUM, extended numbering)" : ""));
    }
    return phnum;
  }

  /** Returns e_phoff once the whole table is known to lie inside the file, after the header. */
  private static long checkProgramHeaderTable(ByteBuf buf, int phnum) throws ElfFormatException {
    long phoff = buf.getLongLE(E_PHOFF);
    long size = (long) phnum * PHDR_SIZE;
    long end = phoff + size;
    if (Long.compareUnsigned(phoff, EHDR_SIZE) < 0) {
      throw new ElfFormatException(
          E_PHOFF, String.format("e_phoff 0x%x points into the 64-byte ELF header", phoff));
    }
    if (Long.compareUnsigned(end, phoff) < 0) {
      throw new ElfFormatException(
          E_PHOFF,
          String.format(
              "e_phoff 0x%x + %d program headers of 56 bytes overflows 64 bits", phoff, phnum));
    }
    if (Long.compareUnsigned(end, buf.capacity()) > 0) {
      throw new ElfFormatException(
          E_PHOFF,
          String.format(
              "program header table [0x%x, 0x%x) (%d entries) is outside the file (0x%x bytes);"
                  + " the file is truncated or corrupt",
              phoff, end, phnum, buf.capacity()));
    }
    return phoff;
  }

  /**
   * The loader never reads sections, but a section table that points outside the file means the
   * file is damaged, so it is checked all the same. e_shnum 0 with e_shoff set is extended
   * numbering (the count is in section 0), so at least one entry must then exist.
   */
  private static void checkSectionHeaderTable(ByteBuf buf) throws ElfFormatException {
    long shoff = buf.getLongLE(E_SHOFF);
    int shnum = buf.getUnsignedShortLE(E_SHNUM);
    if (shoff == 0) {
      if (shnum != 0) {
        throw new ElfFormatException(
            E_SHNUM, "e_shnum is " + shnum + " but e_shoff is 0 (no section header table)");
      }
      return;
    }
    int shentsize = buf.getUnsignedShortLE(E_SHENTSIZE);
    if (shentsize != SHDR_SIZE) {
      throw new ElfFormatException(
          E_SHENTSIZE, "e_shentsize is " + shentsize + ", expected 64 (sizeof(Elf64_Shdr))");
    }
    long count = shnum == 0 ? 1 : shnum;
    long end = shoff + count * SHDR_SIZE;
    if (Long.compareUnsigned(end, shoff) < 0 || Long.compareUnsigned(end, buf.capacity()) > 0) {
      throw new ElfFormatException(
          E_SHOFF,
          String.format(
              "section header table at 0x%x (%d entries) is outside the file (0x%x bytes);"
                  + " the file is truncated or corrupt",
              shoff, count, buf.capacity()));
    }
    int shstrndx = buf.getUnsignedShortLE(E_SHSTRNDX);
    if (shnum != 0 && shstrndx != 0xffff && shstrndx >= shnum) {
      throw new ElfFormatException(
          E_SHSTRNDX, "e_shstrndx is " + shstrndx + ", but there are only " + shnum + " sections");
    }
  }

  // ---- program headers ----

  private static List<ProgramHeader> readProgramHeaders(ByteBuf buf, Header h)
      throws ElfFormatException {
    List<ProgramHeader> phdrs = new ArrayList<>(h.phnum());
    for (int i = 0; i < h.phnum(); i++) {
      int at = Math.toIntExact(h.phoff() + (long) i * PHDR_SIZE);
      ProgramHeader ph =
          new ProgramHeader(
              i,
              at,
              buf.getIntLE(at + P_TYPE),
              buf.getIntLE(at + P_FLAGS),
              buf.getLongLE(at + P_OFFSET),
              buf.getLongLE(at + P_VADDR),
              buf.getLongLE(at + P_FILESZ),
              buf.getLongLE(at + P_MEMSZ),
              buf.getLongLE(at + P_ALIGN));
      // Every segment's file range is checked, used or not: a bad one means a damaged file.
      checkFileRange(ph, buf.capacity());
      if (ph.type() == PT_INTERP) {
        throw new ElfFormatException(
            at + P_TYPE,
            "dynamically linked executable (PT_INTERP asks for "
                + interpreterName(buf, ph)
                + "); hartlab runs static binaries: link with -static");
      }
      if (ph.type() == PT_LOAD) {
        checkLoadSegment(ph, h.type());
      }
      phdrs.add(ph);
    }
    return phdrs;
  }

  private static void checkFileRange(ProgramHeader ph, long fileLength) throws ElfFormatException {
    if (Long.compareUnsigned(ph.offset(), fileLength) > 0) {
      throw new ElfFormatException(
          ph.at() + P_OFFSET,
          String.format(
              "%s: p_offset 0x%x is past the end of the file (0x%x bytes); the file is truncated"
                  + " or corrupt",
              ph.name(), ph.offset(), fileLength));
    }
    long end = ph.offset() + ph.filesz();
    if (Long.compareUnsigned(end, ph.offset()) < 0) {
      throw new ElfFormatException(
          ph.at() + P_FILESZ,
          String.format(
              "%s: p_offset 0x%x + p_filesz 0x%x overflows 64 bits",
              ph.name(), ph.offset(), ph.filesz()));
    }
    if (Long.compareUnsigned(end, fileLength) > 0) {
      throw new ElfFormatException(
          ph.at() + P_FILESZ,
          String.format(
              "%s: file range [0x%x, 0x%x) ends past the end of the file (0x%x bytes); the file"
                  + " is truncated",
              ph.name(), ph.offset(), end, fileLength));
    }
  }

  private static void checkLoadSegment(ProgramHeader ph, int elfType) throws ElfFormatException {
    if (Long.compareUnsigned(ph.filesz(), ph.memsz()) > 0) {
      throw new ElfFormatException(
          ph.at() + P_FILESZ,
          String.format(
              "%s: p_filesz 0x%x is larger than p_memsz 0x%x; the file part of a segment must"
                  + " fit in its memory part",
              ph.name(), ph.filesz(), ph.memsz()));
    }
    if (Long.compareUnsigned(ph.memsz(), MAX_SEGMENT_SIZE) > 0) {
      throw new ElfFormatException(
          ph.at() + P_MEMSZ,
          String.format(
              "%s: p_memsz 0x%x is larger than the 1 GiB hartlab maps per segment",
              ph.name(), ph.memsz()));
    }
    long end = ph.vaddr() + ph.memsz();
    if (Long.compareUnsigned(end, ph.vaddr()) < 0) {
      throw new ElfFormatException(
          ph.at() + P_VADDR,
          String.format(
              "%s: p_vaddr 0x%x + p_memsz 0x%x overflows 64 bits",
              ph.name(), ph.vaddr(), ph.memsz()));
    }
    if (Long.compareUnsigned(end, USER_VA_LIMIT) > 0) {
      throw new ElfFormatException(
          ph.at() + P_VADDR,
          String.format(
              "%s: segment [0x%x, 0x%x) ends above 0x%x, the top of Sv39 user space; link it"
                  + " lower (the default -Ttext-segment is 0x10000)",
              ph.name(), ph.vaddr(), end, USER_VA_LIMIT));
    }
    if (!isValidAlignment(ph.align())) {
      throw new ElfFormatException(
          ph.at() + P_ALIGN,
          String.format("%s: p_align 0x%x is not 0, 1 or a power of two", ph.name(), ph.align()));
    }
    // mmap-style loading maps whole pages of the file, so a page of the file must land on a
    // page of memory: the page offsets have to agree.
    if (ph.filesz() != 0 && pageOffset(ph.vaddr()) != pageOffset(ph.offset())) {
      throw new ElfFormatException(
          ph.at() + P_VADDR,
          String.format(
              "%s: p_vaddr 0x%x and p_offset 0x%x differ modulo the 4096-byte page size, so the"
                  + " segment cannot be mapped page by page",
              ph.name(), ph.vaddr(), ph.offset()));
    }
    // ET_DYN addresses are only final after relocate(), which checks page zero itself.
    if (elfType == ElfImage.ET_EXEC && ph.vaddr() < PAGE_SIZE) {
      throw new ElfFormatException(
          ph.at() + P_VADDR,
          String.format(
              "%s: p_vaddr 0x%x is in page zero, which stays unmapped so that NULL dereferences"
                  + " fault; link at a higher address (the default is 0x10000)",
              ph.name(), ph.vaddr()));
    }
  }

  private static String interpreterName(ByteBuf buf, ProgramHeader ph) {
    int len = (int) Math.min(ph.filesz(), 256);
    String s = buf.toString(Math.toIntExact(ph.offset()), len, StandardCharsets.ISO_8859_1);
    int nul = s.indexOf('\0');
    s = nul >= 0 ? s.substring(0, nul) : s;
    return s.isEmpty() ? "an interpreter" : s;
  }

  // ---- rules across headers ----

  private static ElfImage buildImage(Header h, List<ProgramHeader> phdrs, byte[] file)
      throws ElfFormatException {
    List<ProgramHeader> loads = new ArrayList<>();
    for (ProgramHeader ph : phdrs) {
      if (ph.type() == PT_LOAD) {
        loads.add(ph);
      }
    }
    if (loads.isEmpty()) {
      throw new ElfFormatException(
          h.phoff(),
          "none of the " + h.phnum() + " program headers is PT_LOAD, so there is nothing to load");
    }
    // A PT_LOAD with p_memsz 0 maps nothing; it is validated above and dropped here.
    loads.removeIf(ph -> ph.memsz() == 0);
    checkNoOverlap(loads);
    checkEntry(h, loads);
    long phdrVaddr = phdrVaddr(h, phdrs, loads);
    List<ElfSegment> segments = new ArrayList<>(loads.size());
    for (ProgramHeader ph : loads) {
      segments.add(ph.toSegment());
    }
    return new ElfImage(
        h.type(), h.entry(), segments, phdrVaddr, PHDR_SIZE, h.phnum(), h.flags(), file);
  }

  /** Sorted by start, two ranges overlap iff some neighbours do. */
  private static void checkNoOverlap(List<ProgramHeader> loads) throws ElfFormatException {
    List<ProgramHeader> sorted = new ArrayList<>(loads);
    sorted.sort(Comparator.comparingLong(ProgramHeader::vaddr));
    for (int i = 1; i < sorted.size(); i++) {
      ProgramHeader a = sorted.get(i - 1);
      ProgramHeader b = sorted.get(i);
      if (b.vaddr() < a.vaddr() + a.memsz()) {
        ProgramHeader later = a.index() > b.index() ? a : b;
        ProgramHeader earlier = later == a ? b : a;
        throw new ElfFormatException(
            later.at() + P_VADDR,
            String.format(
                "PT_LOAD segments overlap: program header %d %s and program header %d %s",
                earlier.index(), earlier.range(), later.index(), later.range()));
      }
    }
  }

  private static void checkEntry(Header h, List<ProgramHeader> loads) throws ElfFormatException {
    long entry = h.entry();
    if ((entry & 1) != 0) {
      throw new ElfFormatException(
          E_ENTRY,
          String.format(
              "e_entry 0x%x is odd; RISC-V instructions are at least 2-byte aligned", entry));
    }
    for (ProgramHeader ph : loads) {
      if (Long.compareUnsigned(entry - ph.vaddr(), ph.memsz()) < 0) {
        if ((ph.flags() & ElfSegment.PF_X) == 0) {
          throw new ElfFormatException(
              E_ENTRY,
              String.format(
                  "e_entry 0x%x is in %s %s, which is not executable (flags %s)",
                  entry, ph.name(), ph.range(), ph.toSegment().permissions()));
        }
        return;
      }
    }
    throw new ElfFormatException(
        E_ENTRY, String.format("e_entry 0x%x is not inside any PT_LOAD segment", entry));
  }

  /**
   * AT_PHDR. Like Linux: PT_PHDR's p_vaddr if there is one, else the address of e_phoff in the
   * PT_LOAD whose file bytes hold the whole table; 0 if the table is not loaded at all (static
   * glibc then finds no PT_TLS, so such a file only suits programs without TLS).
   */
  private static long phdrVaddr(Header h, List<ProgramHeader> phdrs, List<ProgramHeader> loads)
      throws ElfFormatException {
    long tableSize = (long) h.phnum() * PHDR_SIZE;
    ProgramHeader ptPhdr = null;
    for (ProgramHeader ph : phdrs) {
      if (ph.type() != PT_PHDR) {
        continue;
      }
      if (ptPhdr != null) {
        throw new ElfFormatException(
            ph.at() + P_TYPE,
            ph.name() + ": a second PT_PHDR (the first is program header " + ptPhdr.index() + ")");
      }
      ptPhdr = ph;
    }
    if (ptPhdr != null) {
      // The guest reads its program headers through AT_PHDR, so they must be file-backed there.
      for (ProgramHeader load : loads) {
        if (contains(load.vaddr(), load.filesz(), ptPhdr.vaddr(), tableSize)) {
          return ptPhdr.vaddr();
        }
      }
      throw new ElfFormatException(
          ptPhdr.at() + P_VADDR,
          String.format(
              "%s: p_vaddr 0x%x is not inside the file-backed part of a PT_LOAD segment, so"
                  + " AT_PHDR would point at unmapped or zeroed memory",
              ptPhdr.name(), ptPhdr.vaddr()));
    }
    for (ProgramHeader load : loads) {
      if (contains(load.offset(), load.filesz(), h.phoff(), tableSize)) {
        return load.vaddr() + (h.phoff() - load.offset());
      }
    }
    return 0;
  }

  // ---- small helpers ----

  /** Whether [start, start+len) holds [x, x+xlen); all values validated, no overflow. */
  private static boolean contains(long start, long len, long x, long xlen) {
    return Long.compareUnsigned(x, start) >= 0
        && Long.compareUnsigned(x - start, len) <= 0
        && Long.compareUnsigned(xlen, len - (x - start)) <= 0;
  }

  private static boolean isValidAlignment(long align) {
    return align == 0 || (align & (align - 1)) == 0;
  }

  static long pageOffset(long x) {
    return x & (PAGE_SIZE - 1);
  }

  static long pageDown(long x) {
    return x & -PAGE_SIZE;
  }

  static long pageUp(long x) {
    return (x + PAGE_SIZE - 1) & -PAGE_SIZE;
  }

  static String segmentTypeName(int type) {
    String name = SEGMENT_TYPES.get(type);
    return name != null ? name : String.format("type 0x%x", type);
  }
}
