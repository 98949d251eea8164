package hartlab.kernel.rcu;

import java.util.Locale;

/**
 * Which RCU the machine runs: the real engine, or one broken on purpose so that tests can show the
 * RCU checker catches it (as {@code --lazy-tlb unsafe} does for the active_mm checker).
 */
public enum RcuMode {
  /** Tree RCU: a grace period waits for every hart. */
  TREE,
  /**
   * Unsafe on purpose: the torture's readers keep the pointer they read after leaving their
   * read-side section and touch it again at the hart's next kernel entry, as a reader that drops
   * its lock early does.
   */
  UNSAFE_READER,
  /**
   * Unsafe on purpose: grace periods end without waiting for the last hart, so callbacks can run
   * while a reader there still holds what they free.
   */
  UNSAFE_GP;

  public static RcuMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown RCU mode '" + text + "': expected tree, unsafe-reader or unsafe-gp");
    }
  }

  /** The name options use: {@code tree}, {@code unsafe-reader}, {@code unsafe-gp}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
