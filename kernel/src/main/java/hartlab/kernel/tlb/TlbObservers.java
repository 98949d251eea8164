package hartlab.kernel.tlb;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import java.util.concurrent.CopyOnWriteArrayList;

/** The observers registered with the TLB code, called in registration order. */
public final class TlbObservers implements TlbObserver {
  private final CopyOnWriteArrayList<TlbObserver> observers = new CopyOnWriteArrayList<>();

  /** Registers {@code o}; before the harts start. */
  public void add(TlbObserver o) {
    observers.add(o);
  }

  @Override
  public void shootdownReleased(Hart initiator, TlbShootdown s, long deferred, long catchUp) {
    for (TlbObserver o : observers) {
      o.shootdownReleased(initiator, s, deferred, catchUp);
    }
  }

  @Override
  public void mmFreed(Hart hart, Mm mm) {
    for (TlbObserver o : observers) {
      o.mmFreed(hart, mm);
    }
  }

  @Override
  public void switchingFrom(Hart hart, Mm prev) {
    for (TlbObserver o : observers) {
      o.switchingFrom(hart, prev);
    }
  }
}
