package hartlab.cpu;

/**
 * Virtual-time prices, in cycles of a 1 GHz hart. Every figure hartlab reports in cycles comes from
 * these, so two runs with the same cost model compare exactly. The defaults are round numbers of
 * the right order for a simple in-order core, not measurements of a chip.
 *
 * @param alu integer ALU op, LUI/AUIPC, untaken branch
 * @param branchTaken taken branch or jump
 * @param mul multiply
 * @param div divide or remainder
 * @param load load (a TLB hit)
 * @param store store (a TLB hit)
 * @param atomic LR/SC or AMO on a line this hart owns
 * @param fence FENCE / FENCE.I
 * @param csr CSR read (rdcycle ...)
 * @param walkLevel one page-table level read by the walker on a TLB miss
 * @param trapEntry user-to-kernel trap entry
 * @param trapExit kernel-to-user return
 * @param syscall kernel work of a simple system call, beyond entry and exit
 * @param pageFault kernel work of a page fault, beyond entry and exit
 * @param satpWrite writing satp
 * @param flushAll local flush of the whole TLB
 * @param flushAsid local flush of one ASID
 * @param flushPage local flush of one page
 * @param ipiSend sending one IPI
 * @param ipiDeliver IPI latency from send until the target notices it
 * @param ipiHandle target's work of taking an IPI and running the call function
 * @param contextSwitch scheduler and switch_to path of a context switch, without switch_mm
 * @param remoteAtomic an atomic on a cache line last written by another hart (mm_count traffic)
 * @param timebaseDivider cycles per tick of the time CSR (1 GHz / 10 MHz = 100)
 * @param broadcastFlush one hardware broadcast invalidation reaching every hart (no IPIs)
 */
public record CostModel(
    int alu,
    int branchTaken,
    int mul,
    int div,
    int load,
    int store,
    int atomic,
    int fence,
    int csr,
    int walkLevel,
    int trapEntry,
    int trapExit,
    int syscall,
    int pageFault,
    int satpWrite,
    int flushAll,
    int flushAsid,
    int flushPage,
    int ipiSend,
    int ipiDeliver,
    int ipiHandle,
    int contextSwitch,
    int remoteAtomic,
    int timebaseDivider,
    int broadcastFlush) {

  public static final long CLOCK_HZ = 1_000_000_000L;

  public static final CostModel DEFAULT =
      new CostModel(
          1, 2, 3, 20, 2, 2, 10, 5, 2, 25, 60, 40, 150, 400, 30, 200, 100, 20, 150, 400, 300, 900,
          120, 100, 500);
}
