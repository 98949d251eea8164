package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every numeric option of boot and bench has a range, checked before anything is allocated, and an
 * output file that cannot be written is found before the run.
 */
class OptionRangeTest {
  @TempDir Path dir;

  private static Runs.Outcome boot(String... options) {
    List<String> args = new ArrayList<>(List.of("boot", "hello", "--stats", "none"));
    args.addAll(List.of(options));
    return Runs.hartlab(args.toArray(String[]::new));
  }

  /** Before: OutOfMemoryError and a stack trace, after the machine began to allocate. */
  @Test
  void hugeTlbEntriesIsAUsageError() {
    Runs.Outcome r = boot("--tlb-entries", "1073741824");
    assertEquals(64, r.status(), r.stderr());
    assertTrue(
        r.stderr().contains("--tlb-entries 1073741824")
            && r.stderr().contains("power of two from 1 to 65536"),
        r.stderr());
    BootTest.assertNoStackTrace(r);
  }

  /** Before: 16M entries on each of 64 harts ran the host out of heap. */
  @Test
  void sixteenMillionTlbEntriesOnSixtyFourHartsIsAUsageError() {
    Runs.Outcome r = boot("--cores", "64", "--tlb-entries", "16777216", "--tlb-ways", "4");
    assertEquals(64, r.status(), r.stderr());
    BootTest.assertNoStackTrace(r);
  }

  /** Each option just outside its range is refused with the range; just inside, it boots. */
  @ParameterizedTest
  @CsvSource({
    "--cores, 0, 1, harts must be 1..64",
    "--cores, 65, 64, harts must be 1..64",
    "--mem, 1020K, 1M, from 1M to 1G",
    "--mem, 1025M, 1G, from 1M to 1G",
    "--mem, 1048577, 1052672, whole 4 KiB pages",
    "--quantum, 0, 1, cycles per turn must be 1..",
    "--quantum, 86400000000001, 86400000000000, cycles per turn must be 1..",
    "--tlb-entries, 0, 4, power of two from 1 to 65536",
    "--tlb-entries, 131072, 65536, power of two from 1 to 65536",
    "--tlb-entries, 48, 32, power of two from 1 to 65536",
    "--tlb-ways, 128, 64, from 1 to --tlb-entries (64)",
    "--tlb-ways, 3, 2, from 1 to --tlb-entries (64)",
    "--asid-bits, 1, 2, ASID width must be 2..16",
    "--asid-bits, 17, 16, ASID width must be 2..16",
    "--flush-ceiling, -1, 0, pages must be 0..262144",
    "--flush-ceiling, 262145, 262144, pages must be 0..262144",
    "--max-tasks, 0, 1, tasks must be 1..65536",
    "--max-tasks, 65537, 65536, tasks must be 1..65536",
    "--rcu-torture, -1, 0, read-side sections per kernel entry must be 0 (off)..1000",
    "--rcu-torture, 1001, 1000, read-side sections per kernel entry must be 0 (off)..1000",
    "--max-instructions, -1, 0, instructions must be 0 (no limit) or more",
    "--timeout, 31d, 30m, not a duration",
    "--timeout, 43201m, 43200m, from 1ms to 30 days",
    "--timeout, 0.1ms, 1ms, shorter than 1ms",
  })
  void optionsOutsideTheirRangeAreUsageErrorsThatStateTheRange(
      String option, String outside, String inside, String range) {
    Runs.Outcome r = boot(option, outside);
    assertEquals(64, r.status(), r.stderr());
    assertTrue(r.stderr().startsWith("hartlab: " + option), r.stderr());
    assertTrue(r.stderr().contains(range), r.stderr());
    BootTest.assertNoStackTrace(r);
    Runs.Outcome ok = boot(option, inside);
    // A 1 ms timeout is accepted but may well stop the guest on a loaded machine (124).
    int expected = ok.status() == 124 && option.equals("--timeout") ? 124 : 0;
    assertEquals(expected, ok.status(), option + " " + inside + ": " + ok.stderr());
  }

  /** Before: an index out of bounds on the hart once a set had more than 128 ways (exit 70). */
  @Test
  void fullyAssociativeTlbOf256EntriesRuns() {
    Runs.Outcome r =
        Runs.hartlab(
            "boot", "demo", "--stats", "none", "--tlb-entries", "256", "--tlb-ways", "256");
    assertEquals(0, r.status(), r.stderr());
  }

  /** Before: the run went ahead and the write failed at the end, as an internal error (70). */
  @Test
  void unwritableStatsFileIsAUsageError() throws Exception {
    Path missingDir = dir.resolve("no-such-dir").resolve("stats.json");
    Runs.Outcome r = boot("--stats-file", missingDir.toString());
    assertEquals(64, r.status(), r.stderr());
    assertTrue(r.stderr().contains("does not exist"), r.stderr());
    assertTrue(r.stdout().isEmpty(), "the guest ran: " + r.stdout());

    Runs.Outcome d = boot("--stats-file", dir.toString());
    assertEquals(64, d.status(), d.stderr());
    assertTrue(d.stderr().contains("is a directory"), d.stderr());

    if (Files.exists(Path.of("/dev/full"))) {
      Runs.Outcome full = boot("--stats-file", "/dev/full");
      assertEquals(64, full.status(), full.stderr());
      assertTrue(full.stderr().contains("not a regular file"), full.stderr());
    }
  }

  /**
   * The directory of the stats file disappears while the guest runs: the write fails after the run,
   * which says so and keeps the guest's status (here 124 from --timeout), never 70.
   */
  @Test
  void statsFileThatCannotBeWrittenAfterTheRunKeepsTheRunsStatus() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("vanishing"));
    Path file = sub.resolve("stats.json");
    Thread remover =
        new Thread(
            () -> {
              try {
                Thread.sleep(2000); // the check before the run is long done
                Files.delete(sub);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    remover.start();
    Runs.Outcome r =
        Runs.hartlab(
            "boot",
            "compute",
            "--stats",
            "none",
            "--timeout",
            "6s",
            "--stats-file",
            file.toString(),
            "--",
            "1000000000");
    remover.join();
    assertEquals(124, r.status(), r.stderr());
    assertTrue(r.stderr().contains("could not write the statistics"), r.stderr());
    BootTest.assertNoStackTrace(r);
  }

  @Test
  void statsFileIsWrittenWhenWritable() throws Exception {
    Path file = dir.resolve("stats.json");
    assertEquals(0, boot("--stats-file", file.toString()).status());
    assertEquals("exited", new ObjectMapper().readTree(file.toFile()).get("outcome").asText());
  }

  /** Before: the guest rejected -1 and bench called that an internal error (70). */
  @Test
  void benchNegativeRoundsIsAUsageError() {
    Runs.Outcome r = Runs.hartlab("bench", "--rounds", "-1", "--qemu", "none", "--repeat", "1");
    assertEquals(64, r.status(), r.stderr());
    assertTrue(r.stderr().contains("--rounds -1") && r.stderr().contains("1..100000"), r.stderr());
  }

  @Test
  void benchRepeatAndOutAreCheckedBeforeRunning() {
    Runs.Outcome r = Runs.hartlab("bench", "--repeat", "0", "--qemu", "none");
    assertEquals(64, r.status(), r.stderr());
    assertTrue(r.stderr().contains("runs must be 1..100"), r.stderr());
    Runs.Outcome o = Runs.hartlab("bench", "--out", dir.toString(), "--qemu", "none");
    assertEquals(64, o.status(), o.stderr());
    assertTrue(o.stderr().contains("--out " + dir + " is a directory"), o.stderr());
  }
}
