package hartlab.kernel.tlb;

import hartlab.kernel.mm.Mmap;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PageTable;

/**
 * The TLB subsystem's parts, built together: per-hart TLB state, the hook points for checkers, the
 * ASID allocator (null when ASIDs are off), the flush entry point and speculative walks. The switch
 * code comes later ({@link #mmSwitch}): it tears address spaces down through the memory subsystem,
 * which is built on the flush entry point.
 */
public record TlbManagement(
    TlbStates states,
    TlbObservers observers,
    AsidAllocator asids,
    TlbFlush flush,
    SpeculativeWalks walks) {

  /** Settings of the TLB subsystem, from the machine's configuration. */
  public record Options(
      int flushCeiling, boolean asids, int asidBits, boolean speculativeWalks, long seed) {}

  public static TlbManagement create(
      Options o,
      int harts,
      ShootdownStrategy strategy,
      PageTable pageTable,
      Ipis ipis,
      CpuStates cpus,
      Counters counters) {
    TlbStates states = new TlbStates(harts);
    TlbObservers observers = new TlbObservers();
    AsidAllocator asids = o.asids() ? new AsidAllocator(o.asidBits(), harts) : null;
    TlbFlush flush =
        new TlbFlush(
            o.flushCeiling(), strategy, pageTable, ipis, states, cpus, asids, counters, observers);
    return new TlbManagement(
        states,
        observers,
        asids,
        flush,
        new SpeculativeWalks(o.speculativeWalks(), o.seed(), harts));
  }

  /** switch_mm for {@code mode}, loading {@code kernelSatp} when a hart holds no user mm. */
  public MmSwitch mmSwitch(
      LazyTlbMode mode, long kernelSatp, FrameAllocator frames, Mmap mmap, Counters counters) {
    return new MmSwitch(
        mode, asids, kernelSatp, frames, mmap, flush, states, walks, observers, counters);
  }
}
