package hartlab.cli.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files of a sweep's folder, each a function of the {@link Results} alone: results.csv and
 * results.json (the figures, identical for identical runs), host.csv (host timings, never
 * identical), the plots and index.html. {@link #read} takes back what {@link #write} wrote, so
 * merged shards render exactly as one run.
 */
public final class ResultFiles {
  public static final String CSV = "results.csv";
  public static final String JSON = "results.json";
  public static final String HOST_CSV = "host.csv";
  public static final String HTML = "index.html";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ResultFiles() {}

  public static void write(Path dir, Results results) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(CSV), csv(results), StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve(JSON), MAPPER.writeValueAsString(json(results)) + "\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(HOST_CSV), hostCsv(results), StandardCharsets.UTF_8);
    if (!results.rows().isEmpty()) {
      for (Plots.Plot p : Plots.of(results.experiment().command())) {
        Plots.write(dir, results, p);
      }
    }
    Files.writeString(dir.resolve(HTML), Html.page(results), StandardCharsets.UTF_8);
  }

  /** The configuration's settings as column name to value, e.g. {@code cores -> 4}. */
  static Map<String, String> settings(Results results, Row r) {
    Map<String, String> out = new LinkedHashMap<>();
    results
        .experiment()
        .matrix()
        .configuration(r.configuration())
        .settings()
        .forEach((k, v) -> out.put(k.replaceFirst("^-+", ""), v));
    return out;
  }

  static String csv(Results results) {
    StringBuilder s = new StringBuilder();
    List<String> head = new ArrayList<>(List.of("configuration", "repeat"));
    for (Axis a : results.experiment().axes()) {
      head.add(a.name());
    }
    head.addAll(results.columns());
    csvLine(s, head);
    for (Row r : results.rows()) {
      List<String> line = new ArrayList<>();
      line.add(Integer.toString(r.configuration()));
      line.add(Integer.toString(r.repeat()));
      line.addAll(settings(results, r).values());
      for (String c : results.columns()) {
        line.add(r.text(c));
      }
      csvLine(s, line);
    }
    return s.toString();
  }

  static String hostCsv(Results results) {
    StringBuilder s = new StringBuilder();
    List<String> head = new ArrayList<>(List.of("configuration", "repeat", "label"));
    if (!results.host().isEmpty()) {
      head.addAll(results.host().get(0).values().keySet());
    }
    csvLine(s, head);
    Matrix m = results.experiment().matrix();
    for (HostRow h : results.host()) {
      List<String> line = new ArrayList<>();
      line.add(Integer.toString(h.configuration()));
      line.add(Integer.toString(h.repeat()));
      line.add(m.configuration(h.configuration()).label());
      h.values().values().forEach(v -> line.add(String.format(Locale.ROOT, "%.6g", v)));
      csvLine(s, line);
    }
    return s.toString();
  }

  private static void csvLine(StringBuilder s, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      if (c.contains(",") || c.contains("\"") || c.contains("\n")) {
        c = "\"" + c.replace("\"", "\"\"") + "\"";
      }
      s.append(i == 0 ? "" : ",").append(c);
    }
    s.append('\n');
  }

  private static Map<String, Object> json(Results results) {
    Experiment e = results.experiment();
    Map<String, Object> exp = new LinkedHashMap<>();
    exp.put("command", e.command());
    exp.put("image", e.image());
    exp.put("argv", e.argv());
    List<Map<String, Object>> axes = new ArrayList<>();
    for (Axis a : e.axes()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("option", a.option());
      one.put("values", a.values());
      axes.add(one);
    }
    exp.put("axes", axes);
    exp.put("fixed", e.fixed());
    exp.put("repeat", e.repeat());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("experiment", exp);
    m.put("units", results.units());
    List<Map<String, Object>> runs = new ArrayList<>();
    for (Row r : results.rows()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("configuration", r.configuration());
      one.put("repeat", r.repeat());
      one.put("label", r.label());
      one.put("settings", settings(results, r));
      one.put("figures", r.values());
      runs.add(one);
    }
    m.put("runs", runs);
    return m;
  }

  /**
   * The results a folder holds, host timings included.
   *
   * @throws IOException if the folder has no readable results.json or host.csv, or they are not
   *     what {@link #write} writes
   */
  public static Results read(Path dir) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(dir.resolve(JSON).toFile());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new IOException(dir + " holds no " + JSON + " (is it a results folder?)");
    }
    try {
      JsonNode exp = root.required("experiment");
      List<Axis> axes = new ArrayList<>();
      for (JsonNode a : exp.required("axes")) {
        axes.add(new Axis(a.required("option").asText(), strings(a.required("values"))));
      }
      Experiment e =
          new Experiment(
              exp.required("command").asText(),
              exp.required("image").asText(),
              strings(exp.required("argv")),
              axes,
              strings(exp.required("fixed")),
              exp.required("repeat").asInt());
      Map<String, String> units = new LinkedHashMap<>();
      root.required("units")
          .fields()
          .forEachRemaining(f -> units.put(f.getKey(), f.getValue().asText()));
      List<Row> rows = new ArrayList<>();
      for (JsonNode r : root.required("runs")) {
        Map<String, Object> values = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = r.required("figures").fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> f = it.next();
          values.put(
              f.getKey(),
              f.getValue().isIntegralNumber()
                  ? (Object) f.getValue().asLong()
                  : f.getValue().asText());
        }
        int config = r.required("configuration").asInt();
        if (config < 0 || config >= e.matrix().size()) {
          throw new IOException("configuration " + config + " is not in the matrix");
        }
        rows.add(
            new Row(config, r.required("repeat").asInt(), r.required("label").asText(), values));
      }
      return new Results(e, units, rows, readHost(dir.resolve(HOST_CSV)));
    } catch (IllegalArgumentException e) {
      throw new IOException(dir.resolve(JSON) + ": not a hartlab results file: " + e.getMessage());
    }
  }

  private static List<HostRow> readHost(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<HostRow> out = new ArrayList<>();
    if (lines.isEmpty()) {
      return out;
    }
    String[] head = lines.get(0).split(",", -1);
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      if (cells.length != head.length) {
        throw new IOException(file + ": a line has " + cells.length + " cells, not " + head.length);
      }
      Map<String, Double> v = new LinkedHashMap<>();
      for (int i = 3; i < head.length; i++) {
        v.put(head[i], Double.parseDouble(cells[i]));
      }
      out.add(new HostRow(Integer.parseInt(cells[0]), Integer.parseInt(cells[1]), v));
    }
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
