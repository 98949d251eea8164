package hartlab.cpu;

import static hartlab.cpu.Decoder.bits;
import static hartlab.cpu.Decoder.bucket;
import static hartlab.cpu.Decoder.entry;
import static hartlab.cpu.Decoder.fpEntry;
import static hartlab.cpu.Decoder.illegal;
import static hartlab.cpu.Decoder.line;
import static hartlab.cpu.Decoder.rdOf;
import static hartlab.cpu.Decoder.sext;

import hartlab.cpu.Decoder.Format;
import hartlab.cpu.Decoder.Line;
import java.util.List;

/**
 * The compressed half of the {@link Decoder}'s instruction table (RV64C, spec chapter "C" Standard
 * Extension): one line per 16-bit instruction, expanding it to the op of its 32-bit equivalent,
 * with the operand formats that unscramble its immediates and register fields. Reserved encodings
 * (C.ADDI4SPN with a zero immediate, C.LUI with zero, C.LWSP to x0 ...) decode as {@link
 * Op#ILLEGAL}.
 */
final class CompressedTable {
  private CompressedTable() {}

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

  /** imm for C.LDSP/C.FLDSP: uimm[5] = h[12], uimm[4:3] = h[6:5], uimm[8:6] = h[4:2]. */
  private static int ldspImm(int h) {
    return (bits(h, 12, 12) << 5) | (bits(h, 6, 5) << 3) | (bits(h, 4, 2) << 6);
  }

  /** C.LDSP: ld rd, uimm(x2); rd = x0 reserved. */
  private static final Format C_LDSP =
      (h, op) -> cIllegalIf(rdOf(h) == 0, h, entry(op, false, rdOf(h), 2, 0, ldspImm(h)));

  /** C.FLDSP: fld rd, uimm(x2); any f register, f0 included, may be the destination. */
  private static final Format C_FLDSP = (h, op) -> fpEntry(op, false, rdOf(h), 2, 0, ldspImm(h));

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

  /**
   * RV64C: funct3 | bits 12..2 | quadrant. The FP forms are RV64's: C.FLD, C.FSD, C.FLDSP, C.FSDSP
   * (C.FLW and friends are RV32's; their encodings mean C.LD and friends here).
   */
  static final List<Line> LINES =
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

  /** {@link #LINES} split by funct3 and quadrant (bits 15:13, 1:0). */
  static final Line[][] BY_FUNCT = bucket(LINES, 32, false);
}
