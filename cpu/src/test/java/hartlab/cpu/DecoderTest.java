package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The decode tables themselves: coverage, field extraction, and robustness on arbitrary bits. */
class DecoderTest {
  @Test
  void everyInstructionOpIsReachableFromTheTables() {
    Set<Integer> reached = new HashSet<>();
    for (Decoder.Line l : Decoder.WIDE) {
      reached.add(l.op());
    }
    for (Decoder.Line l : Decoder.COMPRESSED) {
      reached.add(l.op());
    }
    reached.add(Op.RDTIME); // via RDCYCLE + CSR number
    reached.add(Op.RDINSTRET);
    for (int op = Op.ECALL; op < Op.COUNT; op++) {
      assertTrue(reached.contains(op), "no table line executes " + Op.name(op));
    }
  }

  @Test
  void opNamesAreDistinct() {
    Set<String> names = new HashSet<>();
    for (int op = 0; op < Op.COUNT; op++) {
      assertTrue(names.add(Op.name(op)), "duplicate or missing name for op " + op);
    }
    assertEquals("amomaxu.d", Op.name(Op.AMOMAXU_D));
    assertEquals("fence.i", Op.name(Op.FENCE_I));
  }

  @Test
  void atomicOpRunsAreParallel() {
    assertEquals(Op.AMOMAXU_W - Op.LR_W, Op.AMOMAXU_D - Op.LR_D);
    assertEquals(Op.LR_D - Op.LR_W, Op.AMOMAXU_W - Op.LR_W + 1);
  }

  static void check(long e, int op, int rd, int rs1, int rs2, int imm) {
    String d = Decoder.describe(e);
    assertEquals(Op.name(op), Op.name(Decoder.op(e)), d);
    assertEquals(rd == 0 ? Decoder.SINK : rd, Decoder.rd(e), "rd of " + d);
    assertEquals(rs1, Decoder.rs1(e), "rs1 of " + d);
    assertEquals(rs2, Decoder.rs2(e), "rs2 of " + d);
    assertEquals(imm, Decoder.imm(e), "imm of " + d);
  }

  @Test
  void immediatesAtTheirExtremes() {
    check(Decoder.decodeWide(addi(A0, A1, -2048)), Op.ADDI, A0, A1, 0, -2048);
    check(Decoder.decodeWide(addi(A0, A1, 2047)), Op.ADDI, A0, A1, 0, 2047);
    check(Decoder.decodeWide(sd(T6, S11, -2048)), Op.SD, 0, S11, T6, -2048);
    check(Decoder.decodeWide(sb(T6, S11, 2047)), Op.SB, 0, S11, T6, 2047);
    check(Decoder.decodeWide(beq(A0, A1, -4096)), Op.BEQ, 0, A0, A1, -4096);
    check(Decoder.decodeWide(bgeu(A0, A1, 4094)), Op.BGEU, 0, A0, A1, 4094);
    check(Decoder.decodeWide(blt(A0, A1, 0x800)), Op.BLT, 0, A0, A1, 0x800);
    check(Decoder.decodeWide(jal(RA, -(1 << 20))), Op.JAL, RA, 0, 0, -(1 << 20));
    check(Decoder.decodeWide(jal(RA, (1 << 20) - 2)), Op.JAL, RA, 0, 0, (1 << 20) - 2);
    check(Decoder.decodeWide(jal(ZERO, 0x800)), Op.JAL, 0, 0, 0, 0x800);
    check(Decoder.decodeWide(lui(T0, 0xFFFFF000)), Op.LUI, T0, 0, 0, 0xFFFFF000);
    check(Decoder.decodeWide(srai(A0, A1, 63)), Op.SRAI, A0, A1, 0, 63);
    check(Decoder.decodeWide(sraiw(A0, A1, 31)), Op.SRAIW, A0, A1, 0, 31);
    check(Decoder.decodeWide(rdinstret(A0)), Op.RDINSTRET, A0, 0, 0, 0xC02);
    check(Decoder.decodeWide(amo(AMOMAXU, 3, A0, A1, A2)), Op.AMOMAXU_D, A0, A1, A2, 0);
    check(Decoder.decodeWide(0x0000_0073), Op.ECALL, 0, 0, 0, 0);
    check(Decoder.decodeWide(addi(A0, A1, 1) | 0), Op.ADDI, A0, A1, 0, 1);
    assertEquals(4, Decoder.length(Decoder.decodeWide(addi(A0, A1, 1))));
  }

