package hartlab.cli;

import hartlab.images.Images;
import hartlab.kernel.Machine;
import hartlab.kernel.MachineConfig;
import hartlab.kernel.RunResult;
import hartlab.kernel.fs.Console;
import hartlab.kernel.fs.RootFs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hartlab boot}: run one guest program to its end. */
@Command(
    name = "boot",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    description = {
      "Boot a static RISC-V Linux program on an emulated multi-core machine.",
      "IMAGE is a built-in image (see 'hartlab images'), PATH an ELF file; default: demo.",
      "Guest output goes to stdout, statistics to stderr."
    },
    footer = {
      "",
      "Exit status: the guest's own, 128+signal if it was killed, 64 usage error",
      "(a value outside its range, checked before the run), 65 unusable image (also",
      "a FIFO, device or directory, or a file over 64 MiB), 70 internal error, 99 a",
      "checker caught a violation, 124 stopped by --timeout/--max-instructions."
    })
final class BootCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "IMAGE|PATH",
      description = "Program to boot (default: ${DEFAULT-VALUE}).",
      defaultValue = Images.DEFAULT)
  String image;

  @Parameters(index = "1..*", paramLabel = "ARG", description = "Guest arguments, after --.")
  List<String> guestArgs = new ArrayList<>();

  @Mixin MachineOptions machine;

  @Option(
      names = "--env",
      paramLabel = "NAME=VALUE",
      description =
          "Add or replace a guest environment variable (repeatable). "
              + "Default environment: PATH=/bin HOME=/ TERM=dumb.")
  List<String> env = new ArrayList<>();

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description =
          "Give the guest host directory DIR as its / (read-only: the guest's changes stay in"
              + " memory and go at exit). A PATH inside DIR runs at its place there.")
  Path root;

  @Option(
      names = "--stats",
      paramLabel = "table|json|none",
      defaultValue = "table",
      description = "Statistics on stderr (default: ${DEFAULT-VALUE}).")
  StatsFormat stats;

  @Option(
      names = "--stats-file",
      paramLabel = "FILE",
      description = "Also write the statistics as JSON to FILE.")
  Path statsFile;

  @Option(
      names = "--trace",
      paramLabel = "FILE",
      description =
          "Write the run's timeline to FILE as trace-event JSON (Perfetto, chrome://tracing).")
  Path traceFile;

  @Option(
      names = "--trace-limit",
      paramLabel = "EVENTS",
      defaultValue = "" + Tracing.DEFAULT_LIMIT,
      description =
          "Events the trace keeps, at least 1; more are dropped and counted (default:"
              + " ${DEFAULT-VALUE}).")
  long traceLimit;

  enum StatsFormat {
    table,
    json,
    none
  }

  private final Cli cli;

  BootCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    MachineConfig config = machine.config();
    List<String> envp = environment();
    if (statsFile != null) {
      OutputFiles.requireWritable("--stats-file", statsFile);
    }
    if (traceFile != null) {
      OutputFiles.requireWritable("--trace", traceFile);
      if (traceLimit < 1) {
        throw new UsageException("--trace-limit " + traceLimit + ": must be at least 1");
      }
    }
    Tracing tracing = traceFile == null ? null : new Tracing(traceFile, config.cores(), traceLimit);
    RootFs rootFs = GuestImage.rootFs();
    if (root != null) {
      if (!Files.isDirectory(root)) {
        throw new UsageException("--root " + root + ": not a directory");
      }
      rootFs = RootFs.hostDirectory(root);
    }
    GuestImage.Loaded loaded;
    try {
      loaded = GuestImage.load(image);
    } catch (GuestImage.Unusable e) {
      return cli.fail(ExitCodes.BAD_IMAGE, e.getMessage());
    }
    GuestImage guest = root == null ? loaded.guest() : loaded.guest().inRoot(root);
    List<String> argv = new ArrayList<>();
    argv.add(guest.argv0());
    argv.addAll(guestArgs);
    Console console =
        new Console(cli.guestOut(), cli.guestErr(), cli.in(), System.console() != null);
    RunResult result;
    try {
      Machine machine =
          tracing == null
              ? new Machine(config, console, rootFs)
              : new Machine(config, console, rootFs, tracing.tracer());
      result = machine.run(loaded.elf(), guest.name(), argv, envp, progress());
    } catch (Machine.BootException e) {
      return cli.fail(ExitCodes.BAD_IMAGE, image + ": cannot start: " + e.getMessage());
    }
    HostOutput.flush(cli.out());
    cli.finished(result);
    report(guest.name(), argv, config, result);
    if (tracing != null) {
      try {
        tracing.write();
        if (tracing.dropped() > 0) {
          cli.err()
              .printf(
                  "hartlab: trace: %,d events dropped over --trace-limit %d%n",
                  tracing.dropped(), traceLimit);
        }
      } catch (IOException e) {
        cli.err()
            .println(
                "hartlab: could not write the trace to "
                    + traceFile
                    + ": "
                    + OutputFiles.reason(e)
                    + "; the exit status is still the run's");
      }
    }
    return exitCode(result);
  }

  /**
   * On a terminal, a line every two seconds once a run has lasted two, so that a long, quiet guest
   * visibly runs; nothing when output goes to files or pipes.
   */
  private Machine.Progress progress() {
    if (System.console() == null || stats == StatsFormat.none) {
      return Machine.Progress.NONE;
    }
    long[] shown = {0};
    return (instructions, hostNanos) -> {
      long seconds = hostNanos / 1_000_000_000L;
      if (seconds >= 2 && seconds >= shown[0] + 2) {
        shown[0] = seconds;
        cli.err()
            .printf(
                "hartlab: running for %d s, %,d instructions (%.0f MIPS)%n",
                seconds, instructions, instructions / (hostNanos / 1e3));
      }
    };
  }

  private List<String> environment() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("PATH", "/bin");
    vars.put("HOME", "/");
    vars.put("TERM", "dumb");
    for (String e : env) {
      int eq = e.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--env wants NAME=VALUE, got '" + e + "'");
      }
      vars.put(e.substring(0, eq), e.substring(eq + 1));
    }
    List<String> out = new ArrayList<>();
    vars.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /**
   * The run's message and statistics on stderr, written so that a stderr nobody reads cannot keep
   * hartlab from exiting ({@link HostOutput}). A stats file that cannot be written after all (the
   * disk filled, the directory went away) costs only the file: the message says so, and the guest's
   * exit status stands.
   */
  private void report(String name, List<String> argv, MachineConfig config, RunResult result) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(text, true, StandardCharsets.UTF_8);
    if (!result.message().isEmpty()) {
      err.println("hartlab: " + result.message());
    }
    Map<String, Object> map = StatsReport.toMap(name, argv, config, result);
    switch (stats) {
      case table:
        StatsReport.printTable(err, name, result);
        break;
      case json:
        err.println(StatsReport.json(map));
        break;
      default:
        break;
    }
    HostOutput.print(cli.err(), text.toString(StandardCharsets.UTF_8));
    if (statsFile != null) {
      try {
        StatsReport.writeJson(statsFile, map);
      } catch (IOException e) {
        cli.err()
            .println(
                "hartlab: could not write the statistics to --stats-file "
                    + statsFile
                    + ": "
                    + OutputFiles.reason(e)
                    + "; the exit status is still the run's");
      }
    }
  }

  static int exitCode(RunResult r) {
    switch (r.outcome()) {
      case EXITED:
      case KILLED:
        return r.exitCode();
      case TIMEOUT:
      case INSTRUCTION_LIMIT:
        return ExitCodes.LIMIT;
      case VIOLATION:
        return ExitCodes.VIOLATION;
      default:
        return ExitCodes.INTERNAL;
    }
  }
}
