package hartlab.cpu;

/**
 * A test-side RISC-V encoder: each method returns one instruction word (32-bit forms) or one
 * halfword (compressed forms, {@code c...}). Written from the spec's format diagrams, independently
 * of {@link Decoder}, so the two check each other. Branch and jump offsets are in bytes, relative
 * to the instruction; compressed register arguments are full register numbers (x8..x15 where the
 * form only has 3-bit fields).
 */
final class Asm {
  static final int ZERO = 0,
      RA = 1,
      SP = 2,
      GP = 3,
      TP = 4,
      T0 = 5,
      T1 = 6,
      T2 = 7,
      S0 = 8,
      S1 = 9,
      A0 = 10,
      A1 = 11,
      A2 = 12,
      A3 = 13,
      A4 = 14,
      A5 = 15,
      A6 = 16,
      A7 = 17,
      S2 = 18,
      S3 = 19,
      S4 = 20,
      S5 = 21,
      S6 = 22,
      S7 = 23,
      S8 = 24,
      S9 = 25,
      S10 = 26,
      S11 = 27,
      T3 = 28,
      T4 = 29,
      T5 = 30,
      T6 = 31;

  private Asm() {}

  private static int reg(int r) {
    if (r < 0 || r > 31) {
      throw new IllegalArgumentException("Asm: no register x" + r);
    }
    return r;
  }

  private static int bit(int v, int n) {
    return (v >>> n) & 1;
  }

