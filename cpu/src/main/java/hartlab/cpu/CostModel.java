package hartlab.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Virtual-time prices, in cycles of a 1 GHz hart (one cycle is one nanosecond). Every figure
 * hartlab reports in cycles comes from these, so two runs with the same cost model compare exactly.
 * Each price is declared once in {@link Cost}, with its unit and the reason for its default; a
 * <em>profile</em> is a named set of values ({@code --cost-model NAME|FILE}), and {@code --cost
 * NAME=VALUE} overrides one. Immutable.
 */
public final class CostModel {
  /** Every price: its name in profiles and reports, its default, and why. All are in cycles. */
  public enum Cost {
    ALU("alu", 1, "integer ALU op, LUI/AUIPC, untaken branch: one per cycle, in-order"),
    BRANCH_TAKEN("branchTaken", 2, "taken branch or jump: one bubble in a short pipeline"),
    MUL("mul", 3, "integer multiply: a pipelined multiplier"),
    DIV("div", 20, "integer divide or remainder: iterative"),
    LOAD("load", 2, "load hitting the TLB and L1"),
    STORE("store", 2, "store hitting the TLB and L1"),
    ATOMIC("atomic", 10, "LR/SC or AMO, or a kernel atomic, on a line this hart holds"),
    FENCE("fence", 5, "FENCE / FENCE.I: drain the pipeline"),
    CSR("csr", 2, "CSR read (rdcycle, rdtime...)"),
    FP_ARITH("fpArith", 4, "FP add, multiply, fused multiply-add, convert, compare"),
    FP_DIVIDE("fpDivide", 20, "FP divide or square root: iterative"),
    WALK_LEVEL("walkLevel", 25, "one page-table level read by the walker on a TLB miss"),
    TRAP_ENTRY("trapEntry", 60, "user-to-kernel trap: save registers, switch stacks"),
    TRAP_EXIT("trapExit", 40, "kernel-to-user return"),
    SYSCALL("syscall", 150, "a simple system call's own work, beyond entry and exit"),
    PAGE_FAULT("pageFault", 400, "the fault handler's own work, beyond entry and exit"),
    SATP_WRITE("satpWrite", 30, "writing satp (address-space switch)"),
    FLUSH_ALL("flushAll", 200, "local flush of the whole TLB (sfence.vma x0, x0)"),
    FLUSH_ASID("flushAsid", 100, "local flush of one ASID"),
    FLUSH_PAGE("flushPage", 20, "local flush of one page"),
    IPI_SEND("ipiSend", 150, "sending one IPI: write the target's interrupt register"),
    IPI_DELIVER("ipiDeliver", 400, "an IPI's flight until the target takes the interrupt"),
    IPI_HANDLE("ipiHandle", 300, "the target's interrupt entry, call dispatch, acknowledge, exit"),
    BROADCAST_FLUSH(
        "broadcastFlush", 500, "one hardware broadcast invalidation reaching every hart (no IPI)"),
    SCHED_PICK("schedPick", 100, "schedule(): pick the next task from the run queue"),
    CONTEXT_SWITCH(
        "contextSwitch", 800, "switch_to: save and load registers, kernel stack, the kernel path"),
    FP_SWITCH("fpSwitch", 60, "save 32 FP registers and fcsr of a task that used them"),
    REMOTE_ATOMIC(
        "remoteAtomic", 120, "an atomic on a line another hart wrote last (e.g. mm_count)"),
    PTE_CLEAR("pteClear", 5, "clear one PTE (munmap, madvise, exit_mmap), per page"),
    PTE_COPY("pteCopy", 8, "copy one PTE and take a frame reference (fork), per page"),
    PAGE_ZERO("pageZero", 250, "zero a fresh 4 KiB frame (demand-zero fault): 64 B per cycle"),
    PAGE_COPY("pageCopy", 500, "copy a 4 KiB frame (copy-on-write break)"),
    VMA_UPDATE("vmaUpdate", 80, "insert or remove one VMA in the tree"),
    CALL_RCU(
        "callRcu", 20, "call_rcu: queue a callback on this hart's list, request a grace period"),
    RCU_QS(
        "rcuQs",
        120,
        "report an RCU quiescent state: clear this hart's bit in the grace period's mask, an"
            + " atomic on a line every hart writes"),
    RCU_GP_START(
        "rcuGpStart",
        200,
        "start an RCU grace period: advance gp_seq, set the mask, sample every hart's dynticks"
            + " counter"),
    RCU_GP_END(
        "rcuGpEnd",
        150,
        "end an RCU grace period: advance gp_seq, wake synchronize_rcu sleepers, kick harts"
            + " whose callbacks are ready"),
    RCU_CALLBACK(
        "rcuCallback", 40, "invoke one RCU callback (what the callback does is priced by it)"),
    TIMEBASE_DIVIDER("timebaseDivider", 100, "cycles per tick of the time CSR (1 GHz / 10 MHz)");

