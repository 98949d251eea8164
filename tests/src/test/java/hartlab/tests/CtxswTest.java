package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hartlab ctxsw}: the directions its breakdown must show, on small rings. */
class CtxswTest {
  @TempDir Path tmp;

  /** results.csv as one map per configuration label (the axes joined by spaces). */
  private static Map<String, Map<String, String>> rows(Path dir) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("results.csv"));
    String[] head = lines.get(0).split(",", -1);
    Map<String, Map<String, String>> out = new HashMap<>();
    int firstFigure = List.of(head).indexOf("cyclesPerSwitch_cycles");
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      Map<String, String> row = new HashMap<>();
      StringBuilder label = new StringBuilder();
      for (int i = 0; i < head.length; i++) {
        row.put(head[i], cells[i]);
        if (i >= 2 && i < firstFigure) {
          label.append(label.length() == 0 ? "" : " ").append(head[i]).append('=').append(cells[i]);
        }
      }
      out.put(label.toString(), row);
    }
    return out;
  }

  private static long n(Map<String, String> row, String column) {
    return Long.parseLong(row.get(column));
  }

  @Test
  void asidOffRaisesTheFlushShareAndLargerWorkingSetsRaiseRefills() throws IOException {
    Runs.Outcome o =
        Runs.hartlab(
            "ctxsw",
            "--lazy-tlb",
            "refcount",
            "--kind",
            "processes",
            "--ring",
            "2",
            "--ws",
            "0,32",
            "--rounds",
            "50",
            "--out",
            tmp.toString());
    assertEquals(0, o.status(), o.stderr());
    assertTrue(o.stdout().contains("cycles/switch"), o.stdout());
    Map<String, Map<String, String>> r = rows(tmp);
    assertEquals(4, r.size(), r.keySet().toString());
    Map<String, String> on = r.get("asid=on kind=processes ring=2 ws=32");
    Map<String, String> off = r.get("asid=off kind=processes ring=2 ws=32");
    assertTrue(
        n(off, "flushShare_permille") > n(on, "flushShare_permille"),
        "flush share with ASIDs off "
            + off.get("flushShare_permille")
            + " vs on "
            + on.get("flushShare_permille"));
    assertTrue(n(off, "cyclesPerSwitch_cycles") > n(on, "cyclesPerSwitch_cycles"));
    Map<String, String> small = r.get("asid=off kind=processes ring=2 ws=0");
    assertTrue(
        n(off, "refillMisses_missesPerKiloSwitch") > n(small, "refillMisses_missesPerKiloSwitch"),
        "32 KB per member refills more than none");
    for (Map<String, String> row : r.values()) {
      assertEquals("ok", row.get("checker"));
      assertTrue(n(row, "cyclesPerSwitch_cycles") > 0);
    }
    assertTrue(Files.readString(tmp.resolve("host.csv")).contains("hostNsPerSwitch"));
  }

  @Test
  void refcountPaysRemoteAtomicsInAStormThatShootdownDoesNot() throws IOException {
    Runs.Outcome o = Runs.hartlab("ctxsw", "--storm", "--rounds", "20", "--out", tmp.toString());
    assertEquals(0, o.status(), o.stderr());
    Map<String, Map<String, String>> r = rows(tmp);
    Map<String, String> refcount = r.get("lazy-tlb=refcount kind=threads ring=16 ws=0");
    Map<String, String> shootdown = r.get("lazy-tlb=shootdown kind=threads ring=16 ws=0");
    long remote = n(refcount, "mmCountRemoteAtomics_atomics");
    assertTrue(remote > 100, "refcount: " + remote + " remote mm_count atomics");
    long none = n(shootdown, "mmCountRemoteAtomics_atomics");
    assertTrue(none < 10, "shootdown: " + none + " (the mm's last drop at most)");
    assertTrue(
        n(refcount, "mmAtomics_cyclesPerSwitch") > n(shootdown, "mmAtomics_cyclesPerSwitch"));
  }
}
