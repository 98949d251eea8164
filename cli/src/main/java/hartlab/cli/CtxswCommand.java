package hartlab.cli;

import hartlab.cli.experiment.Axis;
import hartlab.cli.experiment.Columns;
import hartlab.cli.experiment.Experiment;
import hartlab.kernel.RunResult;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Statistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hartlab ctxsw}: context-switch cost as lmbench's lat_ctx measures it, on the {@code
 * latctx} image: a token round a ring of processes or threads on one hart, minus the same pipe
 * traffic and working-set touches without switches (the baseline run), per hand-over. The cost is
 * broken down by the phases of schedule() the kernel counts. {@code --storm} instead runs the ring
 * as threads of one process with one hart each, so every hand-over goes through idle: lazy TLB
 * under a switch storm, where refcount mode's mm_count atomics cross harts.
 */
@Command(
    name = "ctxsw",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    description = {
      "Context-switch cost, lmbench lat_ctx style, for each lazy-TLB mode, ASIDs on and off,"
          + " processes and threads, ring sizes and working sets; cycles per switch broken down"
          + " by the phases of schedule().",
      "Same outputs as compare; machine options of 'boot' are axes too (defaults here: 1 hart,"
          + " 16 with --storm; --mem 32M; lockstep)."
    })
final class CtxswCommand implements Callable<Integer> {
  static final String IMAGE = "latctx";

  @Option(
      names = "--kind",
      paramLabel = "processes|threads[,...]",
      description = "Ring members (default: processes,threads; --storm: threads).")
  String kind;

  @Option(
      names = "--ring",
      paramLabel = "N[,...]",
      description = "Ring sizes, 2..64 (default: 2,8; --storm: 16).")
  String ring;

