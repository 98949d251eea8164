package hartlab.cli.experiment;

import hartlab.kernel.stats.Counter;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * The sweep's plots (XChart), each as SVG and PNG: a figure against harts with one line per
 * combination of the other axes when {@code --cores} varies, else one bar per configuration. A
 * configuration's point is the mean of its repeats.
 */
public final class Plots {
  /** One plot: file name without extension, title, the column it draws and the axis label. */
  public record Plot(String file, String title, String column, String unit) {}

  public static final List<Plot> DEFAULT =
      List.of(
          new Plot(
              "cycles",
              "Run length (busiest hart)",
              Columns.of(Counter.BUSY_CYCLES),
              "virtual cycles"),
          new Plot("ipis", "IPIs sent", Columns.of(Counter.IPIS_SENT), "IPIs"));

  public static final List<Plot> CTXSW =
      List.of(
          new Plot("cycles", "Cycles per context switch", "cyclesPerSwitch_cycles", "cycles"),
          new Plot(
              "atomics",
              "Remote mm_count atomics per 1000 switches",
              "mmCountRemoteAtomics_perKiloSwitch",
              "atomics"));

  /** The plots of a sweep of {@code command}. */
  public static List<Plot> of(String command) {
    return command.equals("ctxsw") ? CTXSW : DEFAULT;
  }

  private static final int MAX_LABELLED_BARS = 8;

  private static final int WIDTH = 640;
  private static final int HEIGHT = 400;

  private Plots() {}

  /** Writes {@code plot.file}.svg and .png into {@code dir}. */
  public static void write(Path dir, Results results, Plot plot) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Chart<?, ?> chart = chart(results, plot);
    String base = dir.resolve(plot.file()).toString();
    VectorGraphicsEncoder.saveVectorGraphic(
        chart, base, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
  }

  private static Chart<?, ?> chart(Results results, Plot plot) {
    Axis cores = results.experiment().matrix().axis("--cores");
    Map<String, Map<String, double[]>> series = new LinkedHashMap<>();
    for (Row r : results.rows()) {
      Map<String, String> settings =
          results.experiment().matrix().configuration(r.configuration()).settings();
      Map<String, String> others = new LinkedHashMap<>(settings);
      String x = cores != null && cores.values().size() > 1 ? others.remove("--cores") : "";
      String name = new Matrix.Configuration(0, others).label();
      double[] sum = series.computeIfAbsent(name, k -> new LinkedHashMap<>()).get(x);
      if (sum == null) {
        sum = new double[2];
        series.get(name).put(x, sum);
      }
      sum[0] += r.number(plot.column());
      sum[1]++;
    }
    if (cores != null && cores.values().size() > 1) {
      XYChart c =
          new XYChartBuilder()
              .width(WIDTH)
              .height(HEIGHT)
              .title(plot.title())
              .xAxisTitle("harts")
              .yAxisTitle(plot.unit())
              .build();
      style(c.getStyler());
      c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
      c.getStyler().setXAxisDecimalPattern("#");
      c.getStyler().setYAxisDecimalPattern("#,###");
      series.forEach(
          (name, points) -> {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            points.forEach(
                (x, s) -> {
                  xs.add(Double.parseDouble(x));
                  ys.add(s[0] / s[1]);
                });
            c.addSeries(name, xs, ys);
          });
      return c;
    }
    CategoryChart c =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(plot.title())
            .yAxisTitle(plot.unit())
            .build();
    style(c.getStyler());
    c.getStyler().setLegendVisible(false);
    c.getStyler().setXAxisLabelRotation(30);
    c.getStyler().setYAxisDecimalPattern("#,###");
    List<String> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    // Many bars: numbered as in the table's # column, full labels would not fit.
    boolean numbered = series.size() > MAX_LABELLED_BARS;
    if (numbered) {
      c.setXAxisTitle("configuration (# in the table)");
      c.getStyler().setXAxisLabelRotation(90);
    }
    series.forEach(
        (name, points) -> {
          double[] s = points.values().iterator().next();
          xs.add(numbered ? Integer.toString(xs.size()) : name);
          ys.add(s[0] / s[1]);
        });
    c.addSeries(plot.title(), xs, ys);
    return c;
  }

  private static void style(Styler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setAntiAlias(true);
  }
}