  @Test
  void compressedExpansions() {
    check(Decoder.decodeCompressed(cAddi4spn(A5, 1020)), Op.ADDI, A5, SP, 0, 1020);
    check(Decoder.decodeCompressed(cLw(S0, A5, 124)), Op.LW, S0, A5, 0, 124);
    check(Decoder.decodeCompressed(cLd(S0, A5, 248)), Op.LD, S0, A5, 0, 248);
    check(Decoder.decodeCompressed(cSw(S1, A4, 64)), Op.SW, 0, A4, S1, 64);
    check(Decoder.decodeCompressed(cSd(S1, A4, 128)), Op.SD, 0, A4, S1, 128);
    check(Decoder.decodeCompressed(cNop()), Op.ADDI, 0, 0, 0, 0);
    check(Decoder.decodeCompressed(cAddi(T0, -32)), Op.ADDI, T0, T0, 0, -32);
    check(Decoder.decodeCompressed(cAddiw(T0, 31)), Op.ADDIW, T0, T0, 0, 31);
    check(Decoder.decodeCompressed(cLi(T0, -1)), Op.ADDI, T0, 0, 0, -1);
    check(Decoder.decodeCompressed(cAddi16sp(-512)), Op.ADDI, SP, SP, 0, -512);
    check(Decoder.decodeCompressed(cAddi16sp(496)), Op.ADDI, SP, SP, 0, 496);
    check(Decoder.decodeCompressed(cLui(T0, -32)), Op.LUI, T0, 0, 0, -32 << 12);
    check(Decoder.decodeCompressed(cSrli(A0, 63)), Op.SRLI, A0, A0, 0, 63);
    check(Decoder.decodeCompressed(cSrai(A0, 32)), Op.SRAI, A0, A0, 0, 32);
    check(Decoder.decodeCompressed(cAndi(A0, -32)), Op.ANDI, A0, A0, 0, -32);
    check(Decoder.decodeCompressed(cSub(A0, A1)), Op.SUB, A0, A0, A1, 0);
    check(Decoder.decodeCompressed(cXor(A0, A1)), Op.XOR, A0, A0, A1, 0);
    check(Decoder.decodeCompressed(cOr(A0, A1)), Op.OR, A0, A0, A1, 0);
    check(Decoder.decodeCompressed(cAnd(A0, A1)), Op.AND, A0, A0, A1, 0);
    check(Decoder.decodeCompressed(cSubw(A0, A1)), Op.SUBW, A0, A0, A1, 0);
    check(Decoder.decodeCompressed(cAddw(A0, A1)), Op.ADDW, A0, A0, A1, 0);
    check(Decoder.decodeCompressed(cJ(-2048)), Op.JAL, 0, 0, 0, -2048);
    check(Decoder.decodeCompressed(cJ(2046)), Op.JAL, 0, 0, 0, 2046);
    check(Decoder.decodeCompressed(cBeqz(S0, -256)), Op.BEQ, 0, S0, 0, -256);
    check(Decoder.decodeCompressed(cBnez(S0, 254)), Op.BNE, 0, S0, 0, 254);
    check(Decoder.decodeCompressed(cSlli(T6, 63)), Op.SLLI, T6, T6, 0, 63);
    check(Decoder.decodeCompressed(cLwsp(T6, 252)), Op.LW, T6, SP, 0, 252);
    check(Decoder.decodeCompressed(cLdsp(T6, 504)), Op.LD, T6, SP, 0, 504);
    check(Decoder.decodeCompressed(cJr(T6)), Op.JALR, 0, T6, 0, 0);
    check(Decoder.decodeCompressed(cMv(T6, A0)), Op.ADD, T6, 0, A0, 0);
    check(Decoder.decodeCompressed(cEbreak()), Op.EBREAK, 0, 0, 0, 0);
    check(Decoder.decodeCompressed(cJalr(T6)), Op.JALR, RA, T6, 0, 0);
    check(Decoder.decodeCompressed(cAdd(T6, A0)), Op.ADD, T6, T6, A0, 0);
    check(Decoder.decodeCompressed(cSwsp(T6, 252)), Op.SW, 0, SP, T6, 252);
    check(Decoder.decodeCompressed(cSdsp(T6, 504)), Op.SD, 0, SP, T6, 504);
    assertEquals(2, Decoder.length(Decoder.decodeCompressed(cNop())));
  }

