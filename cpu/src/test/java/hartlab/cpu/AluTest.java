package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** RV64I register-register and register-immediate arithmetic, shifts, compares, LUI/AUIPC. */
class AluTest {
  static final long MIN = Long.MIN_VALUE, MAX = Long.MAX_VALUE;

  /** One machine per thread, reused: thousands of one-instruction runs need no fresh RAM each. */
  private static final ThreadLocal<Rig> RIG = ThreadLocal.withInitial(Rig::new);

  /** Runs one instruction with a1 = a, a2 = b and returns a0. */
  static long run(int insn, long a, long b) {
    Rig rig = RIG.get();
    rig.hart.setReg(A1, a);
    rig.hart.setReg(A2, b);
    rig.hart.setReg(A0, 0xBAD);
    return rig.exec(Rig.code().i(insn).ecall()).reg(A0);
  }

  @Test
  void registerRegister() {
    assertEquals(5, run(add(A0, A1, A2), 2, 3));
    assertEquals(MIN, run(add(A0, A1, A2), MAX, 1));
    assertEquals(-1, run(sub(A0, A1, A2), 2, 3));
    assertEquals(MAX, run(sub(A0, A1, A2), MIN, 1));
    assertEquals(0b0110, run(xor(A0, A1, A2), 0b1100, 0b1010));
    assertEquals(0b1110, run(or(A0, A1, A2), 0b1100, 0b1010));
    assertEquals(0b1000, run(and(A0, A1, A2), 0b1100, 0b1010));
  }

  @Test
  void compares() {
    assertEquals(1, run(slt(A0, A1, A2), -1, 0));
    assertEquals(0, run(slt(A0, A1, A2), 0, -1));
    assertEquals(0, run(slt(A0, A1, A2), 5, 5));
    assertEquals(1, run(slt(A0, A1, A2), MIN, MAX));
    assertEquals(0, run(sltu(A0, A1, A2), -1, 0));
    assertEquals(1, run(sltu(A0, A1, A2), 0, -1));
    assertEquals(0, run(sltu(A0, A1, A2), MAX, MIN) ^ 1);
    assertEquals(1, run(sltu(A0, ZERO, A2), 0, 7)); // snez
    assertEquals(1, run(slti(A0, A1, -1), -2, 0));
    assertEquals(0, run(slti(A0, A1, -1), -1, 0));
    assertEquals(1, run(slti(A0, A1, 2047), 2046, 0));
    // sltiu sign-extends the immediate, then compares unsigned: x < 0xFFF...F unless x is all ones.
    assertEquals(1, run(sltiu(A0, A1, -1), 12345, 0));
    assertEquals(0, run(sltiu(A0, A1, -1), -1, 0));
    assertEquals(1, run(sltiu(A0, A1, 1), 0, 0)); // seqz
    assertEquals(0, run(sltiu(A0, A1, 1), 3, 0));
  }

  @Test
  void immediates() {
    assertEquals(-2048 + 5, run(addi(A0, A1, -2048), 5, 0));
    assertEquals(2047 + 5, run(addi(A0, A1, 2047), 5, 0));
    assertEquals(~0x123L, run(xori(A0, A1, -1), 0x123, 0)); // not
    assertEquals(0xFFFFFFFFFFFFF800L | 0x12, run(ori(A0, A1, -2048), 0x12, 0));
    assertEquals(0x0F0, run(andi(A0, A1, 0x0FF), 0xFF0, 0));
    assertEquals(0xFFFF_FFFF_FFFF_FF00L, run(andi(A0, A1, -256), -1, 0));
  }

  @Test
  void shifts64() {
    long v = 0x8000_0000_0000_0001L;
    for (int sh : new int[] {0, 1, 31, 32, 63}) {
      assertEquals(v << sh, run(slli(A0, A1, sh), v, 0), "slli " + sh);
      assertEquals(v >>> sh, run(srli(A0, A1, sh), v, 0), "srli " + sh);
      assertEquals(v >> sh, run(srai(A0, A1, sh), v, 0), "srai " + sh);
      assertEquals(v << sh, run(sll(A0, A1, A2), v, sh), "sll " + sh);
      assertEquals(v >>> sh, run(srl(A0, A1, A2), v, sh), "srl " + sh);
      assertEquals(v >> sh, run(sra(A0, A1, A2), v, sh), "sra " + sh);
    }
    // Register shifts use only the low 6 bits of rs2.
    assertEquals(v << 1, run(sll(A0, A1, A2), v, 64 + 1));
    assertEquals(v >>> 3, run(srl(A0, A1, A2), v, -61));
  }

