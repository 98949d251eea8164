package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.stats.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Programs built with Debian's riscv64-linux-gnu-gcc and its defaults ({@code -static -O2}, glibc,
 * lp64d) print the same and exit with the same status on hartlab, in both execution modes, as under
 * qemu-riscv64: signal handlers and frames ({@code signals.c}), SIGCHLD, waitpid and interrupted
 * system calls ({@code children.c}), 8 pthreads on 4 harts ({@code threads.c}), printf, libm,
 * setjmp and malloc ({@code basics.c}), signal misuse ending in SIGSEGV ({@code sigabuse.c}),
 * posix_spawn with fork + exec ({@code spawn.c}), and /proc listed and its maps read ({@code
 * procfs.c}). Skipped where the cross compiler, its glibc or qemu is missing.
 */
class GlibcProgramsTest {
  @TempDir static Path dir;

  private static final Map<String, Runs.Outcome> QEMU = new HashMap<>();

  @BeforeAll
  static void build() throws Exception {
    Glibc.assumeToolchain();
    for (String name :
        List.of("signals", "children", "threads", "basics", "sigabuse", "spawn", "procfs")) {
      Glibc.build(name, dir.resolve(name));
    }
  }

  /** Program, its arguments, and the harts to run it on. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("signals", List.of(), 2),
        Arguments.of("children", List.of(), 2),
        Arguments.of("threads", List.of(), 4),
        Arguments.of("basics", List.of(), 2),
        Arguments.of("procfs", List.of(), 2),
        Arguments.of("sigabuse", List.of("garbage"), 2),
        Arguments.of("sigabuse", List.of("badstack"), 2),
        Arguments.of("sigabuse", List.of("recurse"), 2),
        Arguments.of("sigabuse", List.of("storm"), 2));
  }

  @ParameterizedTest(name = "{0} {1} on {2} harts")
  @MethodSource("cases")
  void sameAsQemuInBothModes(String program, List<String> args, int harts) throws Exception {
    Runs.Outcome reference = qemu(program, args);
    for (String mode : List.of("parallel", "lockstep")) {
      Runs.Outcome ours = hartlab(program, args, harts, mode);
      assertEquals(
          reference.stdout(),
          ours.stdout(),
          program + " " + args + " in " + mode + "; hartlab's stderr: " + ours.stderr());
      assertEquals(
          reference.status(),
          ours.status(),
          program + " " + args + " in " + mode + "; hartlab's stderr: " + ours.stderr());
    }
  }

  /**
   * Signals in lockstep are part of the reproducible run: the same program gives the same digest
   * twice, and the handlers it entered are counted (signals.c enters at least 15).
   */
  @Test
  void signalRunsAreReproducibleInLockstepAndCounted() {
    for (String program : List.of("signals", "children")) {
      Runs.Outcome first = hartlab(program, List.of(), 2, "lockstep");
      Runs.Outcome second = hartlab(program, List.of(), 2, "lockstep");
      assertEquals(
          first.run().digest(), second.run().digest(), program + ": same run, same digest");
      long delivered = first.run().stats().total(Counter.SIGNALS_DELIVERED);
      assertTrue(delivered >= (program.equals("signals") ? 15 : 5), program + ": " + delivered);
    }
  }

  /**
   * posix_spawn and fork + exec of a built-in image. qemu-riscv64 cannot exec a RISC-V program from
   * the guest, so the reference is composed: the lines spawn prints around the child, with the
   * child's output from running the image under qemu directly.
   */
  @Test
  void spawnAndForkExecRunABuiltInImage() throws Exception {
    Runs.Outcome hello = Runs.qemu(Runs.extract("hello", dir), List.of("from", "spawn"));
    String expected =
        "posix_spawn /bin/hello\n"
            + hello.stdout()
            + "posix_spawn: exited "
            + hello.status()
            + "\nfork+exec /bin/hello\n"
            + hello.stdout()
            + "fork+exec: exited "
            + hello.status()
            + "\n";
    for (String mode : List.of("parallel", "lockstep")) {
      Runs.Outcome ours = hartlab("spawn", List.of("/bin/hello", "from", "spawn"), 2, mode);
      assertEquals(expected, ours.stdout(), mode + "; hartlab's stderr: " + ours.stderr());
      assertEquals(0, ours.status(), ours.stderr());
    }
  }

  /**
   * Spawning a program that does not exist: fork + exec fails in the child as under qemu, and
   * posix_spawn reports ENOENT to the caller, as on Linux, where its CLONE_VFORK child shares the
   * caller's memory (qemu-user runs that child as a fork, so there the error only shows as exit
   * status 127).
   */
  @Test
  void spawnOfAMissingProgramFailsAsOnLinux() throws Exception {
    List<String> args = List.of("/no/such/program");
    Runs.Outcome reference = qemu("spawn", args);
    assertTrue(reference.stdout().contains("posix_spawn: exited 127\n"), reference.stdout());
    String expected =
        reference.stdout().replace("posix_spawn: exited 127\n", "posix_spawn: error 2\n");
    for (String mode : List.of("parallel", "lockstep")) {
      Runs.Outcome ours = hartlab("spawn", args, 2, mode);
      assertEquals(expected, ours.stdout(), mode + "; hartlab's stderr: " + ours.stderr());
      assertEquals(reference.status(), ours.status(), ours.stderr());
    }
  }

  /**
   * Booted by a relative path, as a user types it ({@code hartlab boot ./a.out}): glibc's start-up
   * asserts that /proc/self/exe is absolute, so the first program's link must be made absolute.
   */
  @Test
  void aProgramBootedByARelativePathStarts() throws Exception {
    Path relative = Path.of("target", "relative-boot", "procfs"); // from the module's directory
    Files.createDirectories(relative.getParent());
    Files.copy(dir.resolve("procfs"), relative, StandardCopyOption.REPLACE_EXISTING);
    Runs.Outcome ours =
        Runs.hartlab("boot", relative.toString(), "--cores", "2", "--stats", "none");
    assertEquals(qemu("procfs", List.of()).stdout(), ours.stdout(), ours.stderr());
    assertEquals(0, ours.status(), ours.stderr());
  }

  private static Runs.Outcome qemu(String program, List<String> args) throws Exception {
    String key = program + " " + args;
    Runs.Outcome cached = QEMU.get(key);
    if (cached == null) {
      cached = Runs.qemu(dir.resolve(program), args);
      QEMU.put(key, cached);
    }
    return cached;
  }

  private static Runs.Outcome hartlab(String program, List<String> args, int harts, String mode) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "boot",
                dir.resolve(program).toString(),
                "--cores",
                Integer.toString(harts),
                "--exec",
                mode,
                "--stats",
                "none",
                "--"));
    cmd.addAll(args);
    return Runs.hartlab(cmd.toArray(String[]::new));
  }
}
