package hartlab.cli;

import hartlab.cli.fuzz.ElfFuzzer;
import hartlab.cli.fuzz.ElfMutator;
import hartlab.images.Images;
import hartlab.kernel.ExecMode;
import hartlab.kernel.MachineConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hartlab fuzz-elf}: boots structured mutants of the built-in images on the whole machine
 * and reports every one whose outcome is not acceptable (see {@link ElfFuzzer}), with the seed and
 * index that rebuild it, and saves it.
 */
@Command(
    name = "fuzz-elf",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Boot mutated ELF images (headers, program headers, layout, truncation, bit flips) made",
      "from the built-in images, and check that each one runs, is refused with 65, or meets",
      "a limit (124): never an internal error, a checker violation, a stack trace or a hang.",
      "Mutant I of seed S is always the same file: --seed S --from I --mutants 1 rebuilds it."
    },
    footer = {
      "",
      "Exit status: 0 no failures, 1 failures found (listed and saved), 64 usage error."
    })
final class FuzzElfCommand implements Callable<Integer> {
  static final long MAX_MUTANTS = 100_000_000;

  @Option(
      names = "--mutants",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Mutants to boot, 1..100000000 (default: ${DEFAULT-VALUE}).")
  long mutants;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of the run (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--from",
      paramLabel = "I",
      defaultValue = "0",
      description = "Index of the first mutant, >= 0 (default: ${DEFAULT-VALUE}).")
  long from;

  @Option(
      names = "--images",
      paramLabel = "NAME,...",
      split = ",",
      description = "Built-in images to start from (default: all of them).")
  List<String> images = new ArrayList<>();

  @Option(
      names = "--cores",
      paramLabel = "N",
      defaultValue = "2",
      description = "Harts of each boot, 1..64 (default: ${DEFAULT-VALUE}).")
  int cores;

  @Option(
      names = "--exec",
      paramLabel = "parallel|lockstep",
      defaultValue = "lockstep",
      description = "Execution mode of each boot; lockstep reproduces (default: ${DEFAULT-VALUE}).")
  String exec;

  @Option(
      names = "--mem",
      paramLabel = "SIZE",
      defaultValue = "32M",
      description = "Guest RAM of each boot (default: ${DEFAULT-VALUE}).")
  String memory;

  @Option(
      names = "--max-instructions",
      paramLabel = "N",
      defaultValue = "200000",
      description = "Instruction limit of each boot, >= 1 (default: ${DEFAULT-VALUE}).")
  long maxInstructions;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "2s",
      description = "Host-time limit of each boot, 1ms..10m (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(
      names = "--save",
      paramLabel = "DIR",
      defaultValue = "hartlab-fuzz-failures",
      description =
          "Where failing mutants are saved, with a .txt each (default: ${DEFAULT-VALUE}).")
  Path save;

  @Option(names = "--verbose", description = "One line per mutant on stderr.")
  boolean verbose;

  private final Cli cli;

  FuzzElfCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    ElfFuzzer.Settings settings = settings();
    ElfMutator mutator = new ElfMutator(bases());
    Path work = Files.createTempDirectory("hartlab-fuzz-");
    try {
      return fuzz(mutator, new ElfFuzzer(settings, work));
    } finally {
      Files.deleteIfExists(work);
    }
  }

  private ElfFuzzer.Settings settings() {
    if (mutants < 1 || mutants > MAX_MUTANTS) {
      throw new UsageException("--mutants " + mutants + ": out of range; 1.." + MAX_MUTANTS);
    }
    if (from < 0 || from > Long.MAX_VALUE - mutants) {
      throw new UsageException("--from " + from + ": out of range; 0 or more");
    }
    if (maxInstructions < 1) {
      throw new UsageException(
          "--max-instructions " + maxInstructions + ": out of range; 1 or more");
    }
    long millis;
    try {
      millis = Sizes.millis(timeout);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--timeout: " + e.getMessage());
    }
    if (millis < 1 || millis > 600_000) {
      throw new UsageException("--timeout " + timeout + ": out of range; 1ms..10m");
    }
    if (save.toFile().exists() && !Files.isDirectory(save)) {
      throw new UsageException("--save " + save + " is not a directory");
    }
    // The checks boot makes: a bad --cores or --mem is one usage error here, not N failures.
    if (cores < 1 || cores > MachineConfig.MAX_CORES) {
      throw new UsageException(
          "--cores " + cores + ": out of range; harts must be 1.." + MachineConfig.MAX_CORES);
    }
    try {
      ExecMode.parse(exec);
      long bytes = Sizes.bytes(memory);
      if (bytes < MachineConfig.MIN_MEMORY_BYTES
          || bytes > MachineConfig.MAX_MEMORY_BYTES
          || bytes % 4096 != 0) {
        throw new IllegalArgumentException(
            memory + " is out of range; guest RAM must be whole 4 KiB pages from 1M to 1G");
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return new ElfFuzzer.Settings(cores, exec, memory, maxInstructions, millis);
  }

  private Map<String, byte[]> bases() {
    Map<String, byte[]> bases = new LinkedHashMap<>();
    List<String> names = images.isEmpty() ? allImages() : images;
    for (String name : names) {
      byte[] bytes =
          Images.load(name)
              .orElseThrow(
                  () ->
                      new UsageException(
                          "--images: no built-in image '" + name + "'; see 'hartlab images'"));
      bases.put(name, bytes);
    }
    return bases;
  }

  private static List<String> allImages() {
    List<String> names = new ArrayList<>();
    Images.list().forEach(i -> names.add(i.name()));
    return names;
  }

  private int fuzz(ElfMutator mutator, ElfFuzzer fuzzer) throws IOException, InterruptedException {
    Map<ElfFuzzer.Verdict, Long> verdicts = new EnumMap<>(ElfFuzzer.Verdict.class);
    Map<Integer, Long> guestStatuses = new TreeMap<>();
    Map<String, Long> reasons = new TreeMap<>();
    Map<String, List<ElfFuzzer.Result>> failures = new LinkedHashMap<>();
    long start = System.nanoTime();
    long lastProgress = start;
    int hangs = 0;
    for (long i = from; i < from + mutants; i++) {
      ElfMutator.Mutant m = mutator.mutant(seed, i);
      ElfFuzzer.Result r = fuzzer.run(m);
      verdicts.merge(r.verdict(), 1L, Long::sum);
      if (r.verdict() == ElfFuzzer.Verdict.RAN) {
        guestStatuses.merge(r.status(), 1L, Long::sum);
      } else if (r.verdict() == ElfFuzzer.Verdict.REJECTED) {
        reasons.merge(ElfFuzzer.withoutNumbers(r.detail()), 1L, Long::sum);
      }
      if (verbose) {
        cli.err().printf("%s: %s %d %s%n", m.id(), r.verdict(), r.status(), r.detail());
      }
      if (r.verdict().failure()) {
        Path saved = saveFailure(r);
        failures.computeIfAbsent(r.signature(), k -> new ArrayList<>()).add(r);
        cli.err()
            .printf(
                "fuzz-elf: FAILED mutant %d of seed %d (%s): %s, status %d: %s%n"
                    + "  mutations: %s%n  saved: %s%n  rebuild: %s%n",
                i,
                seed,
                m.base(),
                r.verdict(),
                r.status(),
                r.detail(),
                m.mutations(),
                saved,
                rebuildCommand(m));
        if (r.verdict() == ElfFuzzer.Verdict.HANG && ++hangs >= 5) {
          cli.err().println("fuzz-elf: 5 boots hung; stopping, since each leaves threads behind");
          break;
        }
      }
      long now = System.nanoTime();
      if (now - lastProgress >= 2_000_000_000L) {
        lastProgress = now;
        cli.err()
            .printf(
                "fuzz-elf: %d/%d mutants, %.0f s, %s%n",
                i - from + 1, mutants, (now - start) / 1e9, counts(verdicts));
      }
    }
    summary(verdicts, guestStatuses, reasons, failures, (System.nanoTime() - start) / 1e9);
    return failures.isEmpty() ? 0 : 1;
  }

  private Path saveFailure(ElfFuzzer.Result r) throws IOException {
    ElfMutator.Mutant m = r.mutant();
    Files.createDirectories(save);
    Path elf = save.resolve(m.id() + ".elf");
    Files.write(elf, m.bytes());
    String stderr = r.stderr();
    String text =
        String.join(
            "\n",
            "mutant: " + m.index() + " of seed " + m.seed() + ", from built-in image " + m.base(),
            "mutations: " + String.join("; ", m.mutations()),
            "verdict: " + r.verdict() + ", exit status " + r.status(),
            "detail: " + r.detail(),
            "rebuild: " + rebuildCommand(m),
            "boot it: " + ElfFuzzer.commandLine(r.bootArgs(), elf),
            "stderr (end):",
            stderr.substring(Math.max(0, stderr.length() - 4000)),
            "");
    Files.writeString(save.resolve(m.id() + ".txt"), text, StandardCharsets.UTF_8);
    return elf;
  }

  /** The fuzz-elf command line that makes and boots {@code m} again, as this run did. */
  private String rebuildCommand(ElfMutator.Mutant m) {
    return String.format(
        "hartlab fuzz-elf --seed %d --from %d --mutants 1%s --cores %d --exec %s --mem %s"
            + " --max-instructions %d --timeout %s",
        m.seed(),
        m.index(),
        images.isEmpty() ? "" : " --images " + String.join(",", images),
        cores,
        exec,
        memory,
        maxInstructions,
        timeout);
  }

  private static String counts(Map<ElfFuzzer.Verdict, Long> verdicts) {
    List<String> parts = new ArrayList<>();
    verdicts.forEach((v, n) -> parts.add(v.name().toLowerCase() + " " + n));
    return String.join(", ", parts);
  }

  private void summary(
      Map<ElfFuzzer.Verdict, Long> verdicts,
      Map<Integer, Long> guestStatuses,
      Map<String, Long> reasons,
      Map<String, List<ElfFuzzer.Result>> failures,
      double seconds) {
    long total = verdicts.values().stream().mapToLong(Long::longValue).sum();
    cli.out()
        .printf(
            "fuzz-elf: %,d mutants of seed %d (indexes %d..%d) in %.1f s, %.1f per second%n",
            total, seed, from, from + total - 1, seconds, total / seconds);
    for (ElfFuzzer.Verdict v : ElfFuzzer.Verdict.values()) {
      long n = verdicts.getOrDefault(v, 0L);
      if (n > 0 || !v.failure()) {
        cli.out()
            .printf(
                "  %-15s %,9d  %5.1f%%%s%n",
                v.name().toLowerCase(), n, 100.0 * n / total, v.failure() ? "  FAILURE" : "");
      }
    }
    List<String> statuses = new ArrayList<>();
    guestStatuses.forEach((s, n) -> statuses.add(s + ": " + n));
    cli.out()
        .println("guest exit statuses of the mutants that ran: " + String.join(", ", statuses));
    cli.out().println("most frequent reasons for refusing an image:");
    reasons.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(15)
        .forEach(e -> cli.out().printf("  %,7d  %s%n", e.getValue(), e.getKey()));
    if (failures.isEmpty()) {
      cli.out().println("no failures");
      return;
    }
    cli.out().println("failures, by signature (saved to " + save + "):");
    failures.forEach(
        (sig, list) -> {
          ElfMutator.Mutant first = list.get(0).mutant();
          cli.out()
              .printf(
                  "  %,7d  %s%n           first: --seed %d --from %d (%s)%n",
                  list.size(), sig, first.seed(), first.index(), first.id());
        });
  }
}
