package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.check.FreedTableChecker;
import hartlab.kernel.check.StaleTranslationChecker;
import hartlab.kernel.tlb.shootdown.ShootdownStrategies;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLB shootdowns: every strategy, on 1 to 8 harts, in both execution modes, on the shootdown
 * workloads, with every checker and speculative walks on; broken strategies get caught; a strategy
 * from a separate jar is found by name.
 */
class ShootdownTest {
  @TempDir static Path dir;
  private static final Map<String, Runs.Outcome> QEMU = new ConcurrentHashMap<>();

  /** Every strategy hartlab ships, found as users find them; the broken test ones left out. */
  static final List<String> STRATEGIES =
      ShootdownStrategies.all(ShootdownTest.class.getClassLoader()).stream()
          .map(ShootdownStrategy::name)
          .filter(name -> !name.startsWith("test-"))
          .toList();

  static Stream<Arguments> matrix() {
    List<List<String>> workloads =
        List.of(
            List.of("mmapstorm", "8", "30", "4"),
            List.of("cowstorm", "4", "16"),
            List.of("forkstorm", "8", "3"));
    List<Arguments> out = new ArrayList<>();
    for (String strategy : STRATEGIES) {
      for (List<String> w : workloads) {
        for (int cores : new int[] {1, 2, 4, 8}) {
          for (String mode : new String[] {"parallel", "lockstep"}) {
            out.add(Arguments.of(strategy, w, cores, mode));
          }
        }
      }
    }
    return out.stream();
  }

