package hartlab.cli.experiment;

import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Latency;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The short table of a sweep, one line per configuration (the median run of its repeats by run
 * length, with the spread when it has several): what the terminal and index.html show. Grace
 * periods appear when the statistics model has such a column.
 */
public final class Summary {
  /** One column: heading and how a row shows in it. */
  record Column(String heading, Function<List<Row>, String> cell) {}

  private final List<Column> columns = new ArrayList<>();
  private final List<List<Row>> groups = new ArrayList<>();

  public Summary(Results results) {
    List<Row> group = new ArrayList<>();
    for (Row r : results.rows()) {
      if (!group.isEmpty() && group.get(0).configuration() != r.configuration()) {
        groups.add(group);
        group = new ArrayList<>();
      }
      group.add(r);
    }
    if (!group.isEmpty()) {
      groups.add(group);
    }
    columns.add(new Column("#", g -> Integer.toString(g.get(0).configuration())));
    columns.add(new Column("configuration", g -> g.get(0).label()));
    if (results.experiment().command().equals("ctxsw")) {
      ctxsw();
      return;
    }
    List<String> all = results.columns();
    String length = Columns.of(Counter.BUSY_CYCLES);
    columns.add(new Column("run length (cycles)", g -> spread(g, length)));
    figure("shootdowns", Columns.of(Counter.SHOOTDOWNS));
    figure("IPIs", Columns.of(Counter.IPIS_SENT));
    columns.add(
        new Column(
            "TLB flushes",
            g ->
                group(
                    median(g).number(Columns.of(Counter.TLB_FLUSHES_ALL))
                        + median(g).number(Columns.of(Counter.TLB_FLUSHES_ASID))
                        + median(g).number(Columns.of(Counter.TLB_FLUSHES_PAGE))
                        + median(g).number(Columns.of(Counter.TLB_FLUSHES_RANGE)))));
    figure("cycles/shootdown p50", Columns.of(Latency.SHOOTDOWN_CYCLES, "p50"));
    figure("p99", Columns.of(Latency.SHOOTDOWN_CYCLES, "p99"));
    figure("TLB misses", Columns.of(Counter.TLB_MISSES));
    for (String c : all) {
      if (c.startsWith("gracePeriods")) {
        figure("grace periods", c);
      }
    }
    figure("page faults", Columns.of(Counter.PAGE_FAULTS));
    columns.add(
        new Column(
            "status",
            g -> {
              Row m = median(g);
              String outcome = m.text(Columns.OUTCOME);
              return outcome.equals("exited") ? "exit " + m.number(Columns.EXIT_CODE) : outcome;
            }));
    columns.add(new Column("checker", g -> median(g).text(Columns.VERDICT)));
  }

  /** ctxsw: cycles per switch and where they go. */
  private void ctxsw() {
    figure("cycles/switch", "cyclesPerSwitch_cycles");
    figure("scheduler", "scheduler_cyclesPerSwitch");
    figure("switch_mm", "switchMm_cyclesPerSwitch");
    figure("(flushes", "switchMmFlushes_cyclesPerSwitch");
    figure("atomics)", "mmAtomics_cyclesPerSwitch");
    figure("switch_to", "switchTo_cyclesPerSwitch");
    figure("finish", "finish_cyclesPerSwitch");
    figure("refill", "refill_cyclesPerSwitch");
    figure("other", "other_cyclesPerSwitch");
    figure("refill misses/1k sw", "refillMisses_missesPerKiloSwitch");
    figure("remote mm_count/1k sw", "mmCountRemoteAtomics_perKiloSwitch");
    columns.add(new Column("checker", g -> median(g).text(Columns.VERDICT)));
  }

  private void figure(String heading, String column) {
    columns.add(new Column(heading, g -> group(median(g).number(column))));
  }

  /** The run of median length among a configuration's repeats. */
  static Row median(List<Row> g) {
    String length = Columns.of(Counter.BUSY_CYCLES);
    List<Row> sorted = new ArrayList<>(g);
    sorted.sort(java.util.Comparator.comparingLong(r -> r.number(length)));
    return sorted.get((sorted.size() - 1) / 2);
  }

  private static String spread(List<Row> g, String column) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (Row r : g) {
      min = Math.min(min, r.number(column));
      max = Math.max(max, r.number(column));
    }
    String m = group(median(g).number(column));
    return min == max ? m : m + " (" + group(min) + ".." + group(max) + ")";
  }

  private static String group(long v) {
    return String.format(java.util.Locale.ROOT, "%,d", v);
  }

  public List<String> headings() {
    List<String> h = new ArrayList<>();
    columns.forEach(c -> h.add(c.heading()));
    return h;
  }

  /** Cells, one list per configuration. */
  public List<List<String>> cells() {
    List<List<String>> out = new ArrayList<>();
    for (List<Row> g : groups) {
      List<String> line = new ArrayList<>();
      columns.forEach(c -> line.add(c.cell().apply(g)));
      out.add(line);
    }
    return out;
  }

  /** The table as aligned text: the configuration left-aligned, figures right-aligned. */
  public String text() {
    List<String> heads = headings();
    List<List<String>> cells = cells();
    int[] width = new int[heads.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = heads.get(i).length();
      for (List<String> line : cells) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    StringBuilder s = new StringBuilder();
    line(s, heads, width);
    for (List<String> l : cells) {
      line(s, l, width);
    }
    return s.toString();
  }

  private static void line(StringBuilder s, List<String> cells, int[] width) {
    for (int i = 0; i < width.length; i++) {
      String c = cells.get(i);
      String pad = " ".repeat(width[i] - c.length());
      s.append(i == 1 ? c + pad : pad + c).append(i + 1 < width.length ? "  " : "\n");
    }
  }
}
