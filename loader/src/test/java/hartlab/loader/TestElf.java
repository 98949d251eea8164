package hartlab.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small ELF files for tests. {@link #minimal()} is a valid static RV64 executable:
 *
 * <pre>
 *   0x0000  Elf64_Ehdr
 *   0x0040  program headers (PT_LOAD R-X, PT_LOAD RW-, PT_GNU_STACK, PT_RISCV_ATTRIBUTES)
 *   0x0200  code: li a0,0; li a7,93; ecall   (exit(0)), entry 0x10200
 *   0x1000  data, 0x100 bytes, then bss up to 0x2000 in memory
 *   0x1100  RISC-V attributes bytes
 * </pre>
 *
 * Fields are public and mutable so a test can break exactly one thing; {@link #build()} then writes
 * them out, and the static put helpers patch bytes afterwards.
 */
final class TestElf {
  static final int PT_LOAD = 1;
  static final int PT_DYNAMIC = 2;
  static final int PT_INTERP = 3;
  static final int PT_NOTE = 4;
  static final int PT_PHDR = 6;
  static final int PT_TLS = 7;
  static final int PT_GNU_STACK = 0x6474e551;
  static final int PT_GNU_RELRO = 0x6474e552;
  static final int PT_RISCV_ATTRIBUTES = 0x70000003;

  static final int PHOFF = 64;
  static final int CODE_OFFSET = 0x200;
  static final long TEXT_VADDR = 0x10000;
  static final long DATA_VADDR = 0x11000;

  /** One program header, written verbatim. */
  record Phdr(int type, int flags, long offset, long vaddr, long filesz, long memsz, long align) {
    Phdr withVaddr(long v) {
      return new Phdr(type, flags, offset, v, filesz, memsz, align);
    }

    Phdr withOffset(long o) {
      return new Phdr(type, flags, o, vaddr, filesz, memsz, align);
    }

    Phdr withFilesz(long f) {
      return new Phdr(type, flags, offset, vaddr, f, memsz, align);
    }

    Phdr withMemsz(long m) {
      return new Phdr(type, flags, offset, vaddr, filesz, m, align);
    }

    Phdr withAlign(long a) {
      return new Phdr(type, flags, offset, vaddr, filesz, memsz, a);
    }

    Phdr withFlags(int f) {
      return new Phdr(type, f, offset, vaddr, filesz, memsz, align);
    }
  }

  byte[] magic = {0x7f, 'E', 'L', 'F'};
  int elfClass = 2;
  int data = 1;
  int identVersion = 1;
  int osAbi = 0;
  int type = ElfImage.ET_EXEC;
  int machine = 243;
  long version = 1;
  long entry = TEXT_VADDR + CODE_OFFSET;
  long phoff = PHOFF;
  long shoff = 0;
  long flags = 0x1; // EF_RISCV_RVC, soft-float
  int ehsize = 64;
  int phentsize = 56;
  int phnum = -1; // -1: phdrs.size()
  int shentsize = 64;
  int shnum = 0;
  int shstrndx = 0;
  List<Phdr> phdrs = new ArrayList<>();
  int fileSize = 0x1200;

  static TestElf minimal() {
    TestElf e = new TestElf();
    e.phdrs.add(new Phdr(PT_LOAD, 5, 0, TEXT_VADDR, 0x1000, 0x1000, 0x1000));
    e.phdrs.add(new Phdr(PT_LOAD, 6, 0x1000, DATA_VADDR, 0x100, 0x2000, 0x1000));
    e.phdrs.add(new Phdr(PT_GNU_STACK, 6, 0, 0, 0, 0, 16));
    e.phdrs.add(new Phdr(PT_RISCV_ATTRIBUTES, 4, 0x1100, 0, 0x40, 0, 1)); // memsz 0, as ld does
    return e;
  }

  /** A static-pie: linked at 0, with PT_PHDR, PT_DYNAMIC, PT_TLS and PT_GNU_RELRO. */
  static TestElf staticPie() {
    TestElf e = new TestElf();
    e.type = ElfImage.ET_DYN;
    e.entry = CODE_OFFSET;
    e.phdrs.add(new Phdr(PT_PHDR, 4, PHOFF, PHOFF, 7 * 56, 7 * 56, 8));
    e.phdrs.add(new Phdr(PT_LOAD, 5, 0, 0, 0x1000, 0x1000, 0x1000));
    e.phdrs.add(new Phdr(PT_LOAD, 6, 0x1000, 0x1000, 0x100, 0x2000, 0x1000));
    e.phdrs.add(new Phdr(PT_DYNAMIC, 6, 0x1080, 0x1080, 0x80, 0x80, 8));
    e.phdrs.add(new Phdr(PT_TLS, 4, 0x1000, 0x1000, 0x10, 0x20, 8));
    e.phdrs.add(new Phdr(PT_GNU_RELRO, 4, 0x1000, 0x1000, 0x80, 0x80, 1));
    e.phdrs.add(new Phdr(PT_GNU_STACK, 6, 0, 0, 0, 0, 16));
    return e;
  }

  byte[] build() {
    ByteBuffer b = ByteBuffer.allocate(fileSize).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, magic);
    b.put(4, (byte) elfClass);
    b.put(5, (byte) data);
    b.put(6, (byte) identVersion);
    b.put(7, (byte) osAbi);
    b.putShort(16, (short) type);
    b.putShort(18, (short) machine);
    b.putInt(20, (int) version);
    b.putLong(24, entry);
    b.putLong(32, phoff);
    b.putLong(40, shoff);
    b.putInt(48, (int) flags);
    b.putShort(52, (short) ehsize);
    b.putShort(54, (short) phentsize);
    b.putShort(56, (short) (phnum >= 0 ? phnum : phdrs.size()));
    b.putShort(58, (short) shentsize);
    b.putShort(60, (short) shnum);
    b.putShort(62, (short) shstrndx);
    for (int i = 0; i < phdrs.size(); i++) {
      Phdr p = phdrs.get(i);
      int at = (int) phoff + i * 56;
      b.putInt(at, p.type());
      b.putInt(at + 4, p.flags());
      b.putLong(at + 8, p.offset());
      b.putLong(at + 16, p.vaddr());
      b.putLong(at + 24, p.vaddr()); // p_paddr
      b.putLong(at + 32, p.filesz());
      b.putLong(at + 40, p.memsz());
      b.putLong(at + 48, p.align());
    }
    if (fileSize >= CODE_OFFSET + 12) {
      b.putInt(CODE_OFFSET, 0x00000513); // li a0, 0
      b.putInt(CODE_OFFSET + 4, 0x05d00893); // li a7, 93
      b.putInt(CODE_OFFSET + 8, 0x00000073); // ecall
    }
    if (fileSize >= 0x1100) {
      for (int i = 0; i < 0x100; i++) {
        b.put(0x1000 + i, (byte) i); // recognisable data
      }
    }
    return b.array();
  }

  /** File offset of field {@code fieldOffset} of program header {@code index}. */
  static long phdrField(int index, int fieldOffset) {
    return PHOFF + index * 56L + fieldOffset;
  }

  static void putLong(byte[] b, int at, long v) {
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
  }
}
