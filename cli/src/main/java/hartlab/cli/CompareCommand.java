package hartlab.cli;

import hartlab.cli.experiment.Axis;
import hartlab.cli.experiment.Experiment;
import hartlab.cli.experiment.Matrix;
import hartlab.cli.experiment.ResultFiles;
import hartlab.cli.experiment.Results;
import hartlab.cli.experiment.Summary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hartlab compare}: one workload over a matrix of machine options. Every option of {@code
 * boot}'s machine ({@link MachineOptions}) is accepted here too, and a comma-separated value makes
 * it an axis, so options added to the machine later are axes with no change here.
 */
@Command(
    name = "compare",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    description = {
      "Run one workload over every combination of machine options, in lockstep unless --exec"
          + " says otherwise: any machine option of 'boot' takes comma-separated values"
          + " (--shootdown a,b --cores 1,2,4).",
      "Writes a table to stdout and results.csv, results.json, host.csv, cycles.svg/png,"
          + " ipis.svg/png and index.html to --out; progress to stderr."
    },
    footer = {
      "",
      "Exit status: 0, 99 if a checker caught a violation in some run, 64 usage error, 65",
      "unusable image, 70 internal error (also a run that ended in one)."
    })
final class CompareCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "IMAGE|PATH",
      description = "Workload: a built-in image or an ELF file.")
  String image;

  @Parameters(index = "1..*", paramLabel = "ARG", description = "Guest arguments, after --.")
  List<String> guestArgs = new ArrayList<>();

  @Mixin SweepOptions sweepOptions;
  @Spec CommandSpec spec;

  private final Cli cli;

  CompareCommand(Cli cli) {
    this.cli = cli;
  }

  /** The command with every machine option of {@link MachineOptions} added as a string option. */
  static CommandLine create(Cli cli) {
    CommandLine cmd = new CommandLine(new CompareCommand(cli));
    addMachineOptions(cmd.getCommandSpec());
    return cmd;
  }

  static void addMachineOptions(CommandSpec target) {
    CommandSpec machine = CommandSpec.forAnnotatedObject(new MachineOptions());
    for (OptionSpec o : machine.options()) {
      boolean repeatable = o.isMultiValue();
      OptionSpec.Builder b =
          OptionSpec.builder(o.names())
              .type(repeatable ? List.class : String.class)
              .auxiliaryTypes(String.class)
              .arity("1")
              .paramLabel(repeatable ? o.paramLabel() : o.paramLabel() + "[,...]")
              .description(o.description());
      // Sweeps run in lockstep unless told otherwise (experiment() adds it), so say so.
      String fallback = o.longestName().equals("--exec") ? "lockstep" : o.defaultValue();
      if (fallback != null) {
        b.defaultValue(fallback);
      }
      target.addOption(b.build());
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    sweepOptions.check();
    Experiment experiment = experiment(spec, "compare", image, guestArgs, sweepOptions.repeat);
    return run(cli, experiment, sweepOptions, Sweep.plain(guestArgs));
  }

  /**
   * The experiment the parsed machine options describe: options given with several values are axes,
   * in the order typed; options given once are fixed; lockstep unless {@code --exec} is given.
   */
  static Experiment experiment(
      CommandSpec spec, String command, String image, List<String> argv, int repeat) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    CommandSpec machine = CommandSpec.forAnnotatedObject(new MachineOptions());
    List<Axis> axes = new ArrayList<>();
    List<String> fixed = new ArrayList<>();
    if (!parsed.hasMatchedOption("--exec")) {
      fixed.add("--exec");
      fixed.add("lockstep");
    }
    for (OptionSpec typed : parsed.matchedOptions()) {
      String name = typed.longestName();
      if (machine.findOption(name) == null) {
        continue;
      }
      if (typed.isMultiValue()) {
        List<String> values = typed.getValue();
        for (String v : values) {
          fixed.add(name);
          fixed.add(v);
        }
        continue;
      }
      String value = typed.getValue();
      try {
        Axis axis = Axis.parse(name, value);
        if (axis.values().size() == 1) {
          fixed.add(name);
          fixed.add(value);
        } else {
          axes.add(axis);
        }
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    return new Experiment(command, image, argv, axes, fixed, repeat);
  }

  /** Runs (a shard of) the experiment and writes its folder; the exit status. */
  static int run(Cli cli, Experiment e, SweepOptions options, Sweep.Measure measure)
      throws InterruptedException {
    String shard = options.shard;
    int jobs = options.jobs;
    long traceLimit = options.traceEvents();
    Matrix matrix = e.matrix();
    List<Matrix.Configuration> todo;
    try {
      int[] in = shard == null ? new int[] {1, 1} : shardOf(shard);
      todo = matrix.shard(in[0], in[1]);
    } catch (IllegalArgumentException | ArithmeticException x) {
      throw new UsageException("--shard " + shard + ": " + x.getMessage());
    }
    GuestImage.Loaded workload;
    try {
      workload = GuestImage.load(e.image());
    } catch (GuestImage.Unusable x) {
      return cli.fail(ExitCodes.BAD_IMAGE, x.getMessage());
    }
    Path dir = options.out != null ? options.out : Sweep.defaultOut(e.command(), e.image());
    Sweep sweep = new Sweep(e, workload, cli.err());
    sweep.check(todo);
    Sweep.TraceFiles traces =
        traceLimit == 0
            ? null
            : c -> {
              int harts = Sweep.config(e.fixed(), c).cores();
              return new Tracing(
                  dir.resolve("trace").resolve(String.format("%03d.json", c.index())),
                  harts,
                  traceLimit);
            };
    cli.err()
        .printf(
            "hartlab %s: %d configuration%s x %d run%s, %d at a time, into %s%n",
            e.command(),
            todo.size(),
            todo.size() == 1 ? "" : "s",
            e.repeat(),
            e.repeat() == 1 ? "" : "s",
            jobs,
            dir);
    Results results = sweep.run(todo, jobs, traces, measure);
    try {
      ResultFiles.write(dir, results);
    } catch (IOException x) {
      return cli.fail(
          ExitCodes.INTERNAL,
          "could not write the results to " + dir + ": " + OutputFiles.reason(x));
    }
    cli.out().print(new Summary(results).text());
    cli.err().println("hartlab " + e.command() + ": written to " + dir.resolve(ResultFiles.HTML));
    return status(results);
  }

  static int status(Results results) {
    int status = 0;
    for (var r : results.rows()) {
      String outcome = r.text(hartlab.cli.experiment.Columns.OUTCOME);
      if (outcome.equals("internal_error")) {
        return ExitCodes.INTERNAL;
      }
      String verdict = r.text(hartlab.cli.experiment.Columns.VERDICT);
      if (!verdict.equals("ok") && !verdict.equals("not checked")) {
        status = ExitCodes.VIOLATION;
      }
    }
    return status;
  }

  private static int[] shardOf(String text) {
    String[] parts = text.split("/", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("want I/N, e.g. 1/3");
    }
    try {
      return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
    } catch (NumberFormatException x) {
      throw new IllegalArgumentException("want I/N with whole numbers, e.g. 1/3");
    }
  }
}
