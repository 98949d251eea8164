package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.stats.Outcome;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The trinity-like system-call fuzzer ({@code sysfuzz}) against the kernel with every checker on,
 * bounded and seeded: it must end as the guest decides, with no internal error, no Java stack
 * trace, no hang and no checker violation; in lockstep the same seed gives the same summary and
 * digest. The soak (10^6 calls and more) is the same image with a larger -c; see README.md.
 */
class SyscallFuzzTest {
  private static final Pattern CALLS = Pattern.compile("sysfuzz: seed \\d+: (\\d+) calls");

  @ParameterizedTest(name = "seed {0}, {1} harts, {2}")
  @CsvSource({"7, 4, lockstep", "8, 4, parallel", "9, 8, parallel", "10, 2, lockstep"})
  void randomSystemCallsNeverBreakTheKernel(long seed, int cores, String exec) {
    Runs.Outcome r = fuzz(seed, cores, exec, 250_000);
    if (exec.equals("lockstep")) {
      Runs.Outcome again = fuzz(seed, cores, exec, 250_000);
      assertEquals(r.stdout(), again.stdout(), "same seed, same summary");
      assertEquals(r.run().digest(), again.run().digest(), "same seed, same run");
    }
  }

  private static Runs.Outcome fuzz(long seed, int cores, String exec, int calls) {
    Runs.Outcome r =
        Runs.hartlab(
            "boot",
            "sysfuzz",
            "--cores",
            Integer.toString(cores),
            "--exec",
            exec,
            "--speculative-walks",
            "on",
            "--timeout",
            "240s",
            "--stats",
            "none",
            "--",
            "-c",
            Integer.toString(calls),
            "-s",
            Long.toString(seed),
            "-t",
            "2");
    String why = r.stdout() + r.stderr();
    assertEquals(0, r.status(), why);
    assertEquals(Outcome.EXITED, r.run().outcome(), why);
    assertFalse(r.stderr().contains("Exception") || r.stderr().contains("\tat "), why);
    r.run().stats().violations().forEach((checker, n) -> assertEquals(0L, n, checker));
    Matcher m = CALLS.matcher(r.stdout());
    assertTrue(m.find(), why);
    // Calls a worker had begun when the watchdog killed it are not recorded: a few per kill.
    assertTrue(Long.parseLong(m.group(1)) >= calls * 95L / 100, why);
    assertTrue(r.stdout().contains("ENOSYS"), "unimplemented numbers were tried: " + why);
    return r;
  }
}
