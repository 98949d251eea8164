package hartlab.kernel;

import hartlab.cpu.CostModel;

/**
 * Everything that shapes a run. Two runs with equal configs and images compare.
 *
 * @param cores harts, 1..64
 * @param memoryBytes guest RAM
 * @param tlbEntries entries of each hart's TLB (power of two)
 * @param tlbWays TLB associativity (power of two, at most tlbEntries)
 * @param seed seeds everything random the guest can see (getrandom, AT_RANDOM)
 * @param maxInstructions stop the guest after this many instructions summed over harts; 0 = no limit
 * @param timeoutMillis stop the guest after this much host time; 0 = no limit
 * @param flushCeiling above this many pages a range flush becomes an ASID flush (Linux: 33)
 * @param tickCycles virtual cycles between timer ticks
 * @param cost cycle prices
 */
public record MachineConfig(int cores, long memoryBytes, int tlbEntries, int tlbWays, long seed,
    long maxInstructions, long timeoutMillis, int flushCeiling, long tickCycles, CostModel cost) {

  public static final int MAX_CORES = 64;

  public MachineConfig {
    if (cores < 1 || cores > MAX_CORES) {
      throw new IllegalArgumentException("cores must be 1.." + MAX_CORES + ", got " + cores);
    }
    if (maxInstructions < 0 || timeoutMillis < 0 || flushCeiling < 0 || tickCycles <= 0) {
      throw new IllegalArgumentException("limits must not be negative");
    }
  }

  public static MachineConfig defaults() {
    return new MachineConfig(4, 256L << 20, 64, 4, 1, 0, 0, 33, 1_000_000, CostModel.DEFAULT);
  }

  public MachineConfig withCores(int n) {
    return new MachineConfig(n, memoryBytes, tlbEntries, tlbWays, seed, maxInstructions,
        timeoutMillis, flushCeiling, tickCycles, cost);
  }

  public MachineConfig withMemory(long bytes) {
    return new MachineConfig(cores, bytes, tlbEntries, tlbWays, seed, maxInstructions,
        timeoutMillis, flushCeiling, tickCycles, cost);
  }

  public MachineConfig withTlb(int entries, int ways) {
    return new MachineConfig(cores, memoryBytes, entries, ways, seed, maxInstructions,
        timeoutMillis, flushCeiling, tickCycles, cost);
  }

  public MachineConfig withSeed(long s) {
    return new MachineConfig(cores, memoryBytes, tlbEntries, tlbWays, s, maxInstructions,
        timeoutMillis, flushCeiling, tickCycles, cost);
  }

  public MachineConfig withLimits(long maxInsns, long timeoutMs) {
    return new MachineConfig(cores, memoryBytes, tlbEntries, tlbWays, seed, maxInsns, timeoutMs,
        flushCeiling, tickCycles, cost);
  }

  public MachineConfig withFlushCeiling(int pages) {
    return new MachineConfig(cores, memoryBytes, tlbEntries, tlbWays, seed, maxInstructions,
        timeoutMillis, pages, tickCycles, cost);
  }
}