  @Test
  void everyHalfwordDecodesToACompressedEntry() {
    int legal = 0;
    for (int h = 0; h < 0x10000; h++) {
      if ((h & 3) == 3) {
        continue;
      }
      long e = Decoder.decodeCompressed(h);
      assertEquals(2, Decoder.length(e));
      if (Decoder.op(e) != Op.ILLEGAL) {
        legal++;
      } else {
        assertEquals(h, Decoder.imm(e));
      }
    }
    // 3 quadrants x 8 funct3 x 2^11 = 49152 halfwords; quadrant 0's funct3 100 is absent (2048),
    // and 361 are reserved: C.ADDI4SPN 0 (8), C.ADDI16SP 0 (1), C.LUI 0 (31), C.ADDIW/C.LWSP/C.LDSP
    // to x0 (3 x 64), C.JR x0 (1), and the two reserved CA forms (2 x 64). C.FLDSP to f0 is legal.
    assertEquals(49152 - 2048 - 361, legal);
  }

  @Test
  void arbitraryWordsDecodeWithoutThrowing() {
    Random r = new Random(1);
    for (int k = 0; k < 200_000; k++) {
      int insn = r.nextInt() | 3;
      long e = Decoder.decodeWide(insn);
      assertEquals(4, Decoder.length(e));
      assertNotEquals(Op.DECODE, Decoder.op(e));
      if (Decoder.op(e) == Op.ILLEGAL) {
        assertEquals(insn, Decoder.imm(e));
      }
    }
  }

  // ---- F and D ----

  /** An FP-destination entry: rd is the register itself, f0 included (no sink). */
  static void checkF(long e, int op, int rd, int rs1, int rs2, int imm) {
    String d = Decoder.describe(e);
    assertEquals(Op.name(op), Op.name(Decoder.op(e)), d);
    assertEquals(rd, Decoder.rd(e), "rd of " + d);
    assertEquals(rs1, Decoder.rs1(e), "rs1 of " + d);
    assertEquals(rs2, Decoder.rs2(e), "rs2 of " + d);
    assertEquals(imm, Decoder.imm(e), "imm of " + d);
    assertEquals(4, Decoder.length(e));
  }

