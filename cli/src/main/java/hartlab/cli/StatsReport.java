package hartlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import hartlab.kernel.HartStats;
import hartlab.kernel.KernelStats;
import hartlab.kernel.MachineConfig;
import hartlab.kernel.RunResult;
import hartlab.kernel.ShootdownFigures;
import hartlab.mmu.TlbStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Statistics of a run: a table for people, JSON for programs. */
final class StatsReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private StatsReport() {}

  static void printTable(PrintStream out, String image, MachineConfig config, RunResult r) {
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
    for (HartStats h : r.harts()) {
      row(
          out,
          Integer.toString(h.hart()),
          h.instructions(),
          h.busyCycles(),
          h.tlb(),
          h.pageWalks(),
          h.pageFaults(),
          h.syscalls(),
          h.contextSwitches());
    }
    if (r.harts().size() > 1) {
      HartStats t = totals(r.harts());
      row(
          out,
          "all",
          t.instructions(),
          t.busyCycles(),
          t.tlb(),
          t.pageWalks(),
          t.pageFaults(),
          t.syscalls(),
          t.contextSwitches());
    }
    if (!r.syscalls().isEmpty()) {
      List<String> calls = new ArrayList<>();
      r.syscalls().forEach((name, n) -> calls.add(name + " " + n));
      out.println("syscalls: " + String.join(", ", calls));
    }
    KernelStats k = r.kernel();
    out.printf(
        "kernel: %s tasks, %s migrations, %s preemptions, run-queue wait p50 %s p99 %s cycles, "
            + "%s IPIs, %s ASID rollovers, %s active_mm violations%n",
        group(k.tasksCreated()),
        group(k.sched().migrations()),
        group(k.sched().preemptions()),
        group(k.sched().waitP50()),
        group(k.sched().waitP99()),
        group(totals(r.harts()).ipisSent()),
        group(k.asidRollovers()),
        group(k.activeMmViolations()));
    ShootdownFigures sd = k.shootdown();
    out.printf(
        "shootdowns (%s): %s (%s full), %s pages, latency p50 %s p99 %s max %s cycles (host p50 %s ns); "
            + "IPI latency p50 %s cycles%n",
        k.shootdownStrategy(),
        group(sd.shootdowns()),
        group(sd.fullShootdowns()),
        group(sd.pagesInvalidated()),
        group(sd.cycles().p50()),
        group(sd.cycles().p99()),
        group(sd.cycles().max()),
        group(sd.hostNanos().p50()),
        group(sd.ipiCycles().p50()));
    out.println("digest: " + digest(r));
  }

  private static void row(
      PrintStream out,
      String hart,
      long insns,
      long cycles,
      TlbStats tlb,
      long walks,
      long faults,
      long syscalls,
      long switches) {
    out.printf(
        "%4s %14s %14s %12s %10s %9s %8s %8s %8s %7s%n",
        hart,
        group(insns),
        group(cycles),
        group(tlb.hits()),
        group(tlb.misses()),
        group(walks),
        group(tlb.flushes()),
        group(faults),
        group(syscalls),
        group(switches));
  }

  private static String group(long v) {
    return String.format("%,d", v);
  }

  /**
   * Sums of every counter; cycles and idle cycles are those of the busiest hart, whose busy cycles
   * are the run's virtual length (idle harts' clocks only follow along).
   */
  static HartStats totals(List<HartStats> harts) {
    TlbStats tlb = new TlbStats(0, 0, 0, 0, 0, 0, 0);
    long insns = 0,
        cycles = 0,
        busiest = 0,
        walks = 0,
        faults = 0,
        syscalls = 0,
        restarts = 0,
        traps = 0,
        switches = 0;
    long ipisSent = 0, ipisReceived = 0;
    for (HartStats h : harts) {
      tlb = tlb.plus(h.tlb());
      insns += h.instructions();
      if (h.busyCycles() > busiest) {
        busiest = h.busyCycles();
        cycles = h.cycles();
      }
      walks += h.pageWalks();
      faults += h.pageFaults();
      syscalls += h.syscalls();
      restarts += h.syscallRestarts();
      traps += h.traps();
      switches += h.contextSwitches();
      ipisSent += h.ipisSent();
      ipisReceived += h.ipisReceived();
    }
    return new HartStats(
        -1,
        insns,
        cycles,
        cycles - busiest,
        tlb,
        walks,
        faults,
        syscalls,
        restarts,
        traps,
        switches,
        ipisSent,
        ipisReceived);
  }

  static Map<String, Object> toMap(
      String image, List<String> argv, MachineConfig config, RunResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("image", image);
    m.put("argv", argv);
    m.put("outcome", r.outcome().name().toLowerCase());
    m.put("exitCode", r.exitCode());
    m.put("message", r.message());
    m.put("config", config);
    m.put("hostSeconds", r.hostNanos() / 1e9);
    m.put("mips", r.instructions() / (r.hostNanos() / 1e3));
    m.put("totals", totals(r.harts()));
    m.put("harts", r.harts());
    m.put("syscalls", r.syscalls());
    m.put("kernel", kernelMap(r.kernel()));
    m.put("host", hostMap(r.kernel()));
    m.put("digest", digest(r));
    return m;
  }

  private static Map<String, Object> kernelMap(KernelStats k) {
    Map<String, Object> sched = new LinkedHashMap<>();
    sched.put("wakeups", k.sched().wakeups());
    sched.put("migrations", k.sched().migrations());
    sched.put("idlePulls", k.sched().idlePulls());
    sched.put("balancePulls", k.sched().balancePulls());
    sched.put("preemptions", k.sched().preemptions());
    sched.put("picks", k.sched().picks());
    sched.put("runQueueWaitP50", k.sched().waitP50());
    sched.put("runQueueWaitP99", k.sched().waitP99());
    sched.put("runQueueWaitMax", k.sched().waitMax());
    ShootdownFigures sd = k.shootdown();
    Map<String, Object> shootdown = new LinkedHashMap<>();
    shootdown.put("strategy", k.shootdownStrategy());
    shootdown.put("shootdowns", sd.shootdowns());
    shootdown.put("pagesInvalidated", sd.pagesInvalidated());
    shootdown.put("fullShootdowns", sd.fullShootdowns());
    shootdown.put("broadcasts", sd.broadcasts());
    shootdown.put("deferredApplied", sd.deferredApplied());
    shootdown.put("latencyCycles", sd.cycles());
    shootdown.put("ipiLatencyCycles", sd.ipiCycles());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tasksCreated", k.tasksCreated());
    m.put("asidRollovers", k.asidRollovers());
    m.put("activeMmViolations", k.activeMmViolations());
    m.put("sched", sched);
    m.put("shootdown", shootdown);
    return m;
  }

  /** Host-time figures: reported beside the emulated ones, kept out of the digest. */
  private static Map<String, Object> hostMap(KernelStats k) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shootdownLatencyNanos", k.shootdown().hostNanos());
    m.put("ipiLatencyNanos", k.shootdown().ipiHostNanos());
    return m;
  }

  /**
   * SHA-256 over every figure that does not measure the host: how the run ended, each hart's
   * counters, the syscall counts and the kernel's counters. Equal digests mean equal runs; in
   * lockstep the same image, options and seed always give the same digest.
   */
  static String digest(RunResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("outcome", r.outcome());
    m.put("exitCode", r.exitCode());
    m.put("harts", r.harts());
    m.put("syscalls", r.syscalls());
    m.put("kernel", kernelMap(r.kernel()));
    try {
      byte[] canonical = JSON.writeValueAsBytes(m);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("StatsReport.digest: " + e.getMessage(), e);
    }
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
