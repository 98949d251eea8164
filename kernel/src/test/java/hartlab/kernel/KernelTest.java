package hartlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.Console;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Outcome;
import hartlab.kernel.stats.Statistics;
import hartlab.kernel.stats.Tracer;
import hartlab.loader.ElfImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The trap entry as one hart's thread drives it, here the test's own: the kernel schedules the
 * first process, the hart runs it, and each trap comes back to the kernel, which answers system
 * calls and kills a process whose fault nothing can resolve, reporting where and why.
 */
class KernelTest {
  private static final int LI_A0_3 = 0x00300513; // addi a0, zero, 3
  private static final int LI_A7_93 = 0x05d00893; // addi a7, zero, 93 (exit)
  private static final int ECALL = 0x00000073;
  private static final int SD_ZERO_AT_NULL = 0x00003023; // sd zero, 0(zero)
  private static final int SD_ZERO_AT_PC = 0x00003023 | (1 << 15); // sd zero, 0(ra): see below

  /** One run: the kernel over a one-hart board, driven by this thread until it stops. */
  private record Run(Halt.Ending ending, Statistics stats, String stdout) {}

  private static ElfImage program(int... instructions) {
    ByteBuffer b = ByteBuffer.allocate(instructions.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i : instructions) {
      b.putInt(i);
    }
    return TinyElf.image(
        TinyElf.ET_EXEC,
        0x10000,
        List.of(
            new TinyElf.Segment(
                TinyElf.PF_R | TinyElf.PF_X, 0x10000, b.array(), b.array().length)));
  }

  private static Run run(ElfImage image) throws Exception {
    return run(image, 0);
  }

  private static Run run(ElfImage image, int rcuTorture) throws Exception {
    MachineConfig config =
        MachineConfig.builder().cores(1).memoryBytes(4L << 20).rcuTorture(rcuTorture).build();
    Board board = Board.of(config);
    Hart hart = board.harts()[0];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Console console = new Console(out, out, new ByteArrayInputStream(new byte[0]));
    Kernel kernel =
        new Kernel(config, Subsystems.wire(config, board, console, RootFs.empty(), Tracer.OFF));
    kernel.startInit(image, "prog", List.of("prog"), List.of());
    kernel.attachThread(0, Thread.currentThread());
    kernel.hartStarted(hart);
    hart.runLoop(kernel);
    console.drain(TimeUnit.SECONDS.toNanos(30));
    return new Run(kernel.halt().ending(), kernel.statistics(), out.toString());
  }

  @Test
  void aProgramThatExitsEndsTheRunWithItsStatus() throws Exception {
    Run r = run(program(LI_A0_3, LI_A7_93, ECALL));
    assertEquals(Outcome.EXITED, r.ending().outcome());
    assertEquals(3, r.ending().exitCode());
    Statistics s = r.stats();
    assertEquals(2, s.total(Counter.INSTRUCTIONS), "the ecall traps: it does not retire");
    assertEquals(1, s.total(Counter.SYSCALLS));
    assertEquals(1, s.total(Counter.TRAPS));
    assertEquals(1, s.total(Counter.CONTEXT_SWITCHES));
    assertEquals(Map.of("exit", 1L), s.syscalls());
    assertEquals(
        Map.of(
            "active-mm",
            0L,
            "tlb-coherence",
            0L,
            "freed-page-table",
            0L,
            "stale-translation",
            0L,
            "rcu",
            0L,
            "vma-identity",
            0L),
        s.violations());
    assertEquals(0, s.total(Counter.PAGE_FAULTS), "exec mapped the text and the stack's top");
  }

  @Test
  void aStoreToNullKillsTheProcessWithSigsegvSayingWhereAndWhy() throws Exception {
    Run r = run(program(SD_ZERO_AT_NULL));
    assertEquals(Outcome.KILLED, r.ending().outcome());
    assertEquals(128 + 11, r.ending().exitCode());
    String report = r.ending().message();
    assertTrue(report.startsWith("prog (pid 1) killed by SIGSEGV"), report);
    assertTrue(report.contains("at pc 0x10000, address 0x0"), report);
    assertTrue(report.contains("no mapping at this address"), report);
  }

