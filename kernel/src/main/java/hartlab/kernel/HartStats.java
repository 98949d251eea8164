package hartlab.kernel;

import hartlab.mmu.TlbStats;

/**
 * Counters of one hart over a run.
 *
 * @param cycles the hart's virtual clock at the end
 * @param idleCycles the part of it that passed with nothing to run (lockstep rounds, skipped idle
 *     time)
 */
public record HartStats(
    int hart,
    long instructions,
    long cycles,
    long idleCycles,
    TlbStats tlb,
    long pageWalks,
    long pageFaults,
    long syscalls,
    long syscallRestarts,
    long traps,
    long contextSwitches,
    long ipisSent,
    long ipisReceived) {

  /** Cycles spent running tasks or kernel code, or waiting for other harts. */
  public long busyCycles() {
    return cycles - idleCycles;
  }
}
