package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.check.ActiveMmChecker;
import hartlab.kernel.stats.MachineCounter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Processes, threads, pipes and the scheduler on 1, 2, 4 and 8 harts in both execution modes: each
 * multitasking image gives qemu-riscv64's output (or, where qemu cannot run it, its own success
 * line) and status; lockstep runs reproduce exactly.
 */
class MultitaskingTest {
  @TempDir static Path dir;
  private static final Map<String, Runs.Outcome> QEMU = new ConcurrentHashMap<>();

  /**
   * Image arguments; forkexec with execve cannot run under qemu (no binfmt), so it is checked by
   * its own verdict.
   */
  static Stream<Arguments> matrix() {
    List<Arguments> out = new ArrayList<>();
    List<List<String>> programs =
        List.of(
            List.of("forkexec"),
            List.of("threads"),
            List.of("pipes", "3", "20000"),
            List.of("pingpong", "300"),
            List.of("pingpong", "-t", "300"),
            List.of("forkstorm", "8", "3"),
            List.of("demo"));
    for (List<String> p : programs) {
      for (int cores : new int[] {1, 2, 4, 8}) {
        for (String mode : new String[] {"parallel", "lockstep"}) {
          out.add(Arguments.of(p, cores, mode));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} on {1} harts, {2}")
  @MethodSource("matrix")
  void imageRunsCorrectly(List<String> program, int cores, String mode) throws Exception {
    String image = program.get(0);
    List<String> args = program.subList(1, program.size());
    Runs.Outcome ours = boot(image, args, "--cores", Integer.toString(cores), "--exec", mode);
    if (image.equals("forkexec")) {
      assertEquals(0, ours.status(), ours.stdout() + ours.stderr());
      assertTrue(ours.stdout().endsWith("forkexec: ok\n"), ours.stdout());
      assertTrue(
          ours.stdout()
              .contains("execve(\"/bin/hello\", \"hello\", \"from\", \"forkexec\") succeeded"));
      return;
    }
    Runs.Outcome reference =
        QEMU.computeIfAbsent(String.join(" ", program), k -> qemu(image, args));
    assertEquals(
        Runs.comparable(image, reference.stdout()),
        Runs.comparable(image, ours.stdout()),
        "stderr: " + ours.stderr());
    assertEquals(reference.status(), ours.status(), ours.stderr());
  }

  private static Runs.Outcome qemu(String image, List<String> args) {
    try {
      return Runs.qemu(Runs.extract(image, dir), args);
    } catch (Exception e) {
      throw new IllegalStateException("qemu-riscv64 failed on " + image, e);
    }
  }

  private static Runs.Outcome boot(String image, List<String> guestArgs, String... options) {
    List<String> cmd =
        new ArrayList<>(List.of("boot", image, "--stats", "json", "--timeout", "120s"));
    cmd.addAll(List.of(options));
    cmd.add("--");
    cmd.addAll(guestArgs);
    return Runs.hartlab(cmd.toArray(String[]::new));
  }

  private static String digest(Runs.Outcome r) {
    return r.run().digest();
  }

  @ParameterizedTest
  @ValueSource(strings = {"forkexec", "threads", "pingpong"})
  void lockstepRunsAreIdenticalWithOneSeed(String image) {
    String[] opts = {"--cores", "4", "--exec", "lockstep", "--seed", "7"};
    Runs.Outcome a = boot(image, List.of(), opts);
    Runs.Outcome b = boot(image, List.of(), opts);
    assertEquals(0, a.status(), a.stderr());
    assertEquals(a.stdout(), b.stdout(), "stdout differs between two lockstep runs");
    assertEquals(digest(a), digest(b), "statistics digest differs between two lockstep runs");
  }

  @Test
  void digestTellsRunsApart() {
    Runs.Outcome one = boot("threads", List.of(), "--cores", "4", "--exec", "lockstep");
    Runs.Outcome two = boot("threads", List.of(), "--cores", "2", "--exec", "lockstep");
    assertNotEquals(digest(one), digest(two));
  }

  /**
   * Many forkstorm runs on 8 free-running harts: the safe lazy-TLB modes never trip the checker.
   */
  @ParameterizedTest
  @ValueSource(strings = {"refcount", "shootdown", "off"})
  void safeLazyTlbModesPassTheActiveMmChecker(String lazy) {
    for (int i = 0; i < 4; i++) {
      Runs.Outcome r =
          boot(
              "forkstorm",
              List.of("16", "6"),
              "--cores",
              "8",
              "--lazy-tlb",
              lazy,
              "--seed",
              Integer.toString(i));
      assertEquals(0, r.status(), r.stderr());
      assertEquals(0L, r.run().stats().violations().get(ActiveMmChecker.NAME), r.stderr());
    }
  }

  @Test
  void unsafeLazyTlbIsCaughtByTheChecker() {
    Runs.Outcome r = boot("forkstorm", List.of("16", "6"), "--cores", "8", "--lazy-tlb", "unsafe");
    assertEquals(99, r.status(), r.stderr());
    assertTrue(r.stderr().contains("active_mm checker: hart"), r.stderr());
    assertTrue(r.stderr().contains("still holds it as its active_mm"), r.stderr());
    assertTrue(r.run().stats().violations().get(ActiveMmChecker.NAME) > 0, r.stderr());
  }

  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void forkBombMeetsTheTaskLimitAndTheMachineSurvives(String mode) {
    Runs.Outcome r =
        boot("fault", List.of("forkbomb"), "--cores", "4", "--exec", mode, "--max-tasks", "200");
    assertEquals(0, r.status(), r.stderr());
    assertTrue(r.stdout().contains("fork returned EAGAIN; every process was reaped"), r.stdout());
  }

  @Test
  void asidRolloverKeepsProgramsCorrect() {
    Runs.Outcome r = boot("forkstorm", List.of("8", "4"), "--cores", "4", "--asid-bits", "3");
    assertEquals(0, r.status(), r.stderr());
    assertTrue(
        r.run().stats().machine(MachineCounter.ASID_ROLLOVERS) > 0,
        "no rollover happened: " + r.stderr());
  }

  /**
   * The matrix runs the default fair policy; round robin must run the same programs as correctly.
   */
  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void roundRobinPolicyRunsTheMultitaskingImages(String mode) {
    for (List<String> p :
        List.of(
            List.of("threads"),
            List.of("pipes", "3", "20000"),
            List.of("forkexec"),
            List.of("forkstorm", "8", "3"))) {
      Runs.Outcome r =
          boot(p.get(0), p.subList(1, p.size()), "--cores", "4", "--exec", mode, "--sched", "rr");
      assertEquals(0, r.status(), p + ": " + r.stderr());
    }
  }

  /** Three processes that only compute, on one hart: the scheduler has to time-slice them. */
  @ParameterizedTest
  @ValueSource(strings = {"rr", "fair"})
  void cpuBoundProcessesArePreemptedAndAllFinish(String policy) {
    for (String mode : new String[] {"parallel", "lockstep"}) {
      Runs.Outcome r =
          boot("fault", List.of("hog", "3"), "--cores", "1", "--sched", policy, "--exec", mode);
      assertEquals(0, r.status(), r.stderr());
      assertTrue(
          r.run().stats().machine(MachineCounter.PREEMPTIONS) > 0, "no preemption: " + r.stderr());
    }
  }

  @Test
  void asidOffFlushesOnEverySwitchAndStillRuns() {
    Runs.Outcome r = boot("pipes", List.of("3", "20000"), "--cores", "2", "--asid", "off");
    assertEquals(0, r.status(), r.stderr());
  }
}
