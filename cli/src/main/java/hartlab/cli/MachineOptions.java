package hartlab.cli;

import hartlab.kernel.MachineConfig;
import picocli.CommandLine.Option;

/** The options that shape the emulated machine, shared by every command that runs one. */
final class MachineOptions {
  @Option(names = "--cores", paramLabel = "N", defaultValue = "4",
      description = "Harts, 1..64 (default: ${DEFAULT-VALUE}).")
  int cores;

  @Option(names = "--mem", paramLabel = "SIZE", defaultValue = "256M",
      description = "Guest RAM, up to 1G (default: ${DEFAULT-VALUE}).")
  String memory;

  @Option(names = "--tlb-entries", paramLabel = "N", defaultValue = "64",
      description = "Entries per hart TLB, a power of two (default: ${DEFAULT-VALUE}).")
  int tlbEntries;

  @Option(names = "--tlb-ways", paramLabel = "N", defaultValue = "4",
      description = "TLB associativity, a power of two (default: ${DEFAULT-VALUE}).")
  int tlbWays;

  @Option(names = "--flush-ceiling", paramLabel = "PAGES", defaultValue = "33",
      description = "Above this many pages a range flush becomes a full ASID flush (default: ${DEFAULT-VALUE}).")
  int flushCeiling;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
      description = "Seed of everything random the guest sees (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-instructions", paramLabel = "N", defaultValue = "0",
      description = "Stop the guest after N instructions over all harts; 0 = no limit.")
  long maxInstructions;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "0",
      description = "Stop the guest after this much host time, e.g. 10s, 500ms, 2m; 0 = no limit.")
  String timeout;

  MachineConfig config() {
    long mem = Sizes.bytes(memory);
    return MachineConfig.defaults()
        .withCores(cores)
        .withMemory(mem)
        .withTlb(tlbEntries, tlbWays)
        .withFlushCeiling(flushCeiling)
        .withSeed(seed)
        .withLimits(maxInstructions, Sizes.millis(timeout));
  }
}
