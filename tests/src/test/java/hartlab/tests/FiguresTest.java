package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.RunResult;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.stats.Statistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Figures a user may publish: they must come from the mechanisms, not from how lockstep cuts turns,
 * and they must move with the cost model as the prices say and in the directions the literature
 * reports for the x86-like profile.
 */
class FiguresTest {
  private static final long DEFAULT_QUANTUM = 100_000;

  private static RunResult run(String image, List<String> args, String... options) {
    List<String> cmd =
        new ArrayList<>(List.of("boot", image, "--exec", "lockstep", "--stats", "none"));
    cmd.addAll(List.of(options));
    cmd.add("--");
    cmd.addAll(args);
    Runs.Outcome r = Runs.hartlab(cmd.toArray(String[]::new));
    assertEquals(0, r.status(), r.stdout() + r.stderr());
    return r.run();
  }

  private static Statistics mmapstorm(int cores, String strategy, String... options) {
    List<String> opts =
        new ArrayList<>(List.of("--cores", Integer.toString(cores), "--shootdown", strategy));
    opts.addAll(List.of(options));
    String n = Integer.toString(cores);
    return run("mmapstorm", List.of(n, "200", "8"), opts.toArray(String[]::new)).stats();
  }

  /**
   * The table, re-run: mmapstorm on 8 harts under every strategy at the default lookahead,
   * a quarter of it and a sixteenth. Run length and IPIs move by less than 5% between the first
   * two, and no two strategies whose figures differ by more than 2% swap places at any of the three
   * (closer than that, they are a tie, not a ranking).
   */
  @Test
  void strategyFiguresHaveConvergedAtTheDefaultQuantum() {
    long[] quanta = {DEFAULT_QUANTUM, DEFAULT_QUANTUM / 4, DEFAULT_QUANTUM / 16};
    Map<String, long[][]> figures = new LinkedHashMap<>(); // strategy -> [quantum][length, ipis]
    for (String s : ShootdownTest.STRATEGIES) {
      long[][] f = new long[quanta.length][];
      for (int q = 0; q < quanta.length; q++) {
        Statistics st = mmapstorm(8, s, "--quantum", Long.toString(quanta[q]));
        f[q] = new long[] {st.total(Counter.BUSY_CYCLES), st.total(Counter.IPIS_SENT)};
      }
      figures.put(s, f);
      for (int k = 0; k < 2; k++) {
        double change = Math.abs(f[1][k] - f[0][k]) / (double) Math.max(1, f[0][k]);
        assertTrue(
            change < 0.05 || Math.abs(f[1][k] - f[0][k]) <= 10,
            s + (k == 0 ? " run length " : " IPIs ") + f[0][k] + " -> " + f[1][k]);
      }
    }
    for (String a : figures.keySet()) {
      for (String b : figures.keySet()) {
        for (int k = 0; k < 2; k++) {
          long x = figures.get(a)[0][k];
          long y = figures.get(b)[0][k];
          if (x < y * 0.98) {
            for (int q = 1; q < quanta.length; q++) {
              assertTrue(
                  figures.get(a)[q][k] < figures.get(b)[q][k],
                  a + " ranks below " + b + " at the default quantum but not at " + quanta[q]);
            }
          }
        }
      }
    }
  }

  /**
   * Doubling ipiSend makes each ipi-sync shootdown on two harts dearer by exactly one ipiSend (one
   * target), and leaves hardware broadcast, which sends no IPI, as it was.
   */
  @Test
  void doublingIpiSendCostsIpiSyncOneSendPerTargetAndBroadcastNothing() {
    int ipiSend = hartlab.cpu.CostModel.DEFAULT.ipiSend();
    String doubled = "ipiSend=" + 2 * ipiSend;
    long sync = mmapstorm(2, "ipi-sync").latency(Latency.SHOOTDOWN_CYCLES).p50();
    long syncDoubled =
        mmapstorm(2, "ipi-sync", "--cost", doubled).latency(Latency.SHOOTDOWN_CYCLES).p50();
    assertEquals(ipiSend, syncDoubled - sync, "ipi-sync p50 " + sync + " -> " + syncDoubled);
    long broadcast = mmapstorm(2, "broadcast").latency(Latency.SHOOTDOWN_CYCLES).p50();
    long broadcastDoubled =
        mmapstorm(2, "broadcast", "--cost", doubled).latency(Latency.SHOOTDOWN_CYCLES).p50();
    assertEquals(broadcast, broadcastDoubled);
  }

