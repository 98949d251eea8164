package hartlab.sched;

/**
 * Scheduler tunables, in emulated cycles (the default cost model runs 1 cycle = 1 ns).
 *
 * @param timeSliceCycles RR: the time slice. FAIR: the scheduling period (Linux's {@code
 *     sysctl_sched_latency}) that is divided among the waiting tasks by weight to give each its
 *     ideal slice.
 * @param minGranularityCycles FAIR: a task runs at least this long before a tick preempts it, and
 *     no ideal slice is shorter ({@code sysctl_sched_min_granularity}).
 * @param wakeupGranularityCycles FAIR: how far (in nice-0 cycles) a woken task's vruntime must be
 *     behind the current task's to preempt it ({@code sysctl_sched_wakeup_granularity}); half of it
 *     is the sleeper credit a woken task may get.
 * @param balanceIntervalTicks periodic load balancing runs every this many ticks of a hart; 0 turns
 *     it off (idle pulls still happen)
 * @param migrationCostCycles a task that stopped running on a hart less than this long ago is
 *     cache-hot there ({@code sysctl_sched_migration_cost}); balancing prefers to move cold tasks
 */
public record SchedConfig(
    long timeSliceCycles,
    long minGranularityCycles,
    long wakeupGranularityCycles,
    int balanceIntervalTicks,
    long migrationCostCycles) {

  public SchedConfig {
    requireAtLeast("timeSliceCycles", timeSliceCycles, 1);
    requireAtLeast("minGranularityCycles", minGranularityCycles, 0);
    requireAtLeast("wakeupGranularityCycles", wakeupGranularityCycles, 0);
    requireAtLeast("balanceIntervalTicks", balanceIntervalTicks, 0);
    requireAtLeast("migrationCostCycles", migrationCostCycles, 0);
  }

  /**
   * RR slice 4 ms; FAIR period 4 ms, minimum granularity 0.75 ms, wakeup granularity 1 ms; balance
   * every 4 ticks; migration cost 0.5 ms (Linux's defaults where it has one).
   */
  public static SchedConfig defaults() {
    return new SchedConfig(4_000_000, 750_000, 1_000_000, 4, 500_000);
  }

  private static void requireAtLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(
          "SchedConfig: " + name + " must be >= " + min + ", got " + value);
    }
  }
}
