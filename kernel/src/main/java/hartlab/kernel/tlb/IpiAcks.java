package hartlab.kernel.tlb;

import hartlab.kernel.smp.Ipi;
import hartlab.kernel.tlb.shootdown.Shootdown;

/** The acknowledgements a strategy waits for: those of one flush IPI. */
record IpiAcks(Ipi ipi) implements Shootdown.Acks {
  static final Shootdown.Acks NOTHING_SENT = () -> true;

  @Override
  public boolean done() {
    return ipi.done();
  }
}
