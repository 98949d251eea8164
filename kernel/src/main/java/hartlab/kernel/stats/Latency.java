package hartlab.kernel.stats;

/**
 * The kernel's latency distributions (HdrHistograms), declared once. Those in host nanoseconds
 * measure this host, not the emulated machine: reported beside the others, never in the digest.
 */
public enum Latency {
  SHOOTDOWN_CYCLES("shootdownLatency", "cycles", "a shootdown from its start to its release"),
  SHOOTDOWN_HOST_NANOS("shootdownLatency", "hostNanos", "the same in host time"),
  IPI_CYCLES("ipiLatency", "cycles", "an IPI from its send to its handling on the target"),
  IPI_HOST_NANOS("ipiLatency", "hostNanos", "the same in host time"),
  MUNMAP_CYCLES("munmapLatency", "cycles", "a munmap call from its trap to its return"),
  RCU_GP_CYCLES("rcuGpLatency", "cycles", "an RCU grace period from its start to its end"),
  RCU_SYNC_CYCLES(
      "rcuSyncSleep",
      "cycles",
      "a task's wait in synchronize_rcu or rcu_barrier, from the call to its return"),
  RUN_QUEUE_WAIT_CYCLES(
      "runQueueWait", "cycles", "a runnable task's wait in a run queue until it is picked");

  static final Latency[] ALL = values();

  private final String key;
  private final String unit;
  private final String description;

  Latency(String key, String unit, String description) {
    this.key = key;
    this.unit = unit;
    this.description = description;
  }

  public String key() {
    return key;
  }

  public String unit() {
    return unit;
  }

  public String description() {
    return description;
  }

  /** Whether this measures the host rather than the emulated machine. */
  public boolean measuresHost() {
    return unit.equals("hostNanos");
  }
}
