package hartlab.cpu;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * A little-endian code buffer at a fixed origin, with labels: {@code to("loop", off -> bne(A0,
 * ZERO, off))} emits a branch whose offset is filled in when {@link #bytes} resolves the labels.
 */
final class Program {
  private record Fixup(int at, boolean wide, String label, IntUnaryOperator encode) {}

  final long origin;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Map<String, Long> labels = new HashMap<>();
  private final List<Fixup> fixups = new ArrayList<>();

  Program(long origin) {
    this.origin = origin;
  }

  /** Address of the next instruction. */
  long here() {
    return origin + out.size();
  }

  Program label(String name) {
    if (labels.put(name, here()) != null) {
      throw new IllegalArgumentException("Program: label defined twice: " + name);
    }
    return this;
  }

  long address(String label) {
    Long a = labels.get(label);
    if (a == null) {
      throw new IllegalArgumentException("Program: no label " + label);
    }
    return a;
  }

  /** Emits a 32-bit instruction. */
  Program i(int insn) {
    for (int k = 0; k < 4; k++) {
      out.write(insn >>> (8 * k));
    }
    return this;
  }

  /** Emits a 16-bit (compressed) instruction. */
  Program c(int half) {
    out.write(half);
    out.write(half >>> 8);
    return this;
  }

  /** Emits a 32-bit instruction that needs the byte offset from itself to {@code label}. */
  Program to(String label, IntUnaryOperator encode) {
    fixups.add(new Fixup(out.size(), true, label, encode));
    return i(0);
  }

  /** Emits a 16-bit instruction that needs the byte offset from itself to {@code label}. */
  Program cTo(String label, IntUnaryOperator encode) {
    fixups.add(new Fixup(out.size(), false, label, encode));
    return c(0);
  }

  /**
   * Loads a 64-bit constant into rd (lui/addi pieces, shifted in 11 bits at a time after the top).
   */
  Program li(int rd, long value) {
    if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
      int v = (int) value;
      int lo = (v << 20) >> 20;
      int hi = v - lo;
      if (hi != 0) {
        i(Asm.lui(rd, hi));
        return lo != 0 ? i(Asm.addiw(rd, rd, lo)) : this;
      }
      return i(Asm.addi(rd, Asm.ZERO, lo));
    }
    // Upper 32 bits first, then 32 more bits as 11 + 11 + 10.
    li(rd, value >> 32);
    long low = value & 0xFFFFFFFFL;
    i(Asm.slli(rd, rd, 11)).i(Asm.ori(rd, rd, (int) (low >>> 21) & 0x7FF));
    i(Asm.slli(rd, rd, 11)).i(Asm.ori(rd, rd, (int) (low >>> 10) & 0x7FF));
    return i(Asm.slli(rd, rd, 10)).i(Asm.ori(rd, rd, (int) low & 0x3FF));
  }

  Program ecall() {
    return i(Asm.ecall());
  }

  byte[] bytes() {
    byte[] b = out.toByteArray();
    for (Fixup f : fixups) {
      int off = (int) (address(f.label) - (origin + f.at));
      int insn = f.encode.applyAsInt(off);
      int n = f.wide ? 4 : 2;
      for (int k = 0; k < n; k++) {
        b[f.at + k] = (byte) (insn >>> (8 * k));
      }
    }
    return b;
  }
}
