package hartlab.cli.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A mutable ELF-64 little-endian file, addressed by field: the header fields at their Elf64_Ehdr
 * offsets and each program header's fields through the table e_phoff points to now. The file may
 * already be broken; reads past its end give 0 and writes past it are dropped, so a mutation never
 * fails, it only has no effect.
 */
final class ElfFields {
  // Elf64_Ehdr
  static final int EI_CLASS = 4;
  static final int EI_DATA = 5;
  static final int EI_VERSION = 6;
  static final int EI_OSABI = 7;
  static final int EI_ABIVERSION = 8;
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

  // Elf64_Phdr, relative to the entry
  static final int PHDR_SIZE = 56;
  static final int P_TYPE = 0;
  static final int P_FLAGS = 4;
  static final int P_OFFSET = 8;
  static final int P_VADDR = 16;
  static final int P_PADDR = 24;
  static final int P_FILESZ = 32;
  static final int P_MEMSZ = 40;
  static final int P_ALIGN = 48;

  static final int PT_NULL = 0;
  static final int PT_LOAD = 1;
  static final int PT_DYNAMIC = 2;
  static final int PT_INTERP = 3;
  static final int PT_NOTE = 4;
  static final int PT_SHLIB = 5;
  static final int PT_PHDR = 6;
  static final int PT_TLS = 7;
  static final int PT_GNU_EH_FRAME = 0x6474e550;
  static final int PT_GNU_STACK = 0x6474e551;
  static final int PT_GNU_RELRO = 0x6474e552;

  static final int ET_EXEC = 2;
  static final int ET_DYN = 3;

  private byte[] b;

  ElfFields(byte[] bytes) {
    this.b = bytes.clone();
  }

  byte[] bytes() {
    return b;
  }

  int length() {
    return b.length;
  }

  long get(int off, int size) {
    long v = 0;
    for (int i = size - 1; i >= 0; i--) {
      v = v << 8 | (off + i >= 0 && off + i < b.length ? b[off + i] & 0xff : 0);
    }
    return v;
  }

  void put(int off, int size, long v) {
    for (int i = 0; i < size; i++) {
      if (off + i >= 0 && off + i < b.length) {
        b[off + i] = (byte) (v >>> (8 * i));
      }
    }
  }

  long phoff() {
    return get(E_PHOFF, 8);
  }

  int phnum() {
    return (int) get(E_PHNUM, 2);
  }

  /** File offset of program header {@code i}, or -1 if it is not wholly inside the file. */
  int phdr(int i) {
    long at = phoff() + (long) i * PHDR_SIZE;
    return phoff() >= 0 && at >= 0 && at + PHDR_SIZE <= b.length ? (int) at : -1;
  }

  long phdrField(int i, int field, int size) {
    int at = phdr(i);
    return at < 0 ? 0 : get(at + field, size);
  }

  void putPhdrField(int i, int field, int size, long v) {
    int at = phdr(i);
    if (at >= 0) {
      put(at + field, size, v);
    }
  }

  /** Indexes of the program headers that are in the file, of type {@code type}. */
  List<Integer> phdrsOfType(int type) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < Math.min(phnum(), 4096); i++) {
      if (phdr(i) >= 0 && phdrField(i, P_TYPE, 4) == type) {
        out.add(i);
      }
    }
    return out;
  }

  void replace(byte[] bytes) {
    b = bytes;
  }

  static String headerFieldName(int off) {
    return switch (off) {
      case E_TYPE -> "e_type";
      case E_MACHINE -> "e_machine";
      case E_VERSION -> "e_version";
      case E_ENTRY -> "e_entry";
      case E_PHOFF -> "e_phoff";
      case E_SHOFF -> "e_shoff";
      case E_FLAGS -> "e_flags";
      case E_EHSIZE -> "e_ehsize";
      case E_PHENTSIZE -> "e_phentsize";
      case E_PHNUM -> "e_phnum";
      case E_SHENTSIZE -> "e_shentsize";
      case E_SHNUM -> "e_shnum";
      case E_SHSTRNDX -> "e_shstrndx";
      default -> String.format("header byte 0x%x", off);
    };
  }

  static String phdrFieldName(int field) {
    return switch (field) {
      case P_TYPE -> "p_type";
      case P_FLAGS -> "p_flags";
      case P_OFFSET -> "p_offset";
      case P_VADDR -> "p_vaddr";
      case P_PADDR -> "p_paddr";
      case P_FILESZ -> "p_filesz";
      case P_MEMSZ -> "p_memsz";
      case P_ALIGN -> "p_align";
      default -> "field +" + field;
    };
  }

  /** Cuts the file to {@code n} bytes. */
  void truncate(int n) {
    b = Arrays.copyOf(b, Math.max(0, Math.min(n, b.length)));
  }

  /**
   * Copies the program-header table to the end of the file with one more entry, {@code extra} (56
   * bytes), and points e_phoff and e_phnum at it. The old table stays where it was, unused.
   */
  void appendProgramHeader(byte[] extra) {
    int n = phnum();
    long oldOff = phoff();
    int at = (b.length + 7) & ~7;
    byte[] grown = Arrays.copyOf(b, at + (n + 1) * PHDR_SIZE);
    for (int i = 0; i < n; i++) {
      long from = oldOff + (long) i * PHDR_SIZE;
      if (from >= 0 && from + PHDR_SIZE <= b.length) {
        System.arraycopy(b, (int) from, grown, at + i * PHDR_SIZE, PHDR_SIZE);
      }
    }
    System.arraycopy(extra, 0, grown, at + n * PHDR_SIZE, PHDR_SIZE);
    b = grown;
    put(E_PHOFF, 8, at);
    put(E_PHNUM, 2, n + 1);
  }

  /** A program-header entry with these fields. */
  static byte[] entry(int type, int flags, long offset, long vaddr, long filesz, long memsz) {
    ElfFields e = new ElfFields(new byte[PHDR_SIZE]);
    e.put(P_TYPE, 4, type);
    e.put(P_FLAGS, 4, flags);
    e.put(P_OFFSET, 8, offset);
    e.put(P_VADDR, 8, vaddr);
    e.put(P_PADDR, 8, vaddr);
    e.put(P_FILESZ, 8, filesz);
    e.put(P_MEMSZ, 8, memsz);
    e.put(P_ALIGN, 8, 0x1000);
    return e.b;
  }
}