  @Test
  void wordForms() {
    assertEquals(Integer.MIN_VALUE, run(addw(A0, A1, A2), Integer.MAX_VALUE, 1));
    assertEquals(0, run(addw(A0, A1, A2), 0xFFFF_FFFF_0000_0000L, 0)); // upper bits ignored
    assertEquals(-1, run(addw(A0, A1, A2), 0x1_FFFF_FFFFL, 0)); // sign-extends bit 31
    assertEquals(Integer.MAX_VALUE, run(subw(A0, A1, A2), Integer.MIN_VALUE, 1));
    assertEquals(-5, run(addiw(A0, A1, -10), 5, 0));
    assertEquals(0xFFFF_FFFF_8000_0000L, run(addiw(A0, A1, 0), 0x8000_0000L, 0)); // sext.w
    assertEquals(0x1234_5678L, run(addiw(A0, A1, 0), 0xABCD_0000_1234_5678L, 0));
    int v = 0x8000_0001;
    for (int sh : new int[] {0, 1, 16, 31}) {
      assertEquals((long) (v << sh), run(slliw(A0, A1, sh), v, 0), "slliw " + sh);
      assertEquals(
          (long) (v >>> sh),
          run(srliw(A0, A1, sh), 0xFFFF_0000_0000_0000L | (v & 0xFFFF_FFFFL), 0),
          "srliw " + sh);
      assertEquals((long) (v >> sh), run(sraiw(A0, A1, sh), v, 0), "sraiw " + sh);
      assertEquals((long) (v << sh), run(sllw(A0, A1, A2), v, sh), "sllw " + sh);
      assertEquals((long) (v >>> sh), run(srlw(A0, A1, A2), v, sh), "srlw " + sh);
      assertEquals((long) (v >> sh), run(sraw(A0, A1, A2), v, sh), "sraw " + sh);
    }
    // srliw by 0 still sign-extends the low word; W register shifts use the low 5 bits of rs2.
    assertEquals(0xFFFF_FFFF_8000_0000L, run(srliw(A0, A1, 0), 0x8000_0000L, 0));
    assertEquals(1L, run(srlw(A0, A1, A2), 0x8000_0000L, 32 + 31));
    assertEquals(0xFFFF_FFFF_8000_0000L, run(sllw(A0, A1, A2), 1, 63));
  }

  @Test
  void luiAndAuipc() {
    assertEquals(0x12345000L, run(lui(A0, 0x12345000), 0, 0));
    assertEquals(0xFFFF_FFFF_8000_0000L, run(lui(A0, 0x80000000), 0, 0));
    assertEquals(-4096L, run(lui(A0, 0xFFFFF000), 0, 0));
    assertEquals(Rig.CODE + 0x1000, run(auipc(A0, 0x1000), 0, 0));
    assertEquals(Rig.CODE - 0x1000, run(auipc(A0, 0xFFFFF000), 0, 0));
    assertEquals(Rig.CODE + 0xFFFF_FFFF_8000_0000L, run(auipc(A0, 0x80000000), 0, 0));
  }

  @Test
  void x0IsZeroAndWritesToItAreDropped() {
    Rig rig = new Rig();
    Hart h =
        rig.exec(
            Rig.code()
                .i(addi(ZERO, ZERO, 5))
                .i(lui(ZERO, 0x7000))
                .i(add(A0, ZERO, ZERO))
                .i(addi(A1, ZERO, 7))
                .ecall());
    assertEquals(0, h.reg(A0));
    assertEquals(0, h.reg(ZERO));
    assertEquals(7, h.reg(A1));
  }

  @Test
  void liBuildsAny64BitConstant() {
    for (long v :
        new long[] {
          0,
          1,
          -1,
          2047,
          -2048,
          0x7FFF_FFFFL,
          0x8000_0000L,
          MIN,
          MAX,
          0x1234_5678_9ABC_DEF0L,
          0xFEDC_BA98_7654_3210L
        }) {
      Rig rig = new Rig();
      assertEquals(v, rig.exec(Rig.code().li(A0, v).ecall()).reg(A0), Long.toHexString(v));
    }
  }
}
