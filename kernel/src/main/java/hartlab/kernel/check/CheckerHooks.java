package hartlab.kernel.check;

import hartlab.cpu.Hart;
import hartlab.kernel.tlb.TlbObserver;
import hartlab.kernel.tlb.TlbObservers;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.TableReadCheck;

/** The hook points a {@link Checker} may register with. */
public final class CheckerHooks {
  private final TlbObservers tlb;
  private final Hart[] harts;
  private final FrameAllocator frames;

  public CheckerHooks(TlbObservers tlb, Hart[] harts, FrameAllocator frames) {
    this.tlb = tlb;
    this.harts = harts;
    this.frames = frames;
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

  public Hart hart(int id) {
    return harts[id];
  }

  public int harts() {
    return harts.length;
  }
}
