package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code hartlab boot} as a user meets it: defaults, options, statistics, and every kind of bad
 * input.
 */
class BootTest {
  @TempDir Path dir;

  /** No Java internals may reach the user's console. */
  static void assertNoStackTrace(Runs.Outcome r) {
    String all = r.stdout() + r.stderr();
    assertFalse(
        all.contains("Exception in thread") || all.matches("(?s).*\\n\\s+at [a-z]+\\..*"),
        "stack trace on the console:\n" + all);
  }

  @Test
  void bootWithoutArgumentsRunsTheDemoOnFourHarts() {
    Runs.Outcome r = Runs.hartlab("boot");
    assertEquals(0, r.status(), r.stderr());
    assertTrue(r.stdout().contains("demo"), r.stdout());
    assertTrue(r.stderr().contains("demo on 4 harts"), r.stderr());
    assertNoStackTrace(r);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 8, 64})
  void helloFinishesOnAnyNumberOfHarts(int cores) {
    Runs.Outcome r =
        Runs.hartlab(
            "boot", "hello", "--cores", Integer.toString(cores), "--stats", "none", "--", "x");
    assertEquals(0, r.status(), r.stderr());
    assertTrue(r.stdout().contains("argv[1]=x"), r.stdout());
  }

  @Test
  void statsFileHoldsPerHartCountersAsJson() throws Exception {
    Path file = dir.resolve("stats.json");
    Runs.Outcome r =
        Runs.hartlab(
            "boot", "demo", "--cores", "2", "--stats", "none", "--stats-file", file.toString());
    assertEquals(0, r.status(), r.stderr());
    JsonNode json = new ObjectMapper().readTree(Files.readString(file));
    assertEquals("exited", json.get("outcome").asText());
    assertEquals(2, json.get("harts").size());
    long instructions = json.get("totals").get("instructions").asLong();
    long sum = 0;
    for (JsonNode h : json.get("harts")) {
      sum += h.get("instructions").asLong();
    }
    assertEquals(sum, instructions);
    assertTrue(json.get("totals").get("pageFaults").asLong() > 0);
    assertTrue(json.get("syscalls").get("mmap").asLong() > 0);
    assertTrue(json.get("totals").get("tlbMisses").asLong() > 0);
  }

  @Test
  void guestKilledByFaultReportsPcAddressAndCause() {
    Runs.Outcome r = Runs.hartlab("boot", "fault", "--stats", "none", "--", "segv");
    assertEquals(128 + 11, r.status());
    assertTrue(
        r.stderr()
            .matches(
                "(?s).*killed by SIGSEGV: .*page fault at pc 0x[0-9a-f]+, address 0x[0-9a-f]+.*"),
        r.stderr());
    assertNoStackTrace(r);
  }

  @Test
  void illegalInstructionIsSigill() {
    Runs.Outcome r = Runs.hartlab("boot", "fault", "--stats", "none", "--", "ill");
    assertEquals(128 + 4, r.status());
    assertTrue(
        r.stderr().contains("SIGILL") && r.stderr().contains("illegal instruction"), r.stderr());
  }

  @Test
  void maxInstructionsStopsALongGuest() {
    Runs.Outcome r =
        Runs.hartlab(
            "boot", "compute", "--max-instructions", "200000", "--stats", "none", "--", "1000000");
    assertEquals(124, r.status(), r.stderr());
    assertTrue(r.stderr().contains("--max-instructions"), r.stderr());
    assertNoStackTrace(r);
  }

  @Test
  void timeoutStopsAGuestThatNeverEnds() {
    Runs.Outcome r =
        Runs.hartlab(
            "boot", "compute", "--timeout", "300ms", "--stats", "none", "--", "1000000000");
    assertEquals(124, r.status(), r.stderr());
    assertTrue(r.stderr().contains("--timeout"), r.stderr());
  }

  @Test
  void missingImageIsAnUnusableImage() {
    Runs.Outcome r = Runs.hartlab("boot", "no-such-image");
    assertEquals(65, r.status());
    assertTrue(r.stderr().contains("built-in images: "), r.stderr());
    assertNoStackTrace(r);
  }

  @Test
  void malformedElfSaysWhatAndWhere() throws Exception {
    Path hello = Runs.extract("hello", dir);
    byte[] bytes = Files.readAllBytes(hello);
    bytes[18] = 62; // e_machine = x86-64
    Path bad = dir.resolve("bad-machine");
    Files.write(bad, bytes);
    Runs.Outcome r = Runs.hartlab("boot", bad.toString());
    assertEquals(65, r.status());
    assertTrue(r.stderr().contains("offset 0x12") && r.stderr().contains("x86-64"), r.stderr());
    Path truncated = dir.resolve("truncated");
    Files.write(truncated, Arrays.copyOf(bytes, 100));
    assertEquals(65, Runs.hartlab("boot", truncated.toString()).status());
    assertNoStackTrace(r);
  }

  @Test
  void benchRefusesAMalformedImageLikeBoot() throws Exception {
    Path bad = dir.resolve("not-elf");
    Files.writeString(bad, "not an elf");
    Runs.Outcome r =
        Runs.hartlab("bench", "--image", bad.toString(), "--qemu", "none", "--repeat", "1");
    assertEquals(65, r.status(), r.stderr());
    assertTrue(r.stderr().contains("not a program hartlab can run"), r.stderr());
    assertNoStackTrace(r);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--cores=0",
        "--cores=65",
        "--mem=3G",
        "--mem=lots",
        "--tlb-entries=48",
        "--no-such-option",
        "--timeout=soon"
      })
  void badOptionsAreUsageErrors(String option) {
    Runs.Outcome r = Runs.hartlab("boot", "hello", option);
    assertEquals(64, r.status(), r.stderr());
    assertTrue(r.stderr().startsWith("hartlab: "), r.stderr());
    assertNoStackTrace(r);
  }

  @Test
  void imagesListsTheDefault() {
    Runs.Outcome r = Runs.hartlab("images");
    assertEquals(0, r.status());
    assertTrue(r.stdout().contains("demo") && r.stdout().contains("(default)"), r.stdout());
  }
}
