package hartlab.cpu;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * The interpreter's operations: one id per instruction the hart executes, shared by 32-bit and
 * compressed encodings (C.ADD expands to {@link #ADD}), plus a few internal ids the code cache uses
 * to steer the interpreter ({@link #DECODE}, {@link #RELOOKUP}, {@link #CROSS}).
 *
 * <p>Ids are grouped in contiguous runs by cost class so {@link #costClass} is a few compares and
 * the interpreter's {@code switch} compiles to one dense jump table. Names come from the field
 * names, so there is no second list to keep in step.
 */
final class Op {
  // Internal: not instructions, cost nothing, do not retire.
  /** Slot not decoded yet: decode it in place and dispatch again. */
  static final int DECODE = 0;

  /** Leave the decoded page and look the pc up again (the slot after a page's last one). */
  static final int RELOOKUP = 1;

  /**
   * A 32-bit instruction whose upper half lies on the next page: fetched through both pages every
   * time.
   */
  static final int CROSS = 2;

  /** Not an instruction of RV64GC_Zicntr in U-mode; immediate holds its bits. */
  static final int ILLEGAL = 3;

  static final int ECALL = 4;
  static final int EBREAK = 5;

  // ALU: cost alu.
  static final int LUI = 6;
  static final int AUIPC = 7;
  static final int ADDI = 8;
  static final int SLTI = 9;
  static final int SLTIU = 10;
  static final int XORI = 11;
  static final int ORI = 12;
  static final int ANDI = 13;
  static final int SLLI = 14;
  static final int SRLI = 15;
  static final int SRAI = 16;
  static final int ADD = 17;
  static final int SUB = 18;
  static final int SLL = 19;
  static final int SLT = 20;
  static final int SLTU = 21;
  static final int XOR = 22;
  static final int SRL = 23;
  static final int SRA = 24;
  static final int OR = 25;
  static final int AND = 26;
  static final int ADDIW = 27;
  static final int SLLIW = 28;
  static final int SRLIW = 29;
  static final int SRAIW = 30;
  static final int ADDW = 31;
  static final int SUBW = 32;
  static final int SLLW = 33;
  static final int SRLW = 34;
  static final int SRAW = 35;

  // Conditional branches: cost alu, plus (branchTaken - alu) when taken.
  static final int BEQ = 36;
  static final int BNE = 37;
  static final int BLT = 38;
  static final int BGE = 39;
  static final int BLTU = 40;
  static final int BGEU = 41;

  // Jumps: cost branchTaken.
  static final int JAL = 42;
  static final int JALR = 43;

  // Loads: cost load.
  static final int LB = 44;
  static final int LH = 45;
  static final int LW = 46;
  static final int LD = 47;
  static final int LBU = 48;
  static final int LHU = 49;
  static final int LWU = 50;

  // Stores: cost store.
  static final int SB = 51;
  static final int SH = 52;
  static final int SW = 53;
  static final int SD = 54;

  // Multiply: cost mul.
  static final int MUL = 55;
  static final int MULH = 56;
  static final int MULHSU = 57;
  static final int MULHU = 58;
  static final int MULW = 59;

  // Divide: cost div.
  static final int DIV = 60;
  static final int DIVU = 61;
  static final int REM = 62;
  static final int REMU = 63;
  static final int DIVW = 64;
  static final int DIVUW = 65;
  static final int REMW = 66;
  static final int REMUW = 67;

  // Atomics: cost atomic. The .W and .D runs are parallel: X_D = X_W + (LR_D - LR_W).
  static final int LR_W = 68;
  static final int SC_W = 69;
  static final int AMOSWAP_W = 70;
  static final int AMOADD_W = 71;
  static final int AMOXOR_W = 72;
  static final int AMOAND_W = 73;
  static final int AMOOR_W = 74;
  static final int AMOMIN_W = 75;
  static final int AMOMAX_W = 76;
  static final int AMOMINU_W = 77;
  static final int AMOMAXU_W = 78;
  static final int LR_D = 79;
  static final int SC_D = 80;
  static final int AMOSWAP_D = 81;
  static final int AMOADD_D = 82;
  static final int AMOXOR_D = 83;
  static final int AMOAND_D = 84;
  static final int AMOOR_D = 85;
  static final int AMOMIN_D = 86;
  static final int AMOMAX_D = 87;
  static final int AMOMINU_D = 88;
  static final int AMOMAXU_D = 89;

  // Fences: cost fence.
  static final int FENCE = 90;
  static final int FENCE_I = 91;

  // Counter reads (Zicntr; with CSR_FP below, the only CSR accesses U-mode may make): cost csr.
  // Consecutive in CSR-number order (cycle 0xC00, time 0xC01, instret 0xC02).
  static final int RDCYCLE = 92;
  static final int RDTIME = 93;
  static final int RDINSTRET = 94;

  // F and D (unprivileged spec chapters 11 and 12). Loads and stores execute in Hart.run like the
  // integer ones; everything else goes to FpUnit. Ops below FSGNJ_S round: their rm field is
  // checked (and a dynamic one resolved) before they run.

  // FP loads: cost load. FP stores: cost store.
  static final int FLW = 95;
  static final int FLD = 96;
  static final int FSW = 97;
  static final int FSD = 98;

  // FP arithmetic and conversions: cost fpArith.
  static final int FADD_S = 99;
  static final int FSUB_S = 100;
  static final int FMUL_S = 101;
  static final int FMADD_S = 102;
  static final int FMSUB_S = 103;
  static final int FNMSUB_S = 104;
  static final int FNMADD_S = 105;
  static final int FCVT_W_S = 106;
  static final int FCVT_WU_S = 107;
  static final int FCVT_L_S = 108;
  static final int FCVT_LU_S = 109;
  static final int FCVT_S_W = 110;
  static final int FCVT_S_WU = 111;
  static final int FCVT_S_L = 112;
  static final int FCVT_S_LU = 113;
  static final int FADD_D = 114;
  static final int FSUB_D = 115;
  static final int FMUL_D = 116;
  static final int FMADD_D = 117;
  static final int FMSUB_D = 118;
  static final int FNMSUB_D = 119;
  static final int FNMADD_D = 120;
  static final int FCVT_W_D = 121;
  static final int FCVT_WU_D = 122;
  static final int FCVT_L_D = 123;
  static final int FCVT_LU_D = 124;
  static final int FCVT_D_W = 125;
  static final int FCVT_D_WU = 126;
  static final int FCVT_D_L = 127;
  static final int FCVT_D_LU = 128;
  static final int FCVT_S_D = 129;
  static final int FCVT_D_S = 130;

  // FP division and square root: cost fpDivide.
  static final int FDIV_S = 131;
  static final int FSQRT_S = 132;
  static final int FDIV_D = 133;
  static final int FSQRT_D = 134;

  // Sign injection, min/max, compares, classify, moves: no rounding, cost alu.
  static final int FSGNJ_S = 135;
  static final int FSGNJN_S = 136;
  static final int FSGNJX_S = 137;
  static final int FMIN_S = 138;
  static final int FMAX_S = 139;
  static final int FEQ_S = 140;
  static final int FLT_S = 141;
  static final int FLE_S = 142;
  static final int FCLASS_S = 143;
  static final int FMV_X_W = 144;
  static final int FMV_W_X = 145;
  static final int FSGNJ_D = 146;
  static final int FSGNJN_D = 147;
  static final int FSGNJX_D = 148;
  static final int FMIN_D = 149;
  static final int FMAX_D = 150;
  static final int FEQ_D = 151;
  static final int FLT_D = 152;
  static final int FLE_D = 153;
  static final int FCLASS_D = 154;
  static final int FMV_X_D = 155;
  static final int FMV_D_X = 156;

  /**
   * CSRRW, CSRRS, CSRRC and their immediate forms on fflags (0x001), frm (0x002) or fcsr (0x003);
   * the funct3 and CSR number stay in the entry's instruction bits. Cost csr.
   */
  static final int CSR_FP = 157;

  static final int COUNT = 158;

  /** Cost classes; {@link Hart} maps each to a price of the {@link CostModel}. */
  static final class Cost {
    static final int FREE = 0,
        ALU = 1,
        BRANCH = 2,
        JUMP = 3,
        LOAD = 4,
        STORE = 5,
        MULTIPLY = 6,
        DIVIDE = 7,
        ATOMIC = 8,
        FENCE = 9,
        COUNTER = 10,
        FP_ARITH = 11,
        FP_DIVIDE = 12;

    private Cost() {}
  }

  private static final String[] NAMES = new String[COUNT];

  static {
    for (Field f : Op.class.getDeclaredFields()) {
      int m = f.getModifiers();
      if (f.getType() == int.class && Modifier.isStatic(m) && !f.getName().equals("COUNT")) {
        try {
          NAMES[f.getInt(null)] = f.getName().toLowerCase().replace('_', '.');
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("Op: cannot read " + f.getName(), e);
        }
      }
    }
  }

  private Op() {}

  /** Mnemonic of an op id ("addi", "amoadd.w", "fence.i"); internal ids read "decode" etc. */
  static String name(int op) {
    return op >= 0 && op < COUNT && NAMES[op] != null ? NAMES[op] : "op" + op;
  }

  /** Which price of the cost model an op pays; the runs above make this a chain of compares. */
  static int costClass(int op) {
    if (op < 0) throw new IllegalArgumentException("Op.costClass: no op " + op);
    if (op < LUI) return Cost.FREE;
    if (op < BEQ) return Cost.ALU;
    if (op < JAL) return Cost.BRANCH;
    if (op < LB) return Cost.JUMP;
    if (op < SB) return Cost.LOAD;
    if (op < MUL) return Cost.STORE;
    if (op < DIV) return Cost.MULTIPLY;
    if (op < LR_W) return Cost.DIVIDE;
    if (op < FENCE) return Cost.ATOMIC;
    if (op < RDCYCLE) return Cost.FENCE;
    if (op < FLW) return Cost.COUNTER;
    if (op < FSW) return Cost.LOAD;
    if (op < FADD_S) return Cost.STORE;
    if (op < FDIV_S) return Cost.FP_ARITH;
    if (op < FSGNJ_S) return Cost.FP_DIVIDE;
    if (op < CSR_FP) return Cost.ALU;
    if (op < COUNT) return Cost.COUNTER;
    throw new IllegalArgumentException("Op.costClass: no op " + op);
  }

  static boolean isDoubleword(int atomicOp) {
    return atomicOp >= LR_D;
  }

  /** Whether an FP op has an rm field that selects its rounding (see FLW's comment). */
  static boolean rounds(int op) {
    return op >= FADD_S && op < FSGNJ_S;
  }
}
