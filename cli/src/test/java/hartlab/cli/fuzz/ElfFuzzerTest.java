package hartlab.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hartlab.images.Images;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ElfFuzzerTest {
  private static final ElfMutator.Mutant M =
      new ElfMutator.Mutant(1, 2, "hello", new byte[0], List.of());

  private static JsonNode stats(String outcome) {
    return new ObjectMapper().createObjectNode().put("outcome", outcome);
  }

  private static ElfFuzzer.Verdict judge(int status, String err, JsonNode stats) {
    return ElfFuzzer.judge(M, status, "", err, stats, List.of()).verdict();
  }

  @Test
  void aGuestThatExitsWithHartlabsOwnStatusesStillRan() {
    for (int status : new int[] {0, 64, 65, 70, 99, 124, 139}) {
      assertEquals(ElfFuzzer.Verdict.RAN, judge(status, "", stats("exited")), "status " + status);
    }
    assertEquals(ElfFuzzer.Verdict.RAN, judge(139, "", stats("killed")));
  }

  @Test
  void hartlabsOwnStatusesAreJudgedByTheOutcome() {
    assertEquals(ElfFuzzer.Verdict.REJECTED, judge(65, "hartlab: x: not a program", null));
    assertEquals(ElfFuzzer.Verdict.UNEXPLAINED, judge(65, "", null));
    assertEquals(ElfFuzzer.Verdict.LIMIT, judge(124, "", stats("timeout")));
    assertEquals(ElfFuzzer.Verdict.LIMIT, judge(124, "", stats("instruction_limit")));
    assertEquals(
        ElfFuzzer.Verdict.INTERNAL_ERROR, judge(70, "hartlab: internal error: x", stats("x")));
    assertEquals(ElfFuzzer.Verdict.INTERNAL_ERROR, judge(70, "hartlab: internal error", null));
    assertEquals(ElfFuzzer.Verdict.VIOLATION, judge(99, "hartlab: tlb", stats("violation")));
    assertEquals(ElfFuzzer.Verdict.USAGE_ERROR, judge(64, "hartlab: --x", null));
  }

  @Test
  void aStackTraceIsAFailureWhateverTheStatus() {
    String trace =
        "hartlab: boom\njava.lang.IllegalStateException: x\n\tat hartlab.kernel.Exec.load(Exec.java:1)\n";
    assertEquals(ElfFuzzer.Verdict.STACK_TRACE, judge(0, trace, stats("exited")));
    assertEquals(ElfFuzzer.Verdict.STACK_TRACE, judge(65, "Exception in thread \"main\"", null));
  }

  @Test
  void signaturesGroupFailuresThatDifferOnlyInNumbers() {
    ElfFuzzer.Result a =
        ElfFuzzer.judge(M, 70, "", "hartlab: internal error at 0x1234: 5", null, List.of());
    ElfFuzzer.Result b =
        ElfFuzzer.judge(M, 70, "", "hartlab: internal error at 0xbeef: 77", null, List.of());
    assertEquals(a.signature(), b.signature());
  }

  @Test
  void aMutantIsRebuiltFromItsSeedAndIndex() {
    Map<String, byte[]> bases =
        Map.of(
            "hello",
            Images.load("hello").orElseThrow(),
            "fault",
            Images.load("fault").orElseThrow());
    ElfMutator one = new ElfMutator(bases);
    ElfMutator two = new ElfMutator(bases);
    Set<String> distinct = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      ElfMutator.Mutant a = one.mutant(5, i);
      ElfMutator.Mutant b = two.mutant(5, i);
      assertArrayEquals(a.bytes(), b.bytes(), "mutant " + i);
      assertEquals(a.mutations(), b.mutations());
      assertTrue(!a.mutations().isEmpty(), "mutant " + i + " was not mutated");
      distinct.add(a.mutations().get(0).replaceAll("[0-9a-fx]+", "#"));
    }
    assertTrue(distinct.size() > 30, "too few kinds of mutation: " + distinct);
  }
}
