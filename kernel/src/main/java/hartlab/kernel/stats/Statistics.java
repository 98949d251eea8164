package hartlab.kernel.stats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run, every one declared in {@link Counter}, {@link MachineCounter} or {@link
 * Latency} (plus calls per syscall name and violations per checker): the one model the report
 * table, {@code --stats json} and the digest are derived from. Immutable.
 *
 * <p>The digest is a SHA-256 over every figure that does not measure the host, with the run's
 * outcome and labels (strategy, modes, cost profile...): equal digests mean equal runs, and in
 * lockstep the same image, options and seed always give the same digest.
 */
public final class Statistics {
  /** p50, p99, maximum and count of a latency distribution. */
  public record Summary(long p50, long p99, long max, long count) {
    static Summary of(Histogram h) {
      return new Summary(
          h.getValueAtPercentile(50),
          h.getValueAtPercentile(99),
          h.getMaxValue(),
          h.getTotalCount());
    }
  }

  private final long[][] harts;
  private final long[] totals;
  private final long[] machine;
  private final Summary[] latencies;
  private final Map<String, Long> syscalls;
  private final Map<String, Long> violations;
  private final Map<String, String> labels;

  private Statistics(
      long[][] harts,
      long[] machine,
      Summary[] latencies,
      Map<String, Long> syscalls,
      Map<String, Long> violations,
      Map<String, String> labels) {
    this.harts = harts;
    this.machine = machine;
    this.latencies = latencies;
    this.syscalls = Collections.unmodifiableMap(new TreeMap<>(syscalls));
    this.violations = Collections.unmodifiableMap(new TreeMap<>(violations));
    this.labels = Collections.unmodifiableMap(new TreeMap<>(labels));
    this.totals = new long[Counter.ALL.length];
    int busiest = 0;
    for (int h = 1; h < harts.length; h++) {
      if (harts[h][Counter.BUSY_CYCLES.ordinal()] > harts[busiest][Counter.BUSY_CYCLES.ordinal()]) {
        busiest = h;
      }
    }
    for (Counter c : Counter.ALL) {
      long v = 0;
      if (c.merge() == Counter.Merge.BUSIEST) {
        v = harts.length == 0 ? 0 : harts[busiest][c.ordinal()];
      } else {
        for (long[] h : harts) {
          v += h[c.ordinal()];
        }
      }
      totals[c.ordinal()] = v;
    }
  }

  /**
   * The figures of a finished run: {@code counters} with their hardware figures filled in, {@code
   * machine} values in {@link MachineCounter} order, and extra distributions (the run-queue wait)
   * merged into the kernel's.
   */
  public static Statistics of(
      Counters counters,
      long[] machine,
      Map<Latency, Histogram> extraLatencies,
      Map<String, Long> syscalls,
      Map<String, Long> violations,
      Map<String, String> labels) {
    long[][] harts = new long[counters.harts()][Counter.ALL.length];
    for (int h = 0; h < harts.length; h++) {
      for (Counter c : Counter.ALL) {
        harts[h][c.ordinal()] = counters.hart(h).get(c);
      }
    }
    Summary[] latencies = new Summary[Latency.ALL.length];
    for (Latency l : Latency.ALL) {
      Histogram merged = counters.merged(l);
      Histogram extra = extraLatencies.get(l);
      if (extra != null) {
        merged.add(extra);
      }
      latencies[l.ordinal()] = Summary.of(merged);
    }
    if (machine.length != MachineCounter.ALL.length) {
      throw new IllegalArgumentException("Statistics.of: machine figures out of step");
    }
    return new Statistics(harts, machine.clone(), latencies, syscalls, violations, labels);
  }

  public int harts() {
    return harts.length;
  }

  public long hart(int hart, Counter c) {
    return harts[hart][c.ordinal()];
  }

  /**
   * The machine's figure: the sum over harts, or the busiest hart's (see {@link Counter.Merge}).
   */
  public long total(Counter c) {
    return totals[c.ordinal()];
  }

  public long machine(MachineCounter c) {
    return machine[c.ordinal()];
  }

  public Summary latency(Latency l) {
    return latencies[l.ordinal()];
  }

  /** Calls per syscall name ({@code unknown} for numbers hartlab does not implement). */
  public Map<String, Long> syscalls() {
    return syscalls;
  }

  /** Violations per installed checker's name, zeros included. */
  public Map<String, Long> violations() {
    return violations;
  }

  /** What the run was (strategy, lazy-TLB mode, ...): part of the digest, not a figure. */
  public Map<String, String> labels() {
    return labels;
  }

  /** SHA-256 (hex) over how the run ended and every figure that does not measure the host. */
  public String digest(Outcome outcome, int exitCode) {
    StringBuilder s = new StringBuilder();
    s.append("outcome=").append(outcome).append('\n').append("exitCode=").append(exitCode);
    labels.forEach((k, v) -> s.append('\n').append("label.").append(k).append('=').append(v));
    for (int h = 0; h < harts.length; h++) {
      for (Counter c : Counter.ALL) {
        s.append('\n').append("hart.").append(h).append('.').append(c.key()).append('=');
        s.append(harts[h][c.ordinal()]);
      }
    }
    for (MachineCounter c : MachineCounter.ALL) {
      s.append('\n').append(c.key()).append('=').append(machine[c.ordinal()]);
    }
    for (Latency l : Latency.ALL) {
      if (!l.measuresHost()) {
        s.append('\n').append(l.key()).append('.').append(l.unit()).append('=');
        s.append(latencies[l.ordinal()]);
      }
    }
    syscalls.forEach((k, v) -> s.append('\n').append("syscall.").append(k).append('=').append(v));
    violations.forEach(
        (k, v) -> s.append('\n').append("violations.").append(k).append('=').append(v));
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(s.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Statistics.digest: no SHA-256 in this JVM", e);
    }
  }
}
