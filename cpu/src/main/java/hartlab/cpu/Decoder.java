package hartlab.cpu;

import hartlab.mmu.PhysicalMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes RV64GC_Zicntr (RV64IMAFDC_Zicsr_Zifencei_Zicntr, user mode) into the interpreter's packed
 * entries.
 *
 * <p>Every instruction the hart knows is one line of {@link #WIDE} or {@link #COMPRESSED}: its bit
 * pattern as the spec's encoding tables draw it ('0'/'1' fixed, '-' operand or don't-care, spaces
 * for readability), the {@link Op} it executes, and how to pull its operands out. The first
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
    for (Line l : WIDE_BY_OPCODE[(insn >>> 2) & 31]) {
      if ((insn & l.mask) == l.match) {
        return l.format.decode(insn, l.op);
      }
    }
    return illegal(insn, true);
  }

  /** Decodes (expands) a 16-bit instruction; {@code half}'s low two bits are not 11. */
  static long decodeCompressed(int half) {
    for (Line l : COMPRESSED_BY_FUNCT[((half >>> 11) & 0x1C) | (half & 3)]) {
      if ((half & l.mask) == l.match) {
        return l.format.decode(half, l.op);
      }
    }
    return illegal(half, false);
  }

  // ---- operand formats -----------------------------------------------------------------------

  interface Format {
    /** The packed entry for {@code bits} executing {@code op}, or an illegal entry. */
    long decode(int bits, int op);
  }

  private static int rdOf(int i) {
    return (i >>> 7) & 31;
  }

  private static int rs1Of(int i) {
    return (i >>> 15) & 31;
  }

  private static int rs2Of(int i) {
    return (i >>> 20) & 31;
  }

  /** Bits {@code hi..lo} of {@code v}, zero-extended. */
  private static int bits(int v, int hi, int lo) {
    return (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
  }

  /** Sign-extends the low {@code width} bits of {@code v}. */
  private static int sext(int v, int width) {
    return (v << (32 - width)) >> (32 - width);
  }

  // 32-bit formats (unprivileged spec, "Base Instruction Formats" and "Immediate Encoding
  // Variants").
  private static final Format R = (i, op) -> entry(op, true, rdOf(i), rs1Of(i), rs2Of(i), 0);
  private static final Format I = (i, op) -> entry(op, true, rdOf(i), rs1Of(i), 0, i >> 20);
  private static final Format S =
      (i, op) -> entry(op, true, 0, rs1Of(i), rs2Of(i), ((i >> 25) << 5) | bits(i, 11, 7));
  private static final Format B =
      (i, op) ->
          entry(
              op,
              true,
              0,
              rs1Of(i),
              rs2Of(i),
              ((i >> 31) << 12)
                  | (bits(i, 7, 7) << 11)
                  | (bits(i, 30, 25) << 5)
                  | (bits(i, 11, 8) << 1));
  private static final Format U = (i, op) -> entry(op, true, rdOf(i), 0, 0, i & 0xFFFFF000);
  private static final Format J =
      (i, op) ->
          entry(
              op,
              true,
              rdOf(i),
              0,
              0,
              ((i >> 31) << 20) | (i & 0xFF000) | (bits(i, 20, 20) << 11) | (bits(i, 30, 21) << 1));

  /** RV64 shift by immediate: 6-bit shamt. */
  private static final Format SH6 =
      (i, op) -> entry(op, true, rdOf(i), rs1Of(i), 0, bits(i, 25, 20));

  /** 32-bit (W) shift by immediate: 5-bit shamt. */
  private static final Format SH5 =
      (i, op) -> entry(op, true, rdOf(i), rs1Of(i), 0, bits(i, 24, 20));

  private static final Format NONE = (i, op) -> entry(op, true, 0, 0, 0, 0);

  /**
   * CSRRS/CSRRC (rs1 = x0) and CSRRSI/CSRRCI (uimm = 0) of cycle, time or instret are reads; {@code
   * op} is {@link Op#RDCYCLE} and the CSR number picks among the three consecutive ops. Any write,
   * and any CSR other than these and the FP ones ({@link #FP_CSR}), is illegal in this
   * user-mode-only hart.
   */
  private static final Format CSR_READ =
      (i, op) -> {
        int csr = bits(i, 31, 20);
        if (rs1Of(i) != 0 || csr < 0xC00 || csr > 0xC02) {
          return illegal(i, true);
        }
        return entry(op + (csr - 0xC00), true, rdOf(i), 0, 0, csr);
      };

  /**
   * fflags, frm, fcsr (spec 11.2) with any of CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI; funct3
   * 000 and 100 are not CSR instructions. imm keeps the bits: FpUnit reads funct3, the CSR number
   * and rs1/uimm from them.
   */
  private static final Format FP_CSR =
      (i, op) -> {
        int funct3 = bits(i, 14, 12);
        return funct3 == 0 || funct3 == 4
            ? illegal(i, true)
            : entry(op, true, rdOf(i), rs1Of(i), 0, i);
      };

  // F and D formats (spec 11.5-11.9, 12.3-12.7). imm is the instruction itself except for loads.
  /** The rm field (funct3) of a rounding instruction: 101 and 110 are reserved (spec 11.2). */
  private static boolean reservedRm(int i) {
    int rm = bits(i, 14, 12);
    return rm == 5 || rm == 6;
  }

  /** FLW/FLD: I-type with an FP destination. */
  private static final Format F_LOAD = (i, op) -> fpEntry(op, true, rdOf(i), rs1Of(i), 0, i >> 20);

  /** FP destination, rounding (rm checked). */
  private static final Format F_RM =
      (i, op) ->
          reservedRm(i) ? illegal(i, true) : fpEntry(op, true, rdOf(i), rs1Of(i), rs2Of(i), i);

  /** Integer destination (FCVT.W.S ...), rounding. */
  private static final Format F_RM_X =
      (i, op) -> reservedRm(i) ? illegal(i, true) : entry(op, true, rdOf(i), rs1Of(i), rs2Of(i), i);

  /** FP destination, funct3 part of the opcode (FSGNJ, FMIN, FMV.W.X). */
  private static final Format F_R = (i, op) -> fpEntry(op, true, rdOf(i), rs1Of(i), rs2Of(i), i);

  /** Integer destination, no rounding (FEQ, FCLASS, FMV.X.W). */
  private static final Format F_R_X = (i, op) -> entry(op, true, rdOf(i), rs1Of(i), rs2Of(i), i);

  /** R4-type fused multiply-add: rs3 in bits 31:27, read from imm; rounding. */
  private static final Format F_R4 = F_RM;

  // Compressed formats (spec chapter "C" Standard Extension, RVC instruction set listings).
  /** rd', rs1', rs2' name x8..x15. */
  private static int creg(int h, int lo) {
    return 8 + bits(h, lo + 2, lo);
  }

  private static int ciImm(int h) {
    return sext((bits(h, 12, 12) << 5) | bits(h, 6, 2), 6);
  }

  /** imm for C.LW/C.SW: uimm[5:3] = h[12:10], uimm[2] = h[6], uimm[6] = h[5]. */
  private static int clwImm(int h) {
    return (bits(h, 12, 10) << 3) | (bits(h, 6, 6) << 2) | (bits(h, 5, 5) << 6);
  }

  /** imm for C.LD/C.SD: uimm[5:3] = h[12:10], uimm[7:6] = h[6:5]. */
  private static int cldImm(int h) {
    return (bits(h, 12, 10) << 3) | (bits(h, 6, 5) << 6);
  }

  private static long cIllegalIf(boolean reserved, int h, long e) {
    return reserved ? illegal(h, false) : e;
  }

  /** C.ADDI4SPN: addi rd', x2, nzuimm[9:2]; nzuimm[5:4|9:6|2|3] = h[12:5]; zero is reserved. */
  private static final Format C_ADDI4SPN =
      (h, op) -> {
        int imm =
            (bits(h, 12, 11) << 4)
                | (bits(h, 10, 7) << 6)
                | (bits(h, 6, 6) << 2)
                | (bits(h, 5, 5) << 3);
        return cIllegalIf(imm == 0, h, entry(op, false, creg(h, 2), 2, 0, imm));
      };

  private static final Format C_LW =
      (h, op) -> entry(op, false, creg(h, 2), creg(h, 7), 0, clwImm(h));
  private static final Format C_LD =
      (h, op) -> entry(op, false, creg(h, 2), creg(h, 7), 0, cldImm(h));
  private static final Format C_SW =
      (h, op) -> entry(op, false, 0, creg(h, 7), creg(h, 2), clwImm(h));
  private static final Format C_SD =
      (h, op) -> entry(op, false, 0, creg(h, 7), creg(h, 2), cldImm(h));

  /** C.ADDI / C.NOP: addi rd, rd, imm (rd = x0 is the NOP or a HINT). */
  private static final Format C_ADDI = (h, op) -> entry(op, false, rdOf(h), rdOf(h), 0, ciImm(h));

  /** C.ADDIW: addiw rd, rd, imm; rd = x0 is reserved. */
  private static final Format C_ADDIW =
      (h, op) -> cIllegalIf(rdOf(h) == 0, h, entry(op, false, rdOf(h), rdOf(h), 0, ciImm(h)));

  /** C.LI: addi rd, x0, imm. */
  private static final Format C_LI = (h, op) -> entry(op, false, rdOf(h), 0, 0, ciImm(h));

  /**
   * C.ADDI16SP: addi x2, x2, nzimm[9:4]; nzimm[9] = h[12], nzimm[4|6|8:7|5] = h[6:2]; zero
   * reserved.
   */
  private static final Format C_ADDI16SP =
      (h, op) -> {
        int imm =
            sext(
                (bits(h, 12, 12) << 9)
                    | (bits(h, 6, 6) << 4)
                    | (bits(h, 5, 5) << 6)
                    | (bits(h, 4, 3) << 7)
                    | (bits(h, 2, 2) << 5),
                10);
        return cIllegalIf(imm == 0, h, entry(op, false, 2, 2, 0, imm));
      };

  /** C.LUI: lui rd, nzimm[17:12]; zero is reserved (rd = x2 is C.ADDI16SP, matched first). */
  private static final Format C_LUI =
      (h, op) -> cIllegalIf(ciImm(h) == 0, h, entry(op, false, rdOf(h), 0, 0, ciImm(h) << 12));

  /** C.SRLI / C.SRAI: shift rd' by shamt[5] = h[12], shamt[4:0] = h[6:2]. */
  private static final Format C_SHIFT =
      (h, op) ->
          entry(op, false, creg(h, 7), creg(h, 7), 0, (bits(h, 12, 12) << 5) | bits(h, 6, 2));

  private static final Format C_ANDI =
      (h, op) -> entry(op, false, creg(h, 7), creg(h, 7), 0, ciImm(h));

  /** C.SUB ... C.ADDW: op rd', rd', rs2'. */
  private static final Format C_ARITH =
      (h, op) -> entry(op, false, creg(h, 7), creg(h, 7), creg(h, 2), 0);

  /** C.J: jal x0, offset[11|4|9:8|10|6|7|3:1|5] = h[12:2]. */
  private static final Format C_J =
      (h, op) ->
          entry(
              op,
              false,
              0,
              0,
              0,
              sext(
                  (bits(h, 12, 12) << 11)
                      | (bits(h, 11, 11) << 4)
                      | (bits(h, 10, 9) << 8)
                      | (bits(h, 8, 8) << 10)
                      | (bits(h, 7, 7) << 6)
                      | (bits(h, 6, 6) << 7)
                      | (bits(h, 5, 3) << 1)
                      | (bits(h, 2, 2) << 5),
                  12));

  /** C.BEQZ / C.BNEZ: b rs1', x0, offset[8|4:3] = h[12:10], offset[7:6|2:1|5] = h[6:2]. */
  private static final Format C_BRANCH =
      (h, op) ->
          entry(
              op,
              false,
              0,
              creg(h, 7),
              0,
              sext(
                  (bits(h, 12, 12) << 8)
                      | (bits(h, 11, 10) << 3)
                      | (bits(h, 6, 5) << 6)
                      | (bits(h, 4, 3) << 1)
                      | (bits(h, 2, 2) << 5),
                  9));

  /** C.SLLI: slli rd, rd, shamt[5] = h[12], shamt[4:0] = h[6:2]. */
  private static final Format C_SLLI =
      (h, op) -> entry(op, false, rdOf(h), rdOf(h), 0, (bits(h, 12, 12) << 5) | bits(h, 6, 2));

  /**
   * C.LWSP: lw rd, uimm(x2), uimm[5] = h[12], uimm[4:2] = h[6:4], uimm[7:6] = h[3:2]; rd = x0
   * reserved.
   */
  private static final Format C_LWSP =
      (h, op) ->
          cIllegalIf(
              rdOf(h) == 0,
              h,
              entry(
                  op,
                  false,
                  rdOf(h),
                  2,
                  0,
                  (bits(h, 12, 12) << 5) | (bits(h, 6, 4) << 2) | (bits(h, 3, 2) << 6)));

  /**
   * C.LDSP: ld rd, uimm(x2), uimm[5] = h[12], uimm[4:3] = h[6:5], uimm[8:6] = h[4:2]; rd = x0
   * reserved.
   */
  private static final Format C_LDSP =
      (h, op) ->
          cIllegalIf(
              rdOf(h) == 0,
              h,
              entry(
                  op,
                  false,
                  rdOf(h),
                  2,
                  0,
                  (bits(h, 12, 12) << 5) | (bits(h, 6, 5) << 3) | (bits(h, 4, 2) << 6)));

  /**
   * C.FLDSP: fld rd, uimm(x2), offsets as C.LDSP; any f register, f0 included, may be the
   * destination.
   */
  private static final Format C_FLDSP =
      (h, op) ->
          fpEntry(
              op,
              false,
              rdOf(h),
              2,
              0,
              (bits(h, 12, 12) << 5) | (bits(h, 6, 5) << 3) | (bits(h, 4, 2) << 6));

  /** C.JR: jalr x0, 0(rs1); rs1 = x0 is reserved. */
  private static final Format C_JR =
      (h, op) -> cIllegalIf(rdOf(h) == 0, h, entry(op, false, 0, rdOf(h), 0, 0));

  /** C.MV: add rd, x0, rs2. */
  private static final Format C_MV = (h, op) -> entry(op, false, rdOf(h), 0, bits(h, 6, 2), 0);

  private static final Format C_NONE = (h, op) -> entry(op, false, 0, 0, 0, 0);

  /** C.JALR: jalr x1, 0(rs1). */
  private static final Format C_JALR = (h, op) -> entry(op, false, 1, rdOf(h), 0, 0);

  /** C.ADD: add rd, rd, rs2. */
  private static final Format C_ADD =
      (h, op) -> entry(op, false, rdOf(h), rdOf(h), bits(h, 6, 2), 0);

  /** C.SWSP: sw rs2, uimm(x2), uimm[5:2] = h[12:9], uimm[7:6] = h[8:7]. */
  private static final Format C_SWSP =
      (h, op) ->
          entry(op, false, 0, 2, bits(h, 6, 2), (bits(h, 12, 9) << 2) | (bits(h, 8, 7) << 6));

  /** C.SDSP: sd rs2, uimm(x2), uimm[5:3] = h[12:10], uimm[8:6] = h[9:7]. */
  private static final Format C_SDSP =
      (h, op) ->
          entry(op, false, 0, 2, bits(h, 6, 2), (bits(h, 12, 10) << 3) | (bits(h, 9, 7) << 6));

  // ---- the tables ----------------------------------------------------------------------------

  /**
   * One table line: the pattern as written, the mask and match derived from it, the op, the
   * operands.
   */
  record Line(String pattern, int mask, int match, int op, Format format) {}

  private static Line line(String pattern, int op, Format format) {
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
   * RV64I, M, A, F, D, Zicsr (counter reads, FP CSRs), Zifencei. Fields as in the spec: funct7 rs2
   * rs1 funct3 rd opcode.
   */
  static final List<Line> WIDE =
      List.of(
          line("------- ----- ----- --- ----- 0110111", Op.LUI, U),
          line("------- ----- ----- --- ----- 0010111", Op.AUIPC, U),
          line("------- ----- ----- --- ----- 1101111", Op.JAL, J),
          line("------- ----- ----- 000 ----- 1100111", Op.JALR, I),
          line("------- ----- ----- 000 ----- 1100011", Op.BEQ, B),
          line("------- ----- ----- 001 ----- 1100011", Op.BNE, B),
          line("------- ----- ----- 100 ----- 1100011", Op.BLT, B),
          line("------- ----- ----- 101 ----- 1100011", Op.BGE, B),
          line("------- ----- ----- 110 ----- 1100011", Op.BLTU, B),
          line("------- ----- ----- 111 ----- 1100011", Op.BGEU, B),
          line("------- ----- ----- 000 ----- 0000011", Op.LB, I),
          line("------- ----- ----- 001 ----- 0000011", Op.LH, I),
          line("------- ----- ----- 010 ----- 0000011", Op.LW, I),
          line("------- ----- ----- 011 ----- 0000011", Op.LD, I),
          line("------- ----- ----- 100 ----- 0000011", Op.LBU, I),
          line("------- ----- ----- 101 ----- 0000011", Op.LHU, I),
          line("------- ----- ----- 110 ----- 0000011", Op.LWU, I),
          line("------- ----- ----- 000 ----- 0100011", Op.SB, S),
          line("------- ----- ----- 001 ----- 0100011", Op.SH, S),
          line("------- ----- ----- 010 ----- 0100011", Op.SW, S),
          line("------- ----- ----- 011 ----- 0100011", Op.SD, S),
          line("------- ----- ----- 000 ----- 0010011", Op.ADDI, I),
          line("------- ----- ----- 010 ----- 0010011", Op.SLTI, I),
          line("------- ----- ----- 011 ----- 0010011", Op.SLTIU, I),
          line("------- ----- ----- 100 ----- 0010011", Op.XORI, I),
          line("------- ----- ----- 110 ----- 0010011", Op.ORI, I),
          line("------- ----- ----- 111 ----- 0010011", Op.ANDI, I),
          line("000000- ----- ----- 001 ----- 0010011", Op.SLLI, SH6),
          line("000000- ----- ----- 101 ----- 0010011", Op.SRLI, SH6),
          line("010000- ----- ----- 101 ----- 0010011", Op.SRAI, SH6),
          line("0000000 ----- ----- 000 ----- 0110011", Op.ADD, R),
          line("0100000 ----- ----- 000 ----- 0110011", Op.SUB, R),
          line("0000000 ----- ----- 001 ----- 0110011", Op.SLL, R),
          line("0000000 ----- ----- 010 ----- 0110011", Op.SLT, R),
          line("0000000 ----- ----- 011 ----- 0110011", Op.SLTU, R),
          line("0000000 ----- ----- 100 ----- 0110011", Op.XOR, R),
          line("0000000 ----- ----- 101 ----- 0110011", Op.SRL, R),
          line("0100000 ----- ----- 101 ----- 0110011", Op.SRA, R),
          line("0000000 ----- ----- 110 ----- 0110011", Op.OR, R),
          line("0000000 ----- ----- 111 ----- 0110011", Op.AND, R),
          line("------- ----- ----- 000 ----- 0011011", Op.ADDIW, I),
          line("0000000 ----- ----- 001 ----- 0011011", Op.SLLIW, SH5),
          line("0000000 ----- ----- 101 ----- 0011011", Op.SRLIW, SH5),
          line("0100000 ----- ----- 101 ----- 0011011", Op.SRAIW, SH5),
          line("0000000 ----- ----- 000 ----- 0111011", Op.ADDW, R),
          line("0100000 ----- ----- 000 ----- 0111011", Op.SUBW, R),
          line("0000000 ----- ----- 001 ----- 0111011", Op.SLLW, R),
          line("0000000 ----- ----- 101 ----- 0111011", Op.SRLW, R),
          line("0100000 ----- ----- 101 ----- 0111011", Op.SRAW, R),
          line("----------------- 000 ----- 0001111", Op.FENCE, NONE),
          line("----------------- 001 ----- 0001111", Op.FENCE_I, NONE),
          line("000000000000 00000 000 00000 1110011", Op.ECALL, NONE),
          line("000000000001 00000 000 00000 1110011", Op.EBREAK, NONE),
          line("000000000001 ----- --- ----- 1110011", Op.CSR_FP, FP_CSR), // fflags
          line("000000000010 ----- --- ----- 1110011", Op.CSR_FP, FP_CSR), // frm
          line("000000000011 ----- --- ----- 1110011", Op.CSR_FP, FP_CSR), // fcsr
          line("------------ ----- 010 ----- 1110011", Op.RDCYCLE, CSR_READ), // csrrs
          line("------------ ----- 011 ----- 1110011", Op.RDCYCLE, CSR_READ), // csrrc
          line("------------ ----- 110 ----- 1110011", Op.RDCYCLE, CSR_READ), // csrrsi
          line("------------ ----- 111 ----- 1110011", Op.RDCYCLE, CSR_READ), // csrrci
          // M
          line("0000001 ----- ----- 000 ----- 0110011", Op.MUL, R),
          line("0000001 ----- ----- 001 ----- 0110011", Op.MULH, R),
          line("0000001 ----- ----- 010 ----- 0110011", Op.MULHSU, R),
          line("0000001 ----- ----- 011 ----- 0110011", Op.MULHU, R),
          line("0000001 ----- ----- 100 ----- 0110011", Op.DIV, R),
          line("0000001 ----- ----- 101 ----- 0110011", Op.DIVU, R),
          line("0000001 ----- ----- 110 ----- 0110011", Op.REM, R),
          line("0000001 ----- ----- 111 ----- 0110011", Op.REMU, R),
          line("0000001 ----- ----- 000 ----- 0111011", Op.MULW, R),
          line("0000001 ----- ----- 100 ----- 0111011", Op.DIVW, R),
          line("0000001 ----- ----- 101 ----- 0111011", Op.DIVUW, R),
          line("0000001 ----- ----- 110 ----- 0111011", Op.REMW, R),
          line("0000001 ----- ----- 111 ----- 0111011", Op.REMUW, R),
          // A: funct5 aq rl rs2 rs1 funct3 rd opcode (aq/rl ignored: every atomic is sequentially
          // consistent)
          line("00010 -- 00000 ----- 010 ----- 0101111", Op.LR_W, R),
          line("00011 -- ----- ----- 010 ----- 0101111", Op.SC_W, R),
          line("00001 -- ----- ----- 010 ----- 0101111", Op.AMOSWAP_W, R),
          line("00000 -- ----- ----- 010 ----- 0101111", Op.AMOADD_W, R),
          line("00100 -- ----- ----- 010 ----- 0101111", Op.AMOXOR_W, R),
          line("01100 -- ----- ----- 010 ----- 0101111", Op.AMOAND_W, R),
          line("01000 -- ----- ----- 010 ----- 0101111", Op.AMOOR_W, R),
          line("10000 -- ----- ----- 010 ----- 0101111", Op.AMOMIN_W, R),
          line("10100 -- ----- ----- 010 ----- 0101111", Op.AMOMAX_W, R),
          line("11000 -- ----- ----- 010 ----- 0101111", Op.AMOMINU_W, R),
          line("11100 -- ----- ----- 010 ----- 0101111", Op.AMOMAXU_W, R),
          line("00010 -- 00000 ----- 011 ----- 0101111", Op.LR_D, R),
          line("00011 -- ----- ----- 011 ----- 0101111", Op.SC_D, R),
          line("00001 -- ----- ----- 011 ----- 0101111", Op.AMOSWAP_D, R),
          line("00000 -- ----- ----- 011 ----- 0101111", Op.AMOADD_D, R),
          line("00100 -- ----- ----- 011 ----- 0101111", Op.AMOXOR_D, R),
          line("01100 -- ----- ----- 011 ----- 0101111", Op.AMOAND_D, R),
          line("01000 -- ----- ----- 011 ----- 0101111", Op.AMOOR_D, R),
          line("10000 -- ----- ----- 011 ----- 0101111", Op.AMOMIN_D, R),
          line("10100 -- ----- ----- 011 ----- 0101111", Op.AMOMAX_D, R),
          line("11000 -- ----- ----- 011 ----- 0101111", Op.AMOMINU_D, R),
          line("11100 -- ----- ----- 011 ----- 0101111", Op.AMOMAXU_D, R),
          // F and D: loads and stores; fmt (bits 26:25 of OP-FP and the R4 opcodes) 00 is S,
          // 01 D (10 H and 11 Q are absent); rm ('---') is funct3 where the op rounds.
          line("------- ----- ----- 010 ----- 0000111", Op.FLW, F_LOAD),
          line("------- ----- ----- 011 ----- 0000111", Op.FLD, F_LOAD),
          line("------- ----- ----- 010 ----- 0100111", Op.FSW, S),
          line("------- ----- ----- 011 ----- 0100111", Op.FSD, S),
          line("-----00 ----- ----- --- ----- 1000011", Op.FMADD_S, F_R4),
          line("-----00 ----- ----- --- ----- 1000111", Op.FMSUB_S, F_R4),
          line("-----00 ----- ----- --- ----- 1001011", Op.FNMSUB_S, F_R4),
          line("-----00 ----- ----- --- ----- 1001111", Op.FNMADD_S, F_R4),
          line("-----01 ----- ----- --- ----- 1000011", Op.FMADD_D, F_R4),
          line("-----01 ----- ----- --- ----- 1000111", Op.FMSUB_D, F_R4),
          line("-----01 ----- ----- --- ----- 1001011", Op.FNMSUB_D, F_R4),
          line("-----01 ----- ----- --- ----- 1001111", Op.FNMADD_D, F_R4),
          line("0000000 ----- ----- --- ----- 1010011", Op.FADD_S, F_RM),
          line("0000100 ----- ----- --- ----- 1010011", Op.FSUB_S, F_RM),
          line("0001000 ----- ----- --- ----- 1010011", Op.FMUL_S, F_RM),
          line("0001100 ----- ----- --- ----- 1010011", Op.FDIV_S, F_RM),
          line("0101100 00000 ----- --- ----- 1010011", Op.FSQRT_S, F_RM),
          line("0010000 ----- ----- 000 ----- 1010011", Op.FSGNJ_S, F_R),
          line("0010000 ----- ----- 001 ----- 1010011", Op.FSGNJN_S, F_R),
          line("0010000 ----- ----- 010 ----- 1010011", Op.FSGNJX_S, F_R),
          line("0010100 ----- ----- 000 ----- 1010011", Op.FMIN_S, F_R),
          line("0010100 ----- ----- 001 ----- 1010011", Op.FMAX_S, F_R),
          line("1100000 00000 ----- --- ----- 1010011", Op.FCVT_W_S, F_RM_X),
          line("1100000 00001 ----- --- ----- 1010011", Op.FCVT_WU_S, F_RM_X),
          line("1100000 00010 ----- --- ----- 1010011", Op.FCVT_L_S, F_RM_X),
          line("1100000 00011 ----- --- ----- 1010011", Op.FCVT_LU_S, F_RM_X),
          line("1110000 00000 ----- 000 ----- 1010011", Op.FMV_X_W, F_R_X),
          line("1010000 ----- ----- 010 ----- 1010011", Op.FEQ_S, F_R_X),
          line("1010000 ----- ----- 001 ----- 1010011", Op.FLT_S, F_R_X),
          line("1010000 ----- ----- 000 ----- 1010011", Op.FLE_S, F_R_X),
          line("1110000 00000 ----- 001 ----- 1010011", Op.FCLASS_S, F_R_X),
          line("1101000 00000 ----- --- ----- 1010011", Op.FCVT_S_W, F_RM),
          line("1101000 00001 ----- --- ----- 1010011", Op.FCVT_S_WU, F_RM),
          line("1101000 00010 ----- --- ----- 1010011", Op.FCVT_S_L, F_RM),
          line("1101000 00011 ----- --- ----- 1010011", Op.FCVT_S_LU, F_RM),
          line("1111000 00000 ----- 000 ----- 1010011", Op.FMV_W_X, F_R),
          line("0000001 ----- ----- --- ----- 1010011", Op.FADD_D, F_RM),
          line("0000101 ----- ----- --- ----- 1010011", Op.FSUB_D, F_RM),
          line("0001001 ----- ----- --- ----- 1010011", Op.FMUL_D, F_RM),
          line("0001101 ----- ----- --- ----- 1010011", Op.FDIV_D, F_RM),
          line("0101101 00000 ----- --- ----- 1010011", Op.FSQRT_D, F_RM),
          line("0010001 ----- ----- 000 ----- 1010011", Op.FSGNJ_D, F_R),
          line("0010001 ----- ----- 001 ----- 1010011", Op.FSGNJN_D, F_R),
          line("0010001 ----- ----- 010 ----- 1010011", Op.FSGNJX_D, F_R),
          line("0010101 ----- ----- 000 ----- 1010011", Op.FMIN_D, F_R),
          line("0010101 ----- ----- 001 ----- 1010011", Op.FMAX_D, F_R),
          line("0100000 00001 ----- --- ----- 1010011", Op.FCVT_S_D, F_RM),
          line(
              "0100001 00000 ----- --- ----- 1010011",
              Op.FCVT_D_S,
              F_RM), // exact; rm still checked
          line("1010001 ----- ----- 010 ----- 1010011", Op.FEQ_D, F_R_X),
          line("1010001 ----- ----- 001 ----- 1010011", Op.FLT_D, F_R_X),
          line("1010001 ----- ----- 000 ----- 1010011", Op.FLE_D, F_R_X),
          line("1110001 00000 ----- 001 ----- 1010011", Op.FCLASS_D, F_R_X),
          line("1100001 00000 ----- --- ----- 1010011", Op.FCVT_W_D, F_RM_X),
          line("1100001 00001 ----- --- ----- 1010011", Op.FCVT_WU_D, F_RM_X),
          line("1100001 00010 ----- --- ----- 1010011", Op.FCVT_L_D, F_RM_X),
          line("1100001 00011 ----- --- ----- 1010011", Op.FCVT_LU_D, F_RM_X),
          line("1101001 00000 ----- --- ----- 1010011", Op.FCVT_D_W, F_RM), // exact, likewise
          line("1101001 00001 ----- --- ----- 1010011", Op.FCVT_D_WU, F_RM), // exact, likewise
          line("1101001 00010 ----- --- ----- 1010011", Op.FCVT_D_L, F_RM),
          line("1101001 00011 ----- --- ----- 1010011", Op.FCVT_D_LU, F_RM),
          line("1110001 00000 ----- 000 ----- 1010011", Op.FMV_X_D, F_R_X),
          line("1111001 00000 ----- 000 ----- 1010011", Op.FMV_D_X, F_R));

  /**
   * RV64C: funct3 | bits 12..2 | quadrant. The FP forms are RV64's: C.FLD, C.FSD, C.FLDSP, C.FSDSP
   * (C.FLW and friends are RV32's; their encodings mean C.LD and friends here).
   */
  static final List<Line> COMPRESSED =
      List.of(
          line("000 ----------- 00", Op.ADDI, C_ADDI4SPN),
          line("010 ----------- 00", Op.LW, C_LW),
          line("001 ----------- 00", Op.FLD, C_LD),
          line("011 ----------- 00", Op.LD, C_LD),
          line("110 ----------- 00", Op.SW, C_SW),
          line("101 ----------- 00", Op.FSD, C_SD),
          line("111 ----------- 00", Op.SD, C_SD),
          line("000 ----------- 01", Op.ADDI, C_ADDI), // C.NOP is C.ADDI x0, 0
          line("001 ----------- 01", Op.ADDIW, C_ADDIW),
          line("010 ----------- 01", Op.ADDI, C_LI),
          line("011 -00010----- 01", Op.ADDI, C_ADDI16SP),
          line("011 ----------- 01", Op.LUI, C_LUI),
          line("100 -00-------- 01", Op.SRLI, C_SHIFT),
          line("100 -01-------- 01", Op.SRAI, C_SHIFT),
          line("100 -10-------- 01", Op.ANDI, C_ANDI),
          line("100 011---00--- 01", Op.SUB, C_ARITH),
          line("100 011---01--- 01", Op.XOR, C_ARITH),
          line("100 011---10--- 01", Op.OR, C_ARITH),
          line("100 011---11--- 01", Op.AND, C_ARITH),
          line("100 111---00--- 01", Op.SUBW, C_ARITH),
          line("100 111---01--- 01", Op.ADDW, C_ARITH),
          line("101 ----------- 01", Op.JAL, C_J),
          line("110 ----------- 01", Op.BEQ, C_BRANCH),
          line("111 ----------- 01", Op.BNE, C_BRANCH),
          line("000 ----------- 10", Op.SLLI, C_SLLI),
          line("010 ----------- 10", Op.LW, C_LWSP),
          line("001 ----------- 10", Op.FLD, C_FLDSP),
          line("011 ----------- 10", Op.LD, C_LDSP),
          line("100 0-----00000 10", Op.JALR, C_JR),
          line("100 0---------- 10", Op.ADD, C_MV),
          line("100 10000000000 10", Op.EBREAK, C_NONE),
          line("100 1-----00000 10", Op.JALR, C_JALR),
          line("100 1---------- 10", Op.ADD, C_ADD),
          line("110 ----------- 10", Op.SW, C_SWSP),
          line("101 ----------- 10", Op.FSD, C_SDSP),
          line("111 ----------- 10", Op.SD, C_SDSP));

  /** {@link #WIDE} split by major opcode (bits 6:2) so a decode scans a handful of lines. */
  private static final Line[][] WIDE_BY_OPCODE = bucket(WIDE, 32, true);

  /** {@link #COMPRESSED} split by funct3 and quadrant (bits 15:13, 1:0). */
  private static final Line[][] COMPRESSED_BY_FUNCT = bucket(COMPRESSED, 32, false);

  private static Line[][] bucket(List<Line> lines, int n, boolean wide) {
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
