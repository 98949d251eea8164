package hartlab.kernel.check;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.PteObserver;
import hartlab.kernel.mm.PteObservers;
import hartlab.kernel.mm.VmaLocks;
import hartlab.kernel.mm.VmaUseCheck;
import hartlab.kernel.rcu.RcuObserver;
import hartlab.kernel.rcu.TreeRcu;
import hartlab.kernel.tlb.TlbObserver;
import hartlab.kernel.tlb.TlbObservers;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.TableReadCheck;

/** The hook points a {@link Checker} may register with. */
public final class CheckerHooks {
  private final TlbObservers tlb;
  private final PteObservers ptes;
  private final Hart[] harts;
  private final FrameAllocator frames;
  private final VmaLocks vmaLocks;
  private final TreeRcu rcu;

  public CheckerHooks(
      TlbObservers tlb,
      PteObservers ptes,
      Hart[] harts,
      FrameAllocator frames,
      VmaLocks vmaLocks,
      TreeRcu rcu) {
    this.tlb = tlb;
    this.ptes = ptes;
    this.harts = harts;
    this.frames = frames;
    this.vmaLocks = vmaLocks;
    this.rcu = rcu;
  }

  /** Every area a lockless page fault uses, and every freed VMA-tree node a walk reaches. */
  public void onVmaUse(VmaUseCheck check) {
    vmaLocks.setCheck(check);
  }

  /** RCU readers, callbacks, and accesses to objects freed through RCU. */
  public void onRcu(RcuObserver observer) {
    rcu.addObserver(observer);
  }

  /** Every PTE the memory code installs. */
  public void onPteInstalled(PteObserver observer) {
    ptes.add(observer);
  }

  /** Shootdown releases and address-space switches. */
  public void onTlb(TlbObserver observer) {
    tlb.add(observer);
  }

  /** Every page-table read of hart {@code hart}'s walker, real or speculative. */
  public void onTableRead(int hart, TableReadCheck check) {
    harts[hart].mmu().setTableReadCheck(check);
  }

  /** Every frame freed, before it can be reused. */
  public void onFrameFreed(FrameAllocator.FreeListener listener) {
    frames.addFreeListener(listener);
  }

  public Hart[] harts() {
    return harts.clone();
  }

  public FrameAllocator frames() {
    return frames;
  }

  public Hart hart(int id) {
    return harts[id];
  }

  public int hartCount() {
    return harts.length;
  }
}
