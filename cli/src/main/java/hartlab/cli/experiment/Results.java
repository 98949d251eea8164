package hartlab.cli.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of a sweep (or of one shard of it), ordered by configuration and repeat, with each
 * column's unit.
 */
public record Results(
    Experiment experiment, Map<String, String> units, List<Row> rows, List<HostRow> host) {
  private static final Comparator<Row> ORDER =
      Comparator.comparingInt(Row::configuration).thenComparingInt(Row::repeat);
  private static final Comparator<HostRow> HOST_ORDER =
      Comparator.comparingInt(HostRow::configuration).thenComparingInt(HostRow::repeat);

  public Results {
    units = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(units));
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(ORDER);
    rows = List.copyOf(sorted);
    List<HostRow> hostSorted = new ArrayList<>(host);
    hostSorted.sort(HOST_ORDER);
    host = List.copyOf(hostSorted);
  }

  /** Every column, in the order of the first row (all rows of a sweep have the same columns). */
  public List<String> columns() {
    return rows.isEmpty() ? List.of() : List.copyOf(rows.get(0).values().keySet());
  }

  /**
   * The shards of one sweep joined: every configuration exactly once.
   *
   * @throws IllegalArgumentException if the shards are of different sweeps, overlap or leave
   *     configurations out
   */
  public static Results merge(List<Results> shards) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge");
    }
    Experiment e = shards.get(0).experiment();
    Map<String, String> units = new LinkedHashMap<>();
    List<Row> rows = new ArrayList<>();
    List<HostRow> host = new ArrayList<>();
    boolean[] seen = new boolean[e.matrix().size()];
    for (Results s : shards) {
      if (!s.experiment().equals(e)) {
        throw new IllegalArgumentException(
            "the folders hold different sweeps: " + e + " and " + s.experiment());
      }
      units.putAll(s.units());
      for (Row r : s.rows()) {
        if (r.repeat() == 0) {
          if (seen[r.configuration()]) {
            throw new IllegalArgumentException(
                "configuration " + r.label() + " is in more than one folder");
          }
          seen[r.configuration()] = true;
        }
        rows.add(r);
      }
      host.addAll(s.host());
    }
    for (int c = 0; c < seen.length; c++) {
      if (!seen[c]) {
        throw new IllegalArgumentException(
            "configuration " + e.matrix().configuration(c).label() + " is in none of the folders");
      }
    }
    return new Results(e, units, rows, host);
  }
}