    private static final Cost[] ALL = values();
    private final String key;
    private final int fallback;
    private final String reason;

    Cost(String key, int fallback, String reason) {
      this.key = key;
      this.fallback = fallback;
      this.reason = reason;
    }

    /** The name in profiles, {@code --cost} and reports. */
    public String key() {
      return key;
    }

    /** The value in the {@code default} profile. */
    public int defaultValue() {
      return fallback;
    }

    public String reason() {
      return reason;
    }

    /** The cost called {@code key}; IllegalArgumentException naming the known ones otherwise. */
    public static Cost named(String key) {
      for (Cost c : ALL) {
        if (c.key.equals(key)) {
          return c;
        }
      }
      throw new IllegalArgumentException(
          "unknown cost '"
              + key
              + "': known are "
              + Arrays.stream(ALL).map(Cost::key).collect(Collectors.joining(", ")));
    }
  }

  public static final long CLOCK_HZ = 1_000_000_000L;

  /** The built-in profiles, as {@code --cost-model} names them. */
  public static final List<String> PROFILES =
      List.of("default", "x86-like", "cheap-ipi", "expensive-ipi");

  /** Round numbers of the right order for a simple in-order core; not measurements of a chip. */
  public static final CostModel DEFAULT = new CostModel("default", defaults());

  private final String profile;
  private final int[] values;

  private CostModel(String profile, int[] values) {
    this.profile = profile;
    this.values = values;
    if (values[Cost.TIMEBASE_DIVIDER.ordinal()] <= 0) {
      throw new IllegalArgumentException(
          "cost timebaseDivider must be positive, got " + values[Cost.TIMEBASE_DIVIDER.ordinal()]);
    }
  }

  private static int[] defaults() {
    int[] v = new int[Cost.ALL.length];
    for (Cost c : Cost.ALL) {
      v[c.ordinal()] = c.fallback;
    }
    return v;
  }

  /**
   * A built-in profile by name, or a profile file ({@code NAME=VALUE} lines, {@code #} comments;
   * unnamed costs keep their defaults). IllegalArgumentException says what is wrong.
   */
  public static CostModel load(String nameOrFile) {
    if (nameOrFile.equals("default")) {
      return DEFAULT;
    }
    if (PROFILES.contains(nameOrFile)) {
      try (InputStream in =
          CostModel.class.getResourceAsStream("/hartlab/cpu/costs/" + nameOrFile + ".properties")) {
        if (in == null) {
          throw new IllegalStateException("CostModel: built-in profile " + nameOrFile + " missing");
        }
        return parse(nameOrFile, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new IllegalStateException("CostModel: cannot read profile " + nameOrFile, e);
      }
    }
    Path file = Path.of(nameOrFile);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "no cost profile '"
              + nameOrFile
              + "': built-in ones are "
              + String.join(", ", PROFILES)
              + ", or give a file of NAME=VALUE lines");
    }
    try {
      if (Files.size(file) > 1 << 20) {
        throw new IllegalArgumentException(nameOrFile + ": a cost profile is at most 1 MiB");
      }
      String name = file.getFileName().toString().replaceFirst("\\.properties$", "");
      return parse(name, Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException(nameOrFile + ": cannot read: " + e.getMessage());
    }
  }

  private static CostModel parse(String name, String text) {
    Properties p = new Properties();
    try (Reader r = new StringReader(text)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cost profile " + name + ": " + e.getMessage());
    }
    int[] v = defaults();
    for (String key : p.stringPropertyNames()) {
      v[Cost.named(key).ordinal()] = value(name, key, p.getProperty(key).trim());
    }
    return new CostModel(name, v);
  }

