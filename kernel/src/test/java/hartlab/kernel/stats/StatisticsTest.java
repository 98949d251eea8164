package hartlab.kernel.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The run's statistics: the digest is a function of every figure that does not measure the host, of
 * the outcome and of the labels, and of nothing else; machine totals merge by each figure's
 * declared rule.
 */
class StatisticsTest {
  /** What a run's figures are built from; each test changes one thing. */
  private static final class Run {
    final Counters counters = new Counters(3);
    final long[] machine = new long[MachineCounter.values().length];
    final Map<Latency, Histogram> extra = new HashMap<>();
    final Map<String, Long> syscalls = new HashMap<>(Map.of("write", 4L, "exit", 1L));
    final Map<String, Long> violations = new HashMap<>(Map.of("tlb-coherence", 0L));
    final Map<String, String> labels = new HashMap<>(Map.of("shootdown", "ipi-sync"));

    Run() {
      for (int h = 0; h < 3; h++) {
        for (Counter c : Counter.values()) {
          counters.hart(h).set(c, 10 * h + c.ordinal() + 1);
        }
        counters.hart(h).record(Latency.IPI_CYCLES, 700 + h);
      }
      for (int i = 0; i < machine.length; i++) {
        machine[i] = i + 1;
      }
    }

    Statistics stats() {
      return Statistics.of(counters, machine, extra, syscalls, violations, labels);
    }

    String digest() {
      return stats().digest(Outcome.EXITED, 0);
    }
  }

  private static String digestAfter(Consumer<Run> change) {
    Run r = new Run();
    change.accept(r);
    return r.digest();
  }

  @Test
  void equalFiguresGiveEqualDigests() {
    String d = new Run().digest();
    assertEquals(d, new Run().digest());
    assertEquals(64, d.length(), "SHA-256 in hex");
    assertTrue(d.matches("[0-9a-f]+"));
  }

  @Test
  void everyPerHartFigureIsInTheDigest() {
    String base = new Run().digest();
    Set<String> seen = new HashSet<>();
    for (Counter c : Counter.values()) {
      String d = digestAfter(r -> r.counters.hart(2).add(c));
      assertNotEquals(base, d, c.key() + " on hart 2");
      assertTrue(seen.add(d), c.key() + " digests like another figure");
    }
  }

  @Test
  void everyMachineFigureIsInTheDigest() {
    String base = new Run().digest();
    for (MachineCounter c : MachineCounter.values()) {
      assertNotEquals(base, digestAfter(r -> r.machine[c.ordinal()]++), c.key());
    }
  }

  @Test
  void everyVirtualTimeDistributionIsInTheDigestAndNoHostTimeOne() {
    String base = new Run().digest();
    for (Latency l : Latency.values()) {
      String d = digestAfter(r -> r.counters.hart(0).record(l, 123_456));
      if (l.measuresHost()) {
        assertEquals(base, d, l.key() + " in " + l.unit() + " measures the host");
      } else {
        assertNotEquals(base, d, l.key());
      }
    }
    Histogram wait = new Histogram(3);
    wait.recordValue(42);
    assertNotEquals(
        base,
        digestAfter(r -> r.extra.put(Latency.RUN_QUEUE_WAIT_CYCLES, wait)),
        "the scheduler's run-queue waits merged in");
  }

  @Test
  void syscallsViolationsLabelsAndTheOutcomeAreInTheDigest() {
    String base = new Run().digest();
    assertNotEquals(base, digestAfter(r -> r.syscalls.put("write", 5L)));
    assertNotEquals(base, digestAfter(r -> r.syscalls.put("read", 1L)));
    assertNotEquals(base, digestAfter(r -> r.violations.put("tlb-coherence", 1L)));
    assertNotEquals(base, digestAfter(r -> r.violations.put("active-mm", 0L)), "installed");
    assertNotEquals(base, digestAfter(r -> r.labels.put("shootdown", "deferred")));
    assertNotEquals(base, digestAfter(r -> r.labels.put("lazyTlb", "off")));
    Statistics s = new Run().stats();
    assertNotEquals(base, s.digest(Outcome.VIOLATION, 0));
    assertNotEquals(base, s.digest(Outcome.EXITED, 1));
  }

