package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Zicntr: cycle, time and instret read the hart's virtual clock and retired count. */
class CounterTest {
  @Test
  void rdinstretCountsInstructionsRetiredBeforeIt() {
    Rig rig = new Rig();
    Hart h =
        rig.exec(
            Rig.code()
                .i(rdinstret(A0))
                .i(addi(T0, ZERO, 1))
                .i(addi(T0, ZERO, 1))
                .i(rdinstret(A1))
                .ecall());
    assertEquals(0, h.reg(A0));
    assertEquals(3, h.reg(A1));
    assertEquals(4, h.instret()); // the ECALL did not retire
  }

  @Test
  void rdcycleFollowsTheCostModel() {
    CostModel c = CostModel.DEFAULT;
    Rig rig = new Rig();
    rig.hart.setCycles(1000);
    Hart h =
        rig.exec(
            Rig.code().i(rdcycle(A0)).i(mul(T0, T0, T0)).i(div(T0, T0, T1)).i(rdcycle(A1)).ecall());
    assertEquals(1000 + c.csr(), h.reg(A0));
    assertEquals(c.mul() + c.div() + c.csr(), h.reg(A1) - h.reg(A0));
    assertEquals(1000 + 2 * c.csr() + c.mul() + c.div(), h.cycles());
  }

  @Test
  void rdtimeDividesTheClock() {
    Rig rig = new Rig();
    rig.hart.setCycles(123_456);
    Hart h = rig.exec(Rig.code().i(rdtime(A0)).ecall());
    assertEquals(
        (123_456 + CostModel.DEFAULT.csr()) / CostModel.DEFAULT.timebaseDivider(), h.reg(A0));
  }

  @Test
  void readOnlyFormsOfCsrInstructionsRead() {
    Rig rig = new Rig();
    Hart h =
        rig.exec(
            Rig.code()
                .i(addi(T0, ZERO, 1))
                .i(csrrc(A0, 0xC02, ZERO))
                .i(csrrsi(A1, 0xC02, 0))
                .i(csrrci(A2, 0xC02, 0))
                .i(csrrs(ZERO, 0xC00, ZERO))
                .ecall());
    assertEquals(1, h.reg(A0));
    assertEquals(2, h.reg(A1));
    assertEquals(3, h.reg(A2));
  }

  @Test
  void kernelChargesAddToTheClock() {
    Rig rig = new Rig();
    rig.hart.addCycles(500);
    rig.hart.addCycles(25);
    assertEquals(525, rig.hart.cycles());
    Hart h = rig.exec(Rig.code().i(rdcycle(A0)).ecall());
    assertTrue(h.reg(A0) >= 525);
  }
}
