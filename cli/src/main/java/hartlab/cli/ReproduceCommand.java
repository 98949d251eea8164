package hartlab.cli;

import hartlab.cli.experiment.Axis;
import hartlab.cli.experiment.Columns;
import hartlab.cli.experiment.Experiment;
import hartlab.cli.experiment.Matrix;
import hartlab.cli.experiment.Results;
import hartlab.cli.experiment.Row;
import hartlab.kernel.check.FreedTableChecker;
import hartlab.kernel.stats.Latency;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hartlab reproduce}: fixed comparisons that correspond to published results on TLB
 * coherence, under the x86-like cost profile in lockstep, each with the published direction and
 * magnitude, hartlab's figure, and whether the direction holds. The sources are cited in README.
 */
@Command(
    name = "reproduce",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Run comparisons that correspond to published results (concurrent flush, skipping lazy"
          + " CPUs, batched flushes, ASIDs, lazy-TLB refcount vs shootdown, munmap schemes) under"
          + " the x86-like profile, and say for each whether hartlab shows the published"
          + " direction. Sources: README."
    },
    footer = {"", "Exit status: 0 if every direction holds, 1 if one does not, 70 internal error."})
final class ReproduceCommand implements Callable<Integer> {
  @Option(
      names = "--quick",
      description = "Smaller workloads (seconds, for tests); directions should still hold.")
  boolean quick;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      defaultValue = "1",
      description = "Runs at once, 1..64 (default: ${DEFAULT-VALUE}).")
  int jobs;

  /** Which way the variant's figure must move from the baseline's. */
  enum Direction {
    LOWER,
    HIGHER
  }

  /**
   * One published result and the comparison that corresponds to it.
   *
   * @param name what is compared
   * @param published the published direction and magnitude, with a short source
   * @param figure what hartlab compares, with its unit
   * @param column the result column of that figure
   * @param experiment the two configurations: the one axis's first value is the baseline, its
   *     second the variant
   * @param how measured as compare does, or as ctxsw does (ring and baseline, or storm)
   */
  record Check(
      String name,
      String published,
      String figure,
      String column,
      Direction direction,
      Experiment experiment,
      How how) {}

  /** How a check's runs are made into figures. */
  enum How {
    COMPARE,
    CTXSW,
    STORM
  }

  private final Cli cli;

  ReproduceCommand(Cli cli) {
    this.cli = cli;
  }

  static final List<String> X86 = List.of("--exec", "lockstep", "--cost-model", "x86-like");

  /** The fixed set; {@code quick} shrinks the workloads, not what is compared. */
  static List<Check> checks(boolean quick) {
    String iters = quick ? "30" : "200";
    List<String> storm = List.of("4", iters, "8");
    List<String> fixed4 = with(X86, "--cores", "4");
    List<Check> checks = new ArrayList<>();
    checks.add(
        new Check(
            "concurrent vs synchronous flush",
            "shorter shootdowns: MADV_DONTNEED+touch 1436 -> 1225 ns with 2 threads (-14%), 1571"
                + " -> 1421 ns with 4 (-10%) [Amit 2019, Linux 5.13]",
            "mmapstorm, 4 harts: shootdown latency p50 (cycles)",
            "shootdownLatency_p50_cycles",
            Direction.LOWER,
            compare(storm, fixed4, "--shootdown", "ipi-sync", "ipi-concurrent"),
            How.COMPARE));
    checks.add(
        new Check(
            "skipping lazy CPUs",
            "fewer IPIs to idle CPUs: 1-2% less total CPU for memcache on two sockets, ~1% for"
                + " netperf [van Riel 2018, Linux 4.19]",
            "mmapstorm, 4 harts: IPIs sent",
            "ipisSent_IPIs",
            Direction.LOWER,
            compare(storm, fixed4, "--shootdown", "ipi-sync", "lazy-skip"),
            How.COMPARE));
    checks.add(
        new Check(
            "deferred/batched invalidation",
            "far fewer IPIs: 900K -> 60K interrupts/s (-93%) on a 4-socket machine under reclaim"
                + " [Gorman 2015]",
            "mmapstorm, 4 harts: IPIs sent",
            "ipisSent_IPIs",
            Direction.LOWER,
            compare(storm, fixed4, "--shootdown", "ipi-sync", "deferred"),
            How.COMPARE));
    String rounds = quick ? "50" : "300";
    checks.add(
        new Check(
            "ASIDs vs flush on every switch",
            "cheaper process switches: no flush and refill of the TLB (PCID, Linux 4.14);"
                + " direction only, no magnitude found",
            "latctx, 2 processes, 64 KB each, 1 hart: cycles per switch",
            CtxswCommand.PER_SWITCH,
            Direction.LOWER,
            ctxsw(
                rounds,
                with(X86, "--cores", "1", "--mem", "32M"),
                "--asid",
                "off",
                "on",
                "processes",
                "2",
                "64"),
            How.CTXSW));
    checks.add(
        new Check(
            "lazy TLB: refcount vs shootdown under a switch storm",
            "no mm_count line bouncing: ~1M -> 118M context switches/s, 192-core POWER8, as many"
                + " threads as CPUs [Piggin 2021, Linux 6.2]",
            "latctx storm, 16 threads on 16 harts: cycles per switch",
            CtxswCommand.PER_SWITCH,
            Direction.LOWER,
            ctxsw(
                quick ? "20" : "100",
                with(X86, "--cores", "16", "--mem", "32M"),
                "--lazy-tlb",
                "refcount",
                "shootdown",
                "threads",
                "16",
                "0"),
            How.STORM));
    checks.add(
        new Check(
            "munmap: wait for a grace period vs leave a dead entry",
            "munmap need not wait for a grace period: a dead entry holds the range until the"
                + " grace period and the shootdown are done [\"synchronize_rcu in munmap?\","
                + " the maple tree's RCU mode]; direction only, no magnitude found",
            "mmapstorm, 4 harts, both runs clean: munmap latency p50 (cycles)",
            Columns.of(Latency.MUNMAP_CYCLES, "p50"),
            Direction.LOWER,
            compare(storm, fixed4, "--munmap-scheme", "sync-rcu", "dead-entry"),
            How.COMPARE));
    checks.add(
        new Check(
            "munmap: refcounting areas is not enough",
            "freeing page tables once no fault holds the area leaves stale PTEs and page-walk"
                + " caches pointing at them [\"synchronize_rcu in munmap?\"]; caught, no"
                + " magnitude",
            "mapsrace, 8 harts, speculative walks, the baseline clean: freed-page-table violations",
            "violations_" + FreedTableChecker.NAME,
            Direction.HIGHER,
            new Experiment(
                "compare",
                "mapsrace",
                List.of("10", "40"),
                List.of(new Axis("--munmap-scheme", List.of("sync-rcu", "vma-refcount"))),
                with(X86, "--cores", "8", "--speculative-walks", "on"),
                1),
            How.COMPARE));
    return checks;
  }

  private static List<String> with(List<String> base, String... more) {
    List<String> out = new ArrayList<>(base);
    out.addAll(List.of(more));
    return out;
  }

  private static Experiment compare(
      List<String> argv, List<String> fixed, String option, String baseline, String variant) {
    return new Experiment(
        "compare",
        "mmapstorm",
        argv,
        List.of(new Axis(option, List.of(baseline, variant))),
        fixed,
        1);
  }

  private static Experiment ctxsw(
      String rounds,
      List<String> fixed,
      String option,
      String baseline,
      String variant,
      String kind,
      String ring,
      String ws) {
    return new Experiment(
        "ctxsw",
        CtxswCommand.IMAGE,
        List.of("--rounds", rounds),
        List.of(
            new Axis(option, List.of(baseline, variant)),
            new Axis("--kind", List.of(kind)),
            new Axis("--ring", List.of(ring)),
            new Axis("--ws", List.of(ws))),
        fixed,
        1);
  }

  @Override
  public Integer call() throws InterruptedException {
    if (jobs < 1 || jobs > 64) {
      throw new UsageException("--jobs " + jobs + ": out of range; jobs must be 1..64");
    }
    boolean all = true;
    long start = System.nanoTime();
    List<Check> checks = checks(quick);
    for (int i = 0; i < checks.size(); i++) {
      Check c = checks.get(i);
      Experiment e = c.experiment();
      GuestImage.Loaded workload;
      try {
        workload = GuestImage.load(e.image());
      } catch (GuestImage.Unusable x) {
        return cli.fail(ExitCodes.INTERNAL, x.getMessage());
      }
      List<Matrix.Configuration> both = e.matrix().shard(1, 1);
      Sweep.Measure measure =
          c.how() == How.COMPARE
              ? Sweep.plain(e.argv())
              : CtxswCommand.measure(Long.parseLong(e.argv().get(1)), c.how() == How.STORM);
      Results r = new Sweep(e, workload, cli.err()).run(both, jobs, null, measure);
      long base = r.rows().get(0).number(c.column());
      long variant = r.rows().get(1).number(c.column());
      // A figure from a run that failed or tripped a checker proves nothing, unless the figure
      // is that checker's count in the variant.
      String unclean = unclean("baseline", r.rows().get(0));
      if (unclean.isEmpty() && !c.column().startsWith("violations_")) {
        unclean = unclean("variant", r.rows().get(1));
      }
      boolean holds =
          unclean.isEmpty() && (c.direction() == Direction.LOWER ? variant < base : variant > base);
      all &= holds;
      Axis axis = e.axes().get(0);
      cli.out()
          .printf(
              Locale.ROOT,
              "%d. %s (%s %s -> %s)%n   published: %s%n   hartlab:   %s: %,d -> %,d (%s)%n"
                  + "   direction holds: %s%n%n",
              i + 1,
              c.name(),
              axis.option(),
              axis.values().get(0),
              axis.values().get(1),
              c.published(),
              c.figure(),
              base,
              variant,
              change(base, variant),
              holds ? "yes" : "NO" + unclean);
    }
    cli.out()
        .printf(
            "%s; %s%n",
            all ? "every direction holds" : "some direction does NOT hold",
            "x86-like profile, lockstep, " + Sweep.duration(System.nanoTime() - start));
    return all ? 0 : 1;
  }

  /** Empty if {@code row}'s run exited 0 with no checker firing, else why not. */
  private static String unclean(String which, Row row) {
    String checker = row.text(Columns.VERDICT);
    long exit = row.number(Columns.EXIT_CODE);
    if (exit == 0 && (checker.equals("ok") || checker.equals("not checked"))) {
      return "";
    }
    return String.format(Locale.ROOT, " (the %s run: exit %d, checker %s)", which, exit, checker);
  }

  private static String change(long base, long variant) {
    if (base == 0) {
      return "from zero";
    }
    return String.format(Locale.ROOT, "%+.1f%%", 100.0 * (variant - base) / base);
  }
}