  @Test
  void aStoreIntoTheTextIsForbiddenByItsMapping() throws Exception {
    // ra holds 0 at the start, so first point it at the text: auipc ra, 0 (ra = pc).
    Run r = run(program(0x00000097, SD_ZERO_AT_PC));
    assertEquals(Outcome.KILLED, r.ending().outcome());
    assertTrue(
        r.ending().message().contains("not permitted by mapping [0x10000-0x11000 r-x text]"),
        r.ending().message());
  }

  @Test
  void anIllegalInstructionIsSigill() throws Exception {
    Run r = run(program(0));
    assertEquals(Outcome.KILLED, r.ending().outcome());
    assertEquals(128 + 4, r.ending().exitCode());
    assertTrue(r.ending().message().contains("SIGILL"), r.ending().message());
  }

  /**
   * munmap sleeps for a grace period and runs again when woken; rcutorture's gate at system calls
   * must leave that wait to munmap. (It took the woken task's wait for its own and ended it, so
   * munmap began a fresh one, slept again, and so on forever: the torture on mmapstorm livelocked.)
   */
  @Test
  void munmapsGracePeriodWaitEndsUnderRcuTorture() {
    ElfImage image =
        program(
            0x00000513, // addi a0, zero, 0
            0x000015b7, // lui a1, 1 (4096)
            0x00300613, // addi a2, zero, 3 (PROT_READ|PROT_WRITE)
            0x02200693, // addi a3, zero, 0x22 (MAP_PRIVATE|MAP_ANONYMOUS)
            0xfff00713, // addi a4, zero, -1
            0x00000793, // addi a5, zero, 0
            0x0de00893, // addi a7, zero, 222 (mmap)
            ECALL,
            0x000015b7, // lui a1, 1: munmap(a0, 4096)
            0x0d700893, // addi a7, zero, 215 (munmap)
            ECALL,
            LI_A7_93, // exit(munmap's result)
            ECALL);
    Run r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run(image, 2));
    assertEquals(Outcome.EXITED, r.ending().outcome(), r.ending().message());
    assertEquals(0, r.ending().exitCode());
    Statistics s = r.stats();
    assertEquals(1L, s.syscalls().get("munmap"));
    assertEquals(1L, s.total(Counter.RCU_SYNC_SLEEPS), "munmap slept once, for its grace period");
    assertEquals(0L, s.violations().get("rcu"));
  }

  /**
   * When rcutorture's wait before a system call ends, the call runs as the fresh call it is:
   * counted once, not as the re-run of a call that slept (which would also keep the previous call's
   * progress).
   */
  @Test
  void aCallAfterTheTorturesWaitIsCountedAsFresh() throws Exception {
    Run r =
        run(
            program(
                0x02800413, // addi s0, zero, 40
                0x0ac00893, // loop: addi a7, zero, 172 (getpid)
                ECALL,
                0xfff40413, // addi s0, s0, -1
                0xfe041ae3, // bne s0, zero, loop
                0x00000513, // addi a0, zero, 0
                LI_A7_93,
                ECALL),
            2);
    assertEquals(Outcome.EXITED, r.ending().outcome(), r.ending().message());
    Statistics s = r.stats();
    assertTrue(s.total(Counter.RCU_SYNC_SLEEPS) > 0, "the torture waited before some calls");
    assertEquals(41, s.total(Counter.SYSCALLS));
    assertEquals(0, s.total(Counter.SYSCALL_RESTARTS));
  }

  @Test
  void theSameProgramGivesTheSameDigest() throws Exception {
    Run a = run(program(LI_A0_3, LI_A7_93, ECALL));
    Run b = run(program(LI_A0_3, LI_A7_93, ECALL));
    assertEquals(
        a.stats().digest(a.ending().outcome(), a.ending().exitCode()),
        b.stats().digest(b.ending().outcome(), b.ending().exitCode()));
    assertEquals(a.stats().total(Counter.CYCLES), b.stats().total(Counter.CYCLES));
  }
}
