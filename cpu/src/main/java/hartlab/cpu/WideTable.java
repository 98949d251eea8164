package hartlab.cpu;

import static hartlab.cpu.Decoder.bits;
import static hartlab.cpu.Decoder.bucket;
import static hartlab.cpu.Decoder.entry;
import static hartlab.cpu.Decoder.fpEntry;
import static hartlab.cpu.Decoder.illegal;
import static hartlab.cpu.Decoder.line;
import static hartlab.cpu.Decoder.rdOf;

import hartlab.cpu.Decoder.Format;
import hartlab.cpu.Decoder.Line;
import java.util.List;

/**
 * The 32-bit half of the {@link Decoder}'s instruction table: RV64I, M, A, F, D, Zicsr (counter
 * reads, FP CSRs) and Zifencei, one line per instruction, with the operand formats that pull each
 * one's fields into a packed entry.
 */
final class WideTable {
  private WideTable() {}

  private static int rs1Of(int i) {
    return (i >>> 15) & 31;
  }

  private static int rs2Of(int i) {
    return (i >>> 20) & 31;
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

  /**
   * RV64I, M, A, F, D, Zicsr (counter reads, FP CSRs), Zifencei. Fields as in the spec: funct7 rs2
   * rs1 funct3 rd opcode.
   */
  static final List<Line> LINES =
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

  /** {@link #LINES} split by major opcode (bits 6:2) so a decode scans a handful of lines. */
  static final Line[][] BY_OPCODE = bucket(LINES, 32, true);
}
