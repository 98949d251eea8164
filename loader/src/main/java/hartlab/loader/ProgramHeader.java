package hartlab.loader;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One program header (Elf64_Phdr), raw, as {@link #readAll} reads and checks it.
 *
 * @param index its position in the table
 * @param at the file offset of its entry, where errors about its fields point
 */
record ProgramHeader(
    int index,
    long at,
    int type,
    int flags,
    long offset,
    long vaddr,
    long filesz,
    long memsz,
    long align) {
  static final int PHDR_SIZE = 56;
  static final long MAX_SEGMENT_SIZE = 1L << 30;

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

  String name() {
    return "program header " + index + " (" + segmentTypeName(type) + ")";
  }

  String range() {
    return String.format("[0x%x, 0x%x)", vaddr, vaddr + memsz);
  }

  ElfSegment toSegment() {
    return new ElfSegment(vaddr, memsz, offset, filesz, flags, align);
  }

  /**
   * Reads and checks every program header of the table {@code h} points to, in file order: every
   * file range lies inside the file, there is no PT_INTERP, and each PT_LOAD fits hartlab's rules
   * (see {@link #checkLoadSegment}). Rules that span headers are the parser's.
   *
   * @throws ElfFormatException at the first field hartlab cannot accept
   */
  static List<ProgramHeader> readAll(ByteBuf buf, ElfHeader h) throws ElfFormatException {
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
    if (Long.compareUnsigned(end, UserSpace.TASK_SIZE) > 0) {
      throw new ElfFormatException(
          ph.at() + P_VADDR,
          String.format(
              "%s: segment [0x%x, 0x%x) ends above 0x%x, the top of Sv39 user space; link it"
                  + " lower (the default -Ttext-segment is 0x10000)",
              ph.name(), ph.vaddr(), end, UserSpace.TASK_SIZE));
    }
    if (!isValidAlignment(ph.align())) {
      throw new ElfFormatException(
          ph.at() + P_ALIGN,
          String.format("%s: p_align 0x%x is not 0, 1 or a power of two", ph.name(), ph.align()));
    }
    // mmap-style loading maps whole pages of the file, so a page of the file must land on a
    // page of memory: the page offsets have to agree.
    if (ph.filesz() != 0 && UserSpace.pageOffset(ph.vaddr()) != UserSpace.pageOffset(ph.offset())) {
      throw new ElfFormatException(
          ph.at() + P_VADDR,
          String.format(
              "%s: p_vaddr 0x%x and p_offset 0x%x differ modulo the 4096-byte page size, so the"
                  + " segment cannot be mapped page by page",
              ph.name(), ph.vaddr(), ph.offset()));
    }
    // An ET_DYN image is moved up by ET_DYN_BASE before it runs, so page zero is out of its reach.
    if (elfType == ElfImage.ET_EXEC && ph.vaddr() < UserSpace.PAGE_SIZE) {
      throw new ElfFormatException(
          ph.at() + P_VADDR,
          String.format(
              "%s: p_vaddr 0x%x is in page zero, which stays unmapped so that NULL dereferences"
                  + " fault; link at a higher address (the default is 0x10000)",
              ph.name(), ph.vaddr()));
    }
    checkClearOfStack(ph, elfType);
  }

  /**
   * The segment, where it will really be loaded (a static-pie {@link UserSpace#ET_DYN_BASE}
   * higher), must end below the stack area at the top of user space. Linux's load_elf_binary sets
   * up the stack first and maps segments with MAP_FIXED_NOREPLACE, so there execve fails with
   * EEXIST; the kernel here would find two areas claiming the same addresses. The fields are
   * already known not to overflow and to end at or below {@link UserSpace#TASK_SIZE}.
   */
  private static void checkClearOfStack(ProgramHeader ph, int elfType) throws ElfFormatException {
    long bias = elfType == ElfImage.ET_DYN ? UserSpace.ET_DYN_BASE : 0;
    long start = ph.vaddr() + bias;
    long end = start + ph.memsz();
    if (end <= UserSpace.STACK_BOTTOM) {
      return;
    }
    String where =
        bias == 0
            ? String.format("segment [0x%x, 0x%x)", start, end)
            : String.format(
                "segment [0x%x, 0x%x), loaded 0x%x higher as every static-pie is, at [0x%x, 0x%x),",
                ph.vaddr(), ph.vaddr() + ph.memsz(), bias, start, end);
    throw new ElfFormatException(
        ph.at() + P_VADDR,
        String.format(
            "%s: %s reaches into [0x%x, 0x%x), the 8 MiB initial stack and the guard page at the"
                + " top of Sv39 user space; link it to end below 0x%x%s",
            ph.name(),
            where,
            UserSpace.STACK_BOTTOM,
            UserSpace.TASK_SIZE,
            UserSpace.STACK_BOTTOM - bias,
            bias == 0 ? " (the default -Ttext-segment is 0x10000)" : " (static-pie links at 0)"));
  }

  private static String interpreterName(ByteBuf buf, ProgramHeader ph) {
    int len = (int) Math.min(ph.filesz(), 256);
    String s = buf.toString(Math.toIntExact(ph.offset()), len, StandardCharsets.ISO_8859_1);
    int nul = s.indexOf('\0');
    s = nul >= 0 ? s.substring(0, nul) : s;
    return s.isEmpty() ? "an interpreter" : s;
  }

  private static boolean isValidAlignment(long align) {
    return align == 0 || (align & (align - 1)) == 0;
  }

  static String segmentTypeName(int type) {
    String name = SEGMENT_TYPES.get(type);
    return name != null ? name : String.format("type 0x%x", type);
  }
}
