package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cli.Cli;
import hartlab.images.Images;
import hartlab.kernel.RunResult;
import hartlab.kernel.stats.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8's rows 3, 7-10, 14 and 17 and the smaller divergences from Linux, each run the way it was
 * found: the {@code limits} guest under the CLI, in-process or through the launcher. Every one of
 * these failed (hung, lingered, crashed or returned the wrong thing) before the fix.
 */
class HardeningTest {
  @TempDir Path dir;

  /** A run in-process with the given stdin and stdout, as {@link Runs#hartlab} otherwise. */
  private static Runs.Outcome run(InputStream in, OutputStream stdout, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream out =
        stdout instanceof PrintStream p ? p : new PrintStream(stdout, true, StandardCharsets.UTF_8);
    RunResult[] result = {null};
    int status =
        Cli.run(
            args, out, new PrintStream(err, true, StandardCharsets.UTF_8), in, r -> result[0] = r);
    return new Runs.Outcome(status, "", err.toString(StandardCharsets.UTF_8), result[0]);
  }

  private static void assertNoStackTrace(String stderr) {
    assertFalse(stderr.contains("\tat ") || stderr.contains("Exception"), stderr);
  }

  // ---- row 3: stdin ----

  @Test
  void row3_consoleInputIsReadOnDemandIntoABoundedBuffer() throws Exception {
    AtomicLong taken = new AtomicLong();
    long endless = 256L << 20; // "/dev/zero", cut off so that an unbounded reader cannot hurt us
    InputStream zeros =
        new InputStream() {
          @Override
          public int read() {
            return read(new byte[1], 0, 1) < 0 ? -1 : 0;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (taken.get() >= endless) {
              return -1;
            }
            Arrays.fill(b, off, off + len, (byte) 0);
            taken.addAndGet(len);
            return len;
          }
        };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Runs.Outcome r =
        run(zeros, out, "boot", "limits", "--cores", "2", "--stats", "none", "--", "stdin");
    Thread.sleep(200); // an input thread that kept reading would show it by now
    assertEquals(0, r.status(), r.stderr());
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("read 1 byte(s), value 0"));
    assertTrue(
        taken.get() <= 64 * 1024 + 4096,
        "the guest read one byte, hartlab took " + taken.get() + " from stdin");
  }

  // ---- rows 7, 8: kills ----

  @Test
  void row7_aSigkillAlwaysLandsOnAChildAboutToSleepOnAFutex() {
    Runs.Outcome r =
        Runs.hartlab(
            "boot",
            "limits",
            "--cores",
            "2",
            "--exec",
            "parallel",
            "--timeout",
            "60s",
            "--stats",
            "none",
            "--",
            "futexkill",
            "300");
    assertEquals(0, r.status(), r.stderr());
    assertTrue(r.stdout().contains("300 of 300 children killed by SIGKILL and reaped"), r.stdout());
  }

  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void row8_whenInitExitsTheRestAreKilledAndTheRunEndsWithItsStatus(String exec) {
    Runs.Outcome r =
        Runs.hartlab(
            "boot",
            "limits",
            "--cores",
            "2",
            "--exec",
            exec,
            "--timeout",
            "30s",
            "--stats",
            "none",
            "--",
            "initexit");
    assertEquals(7, r.status(), r.stderr());
    assertEquals(Outcome.EXITED, r.run().outcome());
    assertFalse(r.stdout().contains("returned"), r.stdout());
  }

  // ---- rows 9, 10: host output ----

  @ParameterizedTest
  @ValueSource(strings = {"parallel", "lockstep"})
  void row9_aHostReaderThatStopsReadingCannotHoldTheRunPastTimeout(String exec) {
    CountDownLatch release = new CountDownLatch(1);
    OutputStream stalled =
        new OutputStream() {
          @Override
          public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            try {
              release.await(); // the reader stopped reading
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    try {
      Runs.Outcome r =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () -> {
                long start = System.nanoTime();
                Runs.Outcome o =
                    run(
                        InputStream.nullInputStream(),
                        stalled,
                        "boot",
                        "limits",
                        "--cores",
                        "2",
                        "--exec",
                        exec,
                        "--timeout",
                        "2s",
                        "--",
                        "flood");
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(took < 2_000 + 3_000, "the run took " + took + " ms");
                return o;
              });
      assertEquals(124, r.status(), r.stderr());
      assertEquals(Outcome.TIMEOUT, r.run().outcome());
      assertNoStackTrace(r.stderr());
    } finally {
      release.countDown();
    }
  }

  @Test
  void row10_aHostReaderThatGoesAwayIsEpipeAndSigpipeForTheGuest() {
    AtomicLong taken = new AtomicLong();
    OutputStream headC10 =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (taken.addAndGet(len) > 10) {
              throw new IOException("Broken pipe");
            }
          }
        };
    Runs.Outcome r =
        run(
            InputStream.nullInputStream(),
            headC10,
            "boot",
            "limits",
            "--cores",
            "2",
            "--timeout",
            "30s",
            "--",
            "flood");
    assertEquals(141, r.status(), r.stderr());
    assertEquals(Outcome.KILLED, r.run().outcome());
    assertTrue(r.stderr().contains("SIGPIPE"), r.stderr());
  }

  @Test
  void row9_throughTheLauncherTheProcessExitsOnTimeWhenNobodyReadsItsStdout() throws Exception {
    Path err = dir.resolve("stderr");
    Process p =
        Launcher.command(
                List.of("boot", "limits", "--cores", "2", "--timeout", "2s", "--", "flood"), "")
            .redirectError(err.toFile())
            .start(); // stdout: a pipe this test never reads
    try {
      long start = System.nanoTime();
      boolean ended = p.waitFor(20, TimeUnit.SECONDS);
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(ended, "hartlab still runs 20 s after a 2 s timeout: " + Files.readString(err));
      assertEquals(124, p.exitValue(), Files.readString(err));
      assertTrue(took < 12_000, "took " + took + " ms (JVM start included)");
      assertNoStackTrace(Files.readString(err));
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void row10_throughTheLauncherLikeQemuUserUnderHeadCTheGuestDiesOfSigpipe() throws Exception {
    Path err = dir.resolve("stderr");
    Process p =
        Launcher.command(
                List.of("boot", "limits", "--cores", "2", "--timeout", "60s", "--", "flood"), "")
            .redirectError(err.toFile())
            .start();
    try (InputStream out = p.getInputStream()) {
      byte[] ten = out.readNBytes(10); // head -c 10, then goes away
      assertEquals("limits: fl", new String(ten, StandardCharsets.US_ASCII));
    }
    try {
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still running: " + Files.readString(err));
      assertEquals(141, p.exitValue(), Files.readString(err));
      assertNoStackTrace(Files.readString(err));
    } finally {
      p.destroyForcibly();
    }
  }

  // ---- row 14: brk ----

  @Test
  void row14_brkOfHugeOrWrappingValuesLeavesTheBreakAsLinuxDoes() {
    Runs.Outcome r = Runs.hartlab("boot", "limits", "--stats", "none", "--", "brk");
    assertEquals(0, r.status(), r.stdout() + r.stderr());
    assertTrue(r.stdout().contains("7 huge or wrapping requests left the break unchanged"));
  }

  // ---- row 17: LONG_MAX sleeps ----

  @ParameterizedTest(name = "{0} under {1}")
  @CsvSource({
    "nanosleep, parallel",
    "clock, parallel",
    "futex, parallel",
    "futexabs, parallel",
    "nanosleep, lockstep",
    "futexabs, lockstep"
  })
  void row17_aLongMaxSleepSleepsUntilTheTimeoutEndsTheRun(String how, String exec) {
    Runs.Outcome r =
        Runs.hartlab(
            "boot",
            "limits",
            "--cores",
            "2",
            "--exec",
            exec,
            "--timeout",
            "1s",
            "--stats",
            "none",
            "--",
            "sleep",
            how);
    assertEquals(124, r.status(), r.stdout() + r.stderr());
    assertEquals(Outcome.TIMEOUT, r.run().outcome());
    assertFalse(r.stdout().contains("returned"), r.stdout());
  }

  // ---- the smaller divergences ----

  @Test
  void readAndWriteWithCountMinusOneAreEfaultAsAccessOkMakesThem() {
    Runs.Outcome r = Runs.hartlab("boot", "limits", "--stats", "none", "--", "rw");
    assertEquals(0, r.status(), r.stdout());
    assertTrue(r.stdout().contains("read(pipe, -1) EFAULT, write(pipe, -1) EFAULT"));
  }

  @Test
  void killMinusOneSignalsEveryProcessButInitAndTheCaller() {
    Runs.Outcome r = Runs.hartlab("boot", "limits", "--stats", "none", "--", "killall");
    assertEquals(0, r.status(), r.stdout() + r.stderr());
    assertTrue(
        r.stdout()
            .contains("alone kill(-1, 0) ESRCH; with 3 children kill(-1, SIGKILL) 0, 3 killed"),
        r.stdout());
    assertTrue(r.stdout().contains("kill(0, 0) 0, kill(-2, 0) ESRCH"), r.stdout());
  }

  @Test
  void killZeroSignalsTheCallersProcessGroupWhichHoldsInit() {
    Runs.Outcome r = Runs.hartlab("boot", "limits", "--stats", "none", "--", "killgroup");
    assertEquals(128 + 9, r.status(), r.stdout() + r.stderr());
    assertFalse(r.stdout().contains("survived"), r.stdout());
  }

  /**
   * Linux riscv maps a PF_X-only segment execute-only (protection_map[VM_EXEC] is PAGE_EXEC,
   * _PAGE_EXEC without _PAGE_READ) and its fault handler refuses loads from a VMA without VM_READ:
   * code there runs, a load from it is SIGSEGV. (qemu-user reads it: its host mapping is readable.)
   */
  @Test
  void anExecuteOnlyTextSegmentRunsButCannotBeReadAsOnLinuxRiscv() throws Exception {
    Path xonly = dir.resolve("limits-x");
    Files.write(xonly, executeOnlyText(Images.load("limits").orElseThrow()));
    Runs.Outcome runs = Runs.hartlab("boot", xonly.toString(), "--stats", "none", "--", "stdin");
    assertEquals(0, runs.status(), runs.stderr());
    Runs.Outcome reads =
        Runs.hartlab("boot", xonly.toString(), "--stats", "none", "--", "readtext");
    assertEquals(128 + 11, reads.status(), reads.stdout());
    assertTrue(reads.stderr().contains("load page fault"), reads.stderr());
  }

  /** The ELF with its R+X PT_LOAD segment's flags changed to X alone. */
  private static byte[] executeOnlyText(byte[] elf) {
    ByteBuffer b = ByteBuffer.wrap(elf.clone()).order(ByteOrder.LITTLE_ENDIAN);
    long phoff = b.getLong(32);
    int phentsize = b.getShort(54);
    int phnum = b.getShort(56);
    List<Integer> patched = new ArrayList<>();
    for (int i = 0; i < phnum; i++) {
      int at = (int) phoff + i * phentsize;
      if (b.getInt(at) == 1 && b.getInt(at + 4) == 5) { // PT_LOAD, PF_R | PF_X
        b.putInt(at + 4, 1); // PF_X
        patched.add(i);
      }
    }
    assertEquals(1, patched.size(), "one text segment");
    return b.array();
  }
}
