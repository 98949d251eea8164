package hartlab.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import hartlab.cpu.CostModel;
import hartlab.kernel.ExecMode;
import hartlab.kernel.MachineConfig;
import hartlab.kernel.mm.MunmapScheme;
import hartlab.kernel.mm.VmaBreak;
import hartlab.kernel.rcu.RcuMode;
import hartlab.kernel.tlb.LazyTlbMode;
import hartlab.kernel.tlb.shootdown.ShootdownStrategies;
import hartlab.sched.Policy;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import java.util.function.Function;
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
      description =
          "Guest RAM, 1M..1G in whole pages, and no more than this JVM's direct-memory limit"
              + " (default: ${DEFAULT-VALUE}).")
  String memory;

  @Option(
      names = "--exec",
      paramLabel = "parallel|lockstep",
      defaultValue = "parallel",
      description =
          "parallel: harts run freely; lockstep: the hart furthest behind in virtual time runs"
              + " next, reproducibly (default: ${DEFAULT-VALUE}).")
  String exec;

  @Option(
      names = "--quantum",
      paramLabel = "CYCLES",
      defaultValue = "100000",
      description =
          "Lockstep: lookahead, how many virtual cycles a hart may run past the earliest"
              + " other hart with work before handing on the turn, 1..86400000000000 (a day)"
              + " (default: ${DEFAULT-VALUE}).")
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
      names = "--munmap-scheme",
      paramLabel = "NAME",
      defaultValue = "sync-rcu",
      description =
          "How munmap frees page tables lockless readers may reach: sync-rcu (freed after a grace"
              + " period, munmap waits for it), dead-entry (a dead tree entry until then, munmap"
              + " returns at once), or vma-refcount (freed at once: broken on purpose) (default:"
              + " ${DEFAULT-VALUE}).")
  String munmapScheme;

  @Option(
      names = "--break",
      paramLabel = "WHAT",
      defaultValue = "none",
      description =
          "Test only: break the per-VMA lock on purpose so the VMA-identity checker catches it:"
              + " vma-acquire (re-check fields read before the reference), vma-recheck (no"
              + " re-check), or none (default: ${DEFAULT-VALUE}).")
  String vmaBreak;

  @Option(
      names = "--vma-lookup-delay",
      paramLabel = "CYCLES",
      defaultValue = "0",
      description =
          "Test only: a lockless page fault stalls this long between finding its area and taking"
              + " its reference, so other harts free and reuse areas in the window, 0..1000000000"
              + " (default: ${DEFAULT-VALUE}).")
  long vmaLookupDelay;

  @Option(
      names = "--rcu",
      paramLabel = "MODE",
      defaultValue = "tree",
      description =
          "RCU engine: tree, or a variant broken on purpose for the RCU checker to catch:"
              + " unsafe-reader (rcutorture readers keep a pointer past their section),"
              + " unsafe-gp (grace periods do not wait for the last hart) (default:"
              + " ${DEFAULT-VALUE}).")
  String rcu;

  @Option(
      names = "--rcu-torture",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "rcutorture: at every kernel entry each hart runs N RCU read-side sections over a shared"
              + " object, then replaces it and frees the old one through RCU, 0..1000; 0 = off"
              + " (default: ${DEFAULT-VALUE}).")
  int rcuTorture;

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
      description = "Entries per hart TLB, a power of two, 1..65536 (default: ${DEFAULT-VALUE}).")
  int tlbEntries;

  @Option(
      names = "--tlb-ways",
      paramLabel = "N",
      defaultValue = "4",
      description =
          "TLB associativity, a power of two up to --tlb-entries (= entries: fully associative,"
              + " slow when large) (default: ${DEFAULT-VALUE}).")
  int tlbWays;

  @Option(
      names = "--flush-ceiling",
      paramLabel = "PAGES",
      defaultValue = "33",
      description =
          "Above this many pages a range flush becomes a full ASID flush, 0..262144 (default:"
              + " ${DEFAULT-VALUE}).")
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
          "Tasks the machine may hold, 1..65536; more clones get EAGAIN (default:"
              + " ${DEFAULT-VALUE}).")
  int maxTasks;

  @Option(
      names = "--cost-model",
      paramLabel = "NAME|FILE",
      defaultValue = "default",
      description =
          "Cycle prices: a built-in profile (default, x86-like, cheap-ipi, expensive-ipi) or a"
              + " file of NAME=VALUE lines; 'hartlab costs' lists every price (default:"
              + " ${DEFAULT-VALUE}).")
  String costModel;

  @Option(
      names = "--cost",
      paramLabel = "NAME=VALUE",
      description = "Override one price of the cost model, in cycles; may be repeated.")
  List<String> costs = new ArrayList<>();

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
      description =
          "Stop the guest after N instructions over all harts, N >= 0; 0 = no limit (default:"
              + " ${DEFAULT-VALUE}).")
  long maxInstructions;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "0",
      description =
          "Stop the guest after this much host time, 1ms..30 days, e.g. 10s, 500ms, 2m; 0 = no"
              + " limit (default: ${DEFAULT-VALUE}).")
  String timeout;

  /**
   * The machine these options describe, every value checked against its documented range first:
   * nothing is allocated for a machine that could not be built.
   *
   * @throws UsageException naming the option, the value and its range
   */
  MachineConfig config() {
    long memoryBytes = parse("--mem", memory, Sizes::bytes);
    long timeoutMillis = parse("--timeout", timeout, Sizes::millis);
    checkRanges(memoryBytes, timeoutMillis);
    String strategy = parse("--shootdown", shootdown, MachineOptions::knownStrategy);
    CostModel cost = parse("--cost-model", costModel, CostModel::load);
    for (String c : costs) {
      cost = parse("--cost", c, cost::with);
    }
    return MachineConfig.builder()
        .cost(cost)
        .cores(cores)
        .memoryBytes(memoryBytes)
        .execMode(parse("--exec", exec, ExecMode::parse))
        .quantumCycles(quantum)
        .policy(parse("--sched", sched, Policy::parse))
        .lazyTlb(parse("--lazy-tlb", lazyTlb, LazyTlbMode::parse))
        .rcu(parse("--rcu", rcu, RcuMode::parse))
        .rcuTorture(rcuTorture)
        .asids(onOff("--asid", asid))
        .asidBits(asidBits)
        .tlb(tlbEntries, tlbWays)
        .flushCeiling(flushCeiling)
        .check(onOff("--check", check))
        .maxTasks(maxTasks)
        .shootdown(strategy)
        .speculativeWalks(onOff("--speculative-walks", speculativeWalks))
        .munmapScheme(parse("--munmap-scheme", munmapScheme, MunmapScheme::parse))
        .vmaBreak(parse("--break", vmaBreak, VmaBreak::parse))
        .vmaLookupDelay(vmaLookupDelay)
        .seed(seed)
        .maxInstructions(maxInstructions)
        .timeoutMillis(timeoutMillis)
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

  /** The ranges are MachineConfig's; here each is stated with the option a user typed. */
  private void checkRanges(long memoryBytes, long timeoutMillis) {
    require(
        cores >= 1 && cores <= MachineConfig.MAX_CORES,
        "--cores " + cores,
        "harts must be 1.." + MachineConfig.MAX_CORES);
    require(
        memoryBytes >= MachineConfig.MIN_MEMORY_BYTES
            && memoryBytes <= MachineConfig.MAX_MEMORY_BYTES
            && memoryBytes % 4096 == 0,
        "--mem " + memory,
        "guest RAM must be whole 4 KiB pages from 1M to 1G");
    long direct = maxDirectMemory();
    require(
        memoryBytes <= direct,
        "--mem " + memory,
        String.format(
            "this JVM may reserve only %d MiB of direct memory, where guest RAM lives; choose a"
                + " smaller --mem or raise the limit, e.g. HARTLAB_JAVA_OPTS=-XX:MaxDirectMemorySize=2g",
            direct >> 20));
    require(
        quantum >= 1 && quantum <= MachineConfig.MAX_CYCLES_PER_TURN,
        "--quantum " + quantum,
        "cycles per turn must be 1.." + MachineConfig.MAX_CYCLES_PER_TURN + " (a day)");
    require(
        isPowerOfTwo(tlbEntries) && tlbEntries <= MachineConfig.MAX_TLB_ENTRIES,
        "--tlb-entries " + tlbEntries,
        "entries must be a power of two from 1 to " + MachineConfig.MAX_TLB_ENTRIES);
    require(
        isPowerOfTwo(tlbWays) && tlbWays <= tlbEntries,
        "--tlb-ways " + tlbWays,
        "ways must be a power of two from 1 to --tlb-entries (" + tlbEntries + ")");
    require(asidBits >= 2 && asidBits <= 16, "--asid-bits " + asidBits, "ASID width must be 2..16");
    require(
        flushCeiling >= 0 && flushCeiling <= MachineConfig.MAX_FLUSH_CEILING,
        "--flush-ceiling " + flushCeiling,
        "pages must be 0.." + MachineConfig.MAX_FLUSH_CEILING + " (every page of 1 GiB)");
    require(
        maxTasks >= 1 && maxTasks <= MachineConfig.MAX_TASKS,
        "--max-tasks " + maxTasks,
        "tasks must be 1.." + MachineConfig.MAX_TASKS);
    require(
        rcuTorture >= 0 && rcuTorture <= MachineConfig.MAX_RCU_TORTURE,
        "--rcu-torture " + rcuTorture,
        "read-side sections per kernel entry must be 0 (off).." + MachineConfig.MAX_RCU_TORTURE);
    require(
        maxInstructions >= 0,
        "--max-instructions " + maxInstructions,
        "instructions must be 0 (no limit) or more");
    require(
        timeoutMillis >= 0 && timeoutMillis <= MachineConfig.MAX_TIMEOUT_MILLIS,
        "--timeout " + timeout,
        "the duration must be 0 (no limit) or from 1ms to 30 days");
  }

  private static void require(boolean ok, String what, String range) {
    if (!ok) {
      throw new UsageException(what + ": out of range; " + range);
    }
  }

  private static boolean isPowerOfTwo(int n) {
    return n > 0 && (n & (n - 1)) == 0;
  }

  /** The value a parser makes of {@code text}; its IllegalArgumentException is a usage error. */
  private static <T> T parse(String option, String text, Function<String, T> parser) {
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": " + e.getMessage());
    }
  }

  /** {@code name} if a strategy of that name is on the class path, as the kernel will look. */
  private static String knownStrategy(String name) {
    ShootdownStrategies.find(name, Thread.currentThread().getContextClassLoader());
    return name;
  }

  /**
   * What this JVM lets direct buffers take: {@code -XX:MaxDirectMemorySize} if set, else the heap
   * limit, which is the JDK's default for it.
   */
  static long maxDirectMemory() {
    try {
      String v =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
              .getVMOption("MaxDirectMemorySize")
              .getValue();
      long set = Long.parseLong(v);
      if (set > 0) {
        return set;
      }
    } catch (RuntimeException e) {
      // Not a HotSpot JVM: fall back to the JDK's default below.
    }
    return Runtime.getRuntime().maxMemory();
  }

  private static boolean onOff(String option, String value) {
    switch (value) {
      case "on":
        return true;
      case "off":
        return false;
      default:
        throw new UsageException(option + " takes on or off, got '" + value + "'");
    }
  }
}
