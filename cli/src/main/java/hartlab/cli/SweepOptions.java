package hartlab.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a sweep ({@code compare}, {@code ctxsw}) runs and where it writes: the options both commands
 * share, checked in one place.
 */
final class SweepOptions {
  @Option(
      names = "--repeat",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Runs per configuration, 1..1000; in parallel mode repeats show the spread (lockstep"
              + " repeats are identical; vary --seed for a spread there) (default:"
              + " ${DEFAULT-VALUE}).")
  int repeat;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Configurations run at once, each its own machine, 1..64; no figure changes (default:"
              + " ${DEFAULT-VALUE}).")
  int jobs;

  @Option(
      names = "--shard",
      paramLabel = "I/N",
      description =
          "Run only every N-th configuration starting at the I-th (1-based); 'hartlab merge'"
              + " joins the N folders into what one run writes.")
  String shard;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Results folder (default: a new one under ./hartlab-results/).")
  Path out;

  @Option(
      names = "--trace",
      description = "Write a trace-event timeline per configuration to DIR/trace/NNN.json.")
  boolean trace;

  @Option(
      names = "--trace-limit",
      paramLabel = "EVENTS",
      defaultValue = "" + Tracing.DEFAULT_LIMIT,
      description =
          "Events kept per trace, more are dropped and counted (default: ${DEFAULT-VALUE}).")
  long traceLimit;

  /** Refuses values out of range, as usage errors. */
  void check() {
    if (repeat < 1 || repeat > 1000) {
      throw new UsageException("--repeat " + repeat + ": out of range; runs must be 1..1000");
    }
    if (jobs < 1 || jobs > 64) {
      throw new UsageException("--jobs " + jobs + ": out of range; jobs must be 1..64");
    }
    if (traceLimit < 1) {
      throw new UsageException("--trace-limit " + traceLimit + ": must be at least 1");
    }
  }

  /** Events kept per trace; 0 when no trace is written. */
  long traceEvents() {
    return trace ? traceLimit : 0;
  }
}