  @Test
  void theDigestDoesNotDependOnMapOrder() {
    Run a = new Run();
    Run b = new Run();
    b.syscalls.clear();
    b.syscalls.put("exit", 1L);
    b.syscalls.put("write", 4L);
    assertEquals(a.digest(), b.digest());
    assertEquals(List.of("exit", "write"), List.copyOf(b.stats().syscalls().keySet()), "sorted");
  }

  @Test
  void sumsAddUpEveryHartAndBusiestTakesTheBusiestHartsValue() {
    Run r = new Run();
    r.counters.hart(1).set(Counter.BUSY_CYCLES, 1_000_000);
    Statistics s = r.stats();
    for (Counter c : Counter.values()) {
      long expected =
          c.merge() == Counter.Merge.SUM ? r.counters.total(c) : r.counters.hart(1).get(c);
      assertEquals(expected, s.total(c), c.key() + " merges by " + c.merge());
      for (int h = 0; h < 3; h++) {
        assertEquals(r.counters.hart(h).get(c), s.hart(h, c));
      }
    }
    assertEquals(Counter.Merge.BUSIEST, Counter.CYCLES.merge(), "the run's length");
    assertEquals(Counter.Merge.SUM, Counter.INSTRUCTIONS.merge());
    assertEquals(3, s.harts());
  }

  @Test
  void onATieTheFirstBusiestHartCounts() {
    Run r = new Run();
    for (int h = 0; h < 3; h++) {
      r.counters.hart(h).set(Counter.BUSY_CYCLES, 500);
      r.counters.hart(h).set(Counter.CYCLES, 1000 + h);
    }
    assertEquals(1000, r.stats().total(Counter.CYCLES));
  }

  @Test
  void latencySummariesMergeEveryHartAndTheExtras() {
    Run r = new Run();
    Histogram wait = new Histogram(3);
    wait.recordValue(10);
    wait.recordValue(20);
    r.extra.put(Latency.RUN_QUEUE_WAIT_CYCLES, wait);
    Statistics s = r.stats();
    assertEquals(3, s.latency(Latency.IPI_CYCLES).count());
    assertEquals(702, s.latency(Latency.IPI_CYCLES).max(), 1);
    assertEquals(2, s.latency(Latency.RUN_QUEUE_WAIT_CYCLES).count());
    assertEquals(0, s.latency(Latency.SHOOTDOWN_CYCLES).count());
  }

  @Test
  void machineFiguresMustComeInDeclarationOrder() {
    Run r = new Run();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Statistics.of(
                    r.counters, new long[2], r.extra, r.syscalls, r.violations, r.labels));
    assertTrue(e.getMessage().startsWith("Statistics.of"), e.getMessage());
    Statistics s = r.stats();
    assertEquals(
        r.machine[MachineCounter.PREEMPTIONS.ordinal()], s.machine(MachineCounter.PREEMPTIONS));
    assertThrows(UnsupportedOperationException.class, () -> s.labels().put("x", "y"));
    assertThrows(UnsupportedOperationException.class, () -> s.syscalls().clear());
  }

  @Test
  void everyFigureHasItsOwnName() {
    Set<String> keys = new HashSet<>();
    for (Counter c : Counter.values()) {
      assertTrue(keys.add(c.key()), c.key());
      assertTrue(!c.unit().isEmpty() && !c.description().isEmpty());
    }
    for (MachineCounter c : MachineCounter.values()) {
      assertTrue(keys.add(c.key()), c.key());
    }
    Set<String> latencies = new HashSet<>();
    for (Latency l : Latency.values()) {
      assertTrue(latencies.add(l.key() + "." + l.unit()), l.key());
      assertEquals(l.unit().equals("hostNanos"), l.measuresHost());
    }
  }

  @Test
  void hartCountersKeepUnknownSyscallsApartAndClampSkew() {
    HartCounters c = new HartCounters();
    c.countSyscall(64);
    c.countSyscall(-1);
    c.countSyscall(HartCounters.SYSCALL_SLOTS);
    c.countSyscall(1L << 40);
    assertEquals(1, c.syscallCount(64));
    assertEquals(3, c.syscallCount(HartCounters.SYSCALL_SLOTS), "all three unknown");
    c.record(Latency.IPI_CYCLES, -50);
    assertEquals(0, c.histogram(Latency.IPI_CYCLES).getMaxValue(), "clock skew counts as zero");
    c.add(Counter.TRAPS, 5);
    c.add(Counter.TRAPS);
    assertEquals(6, c.get(Counter.TRAPS));
  }
}