  /** Every F/D opcode, each with registers and a rounding mode of its own. */
  @Test
  void everyFloatingPointInstruction() {
    checkF(Decoder.decodeWide(flw(0, A0, -2048)), Op.FLW, 0, A0, 0, -2048);
    checkF(Decoder.decodeWide(fld(31, SP, 2047)), Op.FLD, 31, SP, 0, 2047);
    check(Decoder.decodeWide(fsw(7, A1, -4)), Op.FSW, 0, A1, 7, -4);
    check(Decoder.decodeWide(fsd(0, A1, 8)), Op.FSD, 0, A1, 0, 8);
    int[][] rr = { // op, single encoding, double op, double encoding (rd 1, rs1 2, rs2 3)
      {Op.FADD_S, fadd(0, 1, 2, 3, RNE), Op.FADD_D, fadd(1, 1, 2, 3, RTZ)},
      {Op.FSUB_S, fsub(0, 1, 2, 3, RDN), Op.FSUB_D, fsub(1, 1, 2, 3, RUP)},
      {Op.FMUL_S, fmul(0, 1, 2, 3, RMM), Op.FMUL_D, fmul(1, 1, 2, 3, DYN)},
      {Op.FDIV_S, fdiv(0, 1, 2, 3, RNE), Op.FDIV_D, fdiv(1, 1, 2, 3, RNE)},
      {Op.FSGNJ_S, fsgnj(0, 0, 1, 2, 3), Op.FSGNJ_D, fsgnj(1, 0, 1, 2, 3)},
      {Op.FSGNJN_S, fsgnj(0, 1, 1, 2, 3), Op.FSGNJN_D, fsgnj(1, 1, 1, 2, 3)},
      {Op.FSGNJX_S, fsgnj(0, 2, 1, 2, 3), Op.FSGNJX_D, fsgnj(1, 2, 1, 2, 3)},
      {Op.FMIN_S, fmin(0, 1, 2, 3), Op.FMIN_D, fmin(1, 1, 2, 3)},
      {Op.FMAX_S, fmax(0, 1, 2, 3), Op.FMAX_D, fmax(1, 1, 2, 3)},
    };
    for (int[] c : rr) {
      checkF(Decoder.decodeWide(c[1]), c[0], 1, 2, 3, c[1]);
      checkF(Decoder.decodeWide(c[3]), c[2], 1, 2, 3, c[3]);
    }
    int[] fma = {Op.FMADD_S, Op.FMSUB_S, Op.FNMSUB_S, Op.FNMADD_S};
    int[] fmaD = {Op.FMADD_D, Op.FMSUB_D, Op.FNMSUB_D, Op.FNMADD_D};
    for (int fmt = 0; fmt < 2; fmt++) {
      int[] enc = {
        fmadd(fmt, 0, 31, 30, 29, RNE),
        fmsub(fmt, 0, 31, 30, 29, RUP),
        fnmsub(fmt, 0, 31, 30, 29, RMM),
        fnmadd(fmt, 0, 31, 30, 29, DYN)
      };
      for (int k = 0; k < 4; k++) {
        long e = Decoder.decodeWide(enc[k]);
        checkF(e, (fmt == 0 ? fma : fmaD)[k], 0, 31, 30, enc[k]);
        assertEquals(29, Decoder.imm(e) >>> 27, "rs3");
      }
    }
    checkF(Decoder.decodeWide(fsqrt(0, 4, 5, RNE)), Op.FSQRT_S, 4, 5, 0, fsqrt(0, 4, 5, RNE));
    checkF(Decoder.decodeWide(fsqrt(1, 4, 5, RDN)), Op.FSQRT_D, 4, 5, 0, fsqrt(1, 4, 5, RDN));
    // Integer destinations go to the sink when x0.
    int[] toInt = {Op.FCVT_W_S, Op.FCVT_WU_S, Op.FCVT_L_S, Op.FCVT_LU_S};
    int[] toIntD = {Op.FCVT_W_D, Op.FCVT_WU_D, Op.FCVT_L_D, Op.FCVT_LU_D};
    int[] fromInt = {Op.FCVT_S_W, Op.FCVT_S_WU, Op.FCVT_S_L, Op.FCVT_S_LU};
    int[] fromIntD = {Op.FCVT_D_W, Op.FCVT_D_WU, Op.FCVT_D_L, Op.FCVT_D_LU};
    for (int k = 0; k < 4; k++) {
      int a = fcvtToInt(0, k, A0, 7, RTZ);
      check(Decoder.decodeWide(a), toInt[k], A0, 7, k, a);
      int b = fcvtToInt(1, k, ZERO, 7, RTZ);
      check(Decoder.decodeWide(b), toIntD[k], 0, 7, k, b);
      int c = fcvtFromInt(0, k, 0, A0, RNE);
      checkF(Decoder.decodeWide(c), fromInt[k], 0, A0, k, c);
      int d = fcvtFromInt(1, k, 9, A0, DYN);
      checkF(Decoder.decodeWide(d), fromIntD[k], 9, A0, k, d);
    }
    for (int fmt = 0; fmt < 2; fmt++) {
      int[] ops =
          fmt == 0
              ? new int[] {Op.FEQ_S, Op.FLT_S, Op.FLE_S, Op.FCLASS_S, Op.FMV_X_W}
              : new int[] {Op.FEQ_D, Op.FLT_D, Op.FLE_D, Op.FCLASS_D, Op.FMV_X_D};
      int[] enc = {
        feq(fmt, A0, 1, 2),
        flt(fmt, A0, 1, 2),
        fle(fmt, A0, 1, 2),
        fclass(fmt, A0, 1),
        fmvX(fmt, A0, 1)
      };
      for (int k = 0; k < 5; k++) {
        check(Decoder.decodeWide(enc[k]), ops[k], A0, 1, k < 3 ? 2 : 0, enc[k]);
      }
      int mv = fmvF(fmt, 0, A1);
      checkF(Decoder.decodeWide(mv), fmt == 0 ? Op.FMV_W_X : Op.FMV_D_X, 0, A1, 0, mv);
    }
    checkF(Decoder.decodeWide(fcvtSD(3, 4, RNE)), Op.FCVT_S_D, 3, 4, 1, fcvtSD(3, 4, RNE));
    checkF(Decoder.decodeWide(fcvtDS(3, 4, RNE)), Op.FCVT_D_S, 3, 4, 0, fcvtDS(3, 4, RNE));
    int[] csrs = {
      csrrw(A0, FCSR, A1),
      csrrs(A0, FFLAGS, A1),
      csrrc(A0, FRM, A1),
      csrrwi(A0, FCSR, 31),
      csrrsi(A0, FFLAGS, 1),
      csrrci(ZERO, FRM, 2)
    };
    for (int c : csrs) {
      check(Decoder.decodeWide(c), Op.CSR_FP, (c >>> 7) & 31, (c >>> 15) & 31, 0, c);
    }
  }

