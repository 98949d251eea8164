package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --trace}: valid trace-event JSON (the Chrome/Perfetto format), bounded, reproducible. */
class TraceTest {
  @TempDir Path tmp;

  private static final Set<String> PHASES = Set.of("X", "M", "s", "f", "b", "e");

  @Test
  void forkstormOnFourHartsIsAValidTraceWithIpiFlowsAndGracePeriods() throws IOException {
    Path file = tmp.resolve("t.json");
    Runs.Outcome o =
        Runs.hartlab(
            "boot",
            "forkstorm",
            "--cores",
            "4",
            "--exec",
            "lockstep",
            "--stats",
            "none",
            "--trace",
            file.toString());
    assertEquals(0, o.status(), o.stderr());
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    JsonNode events = root.required("traceEvents");
    assertTrue(events.isArray() && events.size() > 100);
    Map<Long, Integer> starts = new HashMap<>();
    Map<Long, Integer> finishes = new HashMap<>();
    Set<String> names = new HashSet<>();
    Set<Integer> taskTracks = new HashSet<>();
    for (JsonNode e : events) {
      String ph = e.required("ph").asText();
      assertTrue(PHASES.contains(ph), "phase " + ph);
      assertTrue(e.required("name").isTextual());
      assertTrue(e.required("pid").isInt() && e.required("tid").isInt());
      if (ph.equals("M")) {
        assertTrue(e.required("args").required("name").isTextual());
        continue;
      }
      assertTrue(e.required("ts").isNumber() && e.get("ts").asDouble() >= 0, e.toString());
      switch (ph) {
        case "X" -> {
          assertTrue(e.required("dur").asDouble() >= 0, e.toString());
          names.add(e.get("cat").asText());
          if (e.get("cat").asText().equals("sched")) {
            taskTracks.add(e.get("pid").asInt());
          }
        }
        case "s" -> starts.merge(e.required("id").asLong(), 1, Integer::sum);
        case "f" -> {
          finishes.merge(e.required("id").asLong(), 1, Integer::sum);
          assertEquals("e", e.required("bp").asText());
        }
        default -> { // "b"/"e": an async slice, as a grace period spans harts
          assertTrue(e.has("id"), e.toString());
          names.add(e.get("cat").asText());
        }
      }
    }
    assertTrue(!starts.isEmpty(), "IPI flows");
    assertEquals(starts, finishes, "every flow has one start and one finish");
    starts.values().forEach(n -> assertEquals(1, n));
    assertTrue(
        names.containsAll(Set.of("trap", "ipi", "tlb", "sched", "rcu")),
        "traps, IPIs, shootdowns, tasks and grace periods: " + names);
    assertEquals(Set.of(1, 2, 3, 4), taskTracks, "a task track per hart");
    assertEquals(0, root.required("otherData").required("droppedEvents").asLong());
    // Lockstep: the same trace every time.
    Path again = tmp.resolve("again.json");
    Runs.hartlab(
        "boot",
        "forkstorm",
        "--cores",
        "4",
        "--exec",
        "lockstep",
        "--stats",
        "none",
        "--trace",
        again.toString());
    assertEquals(-1, Files.mismatch(file, again));
  }

  @Test
  void theLimitBoundsTheTraceAndCountsWhatItDropped() throws IOException {
    Path file = tmp.resolve("t.json");
    Runs.Outcome o =
        Runs.hartlab(
            "boot",
            "forkstorm",
            "--cores",
            "4",
            "--exec",
            "lockstep",
            "--stats",
            "none",
            "--trace",
            file.toString(),
            "--trace-limit",
            "200");
    assertEquals(0, o.status(), o.stderr());
    assertTrue(o.stderr().contains("events dropped"), o.stderr());
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    assertTrue(
        root.get("traceEvents").size() <= 2 * 200 + 20,
        "200 events (an IPI sent is two) plus metadata");
    assertTrue(root.get("otherData").get("droppedEvents").asLong() > 0);
  }

  @Test
  void aLimitBelowOneIsAUsageError() {
    Runs.Outcome o =
        Runs.hartlab(
            "boot", "hello", "--trace", tmp.resolve("t.json").toString(), "--trace-limit", "0");
    assertEquals(64, o.status(), o.stderr());
    assertTrue(o.stderr().contains("--trace-limit 0"), o.stderr());
    assertTrue(!Files.exists(tmp.resolve("t.json")), "nothing ran, nothing written");
  }
}
