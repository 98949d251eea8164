package hartlab.kernel;

import hartlab.loader.ElfFormatException;
import hartlab.loader.ElfImage;
import hartlab.loader.ElfParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Writes small static RISC-V ELF executables for tests: an ELF header, one program header per
 * PT_LOAD segment, and each segment's bytes on its own page of the file at the offset its address
 * asks for. Nothing else (no sections, no interpreter), which is all the kernel's loader reads.
 */
public final class TinyElf {
  /** One PT_LOAD segment: {@code bytes} at {@code vaddr}, zero up to {@code memSize}. */
  public record Segment(int flags, long vaddr, byte[] bytes, long memSize) {}

  public static final int PF_X = 1, PF_W = 2, PF_R = 4;
  public static final int ET_EXEC = 2, ET_DYN = 3;

  /** li a0, 0; li a7, 93; ecall: exit(0). */
  public static final byte[] EXIT_0 = {
    0x13, 0x05, 0x00, 0x00, (byte) 0x93, 0x08, (byte) 0xd0, 0x05, 0x73, 0x00, 0x00, 0x00
  };

  private static final int EHDR = 64, PHDR = 56;

  private TinyElf() {}

  /** The file's bytes. */
  public static byte[] bytes(int type, long entry, List<Segment> segments) {
    int size = (segments.size() + 1) * 4096;
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    b.putShort(16, (short) type);
    b.putShort(18, (short) 243); // EM_RISCV
    b.putInt(20, 1);
    b.putLong(24, entry);
    b.putLong(32, EHDR); // e_phoff
    b.putInt(48, 1); // e_flags: EF_RISCV_RVC, soft-float
    b.putShort(52, (short) EHDR);
    b.putShort(54, (short) PHDR);
    b.putShort(56, (short) segments.size());
    b.putShort(58, (short) 64);
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      long offset = (i + 1) * 4096L + (s.vaddr() & 0xFFF);
      int at = EHDR + i * PHDR;
      b.putInt(at, 1); // PT_LOAD
      b.putInt(at + 4, s.flags());
      b.putLong(at + 8, offset);
      b.putLong(at + 16, s.vaddr());
      b.putLong(at + 24, s.vaddr());
      b.putLong(at + 32, s.bytes().length);
      b.putLong(at + 40, s.memSize());
      b.putLong(at + 48, 4096);
      b.put((int) offset, s.bytes());
    }
    return b.array();
  }

  /** The file parsed as the kernel parses it. */
  public static ElfImage image(int type, long entry, List<Segment> segments) {
    try {
      return ElfParser.parse(bytes(type, entry, segments));
    } catch (ElfFormatException e) {
      throw new IllegalArgumentException("TinyElf: not a valid executable: " + e.getMessage(), e);
    }
  }

  /**
   * A program at 0x10000 whose text exits with status 0 and whose data segment (at 0x11000) holds
   * {@code data}, followed by {@code bss} zero bytes.
   */
  public static ElfImage exitProgram(byte[] data, long bss) {
    byte[] text = new byte[0x200 + EXIT_0.length];
    System.arraycopy(EXIT_0, 0, text, 0x200, EXIT_0.length);
    return image(
        ET_EXEC,
        0x10200,
        List.of(
            new Segment(PF_R | PF_X, 0x10000, text, text.length),
            new Segment(PF_R | PF_W, 0x11000, data, data.length + bss)));
  }
}
