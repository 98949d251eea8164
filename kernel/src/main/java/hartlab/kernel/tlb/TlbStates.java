package hartlab.kernel.tlb;

import hartlab.kernel.mm.Mm;

/** Every hart's {@link TlbState}, shared by the flush and switch code. */
public final class TlbStates {
  private final TlbState[] states;

  public TlbStates(int harts) {
    states = new TlbState[harts];
    for (int i = 0; i < harts; i++) {
      states[i] = new TlbState();
    }
  }

  TlbState[] all() {
    return states;
  }

  TlbState hart(int id) {
    return states[id];
  }

  public int harts() {
    return states.length;
  }

  /** The mm whose table hart {@code id} has loaded (null: the kernel's). A racy view. */
  public Mm activeMm(int id) {
    return states[id].activeMm;
  }
}
