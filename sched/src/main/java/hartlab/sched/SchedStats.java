package hartlab.sched;

import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * Scheduler counters summed over all harts, and the run-queue wait-time histogram.
 *
 * <p>Every figure is in emulated cycles or counts, so in lockstep mode it is reproducible and may
 * go into the run digest.
 *
 * @param wakeups tasks made runnable by {@code wake} (new tasks included; a wake of a task that was
 *     already runnable is not counted)
 * @param migrations times a task started running on a hart other than the one it last ran on
 * @param idlePulls tasks an idle hart took from another hart's queue in {@code pickNext}
 * @param balancePulls tasks moved by periodic load balancing in {@code tick}
 * @param preemptions {@code requeue} calls with {@code yield == false} (a running task forced off)
 * @param runQueueWait cycles from enqueue to being picked, one value per pick (3 significant
 *     digits); a private copy, both on the way in and out
 */
public record SchedStats(
    long wakeups,
    long migrations,
    long idlePulls,
    long balancePulls,
    long preemptions,
    Histogram runQueueWait) {

  public SchedStats {
    runQueueWait = Objects.requireNonNull(runQueueWait, "runQueueWait").copy();
  }

  /** A copy of the wait histogram (values in cycles). */
  @Override
  public Histogram runQueueWait() {
    return runQueueWait.copy();
  }

  /** Median run-queue wait, in cycles (0 if nothing was picked). */
  public long waitP50() {
    return runQueueWait.getValueAtPercentile(50);
  }

  /** 99th percentile run-queue wait, in cycles. */
  public long waitP99() {
    return runQueueWait.getValueAtPercentile(99);
  }

  /** Longest run-queue wait, in cycles. */
  public long waitMax() {
    return runQueueWait.getMaxValue();
  }

  /** Number of picks recorded in the histogram. */
  public long picks() {
    return runQueueWait.getTotalCount();
  }

  /** One line: the counters and the wait percentiles (not the histogram's buckets). */
  @Override
  public String toString() {
    return "SchedStats[wakeups="
        + wakeups
        + ", migrations="
        + migrations
        + ", idlePulls="
        + idlePulls
        + ", balancePulls="
        + balancePulls
        + ", preemptions="
        + preemptions
        + ", picks="
        + picks()
        + ", waitP50="
        + waitP50()
        + ", waitP99="
        + waitP99()
        + ", waitMax="
        + waitMax()
        + "]";
  }
}
