package hartlab.kernel;

import hartlab.cpu.Hart;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Turns;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Turn-taking for stub harts: harts that are not threads of their own but are driven by the test.
 *
 * <p>In the default, single-threaded use every hart is played by the test thread. A hart that spins
 * for other harts (an IPI initiator awaiting acknowledgements, a spinning mmap_lock waiter) calls
 * {@link #pause} once per round of its wait; this implementation then plays the other harts' part
 * by handling their IPI mailboxes on the spot, exactly as each would at its next kernel entry. That
 * keeps shootdowns deterministic and lets a test inspect every TLB afterwards from one thread. A
 * wait that no amount of handling ends would spin forever, so after {@link #MAX_IDLE_ROUNDS} rounds
 * in which no IPI was handled the wait fails the test instead (a bound on progress, not on time).
 *
 * <p>With {@link #serveOthers(boolean) serveOthers(false)}, for tests whose harts run in threads of
 * their own, a pause only spins politely and runs the {@link #onPause} hook.
 */
public final class StubTurns implements Turns {
  /** Rounds of a spinning wait without any IPI handled before the wait is declared stuck. */
  public static final int MAX_IDLE_ROUNDS = 100_000;

  private final Hart[] harts;
  private Ipis ipis;
  private volatile boolean serveOthers = true;
  private volatile Consumer<Hart> onPause = h -> {};
  private final AtomicInteger pauses = new AtomicInteger();
  private final AtomicLongArray kicks;
  private final AtomicLongArray idles;
  private volatile boolean stopped;
  private int idleRounds;

  public StubTurns(Hart[] harts) {
    this.harts = harts;
    this.kicks = new AtomicLongArray(harts.length);
    this.idles = new AtomicLongArray(harts.length);
  }

  /** The IPIs the paused hart's peers serve; set once, right after the Ipis are built. */
  void serve(Ipis ipis) {
    this.ipis = ipis;
  }

  /** Whether a pause plays the other harts' part (true: single-threaded tests). */
  public void serveOthers(boolean serve) {
    this.serveOthers = serve;
  }

  /** Runs on the pausing hart's thread at every pause, before the other harts are served. */
  public void onPause(Consumer<Hart> hook) {
    this.onPause = hook;
  }

  /** Pauses so far, over all harts. */
  public int pauses() {
    return pauses.get();
  }

  /** How often {@code hart} was kicked (woken for work another hart left it). */
  public long kicks(int hart) {
    return kicks.get(hart);
  }

  /** How often {@code hart} went idle. */
  public long idles(int hart) {
    return idles.get(hart);
  }

  public boolean stopped() {
    return stopped;
  }

  @Override
  public void attach(int hart, Thread thread) {}

  @Override
  public void awaitTurn(Hart hart) {}

  @Override
  public long runUntil(Hart hart) {
    return Long.MAX_VALUE;
  }

  @Override
  public void sync(Hart hart) {}

  @Override
  public void yieldTurn(Hart hart) {}

  @Override
  public void idle(Hart hart) {
    idles.incrementAndGet(hart.id());
  }

  @Override
  public void pause(Hart hart, BooleanSupplier ready, LongSupplier readyAt) {
    pauses.incrementAndGet();
    onPause.accept(hart);
    if (!serveOthers) {
      Thread.onSpinWait();
      return;
    }
    boolean handled = false;
    for (Hart other : harts) {
      if (other != hart && ipis.pending(other.id())) {
        ipis.handle(other);
        handled = true;
      }
    }
    idleRounds = handled ? 0 : idleRounds + 1;
    if (idleRounds > MAX_IDLE_ROUNDS) {
      idleRounds = 0;
      throw new AssertionError(
          "hart " + hart.id() + " spins for something no other hart's IPI handling provides");
    }
  }

  @Override
  public void kick(int target) {
    kicks.incrementAndGet(target);
  }

  @Override
  public void stopAll() {
    stopped = true;
  }
}
