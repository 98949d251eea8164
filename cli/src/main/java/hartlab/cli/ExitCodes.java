package hartlab.cli;

/**
 * hartlab's exit status. A guest that exits passes its own status through (0–255), and a guest
 * killed by a signal gives 128 + signal, as a shell reports it; hartlab's own outcomes use the
 * sysexits.h values, which a guest could also choose, so the message on stderr is what tells them
 * apart.
 */
public final class ExitCodes {
  /** The command line was wrong. */
  public static final int USAGE = 64;

  /** The image could not be read or is not a program hartlab can run. */
  public static final int BAD_IMAGE = 65;

  /** bench could not write its result file after measuring (sysexits.h EX_CANTCREAT). */
  public static final int CANT_CREATE = 73;

  /** hartlab failed; a bug. */
  public static final int INTERNAL = 70;

  /** A checker caught the kernel breaking an invariant (the report says which). */
  public static final int VIOLATION = 99;

  /** --timeout or --max-instructions stopped a guest that had not finished (like timeout(1)). */
  public static final int LIMIT = 124;

  private ExitCodes() {}
}
