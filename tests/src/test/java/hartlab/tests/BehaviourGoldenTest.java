package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hartlab.kernel.tlb.LazyTlbMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lockstep runs are reproducible, so a change that claims to change no behaviour can be held to it:
 * every multitasking image on 1, 2 and 8 harts, under every shootdown strategy and lazy-TLB mode,
 * must give the exit status, stdout and digest recorded in {@code golden/behaviour.tsv}.
 *
 * <p>A change that alters behaviour on purpose (a bug fix, a new cost) regenerates the file with
 * {@code ./mvnw -B verify -pl tests -am -Dhartlab.golden.update=true -Dtest=BehaviourGoldenTest
 * -Dsurefire.failIfNoSpecifiedTests=false} and says in its commit message why the digests moved.
 */
class BehaviourGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/behaviour.tsv");
  private static final boolean UPDATE = Boolean.getBoolean("hartlab.golden.update");
  private static final List<List<String>> WORKLOADS =
      List.of(
          List.of("demo"),
          List.of("forkexec"),
          List.of("threads", "4", "2000"),
          List.of("pipes", "4", "20000"),
          List.of("pingpong", "2000"),
          List.of("forkstorm", "8", "3"),
          List.of("mmapstorm", "8", "30", "4"),
          List.of("cowstorm", "4", "16"),
          List.of("mprotect-toggle", "4", "50"));
  private static final List<String> STRATEGIES = ShootdownTest.STRATEGIES;
  private static final List<String> LAZY_MODES =
      Arrays.stream(LazyTlbMode.values()).map(m -> m.name().toLowerCase(Locale.ROOT)).toList();
  private static final int[] CORES = {1, 2, 8};
  private static final Map<String, String> RECORDED = new ConcurrentHashMap<>();

  static Stream<Arguments> matrix() {
    List<Arguments> out = new ArrayList<>();
    for (List<String> w : WORKLOADS) {
      for (int cores : CORES) {
        for (String strategy : STRATEGIES) {
          for (String lazy : LAZY_MODES) {
            out.add(Arguments.of(w, cores, strategy, lazy));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} on {1} harts, {2}, lazy {3}")
  @MethodSource("matrix")
  void lockstepRunMatchesTheRecordedOne(
      List<String> workload, int cores, String strategy, String lazy) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "boot",
                workload.get(0),
                "--exec",
                "lockstep",
                "--cores",
                Integer.toString(cores),
                "--shootdown",
                strategy,
                "--lazy-tlb",
                lazy,
                "--stats",
                "none",
                "--timeout",
                "120s",
                "--"));
    cmd.addAll(workload.subList(1, workload.size()));
    Runs.Outcome r = Runs.hartlab(cmd.toArray(String[]::new));

    String key = String.join(" ", workload) + "\t" + cores + "\t" + strategy + "\t" + lazy;
    String value = r.status() + "\t" + sha256(r.stdout()) + "\t" + r.run().digest();
    if (UPDATE) {
      RECORDED.put(key, value);
      return;
    }
    assertEquals(golden().get(key), value, key + ": " + r.stderr());
  }

  @AfterAll
  static void writeGoldenFile() throws IOException {
    if (!UPDATE) {
      return;
    }
    StringBuilder out =
        new StringBuilder("# workload\tharts\tstrategy\tlazy\tstatus\tstdout\tdigest\n");
    matrix()
        .forEach(
            a -> {
              Object[] g = a.get();
              @SuppressWarnings("unchecked")
              String key =
                  String.join(" ", (List<String>) g[0]) + "\t" + g[1] + "\t" + g[2] + "\t" + g[3];
              out.append(key).append('\t').append(RECORDED.get(key)).append('\n');
            });
    Files.createDirectories(GOLDEN.getParent());
    Files.writeString(GOLDEN, out);
  }

  private static Map<String, String> golden;

  private static synchronized Map<String, String> golden() throws IOException {
    if (golden == null) {
      Map<String, String> g = new LinkedHashMap<>();
      for (String line : Files.readAllLines(GOLDEN)) {
        if (line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        g.put(f[0] + "\t" + f[1] + "\t" + f[2] + "\t" + f[3], f[4] + "\t" + f[5] + "\t" + f[6]);
      }
      golden = g;
    }
    return golden;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
