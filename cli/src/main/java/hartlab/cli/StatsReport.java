package hartlab.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import hartlab.cpu.CostModel;
import hartlab.kernel.MachineConfig;
import hartlab.kernel.RunResult;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.stats.MachineCounter;
import hartlab.kernel.stats.Statistics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Statistics of a run, rendered from the kernel's one model ({@link Statistics}): a table for
 * people, JSON for programs. Every figure's unit is listed beside it in the JSON.
 */
final class StatsReport {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .registerModule(
              new SimpleModule()
                  .addSerializer(
                      CostModel.class,
                      new StdSerializer<>(CostModel.class) {
                        @Override
                        public void serialize(CostModel c, JsonGenerator g, SerializerProvider p)
                            throws IOException {
                          g.writeStartObject();
                          g.writeStringField("profile", c.profile());
                          g.writeObjectField("cycles", c.values());
                          g.writeEndObject();
                        }
                      }));

  private StatsReport() {}

  static void printTable(PrintStream out, String image, RunResult r) {
    Statistics s = r.stats();
    out.printf(
        "%n%s on %d hart%s: %s, status %d, %.3f s host, %s instructions, %.1f MIPS%n",
        image,
        r.cores(),
        r.cores() == 1 ? "" : "s",
        r.outcome().name().toLowerCase(),
        r.exitCode(),
        r.hostNanos() / 1e9,
        group(r.instructions()),
        r.instructions() / (r.hostNanos() / 1e3));
    out.printf(
        "figures made with cost model %s, %s%s%n",
        s.labels().get("costModel"),
        s.labels().get("exec"),
        s.labels().get("exec").equals("lockstep")
            ? ", lookahead " + s.labels().get("quantumCycles") + " cycles"
            : " (host-timed; cycles not reproducible)");
    String head = "%4s %14s %14s %12s %10s %9s %8s %8s %8s %7s%n";
    out.printf(
        head,
        "hart",
        "instructions",
        "busy cycles",
        "tlb-hits",
        "tlb-miss",
        "walks",
        "flushes",
        "faults",
        "syscalls",
        "ctxsw");
    for (int h = 0; h < s.harts(); h++) {
      int hart = h;
      row(out, Integer.toString(h), c -> s.hart(hart, c));
    }
    if (s.harts() > 1) {
      row(out, "all", s::total);
    }
    if (!s.syscalls().isEmpty()) {
      List<String> calls = new ArrayList<>();
      s.syscalls().forEach((name, n) -> calls.add(name + " " + n));
      out.println("syscalls: " + String.join(", ", calls));
    }
    Statistics.Summary wait = s.latency(Latency.RUN_QUEUE_WAIT_CYCLES);
    out.printf(
        "kernel: %s tasks, %s migrations, %s preemptions, run-queue wait p50 %s p99 %s cycles, "
            + "%s IPIs, %s ASID rollovers; violations: %s%n",
        group(s.machine(MachineCounter.TASKS_CREATED)),
        group(s.machine(MachineCounter.MIGRATIONS)),
        group(s.machine(MachineCounter.PREEMPTIONS)),
        group(wait.p50()),
        group(wait.p99()),
        group(s.total(Counter.IPIS_SENT)),
        group(s.machine(MachineCounter.ASID_ROLLOVERS)),
        violations(s.violations()));
    out.printf(
        "kernel memory: peak %s KiB, %s allocations refused%n",
        group(s.machine(MachineCounter.KERNEL_MEMORY_PEAK) / 1024),
        group(s.machine(MachineCounter.KERNEL_MEMORY_REFUSALS)));
    Statistics.Summary sd = s.latency(Latency.SHOOTDOWN_CYCLES);
    out.printf(
        "shootdowns (%s): %s (%s full), %s pages, latency p50 %s p99 %s max %s cycles (host p50 %s"
            + " ns); IPI latency p50 %s cycles%n",
        s.labels().get("shootdown"),
        group(s.total(Counter.SHOOTDOWNS)),
        group(s.total(Counter.FULL_SHOOTDOWNS)),
        group(s.total(Counter.PAGES_INVALIDATED)),
        group(sd.p50()),
        group(sd.p99()),
        group(sd.max()),
        group(s.latency(Latency.SHOOTDOWN_HOST_NANOS).p50()),
        group(s.latency(Latency.IPI_CYCLES).p50()));
    if (s.total(Counter.RCU_READ_SECTIONS) + s.total(Counter.RCU_CALLBACKS_QUEUED) > 0) {
      Statistics.Summary gp = s.latency(Latency.RCU_GP_CYCLES);
      out.printf(
          "rcu (%s): %s grace periods (%s expedited), latency p50 %s p99 %s cycles; %s read"
              + " sections; callbacks %s queued, %s run; %s synchronize sleeps, p50 %s cycles%n",
          s.labels().get("rcu"),
          group(s.total(Counter.RCU_GRACE_PERIODS)),
          group(s.total(Counter.RCU_EXPEDITED)),
          group(gp.p50()),
          group(gp.p99()),
          group(s.total(Counter.RCU_READ_SECTIONS)),
          group(s.total(Counter.RCU_CALLBACKS_QUEUED)),
          group(s.total(Counter.RCU_CALLBACKS_RUN)),
          group(s.total(Counter.RCU_SYNC_SLEEPS)),
          group(s.latency(Latency.RCU_SYNC_CYCLES).p50()));
    }
    out.println("digest: " + r.digest());
  }

