package hartlab.cpu;

import static hartlab.cpu.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How run() ends besides traps: the deadline and interrupts, both seen at block boundaries; and
 * runLoop.
 */
class ExitTest {
  @Test
  void deadlineStopsAnInfiniteLoopAtItsBranch() {
    Rig rig = new Rig();
    Program p = Rig.code().label("loop").i(addi(A0, A0, 1)).to("loop", off -> jal(ZERO, off));
    rig.load(p);
    assertEquals(Hart.EXIT_DEADLINE, rig.hart.run(1000));
    assertTrue(rig.hart.cycles() >= 1000);
    assertTrue(
        rig.hart.cycles() < 1000 + CostModel.DEFAULT.alu() + CostModel.DEFAULT.branchTaken());
    assertEquals(Rig.CODE, rig.hart.pc()); // the jump retired; pc is its target
    assertEquals(rig.hart.instret(), 2 * rig.reg(A0));
    // Resuming continues where it stopped.
    assertEquals(Hart.EXIT_DEADLINE, rig.hart.run(2000));
    assertEquals(rig.hart.instret(), 2 * rig.reg(A0));
  }

  @Test
  void deadlineAlreadyPassedReturnsAtOnce() {
    Rig rig = new Rig();
    rig.load(Rig.code().ecall());
    rig.hart.setCycles(50);
    assertEquals(Hart.EXIT_DEADLINE, rig.hart.run(50));
    assertEquals(0, rig.hart.instret());
    assertEquals(Rig.CODE, rig.hart.pc());
  }

  @Test
  void straightLineCodeIsCheckedAtPageEnds() {
    Program p = Rig.code();
    for (int k = 0; k < 3 * 1024; k++) {
      p.i(addi(A0, A0, 1));
    }
    Rig rig = new Rig();
    rig.load(p.ecall());
    assertEquals(Hart.EXIT_DEADLINE, rig.hart.run(10));
    assertEquals(1024, rig.reg(A0)); // ran to the end of the first page
    assertEquals(Rig.CODE + 0x1000, rig.hart.pc());
  }

  @Test
  void pendingInterruptStopsBeforeTheFirstInstruction() {
    Rig rig = new Rig();
    rig.load(Rig.code().ecall());
    rig.hart.raiseInterrupt(0b100);
    rig.hart.raiseInterrupt(0b001);
    assertTrue(rig.hart.interruptPending());
    assertEquals(Hart.EXIT_INTERRUPT, rig.hart.run(Long.MAX_VALUE));
    assertEquals(0, rig.hart.instret());
    assertEquals(0b101, rig.hart.takeInterrupts());
    assertFalse(rig.hart.interruptPending());
    assertEquals(0, rig.hart.takeInterrupts());
    assertEquals(Hart.EXIT_TRAP, rig.hart.run(Long.MAX_VALUE));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void interruptFromAnotherThreadStopsARunningHart() throws Exception {
    Rig rig = new Rig();
    // A tight loop inside one page: only its taken branch is a boundary. Each round stores its
    // count at DATA, so this thread can see, through memory, that the hart is running the loop.
    rig.load(
        Rig.code()
            .i(lui(S1, (int) Rig.DATA))
            .label("loop")
            .i(addi(A0, A0, 1))
            .i(sd(A0, S1, 0))
            .to("loop", off -> bne(A0, ZERO, off)));
    int[] exit = {-1};
    Thread t = new Thread(() -> exit[0] = rig.hart.run(Long.MAX_VALUE));
    t.start();
    while (rig.mem.getLongAcquire(Rig.DATA) == 0) {
      Thread.onSpinWait(); // until the loop has run a round: the interrupt then stops it mid-run
    }
    rig.hart.raiseInterrupt(1 << 3);
    t.join(); // a hart that never notices the interrupt fails the test by its timeout
    assertEquals(Hart.EXIT_INTERRUPT, exit[0]);
    assertEquals(1 << 3, rig.hart.takeInterrupts());
    assertTrue(rig.reg(A0) > 0);
    assertEquals(rig.reg(A0), rig.mem.getLong(Rig.DATA), "stopped at a round's end");
    assertEquals(Rig.CODE + 4, rig.hart.pc(), "the loop's first instruction, after its branch");
  }

  @Test
  void runLoopHandsTrapsAndInterruptsToTheKernel() {
    Rig rig = new Rig();
    Program p =
        Rig.code()
            .label("loop")
            .i(addi(A7, ZERO, 64))
            .ecall()
            .i(addi(S0, S0, 1))
            .to("loop", off -> jal(ZERO, off));
    rig.load(p);
    List<String> events = new ArrayList<>();
    rig.hart.runLoop(
        new TrapHandler() {
          int entries;

          @Override
          public long enterUser(Hart hart) {
            return ++entries > 6 ? STOP : hart.cycles() + 1000;
          }

          @Override
          public void trap(Hart hart, int cause, long tval) {
            events.add("trap " + cause + " a7=" + hart.reg(17));
            hart.clearReservation();
            hart.setPc(hart.pc() + 4);
            if (events.size() == 2) {
              hart.raiseInterrupt(2); // e.g. an IPI raised while in the kernel
            }
          }

          @Override
          public void interrupt(Hart hart) {
            events.add("interrupt " + hart.takeInterrupts() + " at " + hart.cycles());
          }
        });
    assertEquals(
        List.of(
            "trap 8 a7=64",
            "trap 8 a7=64",
            "interrupt 2 at " + (3 * CostModel.DEFAULT.alu() + CostModel.DEFAULT.branchTaken()),
            "trap 8 a7=64",
            "trap 8 a7=64",
            "trap 8 a7=64"),
        events);
  }
}
