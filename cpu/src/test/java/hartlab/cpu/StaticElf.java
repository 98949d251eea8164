package hartlab.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes a minimal static RISC-V Linux executable around generated code and data, the way a linker
 * lays out {@code -static -z separate-code} output: page 0 of the file holds the ELF and program
 * headers, the code follows from {@link #CODE} (R+X), then the data (RW) on its own pages at {@link
 * #DATA}, a fixed address so that code can be generated before its size is known, followed by
 * {@code bss} zeroed bytes. Both qemu-riscv64 and {@link ElfRun} load it.
 */
final class StaticElf {
  /** Where the file is mapped: the headers page. */
  static final long BASE = 0x10000;

  /** Where the code starts: the page after the headers. */
  static final long CODE = BASE + 0x1000;

  private static final int EM_RISCV = 243;
  private static final int EF_RISCV_RVC = 0x1, EF_RISCV_FLOAT_ABI_DOUBLE = 0x4;

  private StaticElf() {}

  /** Where the data segment starts; code must end below it (and ElfRun wants all below 32 MiB). */
  static final long DATA = 0x1000000;

  /**
   * An ELF64 executable: {@code code} at {@link #CODE} (entry point {@code entry}), {@code data} at
   * {@link #DATA}, then {@code bss} more bytes of zeroed memory.
   */
  static byte[] build(byte[] code, long entry, byte[] data, long bss) {
    if (CODE + code.length > DATA) {
      throw new IllegalArgumentException(
          "StaticElf: " + code.length + " bytes of code overlap data");
    }
    int codeOff = 0x1000;
    int dataOff = codeOff + (int) pageUp(code.length);
    ByteBuffer b = ByteBuffer.allocate(dataOff + data.length).order(ByteOrder.LITTLE_ENDIAN);
    // Elf64_Ehdr
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    b.putShort(16, (short) 2); // ET_EXEC
    b.putShort(18, (short) EM_RISCV);
    b.putInt(20, 1); // EV_CURRENT
    b.putLong(24, entry);
    b.putLong(32, 64); // e_phoff
    b.putLong(40, 0); // no section headers
    b.putInt(48, EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE); // what gcc's lp64d output says
    b.putShort(52, (short) 64);
    b.putShort(54, (short) 56);
    b.putShort(56, (short) 2);
    b.putShort(58, (short) 64);
    // Elf64_Phdr: headers and code, R+X; data and bss, RW.
    phdr(b, 64, 5, 0, BASE, codeOff + code.length, codeOff + code.length);
    phdr(b, 64 + 56, 6, dataOff, DATA, data.length, data.length + bss);
    b.put(codeOff, code);
    b.put(dataOff, data);
    return b.array();
  }

  private static void phdr(
      ByteBuffer b, int at, int flags, long offset, long vaddr, long filesz, long memsz) {
    b.putInt(at, 1); // PT_LOAD
    b.putInt(at + 4, flags);
    b.putLong(at + 8, offset);
    b.putLong(at + 16, vaddr);
    b.putLong(at + 24, vaddr);
    b.putLong(at + 32, filesz);
    b.putLong(at + 40, memsz);
    b.putLong(at + 48, 0x1000);
  }

  private static long pageUp(long n) {
    return (n + 0xFFF) & ~0xFFFL;
  }
}
