package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hartlab compare} and {@code merge}: what the sweep writes depends on the runs alone, not
 * on --jobs, repetition or sharding.
 */
class CompareTest {
  @TempDir Path tmp;

  /** A small sweep: 2 strategies x 2 core counts of a short mmapstorm. */
  private Runs.Outcome compare(Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "compare",
                "mmapstorm",
                "--shootdown",
                "ipi-sync,deferred",
                "--cores",
                "1,2",
                "--out",
                out.toString()));
    args.addAll(List.of(extra));
    args.addAll(List.of("--", "2", "10", "4"));
    return Runs.hartlab(args.toArray(new String[0]));
  }

  private static void assertSameFiles(Path a, Path b, String... names) throws IOException {
    for (String n : names) {
      assertArrayEquals(
          Files.readAllBytes(a.resolve(n)), Files.readAllBytes(b.resolve(n)), n + " differs");
    }
  }

  private static final String[] DETERMINISTIC = {
    "results.csv", "results.json", "index.html", "cycles.svg", "ipis.svg"
  };

  @Test
  void twiceJobsAndShardsWriteTheSameFiles() throws IOException {
    Runs.Outcome first = compare(tmp.resolve("a"));
    assertEquals(0, first.status(), first.stderr());
    assertTrue(first.stderr().contains("4/4 done"), first.stderr());
    Runs.Outcome again = compare(tmp.resolve("b"), "--jobs", "2");
    assertEquals(0, again.status(), again.stderr());
    assertSameFiles(tmp.resolve("a"), tmp.resolve("b"), DETERMINISTIC);
    for (int i = 1; i <= 3; i++) {
      Runs.Outcome s = compare(tmp.resolve("s" + i), "--shard", i + "/3");
      assertEquals(0, s.status(), s.stderr());
    }
    Runs.Outcome merged =
        Runs.hartlab(
            "merge",
            tmp.resolve("s1").toString(),
            tmp.resolve("s2").toString(),
            tmp.resolve("s3").toString(),
            "--out",
            tmp.resolve("m").toString());
    assertEquals(0, merged.status(), merged.stderr());
    assertSameFiles(tmp.resolve("a"), tmp.resolve("m"), DETERMINISTIC);
    assertEquals(first.stdout(), merged.stdout());
  }

  @Test
  void tableCsvAndHtmlShowEveryConfigurationWithUnits() throws IOException {
    Runs.Outcome o = compare(tmp);
    assertEquals(0, o.status(), o.stderr());
    List<String> csv = Files.readAllLines(tmp.resolve("results.csv"));
    assertEquals(5, csv.size());
    String head = csv.get(0);
    assertTrue(head.startsWith("configuration,repeat,shootdown,cores,outcome"), head);
    assertTrue(
        head.contains("ipisSent_IPIs") && head.contains("shootdownLatency_p99_cycles"), head);
    // One core sends no IPI; two cores under ipi-sync do.
    int ipis = List.of(head.split(",")).indexOf("ipisSent_IPIs");
    assertEquals("0", csv.get(1).split(",")[ipis]);
    assertTrue(Long.parseLong(csv.get(2).split(",")[ipis]) > 0, csv.get(2));
    String html = Files.readString(tmp.resolve("index.html"), StandardCharsets.UTF_8);
    assertTrue(
        html.contains("<img src=\"cycles.svg\"") && html.contains("shootdown=deferred cores=2"));
    assertTrue(!html.contains("http://") && !html.contains("https://"), "no external resources");
    assertTrue(Files.size(tmp.resolve("cycles.png")) > 1000);
    assertTrue(o.stdout().contains("shootdown=ipi-sync cores=2"), o.stdout());
    assertTrue(Files.readString(tmp.resolve("host.csv")).startsWith("configuration,repeat,label"));
  }

  @Test
  void anyMachineOptionIsAnAxis() throws IOException {
    Runs.Outcome o =
        Runs.hartlab(
            "compare",
            "mmapstorm",
            "--tlb-entries",
            "8,64",
            "--cores",
            "2",
            "--out",
            tmp.toString(),
            "--",
            "2",
            "10",
            "4");
    assertEquals(0, o.status(), o.stderr());
    List<String> csv = Files.readAllLines(tmp.resolve("results.csv"));
    assertTrue(csv.get(0).startsWith("configuration,repeat,tlb-entries,outcome"), csv.get(0));
    int misses = List.of(csv.get(0).split(",")).indexOf("tlbMisses_lookups");
    assertTrue(
        Long.parseLong(csv.get(1).split(",")[misses])
            > Long.parseLong(csv.get(2).split(",")[misses]),
        "a smaller TLB misses more");
  }

  @Test
  void badValuesAndIncompleteMergesAreUsageErrors() {
    Runs.Outcome bad =
        Runs.hartlab("compare", "mmapstorm", "--cores", "1,0", "--out", tmp.toString());
    assertEquals(64, bad.status());
    assertTrue(bad.stderr().contains("--cores 0"), bad.stderr());
    Runs.Outcome shard =
        Runs.hartlab("compare", "mmapstorm", "--shard", "4/3", "--out", tmp.toString());
    assertEquals(64, shard.status());
    Runs.Outcome one = compare(tmp.resolve("s1"), "--shard", "1/2");
    assertEquals(0, one.status(), one.stderr());
    Runs.Outcome merge =
        Runs.hartlab("merge", tmp.resolve("s1").toString(), "--out", tmp.resolve("m").toString());
    assertEquals(64, merge.status());
    assertTrue(merge.stderr().contains("in none of the folders"), merge.stderr());
  }
}