  private static int field(int v, int hi, int lo) {
    return (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
  }

  // ---- formats ----

  static int r(int funct7, int rs2, int rs1, int funct3, int rd, int opcode) {
    return (funct7 << 25)
        | (reg(rs2) << 20)
        | (reg(rs1) << 15)
        | (funct3 << 12)
        | (reg(rd) << 7)
        | opcode;
  }

  static int i(int imm, int rs1, int funct3, int rd, int opcode) {
    if (imm < -2048 || imm > 2047) {
      throw new IllegalArgumentException("Asm: I-immediate out of range: " + imm);
    }
    return (imm << 20) | (reg(rs1) << 15) | (funct3 << 12) | (reg(rd) << 7) | opcode;
  }

  static int s(int imm, int rs2, int rs1, int funct3, int opcode) {
    if (imm < -2048 || imm > 2047) {
      throw new IllegalArgumentException("Asm: S-immediate out of range: " + imm);
    }
    return (field(imm, 11, 5) << 25)
        | (reg(rs2) << 20)
        | (reg(rs1) << 15)
        | (funct3 << 12)
        | (field(imm, 4, 0) << 7)
        | opcode;
  }

  static int b(int off, int rs2, int rs1, int funct3) {
    if ((off & 1) != 0 || off < -4096 || off > 4094) {
      throw new IllegalArgumentException("Asm: branch offset out of range: " + off);
    }
    return (bit(off, 12) << 31)
        | (field(off, 10, 5) << 25)
        | (reg(rs2) << 20)
        | (reg(rs1) << 15)
        | (funct3 << 12)
        | (field(off, 4, 1) << 8)
        | (bit(off, 11) << 7)
        | 0x63;
  }

  /** U-type with the immediate given as the full 32-bit value (low 12 bits must be 0). */
  static int u(int value, int rd, int opcode) {
    if ((value & 0xFFF) != 0) {
      throw new IllegalArgumentException("Asm: U-immediate has low bits: " + value);
    }
    return value | (reg(rd) << 7) | opcode;
  }

  static int j(int off, int rd) {
    if ((off & 1) != 0 || off < -(1 << 20) || off >= (1 << 20)) {
      throw new IllegalArgumentException("Asm: jump offset out of range: " + off);
    }
    return (bit(off, 20) << 31)
        | (field(off, 10, 1) << 21)
        | (bit(off, 11) << 20)
        | (field(off, 19, 12) << 12)
        | (reg(rd) << 7)
        | 0x6F;
  }

  // ---- RV64I ----

  static int lui(int rd, int value) {
    return u(value, rd, 0x37);
  }

  static int auipc(int rd, int value) {
    return u(value, rd, 0x17);
  }

  static int jal(int rd, int off) {
    return j(off, rd);
  }

  static int jalr(int rd, int rs1, int off) {
    return i(off, rs1, 0, rd, 0x67);
  }

  static int beq(int rs1, int rs2, int off) {
    return b(off, rs2, rs1, 0);
  }

  static int bne(int rs1, int rs2, int off) {
    return b(off, rs2, rs1, 1);
  }

  static int blt(int rs1, int rs2, int off) {
    return b(off, rs2, rs1, 4);
  }

  static int bge(int rs1, int rs2, int off) {
    return b(off, rs2, rs1, 5);
  }

  static int bltu(int rs1, int rs2, int off) {
    return b(off, rs2, rs1, 6);
  }

  static int bgeu(int rs1, int rs2, int off) {
    return b(off, rs2, rs1, 7);
  }

  static int lb(int rd, int rs1, int off) {
    return i(off, rs1, 0, rd, 0x03);
  }

  static int lh(int rd, int rs1, int off) {
    return i(off, rs1, 1, rd, 0x03);
  }

  static int lw(int rd, int rs1, int off) {
    return i(off, rs1, 2, rd, 0x03);
  }

  static int ld(int rd, int rs1, int off) {
    return i(off, rs1, 3, rd, 0x03);
  }

  static int lbu(int rd, int rs1, int off) {
    return i(off, rs1, 4, rd, 0x03);
  }

  static int lhu(int rd, int rs1, int off) {
    return i(off, rs1, 5, rd, 0x03);
  }

  static int lwu(int rd, int rs1, int off) {
    return i(off, rs1, 6, rd, 0x03);
  }

  static int sb(int rs2, int rs1, int off) {
    return s(off, rs2, rs1, 0, 0x23);
  }

  static int sh(int rs2, int rs1, int off) {
    return s(off, rs2, rs1, 1, 0x23);
  }

  static int sw(int rs2, int rs1, int off) {
    return s(off, rs2, rs1, 2, 0x23);
  }

  static int sd(int rs2, int rs1, int off) {
    return s(off, rs2, rs1, 3, 0x23);
  }

  static int addi(int rd, int rs1, int imm) {
    return i(imm, rs1, 0, rd, 0x13);
  }

  static int slti(int rd, int rs1, int imm) {
    return i(imm, rs1, 2, rd, 0x13);
  }

  static int sltiu(int rd, int rs1, int imm) {
    return i(imm, rs1, 3, rd, 0x13);
  }

  static int xori(int rd, int rs1, int imm) {
    return i(imm, rs1, 4, rd, 0x13);
  }

  static int ori(int rd, int rs1, int imm) {
    return i(imm, rs1, 6, rd, 0x13);
  }

  static int andi(int rd, int rs1, int imm) {
    return i(imm, rs1, 7, rd, 0x13);
  }

  static int slli(int rd, int rs1, int sh) {
    return i(sh & 63, rs1, 1, rd, 0x13);
  }

  static int srli(int rd, int rs1, int sh) {
    return i(sh & 63, rs1, 5, rd, 0x13);
  }

  static int srai(int rd, int rs1, int sh) {
    return i(0x400 | (sh & 63), rs1, 5, rd, 0x13);
  }

  static int add(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 0, rd, 0x33);
  }

  static int sub(int rd, int rs1, int rs2) {
    return r(0x20, rs2, rs1, 0, rd, 0x33);
  }