  /**
   * pingpong -x pins two sides to two harts, each idling between tokens: refcount lazy TLB takes
   * and drops an mm_count reference at every idle. Two processes: each mm's count is touched only
   * by its own hart, so the atomics are local. Two threads of one process: the harts share the
   * count and its line moves between them.
   */
  @Test
  void mmCountAtomicsAreLocalForProcessesAndRemoteForThreadsOnTwoHarts() {
    Statistics processes =
        run("pingpong", List.of("-x", "2000"), "--cores", "2", "--lazy-tlb", "refcount").stats();
    Statistics threads =
        run("pingpong", List.of("-x", "-t", "2000"), "--cores", "2", "--lazy-tlb", "refcount")
            .stats();
    long pl = processes.total(Counter.MM_COUNT_LOCAL_ATOMICS);
    long pr = processes.total(Counter.MM_COUNT_REMOTE_ATOMICS);
    long tl = threads.total(Counter.MM_COUNT_LOCAL_ATOMICS);
    long tr = threads.total(Counter.MM_COUNT_REMOTE_ATOMICS);
    assertTrue(pl > 4000 && pr < 10, "processes: local " + pl + ", remote " + pr);
    assertTrue(tr > 2000, "threads: local " + tl + ", remote " + tr);
  }

  /**
   * With the x86-like profile, mmapstorm on 2 to 8 harts shows the published directions: flushing
   * locally while the IPIs fly beats flushing first, skipping lazy harts saves IPIs, deferring
   * makes munmap return sooner.
   */
  @ParameterizedTest(name = "{0} harts")
  @ValueSource(ints = {2, 4, 8})
  void x86LikeProfileShowsThePublishedDirections(int cores) {
    Statistics sync = mmapstorm(cores, "ipi-sync", "--cost-model", "x86-like");
    Statistics concurrent = mmapstorm(cores, "ipi-concurrent", "--cost-model", "x86-like");
    Statistics lazy = mmapstorm(cores, "lazy-skip", "--cost-model", "x86-like");
    Statistics deferred = mmapstorm(cores, "deferred", "--cost-model", "x86-like");
    assertTrue(
        concurrent.latency(Latency.SHOOTDOWN_CYCLES).p50()
            < sync.latency(Latency.SHOOTDOWN_CYCLES).p50(),
        "ipi-concurrent below ipi-sync in cycles per shootdown");
    assertTrue(
        lazy.total(Counter.IPIS_SENT) < sync.total(Counter.IPIS_SENT),
        "lazy-skip fewer IPIs than ipi-sync");
    assertTrue(
        deferred.latency(Latency.MUNMAP_CYCLES).p50() < sync.latency(Latency.MUNMAP_CYCLES).p50(),
        "deferred lower munmap latency than ipi-sync");
  }

  /** Without ASIDs every process switch flushes the whole TLB: lat_ctx grows. */
  @Test
  void x86LikeProcessSwitchIsDearerWithoutAsids() {
    long on = cyclesPerSwitch("on");
    long off = cyclesPerSwitch("off");
    assertTrue(off > on, "asid off " + off + " vs on " + on);
  }

  private static long cyclesPerSwitch(String asid) {
    List<String> cmd =
        List.of(
            "boot",
            "pingpong",
            "--exec",
            "lockstep",
            "--cores",
            "1",
            "--asid",
            asid,
            "--cost-model",
            "x86-like",
            "--stats",
            "none",
            "--",
            "2000");
    Runs.Outcome r = Runs.hartlab(cmd.toArray(String[]::new));
    assertEquals(0, r.status(), r.stderr());
    String line =
        r.stdout()
            .lines()
            .filter(l -> l.startsWith("cycles per switch:"))
            .findFirst()
            .orElseThrow();
    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
  }
}
