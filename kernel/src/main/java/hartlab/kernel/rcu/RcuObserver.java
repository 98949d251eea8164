package hartlab.kernel.rcu;

/**
 * Hook points of the RCU engine for the RCU checker: read-side sections entering and leaving,
 * callbacks about to run, and accesses to objects already freed through RCU. Each is called on the
 * hart it names, from its own thread.
 */
public interface RcuObserver {
  /** Hart {@code hart} entered an outermost read-side section while gp_seq was {@code gpSeq}. */
  void readerEntered(int hart, long gpSeq);

  /** Hart {@code hart} left its outermost read-side section while gp_seq was {@code gpSeq}. */
  void readerLeft(int hart, long gpSeq);

  /**
   * Hart {@code hart} is about to run a callback that waited for the grace period which began at
   * gp_seq {@code gpStart} (odd) and has ended.
   */
  void callbackRunning(int hart, long gpStart);

  /** Hart {@code hart} dereferenced {@code object}, which an RCU callback had already freed. */
  void poisonedAccess(int hart, RcuObject object, boolean reading);
}
