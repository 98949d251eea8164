package hartlab.kernel;

import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Outcome;
import hartlab.kernel.stats.Statistics;

/**
 * The end of a run: how it ended, its figures and their digest.
 *
 * @param exitCode the first process's exit status, or 128 + signal if it was killed
 * @param message what a person should be told, e.g. a fault report; empty on a clean exit
 * @param stats every figure of the run
 * @param digest SHA-256 over how the run ended and every figure that does not measure the host
 * @param hostNanos host time the run took
 */
public record RunResult(
    Outcome outcome,
    int exitCode,
    String message,
    Statistics stats,
    String digest,
    long hostNanos,
    int cores) {

  public long instructions() {
    return stats.total(Counter.INSTRUCTIONS);
  }
}
