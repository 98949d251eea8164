package hartlab.cli;

import hartlab.cli.experiment.Columns;
import hartlab.cli.experiment.Experiment;
import hartlab.cli.experiment.HostRow;
import hartlab.cli.experiment.Matrix;
import hartlab.cli.experiment.Results;
import hartlab.cli.experiment.Row;
import hartlab.kernel.Machine;
import hartlab.kernel.MachineConfig;
import hartlab.kernel.RunResult;
import hartlab.kernel.fs.Console;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Runs the configurations of an {@link Experiment}: each run a fresh {@link Machine} in this JVM,
 * {@code jobs} of them at a time. A run's figures depend only on its configuration (the machine is
 * its own; in lockstep nothing host-timed reaches a figure), so neither {@code jobs} nor the order
 * runs finish in changes a row.
 */
final class Sweep {
  /** Where a configuration's trace goes, or null for none. */
  interface TraceFiles extends Function<Matrix.Configuration, Tracing> {}

  /** Runs the guest with {@code argv} on the configuration's machine, traced if asked. */
  interface Runner {
    Outcome run(List<String> argv, boolean traced) throws Exception;
  }

  /** What a command makes of one configuration: its runs and the row they give. */
  interface Measure {
    Measured measure(Matrix.Configuration c, Runner runner) throws Exception;
  }

  /** A configuration's row: figures with their units, and host figures apart. */
  record Measured(
      Map<String, Object> figures,
      Map<String, String> units,
      Map<String, Double> host,
      RunResult result) {}

  /** compare's measure: one run of the experiment's arguments, every figure of the model. */
  static Measure plain(List<String> argv) {
    return (c, runner) -> {
      Outcome o = runner.run(argv, true);
      return new Measured(
          Columns.figures(o.result(), o.stdoutSha256()),
          Columns.units(o.result()),
          Columns.host(o.result()),
          o.result());
    };
  }

  private final Experiment experiment;
  private final GuestImage.Loaded workload;
  private final PrintStream progress;

  Sweep(Experiment experiment, GuestImage.Loaded workload, PrintStream progress) {
    this.experiment = experiment;
    this.workload = workload;
    this.progress = progress;
  }

  /**
   * The machine a configuration describes, its options checked.
   *
   * @throws UsageException for a value outside its range or an unknown name
   */
  static MachineConfig config(List<String> fixed, Matrix.Configuration c) {
    List<String> args = new ArrayList<>(fixed);
    CommandLine.Model.CommandSpec machine =
        CommandLine.Model.CommandSpec.forAnnotatedObject(new MachineOptions());
    c.settings()
        .forEach(
            (option, value) -> {
              if (machine.findOption(option) != null) {
                args.add(option);
                args.add(value);
              }
            });
    MachineOptions options = new MachineOptions();
    try {
      new CommandLine(options).parseArgs(args.toArray(new String[0]));
    } catch (CommandLine.ParameterException e) {
      throw new UsageException(c.label() + ": " + e.getMessage());
    }
    return options.config();
  }

  /** Checks every configuration of the list before anything runs. */
  void check(List<Matrix.Configuration> configurations) {
    for (Matrix.Configuration c : configurations) {
      config(experiment.fixed(), c);
    }
  }

  /** Runs every configuration of the list {@code experiment.repeat()} times. */
  Results run(
      List<Matrix.Configuration> configurations, int jobs, TraceFiles traces, Measure measure)
      throws InterruptedException {
    record Job(Matrix.Configuration c, int repeat) {}
    List<Job> todo = new ArrayList<>();
    for (Matrix.Configuration c : configurations) {
      for (int r = 0; r < experiment.repeat(); r++) {
        todo.add(new Job(c, r));
      }
    }
    long start = System.nanoTime();
    int[] done = {0};
    Map<String, String> units = new LinkedHashMap<>();
    List<Row> rows = new ArrayList<>();
    List<HostRow> host = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Job j : todo) {
        futures.add(
            pool.submit(
                () -> {
                  Tracing trace = traces == null ? null : traces.apply(j.c());
                  Measured m =
                      measure.measure(
                          j.c(), (argv, traced) -> runOne(j.c(), argv, traced ? trace : null));
                  synchronized (done) {
                    if (units.isEmpty()) {
                      units.putAll(m.units());
                    }
                    rows.add(new Row(j.c().index(), j.repeat(), j.c().label(), m.figures()));
                    host.add(new HostRow(j.c().index(), j.repeat(), m.host()));
                    done[0]++;
                    report(done[0], todo.size(), start, j.c(), m.result());
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("a run failed: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return new Results(experiment, units, rows, host);
  }

  private void report(int done, int total, long start, Matrix.Configuration c, RunResult r) {
    long elapsed = System.nanoTime() - start;
    long eta = done == 0 ? 0 : elapsed / done * (total - done);
    progress.printf(
        "hartlab %s: %d/%d done, ETA %s (%s: %s)%n",
        experiment.command(),
        done,
        total,
        duration(eta),
        c.label(),
        r.outcome().name().toLowerCase());
    progress.flush();
  }

  static String duration(long nanos) {
    long s = Math.round(nanos / 1e9);
    return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
  }

  /**
   * A finished run, the SHA-256 of what the guest wrote to stdout and its first {@link
   * #STDOUT_KEPT} bytes.
   */
  record Outcome(RunResult result, String stdoutSha256, String stdout) {}

  static final int STDOUT_KEPT = 64 * 1024;

  private Outcome runOne(Matrix.Configuration c, List<String> guestArgs, Tracing trace)
      throws Exception {
    MachineConfig config = config(experiment.fixed(), c);
    MessageDigest sha = sha256();
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    OutputStream out =
        new DigestOutputStream(
            new OutputStream() {
              @Override
              public void write(int b) {
                if (kept.size() < STDOUT_KEPT) {
                  kept.write(b);
                }
              }

              @Override
              public void write(byte[] b, int off, int len) {
                kept.write(b, off, Math.max(0, Math.min(len, STDOUT_KEPT - kept.size())));
              }
            },
            sha);
    Console console =
        new Console(out, OutputStream.nullOutputStream(), new ByteArrayInputStream(new byte[0]));
    GuestImage guest = workload.guest();
    List<String> argv = new ArrayList<>();
    argv.add(guest.argv0());
    argv.addAll(guestArgs);
    Machine machine =
        trace == null
            ? new Machine(config, console, GuestImage.rootFs())
            : new Machine(config, console, GuestImage.rootFs(), trace.tracer());
    RunResult r =
        machine.run(
            workload.elf(), guest.name(), argv, List.of("PATH=/bin", "HOME=/", "TERM=dumb"));
    if (trace != null) {
      trace.write();
    }
    return new Outcome(
        r, HexFormat.of().formatHex(sha.digest()), kept.toString(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  /** The default folder: ./hartlab-results/TIMESTAMP-IMAGE. */
  static Path defaultOut(String command, String image) {
    String stamp =
        java.time.LocalDateTime.now()
            .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    String name = Path.of(image).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
    return Path.of("hartlab-results", stamp + "-" + command + "-" + name);
  }
}
