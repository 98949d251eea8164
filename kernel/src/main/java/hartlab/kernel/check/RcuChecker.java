package hartlab.kernel.check;

import hartlab.kernel.rcu.RcuObject;
import hartlab.kernel.rcu.RcuObserver;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The RCU checker: memory freed by an RCU callback is poisoned ({@link RcuObject}), and a reader
 * that touches it is a violation; so is a callback that runs while a reader which entered its
 * section before the callback's grace period began is still inside, and a reader that sees a whole
 * grace period begin and end while it is inside (the engine ended the grace period too early,
 * whether or not that reader touches the object again).
 *
 * <p>Each hart records when its outermost section began, as the gp_seq it read then; a callback
 * compares every hart's record with the start of its grace period. Racy reads across harts, but
 * exact: a reader that read an older gp_seq entered before the grace period began, and the engine
 * must wait for it.
 */
public final class RcuChecker implements Checker, RcuObserver {
  public static final String NAME = "rcu";

  /** Longs per hart: one line each. */
  private static final int LINE = 8;

  private static final long NOT_READING = Long.MIN_VALUE;

  private final Violations violations;
  private final String mode;

  /** Per hart: gp_seq when its outermost read-side section began, or NOT_READING. */
  private final AtomicLongArray readerSince;

  public RcuChecker(Violations violations, int harts, String mode) {
    this.violations = violations;
    this.mode = mode;
    this.readerSince = new AtomicLongArray(harts * LINE);
    for (int h = 0; h < harts; h++) {
      readerSince.set(h * LINE, NOT_READING);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void install(CheckerHooks hooks) {
    hooks.onRcu(this);
  }

  @Override
  public void readerEntered(int hart, long gpSeq) {
    readerSince.set(hart * LINE, gpSeq);
  }

  /**
   * The reader's own check, as rcutorture's: no grace period may have begun and ended while it was
   * inside. One that began after the reader read gp_seq {@code since} has ended once gp_seq reaches
   * {@code (since + 3) & ~1}.
   */
  @Override
  public void readerLeft(int hart, long gpSeq) {
    long since = readerSince.get(hart * LINE);
    readerSince.set(hart * LINE, NOT_READING);
    if (since != NOT_READING && gpSeq >= ((since + 3) & ~1L)) {
      violations.report(
          this,
          String.format(
              "RCU checker: hart %d left a read-side section it entered at gp_seq %d after a whole"
                  + " grace period had begun and ended (gp_seq now %d) (RCU mode %s)",
              hart, since, gpSeq, mode));
    }
  }

  @Override
  public void callbackRunning(int hart, long gpStart) {
    for (int h = 0; h < readerSince.length() / LINE; h++) {
      long since = readerSince.get(h * LINE);
      if (since != NOT_READING && since < gpStart) {
        violations.report(
            this,
            String.format(
                "RCU checker: hart %d runs a callback of the grace period that began at gp_seq %d"
                    + " while hart %d is still inside a read-side section it entered at gp_seq %d,"
                    + " before that grace period began (RCU mode %s)",
                hart, gpStart, h, since, mode));
        return;
      }
    }
  }

  @Override
  public void poisonedAccess(int hart, RcuObject object, boolean reading) {
    violations.report(
        this,
        String.format(
            "RCU checker: hart %d touched %s %s, after an RCU callback freed it (RCU mode %s)",
            hart,
            object,
            reading ? "inside a read-side section" : "outside any read-side section",
            mode));
  }
}
