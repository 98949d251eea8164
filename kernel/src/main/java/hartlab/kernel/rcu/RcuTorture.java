package hartlab.kernel.rcu;

import hartlab.cpu.Hart;
import java.util.concurrent.atomic.AtomicReference;

/**
 * rcutorture in miniature (Linux's kernel/rcu/rcutorture.c), for tests and {@code --rcu-torture}:
 * at every kernel entry a hart runs a few read-side sections over one RCU-protected object, some of
 * them nested, touching it at their start and end, then replaces it and frees the old one with
 * {@link Rcu#kfreeRcu}. Freed objects are poisoned, so the RCU checker sees any reader that touches
 * one: with a correct engine there is none.
 *
 * <p>In {@link RcuMode#UNSAFE_READER} each hart keeps the pointer of its first section past the
 * section's end and touches it at its next kernel entry, as a reader that drops its lock early
 * does: by then a grace period has usually ended and the callback freed it.
 *
 * <p>Every method runs on the named hart's own thread.
 */
public final class RcuTorture {
  /** Slots per hart in {@link #kept}: 16 references span a 64-byte line. */
  private static final int LINE = 16;

  /** The object readers reach; a new version for every update. */
  private static final class Item extends RcuObject {
    final long serial;

    Item(long serial) {
      this.serial = serial;
    }

    @Override
    public String toString() {
      return "torture object #" + serial;
    }
  }

  private final Rcu rcu;
  private final int readers;
  private final boolean keepsPointers;
  private final AtomicReference<Item> current = new AtomicReference<>(new Item(0));

  /** Per hart: the pointer an unsafe reader kept past its section; that hart's own. */
  private final Item[] kept;

  /**
   * @param readers read-side sections per kernel entry
   */
  public RcuTorture(Rcu rcu, int harts, int readers, RcuMode mode) {
    this.rcu = rcu;
    this.readers = readers;
    this.keepsPointers = mode == RcuMode.UNSAFE_READER;
    this.kept = new Item[harts * LINE];
  }

  /** One round at a kernel entry of {@code hart}; after the RCU hook of that entry. */
  public void kernelEntry(Hart hart) {
    int id = hart.id();
    Item stale = kept[id * LINE];
    if (stale != null) {
      kept[id * LINE] = null;
      rcu.dereference(id, stale); // the broken reader's late touch, outside any section
    }
    for (int r = 0; r < readers; r++) {
      rcu.readLock(id);
      Item p = rcu.dereference(id, current.get());
      if ((r & 3) == 1) {
        rcu.readLock(id); // nested: the outer section still protects p
        rcu.dereference(id, current.get());
        rcu.readUnlock(id);
      }
      Thread.onSpinWait();
      rcu.dereference(id, p);
      if (keepsPointers && r == 0) {
        kept[id * LINE] = p;
      }
      rcu.readUnlock(id);
    }
    Item old = current.getAndSet(new Item(hart.cycles() ^ ((long) id << 56)));
    rcu.kfreeRcu(id, old);
  }
}