  @Test
  void compressedFloatingPointLoadsAndStores() {
    checkCF(Decoder.decodeCompressed(cFld(S0, A5, 248)), Op.FLD, S0, A5, 0, 248);
    check(Decoder.decodeCompressed(cFsd(S1, A4, 128)), Op.FSD, 0, A4, S1, 128);
    checkCF(Decoder.decodeCompressed(cFldsp(0, 504)), Op.FLD, 0, SP, 0, 504);
    checkCF(Decoder.decodeCompressed(cFldsp(31, 8)), Op.FLD, 31, SP, 0, 8);
    check(Decoder.decodeCompressed(cFsdsp(0, 504)), Op.FSD, 0, SP, 0, 504);
  }

  private static void checkCF(long e, int op, int rd, int rs1, int rs2, int imm) {
    assertEquals(2, Decoder.length(e));
    assertEquals(Op.name(op), Op.name(Decoder.op(e)));
    assertEquals(rd, Decoder.rd(e), "rd");
    assertEquals(rs1, Decoder.rs1(e));
    assertEquals(rs2, Decoder.rs2(e));
    assertEquals(imm, Decoder.imm(e));
  }

  /**
   * Reserved rm values (101, 110) on every rounding instruction, the absent formats (H, Q) and
   * widths, and the non-rounding ops' fixed fields.
   */
  @Test
  void reservedFloatingPointEncodingsAreIllegal() {
    int[] rounding = {
      fadd(0, 1, 2, 3, 0),
      fsub(1, 1, 2, 3, 0),
      fmul(0, 1, 2, 3, 0),
      fdiv(1, 1, 2, 3, 0),
      fsqrt(0, 1, 2, 0),
      fmadd(1, 1, 2, 3, 4, 0),
      fnmadd(0, 1, 2, 3, 4, 0),
      fcvtToInt(0, 3, A0, 1, 0),
      fcvtFromInt(1, 2, 1, A0, 0),
      fcvtSD(1, 2, 0),
      fcvtDS(1, 2, 0),
      fcvtFromInt(1, 0, 1, A0, 0) // exact, but its rm field is checked all the same
    };
    for (int insn : rounding) {
      for (int rm = 0; rm < 8; rm++) {
        int v = insn | (rm << 12);
        boolean reserved = rm == 5 || rm == 6;
        assertEquals(
            reserved,
            Decoder.op(Decoder.decodeWide(v)) == Op.ILLEGAL,
            String.format("0x%08x rm=%d", v, rm));
      }
    }
    int[] absent = {
      fadd(2, 1, 2, 3, 0), // fadd.h
      fadd(3, 1, 2, 3, 0), // fadd.q
      fmadd(2, 1, 2, 3, 4, 0), // fmadd.h
      fmadd(3, 1, 2, 3, 4, 0), // fmadd.q
      i(0, 1, 4, 1, 0x07), // flq
      i(0, 1, 1, 1, 0x07), // flh
      s(0, 1, 2, 4, 0x27), // fsq
      fsqrt(1, 1, 2, 0) | (1 << 20), // fsqrt.d with rs2 != 0
      fsgnj(0, 3, 1, 2, 3), // fsgnj funct3 011
      fmin(1, 1, 2, 3) | (2 << 12), // fmin funct3 010
      feq(0, A0, 1, 2) | (3 << 12), // fcmp funct3 011
      fmvX(0, A0, 1) | (2 << 12), // fmv.x.w funct3 010
      fmvX(1, A0, 1) | (1 << 20), // fmv.x.d with rs2 != 0
      fmvF(0, 1, A0) | (1 << 12), // fmv.w.x funct3 001
      fcvtToInt(0, 4, A0, 1, 0), // fcvt.?.s with rs2 = 4
      fcvtSD(1, 2, 0) | (1 << 21), // fcvt.s.q
      0x0000_1073 | (4 << 20), // csrrw on CSR 0x004
      0x0000_0073 | (1 << 20) | (1 << 7), // funct3 000 on fflags: not a CSR instruction
      0x0000_4073 | (3 << 20) // funct3 100 on fcsr
    };
    for (int insn : absent) {
      long e = Decoder.decodeWide(insn);
      assertEquals(
          Op.ILLEGAL, Decoder.op(e), String.format("0x%08x: %s", insn, Decoder.describe(e)));
      assertEquals(insn, Decoder.imm(e));
    }
  }
}
