package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.check.RcuChecker;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.stats.Statistics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * rcutorture on the whole machine ({@code --rcu-torture}): every hart runs read-side sections and
 * frees the object it replaces through RCU at each kernel entry from user mode, under mmapstorm on
 * 8 harts (shootdowns, faults, spinning IPI waits, idle harts). The RCU checker must see no reader
 * touch a freed object and no callback run under an older reader; a reader that drops its lock
 * early must be caught.
 */
class RcuTortureTest {
  private static Runs.Outcome boot(String mode, String rcu, int torture, String... guest) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "boot",
                guest[0],
                "--cores",
                "8",
                "--exec",
                mode,
                "--rcu",
                rcu,
                "--rcu-torture",
                Integer.toString(torture),
                "--timeout",
                "110s"));
    cmd.add("--");
    cmd.addAll(List.of(guest).subList(1, guest.length));
    return Runs.hartlab(cmd.toArray(String[]::new));
  }

  /**
   * The acceptance figure: 8 harts in parallel mode, at least 10^6 read-side sections and 10^4
   * grace periods, no violation. About 10 s on an idle 2-core host.
   */
  @Test
  void eightHartsInParallelMillionsOfReadersNoViolation() {
    long start = System.nanoTime();
    Runs.Outcome r = boot("parallel", "tree", 6, "mmapstorm", "8", "1200", "4");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(0, r.status(), r.stderr());
    Statistics s = r.run().stats();
    assertEquals(0L, s.violations().get(RcuChecker.NAME), r.stderr());
    long readers = s.total(Counter.RCU_READ_SECTIONS);
    long gps = s.total(Counter.RCU_GRACE_PERIODS);
    assertTrue(readers >= 1_000_000, "read-side sections: " + readers);
    assertTrue(gps >= 10_000, "grace periods: " + gps);
    assertTrue(s.total(Counter.RCU_SYNC_SLEEPS) > 100, "tasks slept in synchronize");
    assertTrue(s.total(Counter.RCU_EXPEDITED) > 10, "expedited grace periods");
    assertTrue(s.latency(Latency.RCU_SYNC_CYCLES).count() > 100, "synchronize waits recorded");
    long queued = s.total(Counter.RCU_CALLBACKS_QUEUED);
    long run = s.total(Counter.RCU_CALLBACKS_RUN);
    // Those queued in the last grace periods before the machine stopped never run.
    assertTrue(run <= queued && run >= queued - 64, run + " of " + queued + " callbacks ran");
    assertTrue(millis < 100_000, "took " + millis + " ms");
  }

  /** Lockstep: the same options give the same run, RCU figures and all. */
  @Test
  void lockstepTortureIsReproducible() {
    Runs.Outcome a = boot("lockstep", "tree", 8, "mmapstorm", "8", "60", "4");
    Runs.Outcome b = boot("lockstep", "tree", 8, "mmapstorm", "8", "60", "4");
    assertEquals(0, a.status(), a.stderr());
    assertEquals(0L, a.run().stats().violations().get(RcuChecker.NAME), a.stderr());
    assertTrue(a.run().stats().total(Counter.RCU_GRACE_PERIODS) > 1_000);
    assertEquals(a.run().digest(), b.run().digest(), "same options, same digest");
    assertEquals(a.stdout(), b.stdout());
  }

  /** A reader that keeps its pointer past its section is caught, in both modes. */
  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void readerThatDropsItsLockEarlyIsCaught(String mode) {
    Runs.Outcome r = boot(mode, "unsafe-reader", 2, "threads", "8", "500");
    assertEquals(99, r.status(), r.stdout() + r.stderr());
    assertTrue(
        r.stderr().contains("RCU checker: hart ")
            && r.stderr().contains("outside any read-side section, after an RCU callback freed it"),
        r.stderr());
    assertTrue(r.run().stats().violations().get(RcuChecker.NAME) > 0);
  }

  /**
   * Grace periods that do not wait for the last hart: caught in parallel mode, where the torture's
   * long readers on that hart give up the host CPU and other harts end grace periods meanwhile. (In
   * lockstep no other hart runs while one is inside a reader; TreeRcuTest's interleavings catch
   * it.)
   */
  @Test
  void gracePeriodsThatSkipAHartAreCaughtInParallel() {
    Runs.Outcome r = boot("parallel", "unsafe-gp", 8, "mmapstorm", "8", "200", "4");
    assertEquals(99, r.status(), r.stdout() + r.stderr());
    assertTrue(r.stderr().contains("RCU checker: hart "), r.stderr());
    assertTrue(r.stderr().contains("(RCU mode unsafe-gp)"), r.stderr());
    assertTrue(r.run().stats().violations().get(RcuChecker.NAME) > 0);
  }

  /**
   * Without torture the mm is RCU's user: a multi-threaded program's VMA tree is in RCU mode and
   * its munmaps free page tables after grace periods, all checked; a single-threaded one that never
   * unmaps starts none, and its table shows no rcu line.
   */
  @Test
  void theMmIsRcusUserAndAnIdleRcuCostsNothing() {
    Runs.Outcome r = Runs.hartlab("boot", "mmapstorm", "--cores", "4", "--", "4", "20", "2");
    assertEquals(0, r.status(), r.stderr());
    Statistics s = r.run().stats();
    assertTrue(s.total(Counter.RCU_GRACE_PERIODS) > 0, r.stderr());
    assertTrue(r.stderr().contains("violations: none (6 checkers)"), r.stderr());
    Runs.Outcome hello = Runs.hartlab("boot", "hello", "--cores", "2");
    assertEquals(0, hello.status(), hello.stderr());
    assertEquals(0L, hello.run().stats().total(Counter.RCU_GRACE_PERIODS));
    assertTrue(!hello.stderr().contains("rcu (tree)"), "no rcu line when RCU was not used");
  }

  @Test
  void unknownRcuModeIsAUsageError() {
    Runs.Outcome r = Runs.hartlab("boot", "hello", "--rcu", "classic");
    assertEquals(64, r.status());
    assertTrue(r.stderr().contains("expected tree, unsafe-reader or unsafe-gp"), r.stderr());
  }
}
