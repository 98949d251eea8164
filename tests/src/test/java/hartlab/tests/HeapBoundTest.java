package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * No guest makes the JVM exceed the heap bound README.md states: the bombs of issue 8's rows 1 and
 * 2 (pipes until EMFILE in 400 processes, filled with data; 20,000 VMAs copied into up to 1,000
 * children) and the system-call fuzzer, run through the launcher in a JVM of their own with the
 * -Xmx it sets, scaled down to 64 MiB of guest RAM so that they exhaust the machine in seconds.
 * Each must end with a guest status, its processes told ENFILE, EMFILE or ENOMEM, the JVM's heap
 * capped at the bound and its live heap (after each collection, from the GC log) within it.
 */
class HeapBoundTest {
  private static final long MEM_MIB = 64;
  private static final int CORES = 2;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "limits pipebomb 400 fill | pipebomb: processes stopped by",
        "limits vmabomb 20000 1000 | vmabomb: fork stopped by ENOMEM",
        "sysfuzz -c 40000 -s 3 -p 6 | sysfuzz: seed 3:"
      })
  void aGuestThatExhaustsTheMachineStaysWithinTheHeapBound(String guest, String expected)
      throws Exception {
    Path log = dir.resolve("gc.log");
    Path stats = dir.resolve("stats.json");
    Path err = dir.resolve("stderr");
    String[] words = guest.split(" ");
    List<String> args =
        new ArrayList<>(
            List.of(
                "boot",
                words[0],
                "--mem",
                MEM_MIB + "M",
                "--cores",
                Integer.toString(CORES),
                "--timeout",
                "150s",
                "--stats-file",
                stats.toString(),
                "--"));
    args.addAll(List.of(words).subList(1, words.length));
    Process p =
        Launcher.command(args, "-Xlog:gc,gc+init:file=" + log).redirectError(err.toFile()).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "still running");
    String stderr = Files.readString(err);
    assertEquals(0, p.exitValue(), "a guest status, not an error: " + stdout + stderr);
    assertFalse(stderr.contains("Exception") || stderr.contains("\tat "), stderr);
    assertTrue(stdout.contains(expected), stdout);

    JsonNode machine = new ObjectMapper().readTree(stats.toFile()).get("machine");
    long kmemPeak = machine.get("kernelMemoryPeak").asLong();
    assertTrue(kmemPeak <= MEM_MIB << 20, "kernel memory peaked at " + kmemPeak);
    if (!guest.startsWith("sysfuzz")) {
      assertTrue(machine.get("kernelMemoryRefusals").asLong() > 0, "the bomb never met the budget");
    }

    long bound = Launcher.heapBoundMib(MEM_MIB, CORES, 64);
    Launcher.GcLog gc = Launcher.GcLog.read(log);
    assertTrue(
        gc.maxCapacityMib() >= bound && gc.maxCapacityMib() <= bound + 8,
        "the launcher gave the JVM " + gc.maxCapacityMib() + " MiB, the bound is " + bound);
    assertTrue(
        gc.maxAfterGcMib() <= bound,
        "live heap reached " + gc.maxAfterGcMib() + " MiB, over the bound " + bound);
    // The kernel objects' share of it is what their charges promise: at most the bytes charged.
    long unaccounted = 96 + MEM_MIB / 32 + 2L * CORES;
    assertTrue(
        gc.maxAfterGcMib() <= unaccounted + (kmemPeak >> 20),
        "live heap "
            + gc.maxAfterGcMib()
            + " MiB, more than "
            + unaccounted
            + " MiB plus the kernel memory charged, "
            + (kmemPeak >> 20)
            + " MiB");
  }
}
