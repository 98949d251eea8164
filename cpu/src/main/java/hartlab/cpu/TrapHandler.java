package hartlab.cpu;

/**
 * What a hart calls when it leaves user code: the kernel implements it. This is the only way the
 * cpu module reaches the kernel, so nothing below the kernel knows it exists.
 *
 * <p>Every method runs on the hart's own thread, which is that CPU's kernel context.
 */
public interface TrapHandler {
  /** Returned by {@link #enterUser} to end the hart's thread. */
  long STOP = -1;

  /**
   * Called before the hart runs user code. The kernel picks what to run (parking the thread while
   * the hart is idle) and returns the virtual-cycle deadline up to which user code may run before
   * {@link #interrupt} is called, or {@link #STOP}.
   */
  long enterUser(Hart hart);

  /**
   * A synchronous trap from user code: {@code cause} is one of {@link Cause}, pc is the faulting
   * instruction.
   */
  void trap(Hart hart, int cause, long tval);

  /** The deadline passed or another hart raised an interrupt; seen at a block boundary. */
  void interrupt(Hart hart);
}
