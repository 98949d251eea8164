package hartlab.kernel.check;

import hartlab.kernel.smp.Halt;
import hartlab.kernel.stats.Outcome;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where checkers report: each violation is counted under its checker's name, and the first one
 * stops the run (exit status 99) with its report. Any thread.
 */
public final class Violations {
  private final Halt halt;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  public Violations(Halt halt) {
    this.halt = halt;
  }

  /** Lists {@code checker} in the counts, with zero violations so far. */
  public void register(Checker checker) {
    counts.computeIfAbsent(checker.name(), k -> new LongAdder());
  }

  public void report(Checker checker, String report) {
    counts.computeIfAbsent(checker.name(), k -> new LongAdder()).increment();
    halt.requestStop(Outcome.VIOLATION, 0, report);
  }

  /** Violations counted under {@code checker}'s name. */
  public long count(String checker) {
    LongAdder n = counts.get(checker);
    return n == null ? 0 : n.sum();
  }

  /** Every registered checker's count, by name. */
  public Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