  private static Runs.Outcome boot(String image, List<String> guestArgs, String... options) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "boot",
                image,
                "--stats",
                "json",
                "--timeout",
                "120s",
                "--speculative-walks",
                "on"));
    cmd.addAll(List.of(options));
    cmd.add("--");
    cmd.addAll(guestArgs);
    return Runs.hartlab(cmd.toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0}: {1} on {2} harts, {3}")
  @MethodSource("matrix")
  void strategyKeepsEveryWorkloadCorrectAndCheckersQuiet(
      String strategy, List<String> workload, int cores, String mode) {
    String image = workload.get(0);
    List<String> args = workload.subList(1, workload.size());
    Runs.Outcome ours =
        boot(
            image,
            args,
            "--shootdown",
            strategy,
            "--cores",
            Integer.toString(cores),
            "--exec",
            mode);
    Runs.Outcome reference =
        QEMU.computeIfAbsent(
            String.join(" ", workload),
            k -> {
              try {
                return Runs.qemu(Runs.extract(image, dir), args);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertEquals(reference.stdout(), ours.stdout(), ours.stderr());
    assertEquals(reference.status(), ours.status(), ours.stderr());
    assertEquals(strategy, ours.run().stats().labels().get("shootdown"), ours.stderr());
  }

  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void strategyThatSkipsAnIpiIsCaughtByTheCoherenceChecker(String mode) {
    Runs.Outcome r =
        boot(
            "mprotect-toggle",
            List.of(),
            "--shootdown",
            "test-skips-one-ipi",
            "--cores",
            "4",
            "--exec",
            mode);
    assertEquals(99, r.status(), r.stderr());
    assertTrue(r.stderr().contains("TLB coherence checker: hart"), r.stderr());
    assertTrue(r.stderr().contains("under strategy 'test-skips-one-ipi'"), r.stderr());
  }

  /**
   * Lockstep catches it deterministically; free-running harts only when a lazy hart walks inside
   * the window, so that run gets a workload with many windows.
   */
  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void strategyThatFreesTablesUnderLazyHartsIsCaughtByTheFreedTableChecker(String mode) {
    Runs.Outcome r =
        boot(
            "forkstorm",
            List.of("16", "25"),
            "--shootdown",
            "test-frees-tables-under-lazy-harts",
            "--cores",
            "4",
            "--exec",
            mode);
    assertEquals(99, r.status(), r.stderr());
    assertTrue(r.stderr().contains("freed-page-table checker: "), r.stderr());
    assertTrue(r.run().stats().violations().get(FreedTableChecker.NAME) > 0, r.stderr());
  }

  static Stream<Arguments> strategiesAndModes() {
    List<Arguments> out = new ArrayList<>();
    for (String strategy : STRATEGIES) {
      for (String mode : new String[] {"parallel", "lockstep"}) {
        out.add(Arguments.of(strategy, mode));
      }
    }
    return out.stream();
  }

  /**
   * The "synchronize_rcu in munmap?" hazard: a range munmapped and mapped again with MAP_FIXED
   * while another hart, spinning without system calls, still caches the old translation. No
   * strategy may let that hart read the old frame.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("strategiesAndModes")
  void noStrategyLetsAnAddressBeReusedUnderAStaleTranslation(String strategy, String mode) {
    Runs.Outcome r =
        boot("staletlb", List.of("100"), "--shootdown", strategy, "--cores", "2", "--exec", mode);
    assertEquals(0, r.status(), r.stderr());
    assertTrue(r.stdout().contains("staletlb: 0 stale reads, 0 wrong values"), r.stdout());
    assertEquals(0L, r.run().stats().violations().get(StaleTranslationChecker.NAME), r.stderr());
  }

  /** Deferral without the reuse barrier: caught by the stale-translation checker in both modes. */
  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void strategyThatReusesEarlyIsCaughtByTheStaleTranslationChecker(String mode) {
    Runs.Outcome r =
        boot(
            "staletlb",
            List.of("100"),
            "--shootdown",
            "test-reuses-early",
            "--cores",
            "2",
            "--exec",
            mode);
    assertEquals(99, r.status(), r.stderr());
    assertTrue(r.stderr().contains("stale-translation checker: hart"), r.stderr());
    assertTrue(r.run().stats().violations().get(StaleTranslationChecker.NAME) > 0, r.stderr());
  }

  /** Without the checker the hole is real: the reader does see the old frame. */
  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void reusingEarlyReallyLetsTheReaderSeeTheOldFrame(String mode) {
    Runs.Outcome r =
        boot(
            "staletlb",
            List.of("100"),
            "--shootdown",
            "test-reuses-early",
            "--check",
            "off",
            "--cores",
            "2",
            "--exec",
            mode);
    assertEquals(1, r.status(), r.stdout() + r.stderr());
    assertTrue(!r.stdout().contains("staletlb: 0 stale reads"), r.stdout());
  }

  @Test
  void unknownStrategyIsAUsageErrorListingTheKnownOnes() {
    Runs.Outcome r = Runs.hartlab("boot", "hello", "--shootdown", "nope");
    assertEquals(64, r.status());
    assertTrue(
        r.stderr().contains("known are ipi-sync, ipi-concurrent, lazy-skip, deferred, broadcast, "),
        "built-in strategies first: " + r.stderr());
  }

  /**
   * The README's recipe: compile the example against hartlab's jar, jar it with its service file,
   * put it on the class path.
   */
  @Test
  void userStrategyFromASeparateJarIsFoundByName() throws Exception {
    // hartlab's own classes as this test sees them: no dependence on a jar some earlier build
    // left in cli/target.
    String hartlab = System.getProperty("java.class.path");
    Path example = Path.of("..").toAbsolutePath().normalize().resolve("docs/examples/ipi-serial");
    assertTrue(Files.isDirectory(example), "the README's example is missing: " + example);
    Path classes = Files.createDirectories(dir.resolve("plugin-classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int rc =
        javac.run(
            null,
            null,
            errors,
            "-cp",
            hartlab,
            "-d",
            classes.toString(),
            example.resolve("IpiSerialShootdown.java").toString());
    assertEquals(0, rc, errors.toString(StandardCharsets.UTF_8));
    Path jar = dir.resolve("ipi-serial.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("IpiSerialShootdown.class"));
      out.write(Files.readAllBytes(classes.resolve("IpiSerialShootdown.class")));
      out.putNextEntry(
          new JarEntry("META-INF/services/hartlab.kernel.tlb.shootdown.ShootdownStrategy"));
      out.write(
          Files.readAllBytes(
              example.resolve("META-INF/services/hartlab.kernel.tlb.shootdown.ShootdownStrategy")));
    }
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports",
                "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp",
                hartlab + java.io.File.pathSeparator + jar,
                "hartlab.cli.Cli",
                "boot",
                "mmapstorm",
                "--cores",
                "4",
                "--shootdown",
                "ipi-serial",
                "--stats",
                "json",
                "--",
                "4",
                "20",
                "4")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("\"shootdown\" : \"ipi-serial\""), output);
    assertTrue(output.contains("all checks ok"), output);
  }
}
