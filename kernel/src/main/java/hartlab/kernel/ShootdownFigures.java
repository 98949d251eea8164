package hartlab.kernel;

import org.HdrHistogram.Histogram;

/**
 * Shootdown figures of a run: counts, and latency percentiles in emulated cycles (comparable across
 * runs) and host ns (which measure this host, and are never mixed into the digest).
 */
public record ShootdownFigures(
    long shootdowns,
    long pagesInvalidated,
    long fullShootdowns,
    long broadcasts,
    long deferredApplied,
    Latency cycles,
    Latency hostNanos,
    Latency ipiCycles,
    Latency ipiHostNanos) {

  /** p50, p99 and maximum of one histogram. */
  public record Latency(long p50, long p99, long max, long count) {
    static Latency of(Histogram h) {
      return new Latency(
          h.getValueAtPercentile(50),
          h.getValueAtPercentile(99),
          h.getMaxValue(),
          h.getTotalCount());
    }
  }

  static ShootdownFigures of(FlushStats s) {
    return new ShootdownFigures(
        s.shootdowns,
        s.pagesInvalidated,
        s.fullShootdowns,
        s.broadcasts,
        s.deferredApplied,
        Latency.of(s.shootdownCycles),
        Latency.of(s.shootdownNanos),
        Latency.of(s.ipiCycles),
        Latency.of(s.ipiNanos));
  }
}
