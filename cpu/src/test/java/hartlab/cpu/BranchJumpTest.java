package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/** Conditional branches (signed and unsigned), JAL and JALR. */
class BranchJumpTest {
  interface Branch {
    int encode(int rs1, int rs2, int off);
  }

  /** 1 if the branch on (a, b) is taken, else 0. */
  static long taken(Branch br, long a, long b) {
    Rig rig = new Rig();
    rig.hart.setReg(A1, a);
    rig.hart.setReg(A2, b);
    IntUnaryOperator enc = off -> br.encode(A1, A2, off);
    Program p =
        Rig.code()
            .to("yes", enc)
            .i(addi(A0, ZERO, 0))
            .ecall()
            .label("yes")
            .i(addi(A0, ZERO, 1))
            .ecall();
    return rig.exec(p).reg(A0);
  }

  @Test
  void branches() {
    long[][] pairs = {
      {1, 1}, {1, 2}, {2, 1}, {-1, 1}, {1, -1}, {Long.MIN_VALUE, Long.MAX_VALUE}, {-1, -1}
    };
    for (long[] p : pairs) {
      long a = p[0], b = p[1];
      String s = a + "," + b;
      assertEquals(a == b ? 1 : 0, taken(Asm::beq, a, b), "beq " + s);
      assertEquals(a != b ? 1 : 0, taken(Asm::bne, a, b), "bne " + s);
      assertEquals(a < b ? 1 : 0, taken(Asm::blt, a, b), "blt " + s);
      assertEquals(a >= b ? 1 : 0, taken(Asm::bge, a, b), "bge " + s);
      assertEquals(Long.compareUnsigned(a, b) < 0 ? 1 : 0, taken(Asm::bltu, a, b), "bltu " + s);
      assertEquals(Long.compareUnsigned(a, b) >= 0 ? 1 : 0, taken(Asm::bgeu, a, b), "bgeu " + s);
    }
  }

  @Test
  void backwardLoop() {
    Program p =
        Rig.code()
            .i(addi(A0, ZERO, 0))
            .i(addi(A1, ZERO, 100))
            .label("loop")
            .i(addi(A0, A0, 3))
            .i(addi(A1, A1, -1))
            .to("loop", off -> bne(A1, ZERO, off))
            .ecall();
    Hart h = new Rig().exec(p);
    assertEquals(300, h.reg(A0));
    assertEquals(2 + 3 * 100, h.instret());
  }

  @Test
  void jalLinksAndJumps() {
    Program p =
        Rig.code().to("f", off -> jal(RA, off)).ecall().label("f").i(addi(A0, ZERO, 9)).ecall();
    Rig rig = new Rig();
    Hart h = rig.exec(p);
    assertEquals(9, h.reg(A0));
    assertEquals(Rig.CODE + 4, h.reg(RA));
    assertEquals(p.address("f") + 4, h.pc());
  }

  @Test
  void jalToX0DoesNotLink() {
    Program p =
        Rig.code()
            .to("f", off -> jal(ZERO, off))
            .i(addi(A0, ZERO, 1))
            .ecall()
            .label("f")
            .i(addi(A0, ZERO, 2))
            .ecall();
    Hart h = new Rig().exec(p);
    assertEquals(2, h.reg(A0));
    assertEquals(0, h.reg(ZERO));
  }

  @Test
  void jalBackwardAcrossPages() {
    // Start on the second code page and jump back to the first.
    Program q = Rig.code().label("0").i(addi(A0, ZERO, 5)).ecall();
    for (int k = 0; k < 1100; k++) {
      q.i(addi(A1, A1, 1));
    }
    q.label("start").to("0", off -> jal(RA, off));
    Rig rig = new Rig();
    rig.load(q);
    rig.hart.setPc(q.address("start"));
    Hart h = rig.runToEcall();
    assertEquals(5, h.reg(A0));
    assertEquals(q.address("start") + 4, h.reg(RA));
    assertEquals(0, h.reg(A1));
  }

  @Test
  void jalrClearsBitZero() {
    Rig rig = new Rig();
    Program p = Rig.code().i(jalr(RA, A1, 1)).ecall().label("f").i(addi(A0, ZERO, 3)).ecall();
    rig.hart.setReg(A1, p.address("f"));
    Hart h = rig.exec(p);
    assertEquals(3, h.reg(A0));
    assertEquals(Rig.CODE + 4, h.reg(RA));
  }

  @Test
  void jalrNegativeOffsetAndRdEqualsRs1() {
    Rig rig = new Rig();
    Program p = Rig.code().i(jalr(A1, A1, -16)).ecall().label("f").i(addi(A0, ZERO, 4)).ecall();
    rig.hart.setReg(A1, p.address("f") + 16);
    Hart h = rig.exec(p);
    assertEquals(4, h.reg(A0));
    assertEquals(
        Rig.CODE + 4, h.reg(A1)); // link written after the target was computed from the old a1
  }

  @Test
  void jalrToX0IsARet() {
    Rig rig = new Rig();
    Program p =
        Rig.code()
            .to("f", off -> jal(RA, off))
            .i(addi(A0, A0, 100))
            .ecall()
            .label("f")
            .i(addi(A0, ZERO, 1))
            .i(jalr(ZERO, RA, 0));
    assertEquals(101, rig.exec(p).reg(A0));
  }

  @Test
  void takenBranchCostsMoreThanUntaken() {
    CostModel c = CostModel.DEFAULT;
    Rig rig = new Rig();
    // addi; beq (taken, to next instruction+4); addi (skipped); ecall
    Program p =
        Rig.code()
            .i(addi(A0, ZERO, 1))
            .to("t", off -> beq(ZERO, ZERO, off))
            .i(addi(A0, ZERO, 2))
            .label("t")
            .i(bne(ZERO, ZERO, 8))
            .ecall();
    Hart h = rig.exec(p);
    assertEquals(1, h.reg(A0));
    assertEquals(3, h.instret());
    assertEquals(c.alu() + c.branchTaken() + c.alu(), h.cycles());
  }
}
