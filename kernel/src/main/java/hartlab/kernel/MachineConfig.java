package hartlab.kernel;

import hartlab.cpu.CostModel;
import hartlab.kernel.mm.MunmapScheme;
import hartlab.kernel.mm.VmaBreak;
import hartlab.kernel.rcu.RcuMode;
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.tlb.LazyTlbMode;
import hartlab.kernel.tlb.TlbManagement;
import hartlab.sched.Policy;
import hartlab.sched.SchedConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that shapes a run. Two runs with equal configs and images compare; in lockstep they
 * are identical.
 *
 * @param cores harts, 1..64
 * @param memoryBytes guest RAM
 * @param tlbEntries entries of each hart's TLB (power of two)
 * @param tlbWays TLB associativity (power of two, at most tlbEntries)
 * @param seed seeds everything random the guest can see (getrandom, AT_RANDOM)
 * @param maxInstructions stop the guest after this many instructions summed over harts; 0 = no
 *     limit
 * @param timeoutMillis stop the guest after this much host time; 0 = no limit
 * @param flushCeiling above this many pages a range flush becomes an ASID flush (Linux: 33)
 * @param tickCycles virtual cycles between timer ticks
 * @param cost cycle prices
 * @param execMode parallel or lockstep
 * @param quantumCycles lockstep: lookahead, how far a hart may run past the earliest other busy
 *     hart
 * @param policy scheduling policy
 * @param sched scheduler tuning
 * @param lazyTlb what idle harts do with their active mm
 * @param asids ASID-tagged TLB entries; off flushes the TLB on every address-space switch
 * @param asidBits ASID width (16 on hardware; small values force rollovers)
 * @param check run the checkers (active_mm)
 * @param maxTasks tasks the machine may hold at once; clone beyond it is EAGAIN
 * @param shootdown name of the TLB-shootdown strategy
 * @param speculativeWalks harts walk their loaded page table on their own, as hardware may
 * @param vmaBreak test-only: a per-VMA lock read side broken on purpose, for the checker to catch
 * @param munmapScheme how munmap frees page tables that lockless readers may still reach
 * @param vmaLookupDelay test-only: cycles a lockless fault stalls between finding its area and
 *     taking the reference, so that other harts free and reuse areas in the window; 0 = none
 * @param rcu the RCU engine, or a variant broken on purpose for the RCU checker to catch
 * @param rcuTorture rcutorture: read-side sections each hart runs at every kernel entry, before it
 *     replaces the torture object and frees the old one through RCU; 0 = off
 */