  private interface Figures {
    long get(Counter c);
  }

  private static void row(PrintStream out, String hart, Figures f) {
    long flushes =
        f.get(Counter.TLB_FLUSHES_ALL)
            + f.get(Counter.TLB_FLUSHES_ASID)
            + f.get(Counter.TLB_FLUSHES_PAGE)
            + f.get(Counter.TLB_FLUSHES_RANGE);
    out.printf(
        "%4s %14s %14s %12s %10s %9s %8s %8s %8s %7s%n",
        hart,
        group(f.get(Counter.INSTRUCTIONS)),
        group(f.get(Counter.BUSY_CYCLES)),
        group(f.get(Counter.TLB_HITS)),
        group(f.get(Counter.TLB_MISSES)),
        group(f.get(Counter.PAGE_WALKS)),
        group(flushes),
        group(f.get(Counter.PAGE_FAULTS)),
        group(f.get(Counter.SYSCALLS)),
        group(f.get(Counter.CONTEXT_SWITCHES)));
  }

  /** "none (4 checkers)", "2 tlb-coherence, 1 active-mm", or "not checked". */
  private static String violations(Map<String, Long> counts) {
    if (counts.isEmpty()) {
      return "not checked";
    }
    List<String> caught = new ArrayList<>();
    counts.forEach(
        (checker, n) -> {
          if (n > 0) {
            caught.add(group(n) + " " + checker);
          }
        });
    return caught.isEmpty() ? "none (" + counts.size() + " checkers)" : String.join(", ", caught);
  }

  private static String group(long v) {
    return String.format("%,d", v);
  }

  /**
   * The run as JSON: how it ended, the configuration, the figures (totals over harts, per hart,
   * machine-wide, latency distributions, syscalls, violations per checker), their units, host
   * figures apart, and the digest.
   */
  static Map<String, Object> toMap(
      String image, List<String> argv, MachineConfig config, RunResult r) {
    Statistics s = r.stats();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("image", image);
    m.put("argv", argv);
    m.put("outcome", r.outcome().name().toLowerCase());
    m.put("exitCode", r.exitCode());
    m.put("message", r.message());
    m.put("config", config);
    m.put("labels", s.labels());
    m.put("hostSeconds", r.hostNanos() / 1e9);
    m.put("mips", r.instructions() / (r.hostNanos() / 1e3));
    Map<String, Object> totals = new LinkedHashMap<>();
    for (Counter c : Counter.values()) {
      totals.put(c.key(), s.total(c));
    }
    m.put("totals", totals);
    List<Map<String, Object>> harts = new ArrayList<>();
    for (int h = 0; h < s.harts(); h++) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("hart", h);
      for (Counter c : Counter.values()) {
        one.put(c.key(), s.hart(h, c));
      }
      harts.add(one);
    }
    m.put("harts", harts);
    Map<String, Object> machine = new LinkedHashMap<>();
    for (MachineCounter c : MachineCounter.values()) {
      machine.put(c.key(), s.machine(c));
    }
    m.put("machine", machine);
    Map<String, Object> latency = new LinkedHashMap<>();
    Map<String, Object> host = new LinkedHashMap<>();
    for (Latency l : Latency.values()) {
      (l.measuresHost() ? host : latency).put(latencyKey(l), s.latency(l));
    }
    m.put("latency", latency);
    m.put("syscalls", s.syscalls());
    m.put("violations", s.violations());
    m.put("host", host);
    m.put("units", units());
    m.put("digest", r.digest());
    return m;
  }

  private static String latencyKey(Latency l) {
    return l.key() + Character.toUpperCase(l.unit().charAt(0)) + l.unit().substring(1);
  }

  private static Map<String, String> units() {
    Map<String, String> u = new LinkedHashMap<>();
    for (Counter c : Counter.values()) {
      u.put(c.key(), c.unit());
    }
    for (MachineCounter c : MachineCounter.values()) {
      u.put(c.key(), c.unit());
    }
    for (Latency l : Latency.values()) {
      u.put(latencyKey(l), l.unit());
    }
    return u;
  }

  static String json(Map<String, Object> report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (IOException e) {
      throw new IllegalStateException("StatsReport.json: " + e.getMessage(), e);
    }
  }

  static void writeJson(Path file, Map<String, Object> report) throws IOException {
    Files.writeString(file, json(report) + "\n");
  }
}
