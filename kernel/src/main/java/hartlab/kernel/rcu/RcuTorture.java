package hartlab.kernel.rcu;

import hartlab.cpu.Hart;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.Waits;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * rcutorture in miniature (Linux's kernel/rcu/rcutorture.c), for tests and {@code --rcu-torture}:
 * at every kernel entry a hart runs a few read-side sections over one RCU-protected object, some of
 * them nested and now and then a long one, touching it at their start and end, then replaces it and
 * frees the old one with {@link Rcu#kfreeRcu}. Freed objects are poisoned, so the RCU checker sees
 * any reader that touches one: with a correct engine there is none.
 *
 * <p>At system calls the calling task now and then sleeps in {@link Rcu#synchronize} (or the
 * expedited one) before the call proceeds.
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

  /** Every so many rounds (a power of two) the first section lasts a while, in host time. */
  private static final int LONG_READER_EVERY = 64;

  private static final int LONG_READER_YIELDS = 8;

  /** Every so many rounds (a power of two) a system call waits for a grace period first. */
  private static final int SYNC_EVERY = 16;

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
   * Tasks asleep in the torture's wait at a system call's entry (not in one of the call's own).
   * Only asked and edited, never iterated: its order cannot reach a figure. Weak, so a task killed
   * in that wait does not stay here for the rest of the run.
   */
  private final Set<Sleeper> waiting =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /** Per hart: its rounds so far; that hart's own. */
  private final long[] rounds;

  /**
   * @param readers read-side sections per kernel entry
   */
  public RcuTorture(Rcu rcu, int harts, int readers, RcuMode mode) {
    this.rcu = rcu;
    this.readers = readers;
    this.keepsPointers = mode == RcuMode.UNSAFE_READER;
    this.kept = new Item[harts * LINE];
    this.rounds = new long[harts * LINE];
  }

  /** What a system call's entry does after {@link #atSyscall}. */
  public enum Gate {
    /** The task sleeps in the torture's wait; the ecall runs again when it is over. */
    SLEEPS,
    /** The torture's wait is over: the call runs now, as the fresh call it is (not a re-run). */
    RUNS_FRESH,
    /**
     * The torture did not wait: the call runs as it came (fresh, or re-run after its own sleep).
     */
    RUNS
  }

  /**
   * At a fresh system call's entry, every {@link #SYNC_EVERY}th of a hart's rounds the calling task
   * waits for a grace period first ({@link Rcu#synchronize}; every fourth such wait expedited), as
   * a writer that must not free before readers are gone does. A call run again after it slept in
   * the kernel (munmap waiting for its grace period) is left alone: its task's wait is the call's,
   * and must not be taken for the torture's, nor the call's progress for that of a fresh one.
   *
   * @param rerun whether the ecall runs again after its task slept (in the call or in this wait)
   */
  public Gate atSyscall(Hart hart, Sleeper task, boolean rerun) {
    long r;
    if (waiting.contains(task)) {
      r = rcu.synchronize(hart); // the same wait, run again after the wake-up
      if (r != Waits.BLOCKED) {
        waiting.remove(task);
        return Gate.RUNS_FRESH;
      }
      return Gate.SLEEPS;
    }
    long round = rounds[hart.id() * LINE];
    if (rerun || (round & (SYNC_EVERY - 1)) != 0) {
      return Gate.RUNS;
    }
    task.setAwaited(0, 0); // no call of the task waits now: whatever is left there is over
    r =
        (round & (4 * SYNC_EVERY - 1)) == 0
            ? rcu.synchronizeExpedited(hart)
            : rcu.synchronize(hart);
    if (r != Waits.BLOCKED) {
      return Gate.RUNS;
    }
    waiting.add(task);
    return Gate.SLEEPS;
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
      if (r == 0 && (rounds[id * LINE]++ & (LONG_READER_EVERY - 1)) == 0) {
        // A long reader now and then, as rcutorture's random delays: in parallel mode other harts
        // end grace periods and run callbacks meanwhile, which must not free what it holds.
        for (int i = 0; i < LONG_READER_YIELDS; i++) {
          Thread.yield(); // the host runs other harts meanwhile, as if this one were slow
        }
      }
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