public record MachineConfig(
    int cores,
    long memoryBytes,
    int tlbEntries,
    int tlbWays,
    long seed,
    long maxInstructions,
    long timeoutMillis,
    int flushCeiling,
    long tickCycles,
    CostModel cost,
    ExecMode execMode,
    long quantumCycles,
    Policy policy,
    SchedConfig sched,
    LazyTlbMode lazyTlb,
    boolean asids,
    int asidBits,
    boolean check,
    int maxTasks,
    String shootdown,
    boolean speculativeWalks,
    MunmapScheme munmapScheme,
    VmaBreak vmaBreak,
    long vmaLookupDelay,
    RcuMode rcu,
    int rcuTorture) {

  public static final int MAX_CORES = 64;

  /** rcutorture read-side sections per kernel entry. */
  public static final int MAX_RCU_TORTURE = 1000;

  /** A lookup window of a virtual second is more than any test needs. */
  public static final long MAX_VMA_LOOKUP_DELAY = 1_000_000_000L;

  // The ranges every config must lie in, checked below before anything is allocated. Wide enough
  // for any experiment; narrow enough that no value makes the host run out of memory or a counter
  // overflow.

  /** Guest RAM: whole pages, from 1 MiB (room for page tables, a stack and a small program). */
  public static final long MIN_MEMORY_BYTES = 1L << 20;

  /** Guest RAM is one buffer indexed by int (PhysicalMemory.MAX_SIZE). */
  public static final long MAX_MEMORY_BYTES = 1L << 30;

  /** TLB entries per hart, a power of two: 64 harts of this size take about 90 MB of heap. */
  public static final int MAX_TLB_ENTRIES = 1 << 16;

  /** Above a day of virtual time, a quantum or tick no longer shapes a run. */
  public static final long MAX_CYCLES_PER_TURN = 86_400_000_000_000L;

  /** 30 days: longer timeouts are no timeout; this also keeps the deadline from overflowing. */
  public static final long MAX_TIMEOUT_MILLIS = 30L * 24 * 3600 * 1000;

  /** Every page of the largest RAM: beyond it, no range flush is ever split into pages. */
  public static final int MAX_FLUSH_CEILING = (int) (MAX_MEMORY_BYTES >> 12);

  /** Linux's default pid_max (32768) twice over. */
  public static final int MAX_TASKS = 1 << 16;

  public MachineConfig {
    if (cores < 1 || cores > MAX_CORES) {
      throw new IllegalArgumentException("cores must be 1.." + MAX_CORES + ", got " + cores);
    }
    if (memoryBytes < MIN_MEMORY_BYTES
        || memoryBytes > MAX_MEMORY_BYTES
        || (memoryBytes & 0xfff) != 0) {
      throw new IllegalArgumentException(
          "memoryBytes must be a multiple of 4096 from 1 MiB to 1 GiB, got " + memoryBytes);
    }
    if (tlbEntries < 1 || tlbEntries > MAX_TLB_ENTRIES || Integer.bitCount(tlbEntries) != 1) {
      throw new IllegalArgumentException(
          "tlbEntries must be a power of two from 1 to " + MAX_TLB_ENTRIES + ", got " + tlbEntries);
    }
    if (tlbWays < 1 || tlbWays > tlbEntries || Integer.bitCount(tlbWays) != 1) {
      throw new IllegalArgumentException(
          "tlbWays must be a power of two from 1 to tlbEntries ("
              + tlbEntries
              + "), got "
              + tlbWays);
    }
    if (maxInstructions < 0) {
      throw new IllegalArgumentException("maxInstructions must not be negative");
    }
    if (timeoutMillis < 0 || timeoutMillis > MAX_TIMEOUT_MILLIS) {
      throw new IllegalArgumentException(
          "timeoutMillis must be 0.." + MAX_TIMEOUT_MILLIS + ", got " + timeoutMillis);
    }
    if (flushCeiling < 0 || flushCeiling > MAX_FLUSH_CEILING) {
      throw new IllegalArgumentException(
          "flushCeiling must be 0.." + MAX_FLUSH_CEILING + ", got " + flushCeiling);
    }
    if (tickCycles <= 0
        || tickCycles > MAX_CYCLES_PER_TURN
        || quantumCycles <= 0
        || quantumCycles > MAX_CYCLES_PER_TURN) {
      throw new IllegalArgumentException(
          "tickCycles and quantumCycles must be 1.."
              + MAX_CYCLES_PER_TURN
              + ", got "
              + tickCycles
              + " and "
              + quantumCycles);
    }
    if (asidBits < 2 || asidBits > 16) {
      throw new IllegalArgumentException("ASID bits must be 2..16, got " + asidBits);
    }
    if (maxTasks < 1 || maxTasks > MAX_TASKS) {
      throw new IllegalArgumentException("maxTasks must be 1.." + MAX_TASKS + ", got " + maxTasks);
    }
    if (vmaLookupDelay < 0 || vmaLookupDelay > MAX_VMA_LOOKUP_DELAY) {
      throw new IllegalArgumentException(
          "vmaLookupDelay must be 0.." + MAX_VMA_LOOKUP_DELAY + ", got " + vmaLookupDelay);
    }
    if (rcuTorture < 0 || rcuTorture > MAX_RCU_TORTURE) {
      throw new IllegalArgumentException(
          "rcuTorture must be 0.." + MAX_RCU_TORTURE + ", got " + rcuTorture);
    }
  }

  /**
   * What shapes the run's figures, as text: every field but the host limits (timeout), for the
   * digest and reports. Two runs with equal labels and images compare.
   */
  public Map<String, String> labels() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cores", Integer.toString(cores));
    m.put("memoryBytes", Long.toString(memoryBytes));
    m.put("tlb", tlbEntries + "x" + tlbWays);
    m.put("seed", Long.toString(seed));
    m.put("maxInstructions", Long.toString(maxInstructions));
    m.put("flushCeiling", Integer.toString(flushCeiling));
    m.put("tickCycles", Long.toString(tickCycles));
    m.put("costModel", cost.profile());
    m.put("cost", cost.toString());
    m.put("exec", execMode.name().toLowerCase(Locale.ROOT));
    m.put("quantumCycles", execMode == ExecMode.LOCKSTEP ? Long.toString(quantumCycles) : "-");
    m.put("policy", policy.name().toLowerCase(Locale.ROOT));
    m.put("sched", sched.toString());
    m.put("lazyTlb", lazyTlb.name().toLowerCase(Locale.ROOT));
    m.put("asids", asids ? Integer.toString(asidBits) + " bits" : "off");
    m.put("check", Boolean.toString(check));
    m.put("maxTasks", Integer.toString(maxTasks));
    m.put("shootdown", shootdown);
    m.put("speculativeWalks", Boolean.toString(speculativeWalks));
    m.put("munmapScheme", munmapScheme.label());
    if (vmaBreak != VmaBreak.NONE) {
      m.put("break", vmaBreak.optionName());
    }
    if (vmaLookupDelay > 0) {
      m.put("vmaLookupDelay", Long.toString(vmaLookupDelay));
    }
    m.put("rcu", rcu.label());
    m.put("rcuTorture", Integer.toString(rcuTorture));
    return m;
  }

  /** The TLB subsystem's settings. */
  public TlbManagement.Options tlbOptions() {
    return new TlbManagement.Options(flushCeiling, asids, asidBits, speculativeWalks, seed);
  }

  /** The scheduler's time limits. */
  public Schedule.Limits limits() {
    return new Schedule.Limits(tickCycles, maxInstructions, execMode == ExecMode.PARALLEL);
  }

  public static MachineConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.cores = cores;
    b.memoryBytes = memoryBytes;
    b.tlbEntries = tlbEntries;
    b.tlbWays = tlbWays;
    b.seed = seed;
    b.maxInstructions = maxInstructions;
    b.timeoutMillis = timeoutMillis;
    b.flushCeiling = flushCeiling;
    b.tickCycles = tickCycles;
    b.cost = cost;
    b.execMode = execMode;
    b.quantumCycles = quantumCycles;
    b.policy = policy;
    b.sched = sched;
    b.lazyTlb = lazyTlb;
    b.asids = asids;
    b.asidBits = asidBits;
    b.check = check;
    b.maxTasks = maxTasks;
    b.shootdown = shootdown;
    b.speculativeWalks = speculativeWalks;
    b.munmapScheme = munmapScheme;
    b.vmaBreak = vmaBreak;
    b.vmaLookupDelay = vmaLookupDelay;
    b.rcu = rcu;
    b.rcuTorture = rcuTorture;
    return b;
  }

  /** Defaults, then whatever a caller changes. */
  public static final class Builder {
    private int cores = 4;
    private long memoryBytes = 256L << 20;
    private int tlbEntries = 64;
    private int tlbWays = 4;
    private long seed = 1;
    private long maxInstructions;
    private long timeoutMillis;
    private int flushCeiling = 33;
    private long tickCycles = 1_000_000;
    private CostModel cost = CostModel.DEFAULT;
    private ExecMode execMode = ExecMode.PARALLEL;
    private long quantumCycles = 100_000;
    private Policy policy = Policy.FAIR;
    private SchedConfig sched = SchedConfig.defaults();
    private LazyTlbMode lazyTlb = LazyTlbMode.REFCOUNT;
    private boolean asids = true;
    private int asidBits = 16;
    private boolean check = true;
    private int maxTasks = 1024;
    private String shootdown = hartlab.kernel.tlb.shootdown.ShootdownStrategies.DEFAULT;
    private boolean speculativeWalks;
    private MunmapScheme munmapScheme = MunmapScheme.SYNC_RCU;
    private VmaBreak vmaBreak = VmaBreak.NONE;
    private long vmaLookupDelay;
    private RcuMode rcu = RcuMode.TREE;
    private int rcuTorture;

    public Builder cores(int v) {
      cores = v;
      return this;
    }

    public Builder memoryBytes(long v) {
      memoryBytes = v;
      return this;
    }

    public Builder tlb(int entries, int ways) {
      tlbEntries = entries;
      tlbWays = ways;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder maxInstructions(long v) {
      maxInstructions = v;
      return this;
    }

    public Builder timeoutMillis(long v) {
      timeoutMillis = v;
      return this;
    }

    public Builder flushCeiling(int v) {
      flushCeiling = v;
      return this;
    }

    public Builder tickCycles(long v) {
      tickCycles = v;
      return this;
    }

    public Builder cost(CostModel v) {
      cost = v;
      return this;
    }

    public Builder execMode(ExecMode v) {
      execMode = v;
      return this;
    }

    public Builder quantumCycles(long v) {
      quantumCycles = v;
      return this;
    }

    public Builder policy(Policy v) {
      policy = v;
      return this;
    }

    public Builder sched(SchedConfig v) {
      sched = v;
      return this;
    }

    public Builder lazyTlb(LazyTlbMode v) {
      lazyTlb = v;
      return this;
    }

    public Builder asids(boolean v) {
      asids = v;
      return this;
    }

    public Builder asidBits(int v) {
      asidBits = v;
      return this;
    }

    public Builder check(boolean v) {
      check = v;
      return this;
    }

    public Builder maxTasks(int v) {
      maxTasks = v;
      return this;
    }

    public Builder shootdown(String v) {
      shootdown = v;
      return this;
    }

    public Builder speculativeWalks(boolean v) {
      speculativeWalks = v;
      return this;
    }

    public Builder vmaBreak(VmaBreak v) {
      vmaBreak = v;
      return this;
    }

    public Builder munmapScheme(MunmapScheme v) {
      munmapScheme = v;
      return this;
    }

    public Builder vmaLookupDelay(long v) {
      vmaLookupDelay = v;
      return this;
    }

    public Builder rcu(RcuMode v) {
      rcu = v;
      return this;
    }

    public Builder rcuTorture(int v) {
      rcuTorture = v;
      return this;
    }

    public MachineConfig build() {
      return new MachineConfig(
          cores,
          memoryBytes,
          tlbEntries,
          tlbWays,
          seed,
          maxInstructions,
          timeoutMillis,
          flushCeiling,
          tickCycles,
          cost,
          execMode,
          quantumCycles,
          policy,
          sched,
          lazyTlb,
          asids,
          asidBits,
          check,
          maxTasks,
          shootdown,
          speculativeWalks,
          munmapScheme,
          vmaBreak,
          vmaLookupDelay,
          rcu,
          rcuTorture);
    }
  }
}