  private static int value(String where, String key, String text) {
    try {
      int n = Integer.parseInt(text);
      if (n < 0 || n > 100_000_000) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where + ": " + key + "=" + text + ": a cost is a whole number of cycles, 0..100000000");
    }
  }

  /** This model with {@code cost} changed to {@code value}: {@code --cost NAME=VALUE}. */
  public CostModel with(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("--cost wants NAME=VALUE, got '" + assignment + "'");
    }
    String key = assignment.substring(0, eq).trim();
    int[] v = values.clone();
    v[Cost.named(key).ordinal()] = value("--cost", key, assignment.substring(eq + 1).trim());
    String suffix = "+" + key + "=" + v[Cost.named(key).ordinal()];
    return new CostModel(profile + suffix, v);
  }

  /** The profile's name, with any overrides appended ({@code x86-like+ipiSend=300}). */
  public String profile() {
    return profile;
  }

  public int get(Cost c) {
    return values[c.ordinal()];
  }

  /** Every price by name, in declaration order. */
  public Map<String, Integer> values() {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (Cost c : Cost.ALL) {
      m.put(c.key, values[c.ordinal()]);
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CostModel c && Arrays.equals(values, c.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  /** The profile and every value: what a figure made with this model is stamped with. */
  @Override
  public String toString() {
    return profile
        + " "
        + values().entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(",", "{", "}"));
  }

  // Accessors by name, for the code that charges each price.

  public int alu() {
    return get(Cost.ALU);
  }

  public int branchTaken() {
    return get(Cost.BRANCH_TAKEN);
  }

  public int mul() {
    return get(Cost.MUL);
  }

  public int div() {
    return get(Cost.DIV);
  }

  public int load() {
    return get(Cost.LOAD);
  }

  public int store() {
    return get(Cost.STORE);
  }

  public int atomic() {
    return get(Cost.ATOMIC);
  }

  public int fence() {
    return get(Cost.FENCE);
  }

  public int csr() {
    return get(Cost.CSR);
  }

  public int fpArith() {
    return get(Cost.FP_ARITH);
  }

  public int fpDivide() {
    return get(Cost.FP_DIVIDE);
  }

  public int walkLevel() {
    return get(Cost.WALK_LEVEL);
  }

  public int trapEntry() {
    return get(Cost.TRAP_ENTRY);
  }

  public int trapExit() {
    return get(Cost.TRAP_EXIT);
  }

  public int syscall() {
    return get(Cost.SYSCALL);
  }

  public int pageFault() {
    return get(Cost.PAGE_FAULT);
  }

  public int satpWrite() {
    return get(Cost.SATP_WRITE);
  }

  public int flushAll() {
    return get(Cost.FLUSH_ALL);
  }

  public int flushAsid() {
    return get(Cost.FLUSH_ASID);
  }

  public int flushPage() {
    return get(Cost.FLUSH_PAGE);
  }

  public int ipiSend() {
    return get(Cost.IPI_SEND);
  }

  public int ipiDeliver() {
    return get(Cost.IPI_DELIVER);
  }

  public int ipiHandle() {
    return get(Cost.IPI_HANDLE);
  }

  public int broadcastFlush() {
    return get(Cost.BROADCAST_FLUSH);
  }

  public int schedPick() {
    return get(Cost.SCHED_PICK);
  }

  public int contextSwitch() {
    return get(Cost.CONTEXT_SWITCH);
  }

  public int fpSwitch() {
    return get(Cost.FP_SWITCH);
  }

  public int remoteAtomic() {
    return get(Cost.REMOTE_ATOMIC);
  }

  public int pteClear() {
    return get(Cost.PTE_CLEAR);
  }

  public int pteCopy() {
    return get(Cost.PTE_COPY);
  }

  public int pageZero() {
    return get(Cost.PAGE_ZERO);
  }

  public int pageCopy() {
    return get(Cost.PAGE_COPY);
  }

  public int vmaUpdate() {
    return get(Cost.VMA_UPDATE);
  }

  public int callRcu() {
    return get(Cost.CALL_RCU);
  }

  public int rcuQs() {
    return get(Cost.RCU_QS);
  }

  public int rcuGpStart() {
    return get(Cost.RCU_GP_START);
  }

  public int rcuGpEnd() {
    return get(Cost.RCU_GP_END);
  }

  public int rcuCallback() {
    return get(Cost.RCU_CALLBACK);
  }

  public int timebaseDivider() {
    return get(Cost.TIMEBASE_DIVIDER);
  }
}
