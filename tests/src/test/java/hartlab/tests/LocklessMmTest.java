package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.stats.Counter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lockless mm on 8 harts: the VMA workloads under every munmap scheme that is meant to work and
 * every shootdown strategy, in both modes, against qemu; the per-VMA lock's share of faults; the
 * re-validation path forced and counted; the broken switches and scheme caught.
 */
class LocklessMmTest {
  @TempDir static Path dir;
  private static final Map<String, Runs.Outcome> QEMU = new ConcurrentHashMap<>();

  static Stream<Arguments> matrix() {
    List<List<String>> workloads =
        List.of(
            List.of("mmapstorm", "8", "12", "4"),
            List.of("cowstorm", "4", "8"),
            List.of("forkstorm", "8", "2"),
            List.of("mapsrace", "6", "32"));
    List<Arguments> out = new ArrayList<>();
    for (String scheme : new String[] {"sync-rcu", "dead-entry"}) {
      for (String strategy : ShootdownTest.STRATEGIES) {
        for (List<String> w : workloads) {
          for (String mode : new String[] {"parallel", "lockstep"}) {
            out.add(Arguments.of(scheme, strategy, w, mode));
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
                "--cores",
                "8",
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

  private static Runs.Outcome qemu(String image, List<String> args) {
    return QEMU.computeIfAbsent(
        image + " " + args,
        k -> {
          try {
            Path elf = Runs.extract(image, dir);
            return image.equals("mapsrace") ? Runs.qemuMapsrace(elf, args) : Runs.qemu(elf, args);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @ParameterizedTest(name = "{0}, {1}: {2}, {3}")
  @MethodSource("matrix")
  void workloadsStayCorrectAndCheckersQuiet(
      String scheme, String strategy, List<String> workload, String mode) {
    String image = workload.get(0);
    List<String> args = workload.subList(1, workload.size());
    Runs.Outcome ours =
        boot(image, args, "--munmap-scheme", scheme, "--shootdown", strategy, "--exec", mode);
    Runs.Outcome reference = qemu(image, args);
    assertEquals(reference.stdout(), ours.stdout(), ours.stderr());
    assertEquals(reference.status(), ours.status(), ours.stderr());
    assertEquals(scheme, ours.run().stats().labels().get("munmapScheme"), ours.stderr());
  }

  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void mostMmapstormFaultsTakeThePerVmaLock(String mode) {
    Runs.Outcome r = boot("mmapstorm", List.of("8", "20", "4"), "--exec", mode);
    assertEquals(0, r.status(), r.stderr());
    long faults = r.run().stats().total(Counter.PAGE_FAULTS);
    long perVma = r.run().stats().total(Counter.FAULTS_VMA_LOCK);
    assertEquals(faults, perVma + r.run().stats().total(Counter.FAULTS_MMAP_LOCK), r.stderr());
    assertTrue(perVma * 10 > faults * 9, perVma + " of " + faults + " faults per-VMA");
  }

  private static long rechecks(Runs.Outcome r) {
    return r.run().stats().total(Counter.VMA_RECHECK_DETACHED)
        + r.run().stats().total(Counter.VMA_RECHECK_WRITER)
        + r.run().stats().total(Counter.VMA_RECHECK_MM)
        + r.run().stats().total(Counter.VMA_RECHECK_RANGE);
  }

  /**
   * In lockstep a lookup window lets the other harts free and reuse areas between a fault's lookup
   * and its reference: the re-check fails, is counted, and the fault falls back, correctly.
   */
  @org.junit.jupiter.api.Test
  void forcedReuseRunsTheRevalidationPathAndCountsIt() {
    List<String> args = List.of("20", "200");
    Runs.Outcome r = boot("mapsrace", args, "--exec", "lockstep", "--vma-lookup-delay", "50000");
    assertEquals(qemu("mapsrace", args).stdout(), r.stdout(), r.stderr());
    assertEquals(0, r.status(), r.stderr());
    assertTrue(rechecks(r) > 0, "re-check failures: " + rechecks(r));
    assertEquals(
        rechecks(r),
        r.run().stats().total(Counter.VMA_LOCK_FALLBACKS)
            - r.run().stats().total(Counter.VMA_LOOKUP_MISSES));
  }

  @ParameterizedTest
  @ValueSource(strings = {"vma-recheck", "vma-acquire"})
  void brokenReadSidesAreCaughtByTheIdentityChecker(String broken) {
    Runs.Outcome r =
        boot(
            "mapsrace",
            List.of("20", "200"),
            "--exec",
            "lockstep",
            "--vma-lookup-delay",
            "50000",
            "--break",
            broken);
    assertEquals(99, r.status(), r.stderr());
    assertTrue(r.stderr().contains("VMA-identity checker: hart"), r.stderr());
  }

  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void vmaRefcountSchemeIsCaughtByTheFreedTableChecker(String mode) {
    Runs.Outcome r =
        boot("mapsrace", List.of("10", "40"), "--exec", mode, "--munmap-scheme", "vma-refcount");
    assertEquals(99, r.status(), r.stderr());
    assertTrue(r.stderr().contains("freed-page-table checker"), r.stderr());
  }
}
