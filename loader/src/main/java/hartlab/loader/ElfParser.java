package hartlab.loader;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Parses and validates a static RISC-V Linux executable (ELF-64, little-endian, EM_RISCV).
 *
 * <p>Every header field and every bound is checked before it is used, so a hostile or truncated
 * file gives an {@link ElfFormatException} at the offending field's file offset, never an index
 * error or a half-loaded image. The checks run in file order: the ELF header, then each program
 * header, then the rules that span headers (overlap, entry point, program-header address). All
 * 64-bit fields are unsigned in ELF; they are compared with {@code Long.compareUnsigned}.
 *
 * <p>This class is the driver and holds the rules across headers; the checks of the ELF header are
 * in {@link ElfHeader}, those of each program header in {@link ProgramHeader}.
 */
public final class ElfParser {
  static final long MAX_FILE_SIZE = ImageFiles.MAX_IMAGE_SIZE;

  private ElfParser() {}

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
      ElfHeader h = ElfHeader.read(buf);
      List<ProgramHeader> phdrs = ProgramHeader.readAll(buf, h);
      return buildImage(h, phdrs, file);
    } finally {
      buf.release();
    }
  }

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

  // ---- rules across headers ----

  private static ElfImage buildImage(ElfHeader h, List<ProgramHeader> phdrs, byte[] file)
      throws ElfFormatException {
    List<ProgramHeader> loads = new ArrayList<>();
    for (ProgramHeader ph : phdrs) {
      if (ph.type() == ProgramHeader.PT_LOAD) {
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
        h.type(),
        h.entry(),
        segments,
        phdrVaddr,
        ProgramHeader.PHDR_SIZE,
        h.phnum(),
        h.flags(),
        file);
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
            later.at() + ProgramHeader.P_VADDR,
            String.format(
                "PT_LOAD segments overlap: program header %d %s and program header %d %s",
                earlier.index(), earlier.range(), later.index(), later.range()));
      }
    }
  }

  private static void checkEntry(ElfHeader h, List<ProgramHeader> loads) throws ElfFormatException {
    long entry = h.entry();
    if ((entry & 1) != 0) {
      throw new ElfFormatException(
          ElfHeader.E_ENTRY,
          String.format(
              "e_entry 0x%x is odd; RISC-V instructions are at least 2-byte aligned", entry));
    }
    for (ProgramHeader ph : loads) {
      if (Long.compareUnsigned(entry - ph.vaddr(), ph.memsz()) < 0) {
        if ((ph.flags() & ElfSegment.PF_X) == 0) {
          throw new ElfFormatException(
              ElfHeader.E_ENTRY,
              String.format(
                  "e_entry 0x%x is in %s %s, which is not executable (flags %s)",
                  entry, ph.name(), ph.range(), ph.toSegment().permissions()));
        }
        return;
      }
    }
    throw new ElfFormatException(
        ElfHeader.E_ENTRY, String.format("e_entry 0x%x is not inside any PT_LOAD segment", entry));
  }

  /**
   * AT_PHDR. Like Linux: PT_PHDR's p_vaddr if there is one, else the address of e_phoff in the
   * PT_LOAD whose file bytes hold the whole table; 0 if the table is not loaded at all (static
   * glibc then finds no PT_TLS, so such a file only suits programs without TLS).
   */
  private static long phdrVaddr(ElfHeader h, List<ProgramHeader> phdrs, List<ProgramHeader> loads)
      throws ElfFormatException {
    long tableSize = (long) h.phnum() * ProgramHeader.PHDR_SIZE;
    ProgramHeader ptPhdr = null;
    for (ProgramHeader ph : phdrs) {
      if (ph.type() != ProgramHeader.PT_PHDR) {
        continue;
      }
      if (ptPhdr != null) {
        throw new ElfFormatException(
            ph.at() + ProgramHeader.P_TYPE,
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
          ptPhdr.at() + ProgramHeader.P_VADDR,
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
}