  static int sll(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 1, rd, 0x33);
  }

  static int slt(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 2, rd, 0x33);
  }

  static int sltu(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 3, rd, 0x33);
  }

  static int xor(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 4, rd, 0x33);
  }

  static int srl(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 5, rd, 0x33);
  }

  static int sra(int rd, int rs1, int rs2) {
    return r(0x20, rs2, rs1, 5, rd, 0x33);
  }

  static int or(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 6, rd, 0x33);
  }

  static int and(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 7, rd, 0x33);
  }

  static int addiw(int rd, int rs1, int imm) {
    return i(imm, rs1, 0, rd, 0x1B);
  }

  static int slliw(int rd, int rs1, int sh) {
    return i(sh & 31, rs1, 1, rd, 0x1B);
  }

  static int srliw(int rd, int rs1, int sh) {
    return i(sh & 31, rs1, 5, rd, 0x1B);
  }

  static int sraiw(int rd, int rs1, int sh) {
    return i(0x400 | (sh & 31), rs1, 5, rd, 0x1B);
  }

  static int addw(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 0, rd, 0x3B);
  }

  static int subw(int rd, int rs1, int rs2) {
    return r(0x20, rs2, rs1, 0, rd, 0x3B);
  }

  static int sllw(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 1, rd, 0x3B);
  }

  static int srlw(int rd, int rs1, int rs2) {
    return r(0, rs2, rs1, 5, rd, 0x3B);
  }

  static int sraw(int rd, int rs1, int rs2) {
    return r(0x20, rs2, rs1, 5, rd, 0x3B);
  }

  static int fence() {
    return 0x0FF0000F;
  }

  static int fenceI() {
    return 0x0000100F;
  }

  static int ecall() {
    return 0x00000073;
  }

  static int ebreak() {
    return 0x00100073;
  }

  // ---- Zicsr ----

  static int csrrw(int rd, int csr, int rs1) {
    return i(0, rs1, 1, rd, 0x73) | (csr << 20);
  }

  static int csrrs(int rd, int csr, int rs1) {
    return i(0, rs1, 2, rd, 0x73) | (csr << 20);
  }

  static int csrrc(int rd, int csr, int rs1) {
    return i(0, rs1, 3, rd, 0x73) | (csr << 20);
  }

  static int csrrwi(int rd, int csr, int uimm) {
    return i(0, uimm, 5, rd, 0x73) | (csr << 20);
  }

  static int csrrsi(int rd, int csr, int uimm) {
    return i(0, uimm, 6, rd, 0x73) | (csr << 20);
  }

  static int csrrci(int rd, int csr, int uimm) {
    return i(0, uimm, 7, rd, 0x73) | (csr << 20);
  }

  static int rdcycle(int rd) {
    return csrrs(rd, 0xC00, 0);
  }

  static int rdtime(int rd) {
    return csrrs(rd, 0xC01, 0);
  }

  static int rdinstret(int rd) {
    return csrrs(rd, 0xC02, 0);
  }

  // ---- M ----

  static int mul(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 0, rd, 0x33);
  }

  static int mulh(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 1, rd, 0x33);
  }

  static int mulhsu(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 2, rd, 0x33);
  }

  static int mulhu(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 3, rd, 0x33);
  }

  static int div(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 4, rd, 0x33);
  }

  static int divu(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 5, rd, 0x33);
  }

  static int rem(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 6, rd, 0x33);
  }

  static int remu(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 7, rd, 0x33);
  }

  static int mulw(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 0, rd, 0x3B);
  }

  static int divw(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 4, rd, 0x3B);
  }

  static int divuw(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 5, rd, 0x3B);
  }

  static int remw(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 6, rd, 0x3B);
  }

  static int remuw(int rd, int rs1, int rs2) {
    return r(1, rs2, rs1, 7, rd, 0x3B);
  }

  // ---- A: funct5 values; width 2 = .W, 3 = .D; aq and rl both set, as compilers emit for seq_cst
  // ----

  static final int LR = 0b00010,
      SC = 0b00011,
      AMOSWAP = 0b00001,
      AMOADD = 0b00000,
      AMOXOR = 0b00100,
      AMOAND = 0b01100,
      AMOOR = 0b01000,
      AMOMIN = 0b10000,
      AMOMAX = 0b10100,
      AMOMINU = 0b11000,
      AMOMAXU = 0b11100;

  static int amo(int funct5, int width, int rd, int rs1, int rs2) {
    return r((funct5 << 2) | 0b11, rs2, rs1, width, rd, 0x2F);
  }

  static int lrW(int rd, int rs1) {
    return amo(LR, 2, rd, rs1, 0);
  }

  static int lrD(int rd, int rs1) {
    return amo(LR, 3, rd, rs1, 0);
  }

  static int scW(int rd, int rs1, int rs2) {
    return amo(SC, 2, rd, rs1, rs2);
  }

  static int scD(int rd, int rs1, int rs2) {
    return amo(SC, 3, rd, rs1, rs2);
  }

  // ---- C (RV64C) ----

  private static int creg(int r) {
    if (r < 8 || r > 15) {
      throw new IllegalArgumentException("Asm: compressed form needs x8..x15, got x" + r);
    }
    return r - 8;
  }

  static int cAddi4spn(int rd, int uimm) {
    return (field(uimm, 5, 4) << 11)
        | (field(uimm, 9, 6) << 7)
        | (bit(uimm, 2) << 6)
        | (bit(uimm, 3) << 5)
        | (creg(rd) << 2);
  }

  static int cLw(int rd, int rs1, int uimm) {
    return (0b010 << 13)
        | (field(uimm, 5, 3) << 10)
        | (creg(rs1) << 7)
        | (bit(uimm, 2) << 6)
        | (bit(uimm, 6) << 5)
        | (creg(rd) << 2);
  }

  static int cLd(int rd, int rs1, int uimm) {
    return (0b011 << 13)
        | (field(uimm, 5, 3) << 10)
        | (creg(rs1) << 7)
        | (field(uimm, 7, 6) << 5)
        | (creg(rd) << 2);
  }

  static int cSw(int rs2, int rs1, int uimm) {
    return (0b110 << 13)
        | (field(uimm, 5, 3) << 10)
        | (creg(rs1) << 7)
        | (bit(uimm, 2) << 6)
        | (bit(uimm, 6) << 5)
        | (creg(rs2) << 2);
  }

  static int cSd(int rs2, int rs1, int uimm) {
    return (0b111 << 13)
        | (field(uimm, 5, 3) << 10)
        | (creg(rs1) << 7)
        | (field(uimm, 7, 6) << 5)
        | (creg(rs2) << 2);
  }

  private static int ci(int funct3, int rd, int imm6, int quadrant) {
    return (funct3 << 13)
        | (bit(imm6, 5) << 12)
        | (reg(rd) << 7)
        | (field(imm6, 4, 0) << 2)
        | quadrant;
  }

  static int cNop() {
    return ci(0, 0, 0, 1);
  }

  static int cAddi(int rd, int imm) {
    return ci(0, rd, imm, 1);
  }

  static int cAddiw(int rd, int imm) {
    return ci(1, rd, imm, 1);
  }

  static int cLi(int rd, int imm) {
    return ci(2, rd, imm, 1);
  }

  /** C.LUI with the 6-bit signed nzimm[17:12] (the register gets nzimm << 12). */
  static int cLui(int rd, int nzimm) {
    return ci(3, rd, nzimm, 1);
  }

  static int cAddi16sp(int imm) {
    return (0b011 << 13)
        | (bit(imm, 9) << 12)
        | (2 << 7)
        | (bit(imm, 4) << 6)
        | (bit(imm, 6) << 5)
        | (field(imm, 8, 7) << 3)
        | (bit(imm, 5) << 2)
        | 1;
  }

  private static int cb(int funct2, int rd, int imm6) {
    return (0b100 << 13)
        | (bit(imm6, 5) << 12)
        | (funct2 << 10)
        | (creg(rd) << 7)
        | (field(imm6, 4, 0) << 2)
        | 1;
  }

  static int cSrli(int rd, int sh) {
    return cb(0, rd, sh);
  }

  static int cSrai(int rd, int sh) {
    return cb(1, rd, sh);
  }

  static int cAndi(int rd, int imm) {
    return cb(2, rd, imm);
  }

  private static int ca(int bit12, int funct2, int rd, int rs2) {
    return (0b100 << 13)
        | (bit12 << 12)
        | (0b11 << 10)
        | (creg(rd) << 7)
        | (funct2 << 5)
        | (creg(rs2) << 2)
        | 1;
  }

  static int cSub(int rd, int rs2) {
    return ca(0, 0, rd, rs2);
  }

  static int cXor(int rd, int rs2) {
    return ca(0, 1, rd, rs2);
  }

  static int cOr(int rd, int rs2) {
    return ca(0, 2, rd, rs2);
  }

  static int cAnd(int rd, int rs2) {
    return ca(0, 3, rd, rs2);
  }

  static int cSubw(int rd, int rs2) {
    return ca(1, 0, rd, rs2);
  }

  static int cAddw(int rd, int rs2) {
    return ca(1, 1, rd, rs2);
  }

  static int cJ(int off) {
    return (0b101 << 13)
        | (bit(off, 11) << 12)
        | (bit(off, 4) << 11)
        | (field(off, 9, 8) << 9)
        | (bit(off, 10) << 8)
        | (bit(off, 6) << 7)
        | (bit(off, 7) << 6)
        | (field(off, 3, 1) << 3)
        | (bit(off, 5) << 2)
        | 1;
  }

  private static int cBranch(int funct3, int rs1, int off) {
    return (funct3 << 13)
        | (bit(off, 8) << 12)
        | (field(off, 4, 3) << 10)
        | (creg(rs1) << 7)
        | (field(off, 7, 6) << 5)
        | (field(off, 2, 1) << 3)
        | (bit(off, 5) << 2)
        | 1;
  }

  static int cBeqz(int rs1, int off) {
    return cBranch(0b110, rs1, off);
  }

  static int cBnez(int rs1, int off) {
    return cBranch(0b111, rs1, off);
  }

  static int cSlli(int rd, int sh) {
    return ci(0, rd, sh, 2);
  }

  static int cLwsp(int rd, int uimm) {
    return (0b010 << 13)
        | (bit(uimm, 5) << 12)
        | (reg(rd) << 7)
        | (field(uimm, 4, 2) << 4)
        | (field(uimm, 7, 6) << 2)
        | 2;
  }

  static int cLdsp(int rd, int uimm) {
    return (0b011 << 13)
        | (bit(uimm, 5) << 12)
        | (reg(rd) << 7)
        | (field(uimm, 4, 3) << 5)
        | (field(uimm, 8, 6) << 2)
        | 2;
  }

  private static int cr(int bit12, int rd, int rs2) {
    return (0b100 << 13) | (bit12 << 12) | (reg(rd) << 7) | (reg(rs2) << 2) | 2;
  }

  static int cJr(int rs1) {
    return cr(0, rs1, 0);
  }

  static int cMv(int rd, int rs2) {
    return cr(0, rd, rs2);
  }

  static int cEbreak() {
    return cr(1, 0, 0);
  }

  static int cJalr(int rs1) {
    return cr(1, rs1, 0);
  }

  static int cAdd(int rd, int rs2) {
    return cr(1, rd, rs2);
  }

  static int cSwsp(int rs2, int uimm) {
    return (0b110 << 13)
        | (field(uimm, 5, 2) << 9)
        | (field(uimm, 7, 6) << 7)
        | (reg(rs2) << 2)
        | 2;
  }

  static int cSdsp(int rs2, int uimm) {
    return (0b111 << 13)
        | (field(uimm, 5, 3) << 10)
        | (field(uimm, 8, 6) << 7)
        | (reg(rs2) << 2)
        | 2;
  }

  // ---- F and D (spec chapters 11 and 12; compressed forms in 16.3) ----

  /** Rounding modes for the rm field (spec 11.2, Table 11.1); DYN takes frm. */
  static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4, DYN = 7;

  /** The FP CSRs. */
  static final int FFLAGS = 0x001, FRM = 0x002, FCSR = 0x003;

  static int flw(int rd, int rs1, int off) {
    return i(off, rs1, 2, rd, 0x07);
  }

  static int fld(int rd, int rs1, int off) {
    return i(off, rs1, 3, rd, 0x07);
  }

  static int fsw(int rs2, int rs1, int off) {
    return s(off, rs2, rs1, 2, 0x27);
  }

  static int fsd(int rs2, int rs1, int off) {
    return s(off, rs2, rs1, 3, 0x27);
  }

  /** OP-FP: funct7 (funct5 and fmt) rs2 rs1 rm/funct3 rd 1010011. */
  static int fop(int funct7, int rs2, int rs1, int rm, int rd) {
    return r(funct7, rs2, rs1, rm, rd, 0x53);
  }

  /** R4-type: rs3 fmt rs2 rs1 rm rd opcode; fmt 0 single, 1 double. */
  static int fr4(int opcode, int fmt, int rd, int rs1, int rs2, int rs3, int rm) {
    return (reg(rs3) << 27) | (fmt << 25) | r(0, rs2, rs1, rm, rd, opcode);
  }

  static int fmadd(int fmt, int rd, int rs1, int rs2, int rs3, int rm) {
    return fr4(0x43, fmt, rd, rs1, rs2, rs3, rm);
  }

  static int fmsub(int fmt, int rd, int rs1, int rs2, int rs3, int rm) {
    return fr4(0x47, fmt, rd, rs1, rs2, rs3, rm);
  }

  static int fnmsub(int fmt, int rd, int rs1, int rs2, int rs3, int rm) {
    return fr4(0x4B, fmt, rd, rs1, rs2, rs3, rm);
  }

  static int fnmadd(int fmt, int rd, int rs1, int rs2, int rs3, int rm) {
    return fr4(0x4F, fmt, rd, rs1, rs2, rs3, rm);
  }

  // funct5 of OP-FP, shifted into funct7 with fmt in the low two bits.
  static final int FADD = 0x00,
      FSUB = 0x04,
      FMUL = 0x08,
      FDIV = 0x0C,
      FSQRT = 0x2C,
      FSGNJ = 0x10,
      FMINMAX = 0x14,
      FCVT_S_D = 0x20,
      FCMP = 0x50,
      FCVT_INT_FROM_FP = 0x60,
      FCVT_FP_FROM_INT = 0x68,
      FMV_X_CLASS = 0x70,
      FMV_FROM_X = 0x78;

  static int fadd(int fmt, int rd, int rs1, int rs2, int rm) {
    return fop(FADD | fmt, rs2, rs1, rm, rd);
  }

  static int fsub(int fmt, int rd, int rs1, int rs2, int rm) {
    return fop(FSUB | fmt, rs2, rs1, rm, rd);
  }

  static int fmul(int fmt, int rd, int rs1, int rs2, int rm) {
    return fop(FMUL | fmt, rs2, rs1, rm, rd);
  }

  static int fdiv(int fmt, int rd, int rs1, int rs2, int rm) {
    return fop(FDIV | fmt, rs2, rs1, rm, rd);
  }

  static int fsqrt(int fmt, int rd, int rs1, int rm) {
    return fop(FSQRT | fmt, 0, rs1, rm, rd);
  }

  /** kind 0 fsgnj, 1 fsgnjn, 2 fsgnjx. */
  static int fsgnj(int fmt, int kind, int rd, int rs1, int rs2) {
    return fop(FSGNJ | fmt, rs2, rs1, kind, rd);
  }

  static int fmin(int fmt, int rd, int rs1, int rs2) {
    return fop(FMINMAX | fmt, rs2, rs1, 0, rd);
  }

  static int fmax(int fmt, int rd, int rs1, int rs2) {
    return fop(FMINMAX | fmt, rs2, rs1, 1, rd);
  }

  static int feq(int fmt, int rd, int rs1, int rs2) {
    return fop(FCMP | fmt, rs2, rs1, 2, rd);
  }

  static int flt(int fmt, int rd, int rs1, int rs2) {
    return fop(FCMP | fmt, rs2, rs1, 1, rd);
  }

  static int fle(int fmt, int rd, int rs1, int rs2) {
    return fop(FCMP | fmt, rs2, rs1, 0, rd);
  }

  static int fclass(int fmt, int rd, int rs1) {
    return fop(FMV_X_CLASS | fmt, 0, rs1, 1, rd);
  }

  /** fmv.x.w (fmt 0) or fmv.x.d (fmt 1). */
  static int fmvX(int fmt, int rd, int rs1) {
    return fop(FMV_X_CLASS | fmt, 0, rs1, 0, rd);
  }

  /** fmv.w.x (fmt 0) or fmv.d.x (fmt 1). */
  static int fmvF(int fmt, int rd, int rs1) {
    return fop(FMV_FROM_X | fmt, 0, rs1, 0, rd);
  }

  /** fcvt.{w,wu,l,lu}.{s,d}: kind 0 w, 1 wu, 2 l, 3 lu. */
  static int fcvtToInt(int fmt, int kind, int rd, int rs1, int rm) {
    return fop(FCVT_INT_FROM_FP | fmt, kind, rs1, rm, rd);
  }

  /** fcvt.{s,d}.{w,wu,l,lu}. */
  static int fcvtFromInt(int fmt, int kind, int rd, int rs1, int rm) {
    return fop(FCVT_FP_FROM_INT | fmt, kind, rs1, rm, rd);
  }

  static int fcvtSD(int rd, int rs1, int rm) {
    return fop(FCVT_S_D, 1, rs1, rm, rd);
  }

  static int fcvtDS(int rd, int rs1, int rm) {
    return fop(FCVT_S_D | 1, 0, rs1, rm, rd);
  }

  static int frcsr(int rd) {
    return csrrs(rd, FCSR, ZERO);
  }

  static int fscsr(int rd, int rs1) {
    return csrrw(rd, FCSR, rs1);
  }

  static int frflags(int rd) {
    return csrrs(rd, FFLAGS, ZERO);
  }

  static int fsrmi(int rd, int mode) {
    return csrrwi(rd, FRM, mode);
  }

  static int cFld(int rd, int rs1, int uimm) {
    return (0b001 << 13)
        | (field(uimm, 5, 3) << 10)
        | (creg(rs1) << 7)
        | (field(uimm, 7, 6) << 5)
        | (creg(rd) << 2);
  }

  static int cFsd(int rs2, int rs1, int uimm) {
    return (0b101 << 13)
        | (field(uimm, 5, 3) << 10)
        | (creg(rs1) << 7)
        | (field(uimm, 7, 6) << 5)
        | (creg(rs2) << 2);
  }

  static int cFldsp(int rd, int uimm) {
    return (0b001 << 13)
        | (bit(uimm, 5) << 12)
        | (reg(rd) << 7)
        | (field(uimm, 4, 3) << 5)
        | (field(uimm, 8, 6) << 2)
        | 2;
  }

  static int cFsdsp(int rs2, int uimm) {
    return (0b101 << 13)
        | (field(uimm, 5, 3) << 10)
        | (field(uimm, 8, 6) << 7)
        | (reg(rs2) << 2)
        | 2;
  }
}
