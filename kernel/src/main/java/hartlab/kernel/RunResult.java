package hartlab.kernel;

import java.util.List;
import java.util.Map;

/**
 * The end of a run.
 *
 * @param exitCode the first process's exit status, or 128 + signal if it was killed
 * @param message what a person should be told, e.g. a fault report; empty on a clean exit
 * @param syscalls calls per syscall name, over all harts
 */
public record RunResult(
    Outcome outcome,
    int exitCode,
    String message,
    List<HartStats> harts,
    Map<String, Long> syscalls,
    KernelStats kernel,
    long hostNanos,
    int cores) {

  public long instructions() {
    return harts.stream().mapToLong(HartStats::instructions).sum();
  }

  public long maxCycles() {
    return harts.stream().mapToLong(HartStats::cycles).max().orElse(0);
  }
}
