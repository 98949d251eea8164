package hartlab.kernel.mm;

import hartlab.cpu.Hart;
import java.util.concurrent.CopyOnWriteArrayList;

/** The PTE observers registered with the memory code, called in registration order. */
public final class PteObservers implements PteObserver {
  private final CopyOnWriteArrayList<PteObserver> observers = new CopyOnWriteArrayList<>();

  /** Registers {@code o}; before the harts start. */
  public void add(PteObserver o) {
    observers.add(o);
  }

  @Override
  public void installed(Hart hart, Mm mm, long va, long frame) {
    for (PteObserver o : observers) {
      o.installed(hart, mm, va, frame);
    }
  }
}
