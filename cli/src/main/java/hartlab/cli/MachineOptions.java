package hartlab.cli;

import hartlab.kernel.ExecMode;
import hartlab.kernel.MachineConfig;
import hartlab.kernel.tlb.LazyTlbMode;
import hartlab.sched.Policy;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options that shape the emulated machine, shared by every command that runs one. */
final class MachineOptions {
  @Option(
      names = "--cores",
      paramLabel = "N",
      defaultValue = "4",
      description = "Harts, 1..64 (default: ${DEFAULT-VALUE}).")
  int cores;

  @Option(
      names = "--mem",
      paramLabel = "SIZE",
      defaultValue = "256M",
      description = "Guest RAM, up to 1G (default: ${DEFAULT-VALUE}).")
  String memory;

  @Option(
      names = "--exec",
      paramLabel = "parallel|lockstep",
      defaultValue = "parallel",
      description =
          "parallel: harts run freely; lockstep: they take turns, reproducibly (default: ${DEFAULT-VALUE}).")
  String exec;

  @Option(
      names = "--quantum",
      paramLabel = "CYCLES",
      defaultValue = "100000",
      description = "Lockstep: virtual cycles per turn (default: ${DEFAULT-VALUE}).")
  long quantum;

  @Option(
      names = "--sched",
      paramLabel = "rr|fair",
      defaultValue = "fair",
      description = "Scheduling policy (default: ${DEFAULT-VALUE}).")
  String sched;

  @Option(
      names = "--lazy-tlb",
      paramLabel = "MODE",
      defaultValue = "refcount",
      description = "refcount, shootdown, off, or unsafe (default: ${DEFAULT-VALUE}).")
  String lazyTlb;

  @Option(
      names = "--asid",
      paramLabel = "on|off",
      arity = "0..1",
      parameterConsumer = OnOff.class,
      defaultValue = "on",
      description =
          "ASID-tagged TLB entries; off flushes on every switch (default: ${DEFAULT-VALUE}).")
  String asid;

  @Option(
      names = "--asid-bits",
      paramLabel = "N",
      defaultValue = "16",
      description = "ASID width, 2..16; small values force rollovers (default: ${DEFAULT-VALUE}).")
  int asidBits;

  @Option(
      names = "--shootdown",
      paramLabel = "NAME",
      defaultValue = "ipi-sync",
      description =
          "TLB-shootdown strategy; 'hartlab strategies' lists them (default: ${DEFAULT-VALUE}).")
  String shootdown;

  @Option(
      names = "--speculative-walks",
      paramLabel = "on|off",
      arity = "0..1",
      parameterConsumer = OnOff.class,
      defaultValue = "off",
      description =
          "Harts walk their loaded page table on their own, as hardware may, so the "
              + "freed-page-table checker sees stale walks (default: ${DEFAULT-VALUE}).")
  String speculativeWalks;

  @Option(
      names = "--tlb-entries",
      paramLabel = "N",
      defaultValue = "64",
      description = "Entries per hart TLB, a power of two (default: ${DEFAULT-VALUE}).")
  int tlbEntries;

  @Option(
      names = "--tlb-ways",
      paramLabel = "N",
      defaultValue = "4",
      description = "TLB associativity, a power of two (default: ${DEFAULT-VALUE}).")
  int tlbWays;

  @Option(
      names = "--flush-ceiling",
      paramLabel = "PAGES",
      defaultValue = "33",
      description =
          "Above this many pages a range flush becomes a full ASID flush (default: ${DEFAULT-VALUE}).")
  int flushCeiling;

  @Option(
      names = "--check",
      paramLabel = "on|off",
      arity = "0..1",
      parameterConsumer = OnOff.class,
      defaultValue = "on",
      description =
          "Run the checkers (active_mm); a violation stops the run (default: ${DEFAULT-VALUE}).")
  String check;

  @Option(
      names = "--max-tasks",
      paramLabel = "N",
      defaultValue = "1024",
      description =
          "Tasks the machine may hold; more clones get EAGAIN (default: ${DEFAULT-VALUE}).")
  int maxTasks;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "Seed of everything random the guest sees (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--max-instructions",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop the guest after N instructions over all harts; 0 = no limit.")
  long maxInstructions;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "0",
      description = "Stop the guest after this much host time, e.g. 10s, 500ms, 2m; 0 = no limit.")
  String timeout;

  MachineConfig config() {
    return MachineConfig.builder()
        .cores(cores)
        .memoryBytes(Sizes.bytes(memory))
        .execMode(ExecMode.parse(exec))
        .quantumCycles(quantum)
        .policy(Policy.parse(sched))
        .lazyTlb(LazyTlbMode.parse(lazyTlb))
        .asids(onOff("--asid", asid))
        .asidBits(asidBits)
        .tlb(tlbEntries, tlbWays)
        .flushCeiling(flushCeiling)
        .check(onOff("--check", check))
        .maxTasks(maxTasks)
        .shootdown(shootdown)
        .speculativeWalks(onOff("--speculative-walks", speculativeWalks))
        .seed(seed)
        .maxInstructions(maxInstructions)
        .timeoutMillis(Sizes.millis(timeout))
        .build();
  }

  /**
   * An on|off option given alone means on ({@code --check}); it takes the next argument only when
   * that is {@code on} or {@code off}, so {@code boot --check IMAGE} still boots IMAGE.
   */
  static final class OnOff implements CommandLine.IParameterConsumer {
    @Override
    public void consumeParameters(
        Stack<String> args, CommandLine.Model.ArgSpec arg, CommandLine.Model.CommandSpec spec) {
      boolean given = !args.isEmpty() && (args.peek().equals("on") || args.peek().equals("off"));
      arg.setValue(given ? args.pop() : "on");
    }
  }

  private static boolean onOff(String option, String value) {
    switch (value) {
      case "on":
        return true;
      case "off":
        return false;
      default:
        throw new IllegalArgumentException(option + " takes on or off, got '" + value + "'");
    }
  }
}
