package hartlab.kernel;

import org.HdrHistogram.Histogram;

/**
 * Shootdown and IPI figures of one hart. Hart-local: only its own thread records; the run's report
 * merges all harts' after the threads ended.
 */
final class FlushStats {
  long shootdowns;

  /**
   * Pages of ranged shootdowns; a full one (over the flush ceiling) counts in {@link
   * #fullShootdowns}.
   */
  long pagesInvalidated;

  long fullShootdowns;
  long broadcasts;
  long deferredApplied;

  /** From a shootdown's start to its release, on the initiator: emulated cycles and host ns. */
  final Histogram shootdownCycles = new Histogram(3);

  final Histogram shootdownNanos = new Histogram(3);

  /** From an IPI's send to its handling on this (target) hart. */
  final Histogram ipiCycles = new Histogram(3);

  final Histogram ipiNanos = new Histogram(3);

  void shootdown(long cycles, long nanos, long pages, boolean full) {
    shootdowns++;
    pagesInvalidated += pages;
    if (full) {
      fullShootdowns++;
    }
    shootdownCycles.recordValue(Math.max(0, cycles));
    shootdownNanos.recordValue(Math.max(0, nanos));
  }

  void ipiHandled(long cycles, long nanos) {
    ipiCycles.recordValue(Math.max(0, cycles));
    ipiNanos.recordValue(Math.max(0, nanos));
  }
}
