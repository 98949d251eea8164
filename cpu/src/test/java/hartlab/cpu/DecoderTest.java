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
    // 3 quadrants x 8 funct3 x 2^11 = 49152 halfwords; C.FLD, C.FSD, C.FLDSP, C.FSDSP and
    // quadrant 0's funct3 100 are absent (5 x 2048), and 361 are reserved: C.ADDI4SPN 0 (8),
    // C.ADDI16SP 0 (1), C.LUI 0 (31), C.ADDIW/C.LWSP/C.LDSP to x0 (3 x 64), C.JR x0 (1), and the
    // two reserved CA forms (2 x 64).
    assertEquals(49152 - 5 * 2048 - 361, legal);
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
}
