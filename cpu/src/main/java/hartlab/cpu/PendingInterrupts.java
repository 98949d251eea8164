package hartlab.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Left padding: keeps {@link PendingInterruptsValue#bits} off the cache line of whatever precedes
 * it.
 */
abstract class PendingInterruptsPadLeft {
  protected long p01, p02, p03, p04, p05, p06, p07, p08;
}

abstract class PendingInterruptsValue extends PendingInterruptsPadLeft {
  /** Pending interrupt bits; their meaning is the kernel's. */
  protected volatile int bits;
}

/**
 * A hart's pending-interrupt word, alone on its cache line(s): other harts set bits in it (IPIs,
 * timers) while its own hart reads it at every block boundary, so it must not share a line with the
 * hart's hot, hart-local state (the superclass chain keeps the JVM from packing fields around it,
 * as Agrona's padded counters do).
 *
 * <p>Ordering: {@link #raise}'s getAndBitwiseOr is a full-fence RMW; it pairs with the volatile
 * read in {@link #any} and the getAndSet in {@link #take}, so whatever the raiser wrote before
 * raising (an IPI mailbox entry) is visible to the hart once it sees the bit.
 */
final class PendingInterrupts extends PendingInterruptsValue {
  private static final VarHandle BITS;

  static {
    try {
      BITS = MethodHandles.lookup().findVarHandle(PendingInterruptsValue.class, "bits", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  protected long p11, p12, p13, p14, p15, p16, p17, p18;

  /** Any thread. */
  void raise(int b) {
    BITS.getAndBitwiseOr(this, b);
  }

  /** Owning hart only: returns the pending bits and clears them. */
  int take() {
    return (int) BITS.getAndSet(this, 0);
  }

  boolean any() {
    return bits != 0;
  }
}
