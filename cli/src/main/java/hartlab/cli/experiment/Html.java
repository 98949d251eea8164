package hartlab.cli.experiment;

import java.util.ArrayList;
import java.util.List;

/**
 * index.html of a sweep: the command, the summary table and the plots side by side, and every
 * figure in a folded table. Self-contained apart from the plot files beside it (relative links), so
 * it works offline and when the folder is moved.
 */
final class Html {
  private Html() {}

  static String page(Results results) {
    Experiment e = results.experiment();
    StringBuilder s = new StringBuilder();
    s.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.append("<title>hartlab ").append(esc(e.command())).append(' ').append(esc(e.image()));
    s.append("</title>\n<style>\n");
    s.append("body{font-family:sans-serif;margin:1.5em;color:#222}\n");
    s.append("table{border-collapse:collapse;font-size:13px;margin:1em 0}\n");
    s.append("th,td{border:1px solid #bbb;padding:3px 7px;text-align:right}\n");
    s.append("th{background:#eef}td:nth-child(2),th:nth-child(2){text-align:left}\n");
    s.append("tr:nth-child(even){background:#f7f7f7}\n");
    s.append(".plots img{width:640px;max-width:48%;margin-right:1%}\n");
    s.append("code{background:#f3f3f3;padding:2px 4px}\n</style>\n</head>\n<body>\n");
    s.append("<h1>hartlab ").append(esc(e.command())).append(": ").append(esc(e.image()));
    s.append("</h1>\n<p><code>").append(esc(commandLine(e))).append("</code></p>\n");
    s.append("<p>").append(results.rows().size()).append(" runs of ");
    s.append(e.matrix().size()).append(" configurations. Figures in virtual cycles");
    s.append(" (reproducible in lockstep); host timings are in <a href=\"");
    s.append(ResultFiles.HOST_CSV).append("\">").append(ResultFiles.HOST_CSV).append("</a>.");
    s.append(" All figures: <a href=\"").append(ResultFiles.CSV).append("\">");
    s.append(ResultFiles.CSV).append("</a>, <a href=\"").append(ResultFiles.JSON).append("\">");
    s.append(ResultFiles.JSON).append("</a>.</p>\n");
    Summary summary = new Summary(results);
    table(s, summary.headings(), summary.cells());
    if (!results.rows().isEmpty()) {
      s.append("<div class=\"plots\">\n");
      for (Plots.Plot p : Plots.of(results.experiment().command())) {
        s.append("<img src=\"").append(p.file()).append(".svg\" alt=\"").append(esc(p.title()));
        s.append("\">\n");
      }
      s.append("</div>\n");
    }
    s.append("<details><summary>Every figure</summary>\n");
    List<String> head = new ArrayList<>(List.of("#", "configuration", "repeat"));
    head.addAll(results.columns());
    List<List<String>> cells = new ArrayList<>();
    for (Row r : results.rows()) {
      List<String> line =
          new ArrayList<>(
              List.of(
                  Integer.toString(r.configuration()), r.label(), Integer.toString(r.repeat())));
      for (String c : results.columns()) {
        line.add(r.text(c));
      }
      cells.add(line);
    }
    table(s, head, cells);
    s.append("</details>\n</body>\n</html>\n");
    return s.toString();
  }

  /** The sweep as one command line, for the reader to copy. */
  static String commandLine(Experiment e) {
    boolean ownImage = e.command().equals("ctxsw");
    List<String> parts = new ArrayList<>(List.of("hartlab", e.command()));
    if (!ownImage) {
      parts.add(e.image());
    }
    parts.addAll(e.fixed());
    for (Axis a : e.axes()) {
      parts.add(a.option());
      parts.add(String.join(",", a.values()));
    }
    if (e.repeat() > 1) {
      parts.add("--repeat");
      parts.add(Integer.toString(e.repeat()));
    }
    if (!e.argv().isEmpty()) {
      if (!ownImage) {
        parts.add("--");
      }
      parts.addAll(e.argv());
    }
    return String.join(" ", parts);
  }

  private static void table(StringBuilder s, List<String> head, List<List<String>> cells) {
    s.append("<table>\n<tr>");
    head.forEach(h -> s.append("<th>").append(esc(h)).append("</th>"));
    s.append("</tr>\n");
    for (List<String> line : cells) {
      s.append("<tr>");
      line.forEach(c -> s.append("<td>").append(esc(c)).append("</td>"));
      s.append("</tr>\n");
    }
    s.append("</table>\n");
  }

  private static String esc(String t) {
    return t.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
