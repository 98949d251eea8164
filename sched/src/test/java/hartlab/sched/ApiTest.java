package hartlab.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiTest {
  @Test
  void policyParsesItsTwoNamesAndRejectsOthersClearly() {
    assertEquals(Policy.RR, Policy.parse("rr"));
    assertEquals(Policy.FAIR, Policy.parse(" FAIR "));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Policy.parse("cfs"));
    assertTrue(
        e.getMessage().contains("'cfs'") && e.getMessage().contains("'fair'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Policy.parse(null));
  }

  @Test
  void entityDefaultsAndNiceWeights() {
    SchedEntity e = new SchedEntity(7, 0);
    assertEquals(7, e.id());
    assertEquals(-1L, e.affinity());
    assertEquals(-1, e.lastHart());
    assertEquals(0, e.vruntime());
    assertFalse(e.isQueued());
    assertEquals(1024, e.weight());
    assertEquals(88761, new SchedEntity(1, -20).weight());
    assertEquals(335, new SchedEntity(1, 5).weight());
    assertEquals(15, new SchedEntity(1, 19).weight());
    assertThrows(IllegalArgumentException.class, () -> new SchedEntity(1, 20));
    assertThrows(IllegalArgumentException.class, () -> new SchedEntity(1, -21));
    assertThrows(IllegalArgumentException.class, () -> e.setAffinity(0));
  }

  @Test
  void configValidatesAndHasDefaults() {
    SchedConfig d = SchedConfig.defaults();
    assertEquals(4_000_000, d.timeSliceCycles());
    assertEquals(750_000, d.minGranularityCycles());
    assertEquals(1_000_000, d.wakeupGranularityCycles());
    assertEquals(4, d.balanceIntervalTicks());
    assertThrows(IllegalArgumentException.class, () -> new SchedConfig(0, 0, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new SchedConfig(1, -1, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Scheduler<TestTask>(Policy.RR, 65, d));
    assertThrows(IllegalArgumentException.class, () -> new Scheduler<TestTask>(Policy.RR, 0, d));
  }

  @Test
  void calcDeltaFairIsExactWithoutOverflow() {
    assertEquals(1000, SchedEntity.calcDeltaFair(1000, 1024));
    assertEquals(1000L * 1024 / 335, SchedEntity.calcDeltaFair(1000, 335));
    long big = Long.MAX_VALUE / 2;
    assertEquals(
        java.math.BigInteger.valueOf(big)
            .multiply(java.math.BigInteger.valueOf(1024))
            .divide(java.math.BigInteger.valueOf(88761))
            .longValueExact(),
        SchedEntity.calcDeltaFair(big, 88761));
  }

  @Test
  void contractViolationsSayWhoAndWhy() {
    Scheduler<TestTask> s = new Scheduler<>(Policy.RR, 2, SchedConfig.defaults());
    TestTask a = new TestTask(1);
    TestTask b = new TestTask(2);
    s.wake(a, -1, 0);
    s.wake(b, -1, 0);
    assertEquals(a, s.pickNext(0, 0));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> s.requeue(b, 1, 10, 10, false));
    assertTrue(e.getMessage().startsWith("requeue: task 2"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> s.pickNext(0, 0));
    assertThrows(IllegalStateException.class, () -> s.tick(0, null, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> s.pickNext(2, 0));
    Scheduler<TestTask> other = new Scheduler<>(Policy.RR, 2, SchedConfig.defaults());
    assertThrows(IllegalArgumentException.class, () -> other.wake(a, -1, 0));
  }
}
