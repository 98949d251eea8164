package hartlab.kernel;

import hartlab.cpu.Hart;
import hartlab.kernel.check.Violations;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.stats.Statistics;
import hartlab.kernel.syscall.Syscalls;
import hartlab.kernel.tlb.TlbManagement;
import hartlab.sched.SchedStats;
import java.util.Map;

/**
 * Gathers a run's {@link Statistics} from where each figure lives: the harts' counters and
 * hardware, the run queues, the process table, the ASID allocator, the kernel-memory budget, the
 * syscall table and the checkers' sink.
 */
record RunFigures(
    Hart[] harts,
    Counters counters,
    Schedule schedule,
    ProcessTable processes,
    TlbManagement tlb,
    KernelMemory kmem,
    Syscalls syscalls,
    Violations violations,
    Map<String, String> labels) {

  Statistics take() {
    counters.readHardware(harts);
    SchedStats sched = schedule.stats();
    long[] machine = {
      processes.tasksCreated(),
      tlb.asids() == null ? 0 : tlb.asids().rollovers(),
      sched.wakeups(),
      sched.migrations(),
      sched.idlePulls(),
      sched.balancePulls(),
      sched.preemptions(),
      kmem.peak(),
      kmem.refusals()
    };
    return Statistics.of(
        counters,
        machine,
        Map.of(Latency.RUN_QUEUE_WAIT_CYCLES, sched.runQueueWait()),
        syscalls.counts(),
        violations.counts(),
        labels);
  }
}
