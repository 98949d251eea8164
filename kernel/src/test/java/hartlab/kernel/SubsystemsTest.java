package hartlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import hartlab.cpu.Hart;
import hartlab.kernel.check.ActiveMmChecker;
import hartlab.kernel.check.CoherenceChecker;
import hartlab.kernel.check.FreedTableChecker;
import hartlab.kernel.check.StaleTranslationChecker;
import hartlab.kernel.fs.Console;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.smp.LockstepTurns;
import hartlab.kernel.smp.ParallelTurns;
import hartlab.kernel.tlb.shootdown.ShootdownStrategies;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The one wiring, as the machine uses it: the configuration picks the turn-taking, the strategy and
 * the checkers, and every hart starts on the kernel's own page table.
 */
class SubsystemsTest {
  private static Subsystems wire(MachineConfig config) {
    Board board = Board.of(config);
    Console console =
        new Console(
            OutputStream.nullOutputStream(),
            OutputStream.nullOutputStream(),
            new ByteArrayInputStream(new byte[0]));
    return Subsystems.wire(config, board, console, RootFs.empty());
  }

  private static MachineConfig.Builder small() {
    return MachineConfig.builder().cores(3).memoryBytes(4L << 20);
  }

  @Test
  void theExecutionModePicksTheTurnTaking() {
    assertInstanceOf(ParallelTurns.class, wire(small().build()).turns());
    assertInstanceOf(
        LockstepTurns.class, wire(small().execMode(ExecMode.LOCKSTEP).build()).turns());
  }

  @Test
  void everyStrategyOnTheClassPathIsWiredByItsName() {
    for (ShootdownStrategy s : ShootdownStrategies.all(getClass().getClassLoader())) {
      Subsystems wired = wire(small().shootdown(s.name()).build());
      assertEquals(s.name(), wired.tlb().flush().strategy().name());
    }
  }

  @Test
  void theCheckersComeWithCheckingOnly() {
    assertEquals(
        Set.of(
            ActiveMmChecker.NAME,
            CoherenceChecker.NAME,
            FreedTableChecker.NAME,
            StaleTranslationChecker.NAME),
        wire(small().check(true).build()).violations().counts().keySet());
    assertEquals(Set.of(), wire(small().check(false).build()).violations().counts().keySet());
  }

  @Test
  void everyHartStartsOnTheKernelsOwnTableAndTheBoardHasTheConfiguredShape() {
    MachineConfig config = small().tlb(32, 2).build();
    Board board = Board.of(config);
    Subsystems s =
        Subsystems.wire(
            config,
            board,
            new Console(
                OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream(),
                new ByteArrayInputStream(new byte[0])),
            RootFs.empty());
    assertEquals(3, board.harts().length);
    assertEquals(config.memoryBytes(), board.memory().size());
    for (Hart h : board.harts()) {
      assertEquals(s.kernelSatp(), h.mmu().satp());
      assertEquals(32, h.mmu().tlb().entries());
      assertSame(board.codeCache(), h.codeCache());
    }
    assertEquals(3, s.counters().harts());
    assertEquals(0, (s.kernelSatp() >>> 44) & 0xFFFF, "the kernel's table runs under ASID 0");
  }
}
