package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * ECALL, EBREAK and illegal instructions: cause, trap value, pc, and that the instruction did not
 * retire.
 */
class TrapTest {
  static Rig trapAt(int cause, int... insns) {
    Rig rig = new Rig();
    Program p = Rig.code().i(addi(A0, ZERO, 1));
    for (int insn : insns) {
      p.i(insn);
    }
    rig.load(p.ecall());
    assertEquals(cause, rig.trap(), () -> Cause.name(rig.hart.trapCause()));
    assertEquals(Rig.CODE + 4, rig.hart.pc());
    assertEquals(1, rig.hart.instret());
    assertEquals(CostModel.DEFAULT.alu(), rig.hart.cycles());
    return rig;
  }

  static void assertIllegal(int insn) {
    Rig rig = trapAt(Cause.ILLEGAL_INSTRUCTION, insn);
    assertEquals(insn & 0xFFFF_FFFFL, rig.hart.trapValue(), String.format("tval of 0x%08x", insn));
  }

  @Test
  void ecallLeavesPcOnItself() {
    Rig rig = trapAt(Cause.ECALL_FROM_U, ecall());
    assertEquals(0, rig.hart.trapValue());
    // The kernel advances pc past the ECALL and resumes.
    rig.hart.setPc(rig.hart.pc() + 4);
    assertEquals(Cause.ECALL_FROM_U, rig.trap());
    assertEquals(Rig.CODE + 8, rig.hart.pc());
  }

  @Test
  void ebreakReportsItsPc() {
    Rig rig = trapAt(Cause.BREAKPOINT, ebreak());
    assertEquals(Rig.CODE + 4, rig.hart.trapValue());
  }

  @Test
  void reservedRoundingModesAndAbsentFloatFormatsAreIllegal() {
    assertIllegal(fadd(1, 10, 11, 12, 5)); // rm 101
    assertIllegal(fmadd(0, 10, 11, 12, 13, 6)); // rm 110
    assertIllegal(fcvtDS(10, 11, 5)); // exact, yet its rm is checked
    assertIllegal(fadd(3, 10, 11, 12, RNE)); // fadd.q
    assertIllegal(0x0000_4007); // flq
    assertIllegal(0x0000_4027); // fsq
  }

  @Test
  void privilegedInstructionsAreIllegal() {
    assertIllegal(0x1020_0073); // sret
    assertIllegal(0x3020_0073); // mret
    assertIllegal(0x1050_0073); // wfi
    assertIllegal(0x1200_0073); // sfence.vma x0, x0
    assertIllegal(0x1230_0073 | (5 << 15)); // sfence.vma t0, x3
  }

  @Test
  void csrsOtherThanTheCountersAndCounterWritesAreIllegal() {
    assertIllegal(csrrs(A0, 0x100, ZERO)); // sstatus
    assertIllegal(csrrs(A0, 0x180, ZERO)); // satp
    assertIllegal(csrrs(A0, 0x004, ZERO)); // next to fcsr: no such CSR
    assertIllegal(csrrs(A0, 0xC03, ZERO)); // hpmcounter3
    assertIllegal(csrrs(A0, 0xC80, ZERO)); // cycleh: RV32 only
    assertIllegal(csrrw(ZERO, 0xC00, A1)); // write to cycle, even with rd = x0
    assertIllegal(csrrw(A0, 0xC02, ZERO)); // csrrw always writes
    assertIllegal(csrrs(A0, 0xC00, A1)); // set bits
    assertIllegal(csrrc(A0, 0xC01, A1)); // clear bits
    assertIllegal(csrrwi(A0, 0xC00, 0));
    assertIllegal(csrrsi(A0, 0xC00, 1));
    assertIllegal(csrrci(A0, 0xC02, 4));
  }

  @Test
  void otherUnknownEncodingsAreIllegal() {
    assertIllegal(0xFFFF_FFFF);
    assertIllegal(0x0000_007F); // reserved >= 80-bit length prefix
    assertIllegal(0x0000_001F); // 48-bit length prefix
    assertIllegal(0x0400_1013); // slli with bit 26 set (reserved funct6; bit 25 is shamt[5])
    assertIllegal(0x0200_101B); // slliw with shamt[5] set
    assertIllegal(0x4000_0013 | (1 << 12) | (1 << 7)); // "slai"
    assertIllegal(0x0000_7003); // load funct3 111
    assertIllegal(0x0000_4023); // store funct3 100
    assertIllegal(0x0000_2063); // branch funct3 010
    assertIllegal(0x0000_1067); // jalr funct3 001
    assertIllegal(amo(0b00101, 2, A0, A1, A2)); // unassigned AMO funct5
    assertIllegal(amo(AMOADD, 4, A0, A1, A2)); // AMO width 4 (.Q)
    assertIllegal(amo(LR, 3, A0, A1, A2)); // lr.d with rs2 != 0
  }

  @Test
  void fetchOutsideRamIsAnInstructionAccessFault() {
    Rig rig = new Rig();
    long far = 1L << 36;
    rig.hart.setReg(A1, far);
    rig.load(Rig.code().i(jalr(RA, A1, 0)).ecall());
    assertEquals(Cause.INSTRUCTION_ACCESS_FAULT, rig.trap());
    assertEquals(far, rig.hart.trapValue());
    assertEquals(far, rig.hart.pc());
    assertEquals(1, rig.hart.instret()); // the jump retired; the fetch at its target faulted
  }

  @Test
  void oddPcIsAMisalignedFetch() {
    Rig rig = new Rig();
    rig.load(Rig.code().ecall());
    rig.hart.setPc(Rig.CODE + 1);
    assertEquals(Cause.INSTRUCTION_MISALIGNED, rig.trap());
    assertEquals(Rig.CODE + 1, rig.hart.trapValue());
  }

  @Test
  void runningOffTheEndOfAPageContinuesOnTheNext() {
    Program p = Rig.code();
    for (int k = 0; k < 2048; k++) { // two pages of addi
      p.i(addi(A0, A0, 1));
    }
    Hart h = new Rig().exec(p.ecall());
    assertEquals(2048, h.reg(A0));
    assertEquals(Rig.CODE + 0x2000, h.pc());
  }
}
