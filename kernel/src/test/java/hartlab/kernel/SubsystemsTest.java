package hartlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.check.ActiveMmChecker;
import hartlab.kernel.check.CoherenceChecker;
import hartlab.kernel.check.FreedTableChecker;
import hartlab.kernel.check.StaleTranslationChecker;
import hartlab.kernel.fs.Console;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.mm.MmFixtures;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.LockstepTurns;
import hartlab.kernel.smp.ParallelTurns;
import hartlab.kernel.stats.Tracer;
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
    return Subsystems.wire(config, board, console, RootFs.empty(), Tracer.OFF);
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
            StaleTranslationChecker.NAME,
            hartlab.kernel.check.RcuChecker.NAME,
            hartlab.kernel.check.VmaIdentityChecker.NAME),
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
            RootFs.empty(),
            Tracer.OFF);
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

  @Test
  void parkedHartsWorkIsAskedOfTheWiredSubsystems() {
    MachineConfig config = small().speculativeWalks(true).build();
    Board board = Board.of(config);
    StubTurns stub = new StubTurns(board.harts());
    LockstepTurns.Work[] asked = new LockstepTurns.Work[1];
    Subsystems s =
        Subsystems.wire(
            config,
            board,
            new Console(
                OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream(),
                new ByteArrayInputStream(new byte[0])),
            RootFs.empty(),
            ShootdownStrategies.find(config.shootdown(), getClass().getClassLoader()),
            (work, counters) -> {
              asked[0] = work;
              return stub;
            },
            Tracer.OFF);
    stub.serve(s.ipis());
    LockstepTurns.Work work = asked[0];
    assertFalse(work.hasWork(1));
    assertEquals(Long.MAX_VALUE, work.nextTimer());
    assertEquals(Long.MAX_VALUE, work.nextIpi(1), "parallel: no delivery times");
    assertFalse(work.walksWhileIdle(1), "nothing loaded to walk");
    Hart h1 = board.harts()[1];
    s.schedule().hartStarted(h1);
    Task task =
        s.proc()
            .table()
            .createInit(
                "init",
                MmFixtures.newMm(s.pageTable(), s.kmem(), s.mm().vmaLocks()),
                FileTable.withConsole());
    task.sched.setAffinity(0b10);
    s.schedule().wakeUpNewTask(task, 1, 0);
    assertTrue(work.hasWork(1), "a task waits in its run queue");
    s.schedule().schedule(h1);
    s.sleepWake().sleep(h1, null, false, 5_000, 0);
    s.schedule().schedule(h1);
    assertFalse(work.hasWork(1));
    assertEquals(5_000, work.nextTimer());
    assertTrue(work.walksWhileIdle(1), "idle with the task's table still loaded, walking it");
  }
}
