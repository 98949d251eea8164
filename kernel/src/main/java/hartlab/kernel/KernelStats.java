package hartlab.kernel;

import hartlab.sched.SchedStats;

/** Machine-wide counters of the kernel. */
public record KernelStats(
    SchedStats sched,
    long asidRollovers,
    long activeMmViolations,
    long tasksCreated,
    String shootdownStrategy,
    ShootdownFigures shootdown) {}
