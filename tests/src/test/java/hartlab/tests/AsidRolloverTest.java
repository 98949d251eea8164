package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.stats.MachineCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8 row 13: ASID rollover works for the narrow widths {@code --asid-bits} accepts, even with
 * more harts than ASIDs (2 bits on 4 and 8 harts: three user ASIDs, so mms share them; 3 bits on 8
 * harts: seven). forkstorm makes hundreds of short-lived mms on every hart, under every shootdown
 * strategy in both execution modes, with the checkers on: no violation, and the guest sees nothing
 * amiss. Before the fix the coherence checker fired in most parallel runs on two bits.
 */
class AsidRolloverTest {
  private static final List<String> STRATEGIES =
      List.of("ipi-sync", "lazy-skip", "deferred", "ipi-concurrent", "broadcast");

  /** Free-running runs differ from one to the next: each parallel case runs this many times. */
  private static final int PARALLEL_RUNS = 2;

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (int[] width : new int[][] {{2, 4}, {2, 8}, {3, 4}, {3, 8}}) {
      for (String strategy : STRATEGIES) {
        for (String mode : List.of("parallel", "lockstep")) {
          cases.add(Arguments.of(width[0], width[1], strategy, mode));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} bits, {1} harts, {2}, {3}")
  @MethodSource("cases")
  void forkstormRollsOverWithoutViolations(int bits, int cores, String strategy, String mode) {
    int runs = mode.equals("parallel") ? PARALLEL_RUNS : 1; // lockstep repeats itself exactly
    for (int seed = 1; seed <= runs; seed++) {
      Runs.Outcome r =
          Runs.hartlab(
              "boot",
              "forkstorm",
              "--stats",
              "json",
              "--timeout",
              "120s",
              "--cores",
              Integer.toString(cores),
              "--asid-bits",
              Integer.toString(bits),
              "--shootdown",
              strategy,
              "--exec",
              mode,
              "--seed",
              Integer.toString(seed),
              "--",
              "8",
              "4");
      String what = "seed " + seed + ": " + r.stderr();
      assertEquals(0, r.status(), what);
      assertTrue(
          r.run().stats().violations().values().stream().allMatch(n -> n == 0),
          "violations " + r.run().stats().violations() + ", " + what);
      assertTrue(r.stdout().contains("all exited with status 0"), r.stdout());
      assertTrue(
          r.run().stats().machine(MachineCounter.ASID_ROLLOVERS) > 0, "no rollover: " + what);
    }
  }
}
