package hartlab.kernel.stats;

/** Figures of the whole machine that no one hart owns. */
public enum MachineCounter {
  TASKS_CREATED("tasksCreated", "tasks", "tasks created (the first one and every clone)"),
  ASID_ROLLOVERS("asidRollovers", "rollovers", "ASID generation rollovers"),
  WAKEUPS("wakeups", "tasks", "tasks placed on a run queue by a wake-up"),
  MIGRATIONS("migrations", "tasks", "tasks moved to another hart's run queue"),
  IDLE_PULLS("idlePulls", "tasks", "tasks an idle hart pulled from a busy one"),
  BALANCE_PULLS("balancePulls", "tasks", "tasks moved by periodic load balancing"),
  PREEMPTIONS("preemptions", "tasks", "running tasks preempted (tick or wake-up)"),
  KERNEL_MEMORY_PEAK(
      "kernelMemoryPeak",
      "bytes",
      "the most kernel memory charged at once: tasks, processes, VMAs, descriptor tables, open"
          + " files, pipes and their pages"),
  KERNEL_MEMORY_REFUSALS(
      "kernelMemoryRefusals",
      "allocations",
      "kernel allocations refused because the machine's memory was exhausted");

  static final MachineCounter[] ALL = values();

  private final String key;
  private final String unit;
  private final String description;

  MachineCounter(String key, String unit, String description) {
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
}