  @Option(
      names = "--ws",
      paramLabel = "KB[,...]",
      description =
          "Working set each member touches per token, 0..65536 KB (default: 0,64; --storm: 0).")
  String ws;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      defaultValue = "200",
      description = "Timed rounds of the token, 1..1000000 (default: ${DEFAULT-VALUE}).")
  long rounds;

  @Option(
      names = "--storm",
      description =
          "Switch storm: threads of one process, one hart each (--cores 16 unless given), every"
              + " hand-over through idle; no baseline.")
  boolean storm;

  @Mixin SweepOptions sweepOptions;
  @Spec CommandSpec spec;

  private final Cli cli;

  CtxswCommand(Cli cli) {
    this.cli = cli;
  }

  static CommandLine create(Cli cli) {
    CommandLine cmd = new CommandLine(new CtxswCommand(cli));
    CompareCommand.addMachineOptions(cmd.getCommandSpec());
    return cmd;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (rounds < 1 || rounds > 1_000_000) {
      throw new UsageException("--rounds " + rounds + ": out of range; 1..1000000");
    }
    sweepOptions.check();
    Experiment base =
        CompareCommand.experiment(spec, "ctxsw", IMAGE, List.of(), sweepOptions.repeat);
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    List<Axis> axes = new ArrayList<>();
    if (!parsed.hasMatchedOption("--lazy-tlb")) {
      axes.add(Axis.parse("--lazy-tlb", storm ? "refcount,shootdown" : "refcount,shootdown,off"));
    }
    if (!parsed.hasMatchedOption("--asid") && !storm) {
      axes.add(Axis.parse("--asid", "on,off"));
    }
    axes.addAll(base.axes());
    axes.add(
        checked(
            "--kind",
            kind,
            storm ? "threads" : "processes,threads",
            v -> v.equals("processes") || v.equals("threads")));
    axes.add(checked("--ring", ring, storm ? "16" : "2,8", v -> inRange(v, 2, 64)));
    axes.add(checked("--ws", ws, storm ? "0" : "0,64", v -> inRange(v, 0, 65536)));
    List<String> fixed = new ArrayList<>(base.fixed());
    if (!parsed.hasMatchedOption("--mem")) {
      // The rings need little RAM, and a small machine starts and ends much faster.
      fixed.add("--mem");
      fixed.add("32M");
    }
    if (storm && !parsed.hasMatchedOption("--cores")) {
      fixed.add("--cores");
      fixed.add("16");
    } else if (!parsed.hasMatchedOption("--cores")) {
      fixed.add("--cores");
      fixed.add("1");
    }
    List<String> argv = new ArrayList<>(List.of("--rounds", Long.toString(rounds)));
    if (storm) {
      argv.add("--storm");
    }
    Experiment e = new Experiment("ctxsw", IMAGE, argv, axes, fixed, sweepOptions.repeat);
    return CompareCommand.run(cli, e, sweepOptions, measure(rounds, storm));
  }

  private static boolean inRange(String v, long lo, long hi) {
    try {
      long n = Long.parseLong(v);
      return n >= lo && n <= hi;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Axis checked(
      String option, String given, String fallback, java.util.function.Predicate<String> ok) {
    Axis a;
    try {
      a = Axis.parse(option, given == null ? fallback : given);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    for (String v : a.values()) {
      if (!ok.test(v)) {
        throw new UsageException(option + " " + v + ": out of range; see 'hartlab ctxsw --help'");
      }
    }
    return a;
  }

  /** Column names of the breakdown, in table order. */
  static final String PER_SWITCH = "cyclesPerSwitch_cycles";

  static final String SCHEDULER = "scheduler_cyclesPerSwitch";
  static final String SWITCH_MM = "switchMm_cyclesPerSwitch";
  static final String FLUSHES = "switchMmFlushes_cyclesPerSwitch";
  static final String ATOMICS = "mmAtomics_cyclesPerSwitch";
  static final String SWITCH_TO = "switchTo_cyclesPerSwitch";
  static final String FINISH = "finish_cyclesPerSwitch";
  static final String REFILL_MISSES = "refillMisses_missesPerKiloSwitch";
  static final String REFILL = "refill_cyclesPerSwitch";
  static final String OTHER = "other_cyclesPerSwitch";
  static final String FLUSH_SHARE = "flushShare_permille";
  static final String REMOTE_MM_COUNT = "mmCountRemoteAtomics_perKiloSwitch";

  private static final Pattern PER_ROUND = Pattern.compile("cycles per round: (\\d+)");

  /**
   * The ring run (and the baseline) of a configuration, made into the breakdown. Per-switch phase
   * figures are the ring run's counters over its context switches; refills are the TLB misses and
   * walk cycles ({@code walkLevel} per level read) the ring run has over the baseline.
   */
  static Sweep.Measure measure(long rounds, boolean storm) {
    return (c, runner) -> {
      Map<String, String> s = c.settings();
      int ring = Integer.parseInt(s.get("--ring"));
      List<String> args = new ArrayList<>();
      if (s.get("--kind").equals("threads")) {
        args.add("-t");
      }
      args.addAll(List.of("-w", s.get("--ws"), "-n", Integer.toString(ring)));
      List<String> ringArgs = new ArrayList<>(args);
      if (storm) {
        ringArgs.add("-p");
      }
      ringArgs.add(Long.toString(rounds));
      Sweep.Outcome r = runner.run(ringArgs, true);
      Sweep.Outcome b = null;
      if (!storm) {
        List<String> baseArgs = new ArrayList<>(args);
        baseArgs.add("-b");
        baseArgs.add(Long.toString(rounds));
        b = runner.run(baseArgs, false);
      }
      Map<String, Object> row = new LinkedHashMap<>();
      Map<String, String> units = new LinkedHashMap<>();
      Statistics st = r.result().stats();
      long switches = Math.max(1, st.total(Counter.CONTEXT_SWITCHES));
      long ringRound = perRound(r);
      long baseRound = b == null ? 0 : perRound(b);
      long perSwitch = (ringRound - baseRound) / ring;
      long baseMisses = b == null ? 0 : b.result().stats().total(Counter.TLB_MISSES);
      long refillMisses = Math.max(0, st.total(Counter.TLB_MISSES) - baseMisses);
      long baseWalks = b == null ? 0 : b.result().stats().total(Counter.WALK_CYCLES);
      long refill = Math.max(0, st.total(Counter.WALK_CYCLES) - baseWalks) / switches;
      long pick = st.total(Counter.SWITCH_PICK_CYCLES) / switches;
      long mm = st.total(Counter.SWITCH_MM_CYCLES) / switches;
      long flush = st.total(Counter.SWITCH_FLUSH_CYCLES) / switches;
      long to = st.total(Counter.SWITCH_TO_CYCLES) / switches;
      long finish = st.total(Counter.SWITCH_FINISH_CYCLES) / switches;
      put(row, units, PER_SWITCH, perSwitch, "cycles");
      put(row, units, SCHEDULER, pick, "cycles");
      put(row, units, SWITCH_MM, mm, "cycles");
      put(row, units, FLUSHES, flush, "cycles");
      put(row, units, ATOMICS, st.total(Counter.MM_ATOMIC_CYCLES) / switches, "cycles");
      put(row, units, SWITCH_TO, to, "cycles");
      put(row, units, FINISH, finish, "cycles");
      put(row, units, REFILL_MISSES, refillMisses * 1000 / switches, "misses");
      put(row, units, REFILL, refill, "cycles");
      put(row, units, OTHER, perSwitch - pick - mm - to - finish - refill, "cycles");
      put(
          row,
          units,
          FLUSH_SHARE,
          perSwitch <= 0 ? 0 : (flush + refill) * 1000 / perSwitch,
          "permille");
      put(
          row,
          units,
          REMOTE_MM_COUNT,
          st.total(Counter.MM_COUNT_REMOTE_ATOMICS) * 1000 / switches,
          "atomics");
      put(row, units, "baselineCyclesPerRound_cycles", baseRound, "cycles");
      put(row, units, "ringCyclesPerRound_cycles", ringRound, "cycles");
      row.putAll(Columns.figures(r.result(), r.stdoutSha256()));
      units.putAll(Columns.units(r.result()));
      Map<String, Double> host = new LinkedHashMap<>(Columns.host(r.result()));
      host.put("hostNsPerSwitch", r.result().hostNanos() / (double) switches);
      return new Sweep.Measured(row, units, host, r.result());
    };
  }

  private static void put(
      Map<String, Object> row, Map<String, String> units, String column, long v, String unit) {
    row.put(column, v);
    units.put(column, unit);
  }

  /** The guest's own "cycles per round"; a run that did not print it is a failed measurement. */
  private static long perRound(Sweep.Outcome o) {
    Matcher m = PER_ROUND.matcher(o.stdout());
    RunResult r = o.result();
    if (!m.find()) {
      throw new IllegalStateException(
          "latctx printed no timing ("
              + r.outcome()
              + ", status "
              + r.exitCode()
              + "): "
              + o.stdout().lines().findFirst().orElse(""));
    }
    return Long.parseLong(m.group(1));
  }
}
