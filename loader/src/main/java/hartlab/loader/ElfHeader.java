package hartlab.loader;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * The ELF header fields the loader uses (Elf64_Ehdr), read and validated by {@link #read}: the
 * identification bytes, file type, machine, version, header sizes, the RISC-V e_flags, and the
 * bounds of the program-header and section-header tables.
 *
 * @param type {@link ElfImage#ET_EXEC} or {@link ElfImage#ET_DYN}
 * @param entry e_entry, not yet checked against the segments (that needs the program headers)
 * @param phoff e_phoff; the whole table is inside the file
 * @param phnum e_phnum, 1..{@link #MAX_PHNUM}
 * @param flags e_flags, soft-float and without RVE or Ztso
 */
record ElfHeader(int type, long entry, long phoff, int phnum, long flags) {
  static final int EHDR_SIZE = 64;
  static final int SHDR_SIZE = 64;
  static final int MAX_PHNUM = 256;

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

  /** The default of Debian's riscv64-linux-gnu-gcc, and what hartlab harts run. */
  private static final String REBUILD = "build for RV64GC: -march=rv64gc -mabi=lp64d";

  /**
   * Reads and checks the ELF header of {@code buf}, in file order, and that the program-header and
   * section-header tables it points to lie inside the file.
   *
   * @throws ElfFormatException at the first field hartlab cannot accept
   */
  static ElfHeader read(ByteBuf buf) throws ElfFormatException {
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
    return new ElfHeader(type, buf.getLongLE(E_ENTRY), phoff, phnum, flags);
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
    if (phentsize != ProgramHeader.PHDR_SIZE) {
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
    long size = (long) phnum * ProgramHeader.PHDR_SIZE;
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
}
