package hartlab.cli.experiment;

import hartlab.kernel.RunResult;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.stats.MachineCounter;
import hartlab.kernel.stats.Statistics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's figures as result columns, straight from the statistics model: every {@link Counter}
 * (machine total), every {@link MachineCounter}, p50/p99/max/count of every latency, violations per
 * checker. A figure added to the model becomes a column with no change here. Column names carry the
 * unit: {@code ipisSent_IPIs}, {@code shootdownLatency_p99_cycles}.
 */
public final class Columns {
  public static final String OUTCOME = "outcome";
  public static final String EXIT_CODE = "exitCode";
  public static final String VERDICT = "checker";
  public static final String STDOUT = "stdoutSha256";
  public static final String DIGEST = "digest";

  private Columns() {}

  public static String of(Counter c) {
    return c.key() + "_" + c.unit();
  }

  public static String of(MachineCounter c) {
    return c.key() + "_" + c.unit();
  }

  public static String of(Latency l, String stat) {
    return l.key() + "_" + stat + "_" + l.unit();
  }

  /** Column name to unit, for every figure column {@link #figures} makes. */
  public static Map<String, String> units(RunResult r) {
    Map<String, String> u = new LinkedHashMap<>();
    for (Counter c : Counter.values()) {
      u.put(of(c), c.unit());
    }
    for (MachineCounter c : MachineCounter.values()) {
      u.put(of(c), c.unit());
    }
    for (Latency l : Latency.values()) {
      if (!l.measuresHost()) {
        for (String stat : new String[] {"p50", "p99", "max"}) {
          u.put(of(l, stat), l.unit());
        }
        u.put(of(l, "count"), "samples");
      }
    }
    for (String checker : r.stats().violations().keySet()) {
      u.put("violations_" + checker, "violations");
    }
    return u;
  }

  /**
   * The run's status and figures in column order: outcome, exit code, checker verdict, a hash of
   * the guest's stdout, the figures, the digest.
   */
  public static Map<String, Object> figures(RunResult r, String stdoutSha256) {
    Statistics s = r.stats();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(OUTCOME, r.outcome().name().toLowerCase());
    m.put(EXIT_CODE, (long) r.exitCode());
    m.put(VERDICT, verdict(s.violations()));
    m.put(STDOUT, stdoutSha256);
    for (Counter c : Counter.values()) {
      m.put(of(c), s.total(c));
    }
    for (MachineCounter c : MachineCounter.values()) {
      m.put(of(c), s.machine(c));
    }
    for (Latency l : Latency.values()) {
      if (!l.measuresHost()) {
        Statistics.Summary sum = s.latency(l);
        m.put(of(l, "p50"), sum.p50());
        m.put(of(l, "p99"), sum.p99());
        m.put(of(l, "max"), sum.max());
        m.put(of(l, "count"), sum.count());
      }
    }
    s.violations().forEach((checker, n) -> m.put("violations_" + checker, n));
    m.put(DIGEST, r.digest());
    return m;
  }

  /** What the run measured of the host, for host.csv. */
  public static Map<String, Double> host(RunResult r) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("hostSeconds", r.hostNanos() / 1e9);
    m.put("mips", r.instructions() / (r.hostNanos() / 1e3));
    for (Latency l : Latency.values()) {
      if (l.measuresHost()) {
        m.put(l.key() + "_p50_" + l.unit(), (double) r.stats().latency(l).p50());
        m.put(l.key() + "_p99_" + l.unit(), (double) r.stats().latency(l).p99());
      }
    }
    return m;
  }

  /** {@code ok}, {@code not checked}, or the checkers that caught something with their counts. */
  static String verdict(Map<String, Long> violations) {
    if (violations.isEmpty()) {
      return "not checked";
    }
    StringBuilder caught = new StringBuilder();
    violations.forEach(
        (checker, n) -> {
          if (n > 0) {
            caught.append(caught.length() == 0 ? "" : " ").append(checker).append(':').append(n);
          }
        });
    return caught.length() == 0 ? "ok" : caught.toString();
  }
}
