package hartlab.cpu;

import hartlab.mmu.PhysicalMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes RV64GC_Zicntr (RV64IMAFDC_Zicsr_Zifencei_Zicntr, user mode) into the interpreter's packed
 * entries.
 *
 * <p>Every instruction the hart knows is one line of {@link WideTable} or {@link CompressedTable}:
 * its bit pattern as the spec's encoding tables draw it ('0'/'1' fixed, '-' operand or don't-care,
 * spaces for readability), the {@link Op} it executes, and how to pull its operands out. The first
 * matching line wins, so a special case (C.EBREAK) goes before its general form (C.JALR, C.ADD). A
 * compressed line expands to the op of its 32-bit equivalent; reserved compressed encodings
 * (C.ADDI4SPN with a zero immediate, C.LUI with zero, C.LWSP to x0 ...) decode as {@link
 * Op#ILLEGAL}, like anything no line matches.
 *
 * <p>An entry is one {@code long}, so a hart reads an instruction with one load and another hart
 * decoding the same slot at the same time writes the very same value:
 *
 * <pre>
 *  63                32 31    25 24  20 19  15 14   9  8   7      0
 * | imm (sign-extended) | unused | rs2  | rs1  |  rd  | W |   op   |
 * </pre>
 *
 * W is set for a 32-bit instruction (4 bytes, two slots) and clear for a compressed one. rd is six
 * bits: writes to x0 are redirected to {@link #SINK} (register 32), so the interpreter never tests
 * for x0 and x0 always reads zero. An FP destination is not redirected (f0 is a register like the
 * others). For counter reads imm is unused; for {@link Op#ILLEGAL} it holds the instruction's bits
 * (the trap value), and so it does for FP operations other than loads and stores, which read their
 * rm field, rs3 and CSR number from there (and report those bits when a dynamic rounding mode turns
 * out invalid).
 */
final class Decoder {
  /** Register index that receives writes to x0; nothing reads it. */
  static final int SINK = 32;

  static final int OP_MASK = 0xFF;
  static final int WIDE_BIT = 1 << 8;
  static final int RD_SHIFT = 9, RS1_SHIFT = 15, RS2_SHIFT = 20;

  private Decoder() {}

  // ---- entry packing -------------------------------------------------------------------------

  static long entry(int op, boolean wide, int rd, int rs1, int rs2, int imm) {
    int word =
        op
            | (wide ? WIDE_BIT : 0)
            | ((rd == 0 ? SINK : rd) << RD_SHIFT)
            | (rs1 << RS1_SHIFT)
            | (rs2 << RS2_SHIFT);
    return ((long) imm << 32) | (word & 0xFFFFFFFFL);
  }

  /** An entry whose rd names an FP register: f0 is kept, not sent to the sink. */
  static long fpEntry(int op, boolean wide, int rd, int rs1, int rs2, int imm) {
    int word =
        op | (wide ? WIDE_BIT : 0) | (rd << RD_SHIFT) | (rs1 << RS1_SHIFT) | (rs2 << RS2_SHIFT);
    return ((long) imm << 32) | (word & 0xFFFFFFFFL);
  }

  static long illegal(int bits, boolean wide) {
    return entry(Op.ILLEGAL, wide, 0, 0, 0, bits);
  }

  static int op(long e) {
    return (int) e & OP_MASK;
  }

  static int rd(long e) {
    return ((int) e >>> RD_SHIFT) & 63;
  }

  static int rs1(long e) {
    return ((int) e >>> RS1_SHIFT) & 31;
  }

  static int rs2(long e) {
    return ((int) e >>> RS2_SHIFT) & 31;
  }

  static int imm(long e) {
    return (int) (e >> 32);
  }

  /** Instruction length in bytes: 4, or 2 for a compressed one. */
  static int length(long e) {
    return ((int) e & WIDE_BIT) != 0 ? 4 : 2;
  }

  /** Readable form for messages and tests: "addi x10, x0, 5 (4 bytes)". */
  static String describe(long e) {
    int rd = rd(e);
    return String.format(
        "%s rd=x%d rs1=x%d rs2=x%d imm=%d (%d bytes)",
        Op.name(op(e)), rd == SINK ? 0 : rd, rs1(e), rs2(e), imm(e), length(e));
  }

  // ---- decoding ------------------------------------------------------------------------------

  /**
   * Decodes the instruction at physical address {@code pa}, slot {@code slot} of its page. A 32-bit
   * instruction in the page's last slot continues on the next page, which may map anywhere: it
   * becomes {@link Op#CROSS} and the hart fetches it through both translations.
   */
  static long decodeSlot(PhysicalMemory memory, long pa, int slot) {
    int lo = memory.getShort(pa) & 0xFFFF;
    if ((lo & 3) != 3) {
      return decodeCompressed(lo);
    }
    if (slot == DecodedPage.SLOTS - 1) {
      return entry(Op.CROSS, true, 0, 0, 0, 0);
    }
    return decodeWide(memory.getInt(pa));
  }

  /** Decodes a 32-bit instruction word. */
  static long decodeWide(int insn) {
    for (Line l : WideTable.BY_OPCODE[(insn >>> 2) & 31]) {
      if ((insn & l.mask) == l.match) {
        return l.format.decode(insn, l.op);
      }
    }
    return illegal(insn, true);
  }

  /** Decodes (expands) a 16-bit instruction; {@code half}'s low two bits are not 11. */
  static long decodeCompressed(int half) {
    for (Line l : CompressedTable.BY_FUNCT[((half >>> 11) & 0x1C) | (half & 3)]) {
      if ((half & l.mask) == l.match) {
        return l.format.decode(half, l.op);
      }
    }
    return illegal(half, false);
  }

  // ---- the tables' building blocks -------------------------------------------------------------

  interface Format {
    /** The packed entry for {@code bits} executing {@code op}, or an illegal entry. */
    long decode(int bits, int op);
  }

  /** The rd field, bits 11:7; also where the CR and CI compressed formats keep rd/rs1. */
  static int rdOf(int i) {
    return (i >>> 7) & 31;
  }

  /** Bits {@code hi..lo} of {@code v}, zero-extended. */
  static int bits(int v, int hi, int lo) {
    return (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
  }

  /** Sign-extends the low {@code width} bits of {@code v}. */
  static int sext(int v, int width) {
    return (v << (32 - width)) >> (32 - width);
  }

  /**
   * One table line: the pattern as written, the mask and match derived from it, the op, the
   * operands.
   */
  record Line(String pattern, int mask, int match, int op, Format format) {}

  static Line line(String pattern, int op, Format format) {
    String p = pattern.replace(" ", "");
    int mask = 0;
    int match = 0;
    for (int k = 0; k < p.length(); k++) {
      char c = p.charAt(k);
      int bit = 1 << (p.length() - 1 - k);
      if (c == '0' || c == '1') {
        mask |= bit;
        match |= c == '1' ? bit : 0;
      } else if (c != '-') {
        throw new IllegalArgumentException("Decoder.line: bad character '" + c + "' in " + pattern);
      }
    }
    return new Line(pattern, mask, match, op, format);
  }

  /**
   * Splits a table into {@code n} buckets by the key bits every decode reads first (the major
   * opcode of a 32-bit instruction; funct3 and quadrant of a compressed one).
   */
  static Line[][] bucket(List<Line> lines, int n, boolean wide) {
    List<List<Line>> b = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      b.add(new ArrayList<>());
    }
    for (Line l : lines) {
      int width = l.pattern.replace(" ", "").length();
      if (width != (wide ? 32 : 16)) {
        throw new IllegalStateException("Decoder: pattern is " + width + " bits: " + l.pattern);
      }
      // A line belongs to every bucket whose key bits its pattern allows.
      for (int key = 0; key < n; key++) {
        int probe = wide ? (key << 2) | 3 : ((key & 0x1C) << 11) | (key & 3);
        int keyMask = wide ? 0x7F : 0xE003;
        if ((probe & l.mask & keyMask) == (l.match & keyMask)) {
          b.get(key).add(l);
        }
      }
    }
    Line[][] out = new Line[n][];
    for (int k = 0; k < n; k++) {
      out[k] = b.get(k).toArray(new Line[0]);
    }
    return out;
  }
}
