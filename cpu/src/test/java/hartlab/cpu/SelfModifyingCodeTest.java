package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Decoded code goes stale when its bytes change: guest stores, kernel writes, FENCE.I. */
class SelfModifyingCodeTest {
  static final int NEW = addi(A0, A0, 100);

  /** A loop whose body's first instruction ("target") is overwritten with NEW by its own store. */
  static Program rewritingLoop(boolean fenceI) {
    Program p =
        Rig.code()
            .li(T0, NEW)
            .i(addi(S1, ZERO, 2))
            .i(auipc(T1, 0))
            .label("loop")
            .label("target")
            .i(addi(A0, A0, 1))
            .i(sw(T0, T1, 4)); // target = auipc + 4
    if (fenceI) {
      p.i(fenceI());
    }
    return p.i(addi(S1, S1, -1)).to("loop", off -> bne(S1, ZERO, off)).ecall();
  }

  @Test
  void storeOverAnExecutedInstructionTakesEffectOnTheSameHart() {
    Hart h = new Rig().exec(rewritingLoop(false));
    assertEquals(101, h.reg(A0));
  }

  @Test
  void storeThenFenceI() {
    Hart h = new Rig().exec(rewritingLoop(true));
    assertEquals(101, h.reg(A0));
  }

  @Test
  void storeOverTheNextInstruction() {
    // The store's own block must end: the very next slot changes under it.
    Program p = Rig.code().li(T0, NEW).i(auipc(T1, 0)).i(sw(T0, T1, 8)).i(addi(A0, A0, 1)).ecall();
    assertEquals(100, new Rig().exec(p).reg(A0));
  }

  @Test
  void compressedStoreOverCompressedCode() {
    // c.sw writes a word: c.li a0, 9 over c.li a0, 1, and a c.nop over the c.nop after it.
    Program p =
        Rig.code()
            .li(A2, cLi(A0, 9) | (cNop() << 16))
            .label("auipc")
            .i(auipc(S0, 0))
            .c(cSw(A2, S0, 8))
            .c(cNop())
            .label("target")
            .c(cLi(A0, 1))
            .c(cNop())
            .ecall();
    assertEquals(8, p.address("target") - p.address("auipc"));
    assertEquals(9, new Rig().exec(p).reg(A0));
  }

  @Test
  void storeFromAnotherHartThenFenceI() {
    Rig rig = new Rig();
    Program p =
        Rig.code()
            .label("start")
            .i(addi(A0, A0, 1))
            .ecall()
            .i(fenceI())
            .to("start", off -> jal(ZERO, off));
    rig.load(p);
    rig.runToEcall();
    assertEquals(1, rig.reg(A0));

    Rig other = new Rig(rig, 1);
    other.hart.setReg(A1, Rig.CODE);
    other.load(new Program(Rig.CODE + 0x8000).li(T0, NEW).i(sw(T0, A1, 0)).ecall());
    other.runToEcall();

    rig.hart.setPc(rig.hart.pc() + 4); // resume at the fence.i, which jumps back to start
    rig.runToEcall();
    assertEquals(101, rig.reg(A0));
  }

  @Test
  void fenceIAloneRefreshesCodeChangedBehindTheCache() {
    // Bytes changed with no hook at all (as by a device): only FENCE.I makes the hart see them.
    Rig rig = new Rig();
    Program p =
        Rig.code()
            .label("start")
            .i(addi(A0, A0, 1))
            .ecall()
            .i(fenceI())
            .to("start", off -> jal(ZERO, off))
            .label("stale")
            .to("start", off -> jal(ZERO, off));
    rig.load(p);
    rig.runToEcall();
    rig.mem.putInt(Rig.CODE, NEW);
    rig.hart.setPc(p.address("stale")); // back to start without a FENCE.I: the old decode runs
    rig.runToEcall();
    assertEquals(2, rig.reg(A0));
    rig.hart.setPc(Rig.CODE + 8); // the fence.i
    rig.runToEcall();
    assertEquals(102, rig.reg(A0));
  }

  @Test
  void kernelWriteWithInvalidate() {
    Rig rig = new Rig();
    rig.load(Rig.code().i(addi(A0, A0, 1)).ecall());
    rig.runToEcall();
    rig.mem.putInt(Rig.CODE, NEW);
    rig.codeCache.invalidate(Rig.CODE);
    rig.hart.setPc(Rig.CODE);
    rig.runToEcall();
    assertEquals(101, rig.reg(A0));
  }

  @Test
  void amoOverCodeAlsoInvalidates() {
    // amoswap.w writes NEW over the next-but-one instruction.
    Program p =
        Rig.code()
            .li(T0, NEW)
            .i(auipc(T1, 0))
            .i(addi(T1, T1, 12))
            .i(amo(AMOSWAP, 2, ZERO, T1, T0))
            .i(addi(A0, A0, 1))
            .ecall();
    assertEquals(100, new Rig().exec(p).reg(A0));
  }

  @Test
  void storeIntoAnotherPageThatWasAlreadyCalled() {
    // f is on the next page: called once (its page is now in the hart's fetch cache), then
    // overwritten, then called again in the same run.
    Program p =
        Rig.code()
            .li(T0, NEW)
            .label("auipc")
            .i(auipc(T1, 0))
            .i(addi(S1, ZERO, 2))
            .label("loop")
            .to("f", off -> jal(RA, off))
            .i(lui(T2, 0x1000))
            .i(add(T2, T2, T1))
            .i(sw(T0, T2, 0)) // f = auipc + 0x1000
            .i(addi(S1, S1, -1))
            .to("loop", off -> bne(S1, ZERO, off))
            .ecall();
    while (p.here() < p.address("auipc") + 0x1000) {
      p.i(addi(ZERO, ZERO, 0));
    }
    p.label("f").i(addi(A0, A0, 1)).i(jalr(ZERO, RA, 0));
    assertEquals(101, new Rig().exec(p).reg(A0));
  }
}
