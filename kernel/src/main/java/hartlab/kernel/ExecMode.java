package hartlab.kernel;

import java.util.Locale;

/** How harts share the host: freely, or taking turns so that a run is reproducible. */
public enum ExecMode {
  /** Harts run concurrently, with real races; host-time figures. */
  PARALLEL,
  /**
   * Harts take turns of one quantum of virtual time each, in a fixed order: bit-for-bit
   * reproducible.
   */
  LOCKSTEP;

  public static ExecMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown execution mode '" + text + "': expected parallel or lockstep");
    }
  }
}
