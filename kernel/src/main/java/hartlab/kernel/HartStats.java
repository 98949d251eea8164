package hartlab.kernel;

import hartlab.mmu.TlbStats;

/** Counters of one hart over a run. */
public record HartStats(int hart, long instructions, long cycles, TlbStats tlb, long pageWalks,
    long pageFaults, long syscalls, long syscallRestarts, long traps, long contextSwitches, long ipisSent,
    long ipisReceived) {}
