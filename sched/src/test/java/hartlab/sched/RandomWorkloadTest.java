package hartlab.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RandomWorkloadTest {
  private static final SchedConfig CONFIG =
      new SchedConfig(1_000_000, 300_000, 400_000, 3, 200_000);

  @ParameterizedTest(name = "{0} harts={1} seed={2}")
  @CsvSource({
    "RR, 1, 1", "RR, 4, 2", "RR, 8, 3", "RR, 64, 4",
    "FAIR, 1, 5", "FAIR, 4, 6", "FAIR, 8, 7", "FAIR, 64, 8",
  })
  void affinityIsNeverViolatedAndNoTaskIsLost(Policy p, int harts, long seed) {
    RandomWorkload w = new RandomWorkload(p, harts, 3 * harts + 5, seed, CONFIG).run(200_000);
    assertTrue(w.picks > 1000, "workload too idle: " + w.picks + " picks");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"RR", "FAIR"})
  void sameCallsSameDecisions(Policy p) {
    RandomWorkload a = new RandomWorkload(p, 8, 30, 42, CONFIG).run(100_000);
    RandomWorkload b = new RandomWorkload(p, 8, 30, 42, CONFIG).run(100_000);
    assertEquals(a.trace.size(), b.trace.size());
    for (int i = 0; i < a.trace.size(); i++) {
      assertEquals(a.trace.get(i), b.trace.get(i), "first difference at step " + i);
    }
    assertEquals(a.sched.stats(), b.sched.stats());
    SchedStats st = a.sched.stats();
    assertTrue(
        st.migrations() > 0 && st.idlePulls() > 0 && st.balancePulls() > 0 && st.preemptions() > 0,
        st.toString());
  }
}
