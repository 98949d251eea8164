package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import hartlab.kernel.check.VmaIdentityChecker;
import hartlab.kernel.stats.Counter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The per-VMA lock's broken read sides ({@code --break}) caught under stress in parallel mode,
 * where nothing scripts the interleaving: {@code vmareuse} on 8 free-running harts, readers
 * faulting on a region whose area a changer keeps replacing while a fresh mapping (of this mm or of
 * a forked child's) takes the freed area from the pool at once; {@code --vma-lookup-delay} widens
 * the window between a fault's lookup and its reference to a millisecond of host time, longer than
 * the changer's mprotect and mmap take, on a host with a core per hart as on a crowded one. Each
 * attempt is a fresh run; a broken read side must be caught within a few, and the same stress
 * without the break must run clean while its re-check visibly catches reuse.
 */
class VmaBreakStressTest {
  private static final List<String> SCENARIO = List.of("6", "100", "8");
  private static final String EXPECTED =
      "vmareuse: 6 readers, 100 rounds, 8 pages: all reads zero, side pages ok\n";
  private static final int ATTEMPTS = 5;
  private static final long BUDGET_NANOS = 30_000_000_000L;

  private static Runs.Outcome stress(String broken) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "boot",
                "vmareuse",
                "--cores",
                "8",
                "--exec",
                "parallel",
                "--vma-lookup-delay",
                "1000000",
                "--break",
                broken,
                "--stats",
                "json",
                "--timeout",
                "60s",
                "--"));
    cmd.addAll(SCENARIO);
    return Runs.hartlab(cmd.toArray(String[]::new));
  }

  @ParameterizedTest
  @ValueSource(strings = {"vma-recheck", "vma-acquire"})
  void brokenReadSideIsCaughtUnderParallelStress(String broken) {
    long deadline = System.nanoTime() + BUDGET_NANOS;
    List<String> missed = new ArrayList<>();
    for (int attempt = 1; attempt <= ATTEMPTS && System.nanoTime() - deadline < 0; attempt++) {
      Runs.Outcome r = stress(broken);
      if (r.status() == 99 && r.stderr().contains("VMA-identity checker: hart")) {
        assertTrue(r.run().stats().violations().get(VmaIdentityChecker.NAME) > 0, r.stderr());
        return;
      }
      missed.add(
          "attempt "
              + attempt
              + ": status "
              + r.status()
              + ", violations "
              + (r.result() == null ? "-" : r.run().stats().violations()));
    }
    fail("--break " + broken + " not caught by the VMA-identity checker: " + missed);
  }

  @Test
  void theSameStressWithoutABreakIsCleanAndItsRecheckCatchesReuse() {
    Runs.Outcome r = stress("none");
    assertEquals(0, r.status(), r.stderr());
    assertEquals(EXPECTED, r.stdout(), r.stderr());
    assertTrue(
        r.run().stats().violations().values().stream().allMatch(n -> n == 0),
        "violations " + r.run().stats().violations());
    long reused = r.run().stats().total(Counter.VMA_RECHECK_RANGE);
    assertTrue(reused > 0, "no fault found its area reused: the scenario does not stress");
  }
}
