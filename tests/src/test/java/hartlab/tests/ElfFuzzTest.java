package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import hartlab.cli.fuzz.ElfFuzzer;
import hartlab.cli.fuzz.ElfMutator;
import hartlab.images.Images;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ELF fuzzer, seeded and bounded: mutants of every built-in image are booted on the whole
 * machine and each must run, be refused with 65, or meet a limit. The soak is {@code hartlab
 * fuzz-elf}; this is its first {@link #MUTANTS} mutants of seed {@link #SEED}, plus every mutant
 * saved under {@code elf-fuzz-regressions/}.
 */
class ElfFuzzTest {
  private static final Logger LOG = LoggerFactory.getLogger(ElfFuzzTest.class);

  static final long SEED = 20240601;
  static final int MUTANTS = 1500;

  /**
   * A kernel bug the fuzzer finds and the loader cannot refuse for it: its name, a pattern that
   * matches the failure's detail, and why it happens. A failure matching one is counted, not
   * failed; every other failure fails the test.
   */
  record KnownKernelFailure(String name, Pattern detail, String reason) {}

  /**
   * Known kernel-side failure classes, excluded from {@link #mutantsRunAreRefusedOrMeetALimit} by
   * name. Empty: every failure the fuzzer has found so far was an image the loader now refuses (see
   * the regression corpus). Add a class here only with a reproducer in the corpus, and remove it
   * when the kernel is fixed.
   */
  static final List<KnownKernelFailure> KNOWN_KERNEL_FAILURES = List.of();

  @TempDir Path work;

  private ElfFuzzer fuzzer() {
    return new ElfFuzzer(new ElfFuzzer.Settings(2, "lockstep", "32M", 100_000, 2_000), work);
  }

  private static Map<String, byte[]> builtInImages() {
    Map<String, byte[]> bases = new LinkedHashMap<>();
    for (Images.ImageInfo info : Images.list()) {
      bases.put(info.name(), Runs.image(info.name()));
    }
    return bases;
  }

  @Test
  void mutantsRunAreRefusedOrMeetALimit() throws Exception {
    ElfMutator mutator = new ElfMutator(builtInImages());
    ElfFuzzer fuzzer = fuzzer();
    Map<ElfFuzzer.Verdict, Integer> verdicts = new EnumMap<>(ElfFuzzer.Verdict.class);
    Map<String, Integer> known = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < MUTANTS; i++) {
      ElfMutator.Mutant m = mutator.mutant(SEED, i);
      ElfFuzzer.Result r = fuzzer.run(m);
      verdicts.merge(r.verdict(), 1, Integer::sum);
      if (!r.verdict().failure()) {
        continue;
      }
      KnownKernelFailure k = knownClass(r);
      if (k != null) {
        known.merge(k.name(), 1, Integer::sum);
        continue;
      }
      failures.add(
          String.format(
              "mutant %d of seed %d (%s): %s, status %d: %s%n    mutations: %s%n"
                  + "    rebuild: hartlab fuzz-elf --seed %d --from %d --mutants 1",
              i, SEED, m.base(), r.verdict(), r.status(), r.detail(), m.mutations(), SEED, i));
    }
    LOG.info("{} mutants: {}, known kernel failures {}", MUTANTS, verdicts, known);
    if (!failures.isEmpty()) {
      fail(failures.size() + " mutants failed:\n" + String.join("\n", failures));
    }
    // A fuzzer whose mutants all bounce off the parser, or all run untouched, tests little.
    int total = MUTANTS - known.values().stream().mapToInt(Integer::intValue).sum();
    assertTrue(verdicts.getOrDefault(ElfFuzzer.Verdict.RAN, 0) > total / 20, verdicts.toString());
    assertTrue(
        verdicts.getOrDefault(ElfFuzzer.Verdict.REJECTED, 0) > total / 4, verdicts.toString());
    assertTrue(verdicts.getOrDefault(ElfFuzzer.Verdict.LIMIT, 0) > 0, verdicts.toString());
  }

  /**
   * Every saved mutant: NAME.elf with NAME.txt, whose {@code expect:} line says how it must end now
   * ({@code rejected PHRASE}: refused with 65 and PHRASE in the reason; {@code ran}; {@code limit};
   * {@code kernel-failure NAME}: may fail while NAME is a known class).
   */
  @Test
  void everySavedMutantEndsAsExpected() throws Exception {
    List<Path> corpus = corpus();
    assertFalse(corpus.isEmpty(), "no regression mutants found");
    ElfFuzzer fuzzer = fuzzer();
    List<String> wrong = new ArrayList<>();
    for (Path elf : corpus) {
      String name = elf.getFileName().toString().replace(".elf", "");
      String expect = expectation(elf.resolveSibling(name + ".txt"));
      ElfMutator.Mutant m =
          new ElfMutator.Mutant(0, 0, name, Files.readAllBytes(elf), List.of("saved"));
      ElfFuzzer.Result r = fuzzer.run(m);
      String got = r.verdict() + " " + r.status() + ": " + r.detail();
      String[] words = expect.split(" ", 2);
      boolean ok =
          switch (words[0]) {
            case "rejected" ->
                r.verdict() == ElfFuzzer.Verdict.REJECTED && r.detail().contains(words[1]);
            case "ran" -> r.verdict() == ElfFuzzer.Verdict.RAN;
            case "limit" -> r.verdict() == ElfFuzzer.Verdict.LIMIT;
            case "kernel-failure" ->
                !r.verdict().failure()
                    || KNOWN_KERNEL_FAILURES.stream().anyMatch(k -> k.name().equals(words[1]));
            default -> throw new IllegalStateException(name + ": unknown expect: " + expect);
          };
      if (!ok) {
        wrong.add(name + ": expected " + expect + ", got " + got);
      }
    }
    assertEquals(List.of(), wrong);
  }

  private static KnownKernelFailure knownClass(ElfFuzzer.Result r) {
    for (KnownKernelFailure k : KNOWN_KERNEL_FAILURES) {
      if (k.detail().matcher(r.detail()).find()) {
        return k;
      }
    }
    return null;
  }

  private static List<Path> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(ElfFuzzTest.class.getResource("/elf-fuzz-regressions").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".elf")).sorted().toList();
    }
  }

  private static String expectation(Path txt) throws IOException {
    for (String line : Files.readAllLines(txt)) {
      if (line.startsWith("expect: ")) {
        return line.substring("expect: ".length()).trim();
      }
    }
    throw new IllegalStateException(txt + " has no 'expect:' line");
  }
}
