package hartlab.cpu;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The F and D extensions against qemu-riscv64, instruction by instruction. {@link FpDiffProgram}
 * generates static ELFs of random FP instructions (operands with NaNs quiet and signalling, boxed
 * and unboxed singles, infinities, subnormals, signed zeros, extremes, ties and cancellations;
 * every rounding mode, static and dynamic; FP CSR accesses, loads and stores); each runs under qemu
 * and on a bare hart ({@link ElfRun}), and the streams they print — per instruction: its result,
 * fcsr, and a hash of every FP register and the integer registers instructions use — must be
 * identical. The first difference is reported with the instruction, its operands and both sides'
 * results.
 *
 * <p>{@code -Dhartlab.fpdiff.steps=N} (default 100,000 instructions, a few seconds) and {@code
 * -Dhartlab.fpdiff.seed=S} pick the run; a soak is {@code ./mvnw -B verify -pl cpu -am
 * -Dtest=FpDifferentialTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dhartlab.fpdiff.steps=2000000}, or {@link #main} with the same properties, which also prints
 * counts and times. Skipped where qemu-riscv64 is not installed (CI installs it).
 */
class FpDifferentialTest {
  static final int STEPS = Integer.getInteger("hartlab.fpdiff.steps", 100_000);
  static final long SEED = Long.getLong("hartlab.fpdiff.seed", 0x5EEDF00DL);

  /** Instructions per generated program (about 1 MB of code). */
  static final int CHUNK = 20_000;

  /** What a run compared, and where the time went. */
  record Stats(long instructions, int programs, long qemuNanos, long hartlabNanos) {}

  @Test
  void floatingPointMatchesQemu(@TempDir Path dir) throws Exception {
    assumeTrue(qemuInstalled(), "qemu-riscv64 is not installed");
    String failure = run(dir, STEPS, SEED, null);
    if (failure != null) {
      fail(failure);
    }
  }

  static boolean qemuInstalled() {
    for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(p, "qemu-riscv64"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code steps} instructions in programs of {@link #CHUNK}, seeded from {@code seed};
   * returns the first mismatch's report, or null. {@code stats}, if not null, receives the totals.
   */
  static String run(Path dir, int steps, long seed, Stats[] stats)
      throws IOException, InterruptedException {
    long qemuNanos = 0;
    long oursNanos = 0;
    int programs = 0;
    for (int done = 0; done < steps; done += CHUNK) {
      int n = Math.min(CHUNK, steps - done);
      long chunkSeed = seed + programs;
      FpDiffProgram p = FpDiffProgram.generate(chunkSeed, n);
      Path elf = dir.resolve("fpdiff-" + programs);
      Path qemuOut = dir.resolve("fpdiff-" + programs + ".qemu");
      Files.write(elf, p.elf);
      elf.toFile().setExecutable(true);
      // qemu writes to a file while the hart runs the same program here.
      long t0 = System.nanoTime();
      Process q =
          new ProcessBuilder("qemu-riscv64", elf.toString())
              .redirectOutput(qemuOut.toFile())
              .redirectErrorStream(false)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      long t1 = System.nanoTime();
      byte[] ours;
      String oursFailure = null;
      ElfRun r = new ElfRun(p.elf, "fpdiff").quiet();
      try {
        int status = r.run();
        if (status != 0) {
          oursFailure = "hartlab: exit status " + status;
        }
      } catch (IllegalStateException e) {
        oursFailure = "hartlab: " + e.getMessage() + "\n" + at(p, r.hart().pc());
      }
      ours = r.outputBytes();
      long t2 = System.nanoTime();
      if (!q.waitFor(5, TimeUnit.MINUTES)) {
        q.destroyForcibly();
        return "qemu-riscv64 did not finish " + elf;
      }
      long t3 = System.nanoTime();
      oursNanos += t2 - t1;
      qemuNanos += t3 - t0; // from its start to its end: overlaps the hart's run
      String err = new String(q.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      byte[] theirs = Files.readAllBytes(qemuOut);
      String where =
          String.format("program %d (seed 0x%x, %d instructions)", programs, chunkSeed, n);
      if (q.exitValue() != 0) {
        return String.format(
            "qemu-riscv64 exited with %d on %s: %s%s",
            q.exitValue(),
            where,
            err,
            theirs.length / FpDiffProgram.RECORD_BYTES < n
                ? "\nfirst unrecorded instruction: "
                    + describe(p, theirs.length / FpDiffProgram.RECORD_BYTES)
                : "");
      }
      if (oursFailure != null) {
        return oursFailure + " in " + where;
      }
      String mismatch = compare(p, theirs, ours, n);
      if (mismatch != null) {
        return "FP differential mismatch in " + where + ":\n" + mismatch;
      }
      Files.delete(elf);
      Files.delete(qemuOut);
      programs++;
    }
    if (stats != null) {
      stats[0] = new Stats(steps, programs, qemuNanos, oursNanos);
    }
    return null;
  }

  /** The first record that differs, explained; null if the streams are equal. */
  static String compare(FpDiffProgram p, byte[] theirs, byte[] ours, int n) {
    int size = n * FpDiffProgram.RECORD_BYTES;
    if (theirs.length != size || ours.length != size) {
      return String.format(
          "output sizes: qemu %d bytes, hartlab %d, expected %d", theirs.length, ours.length, size);
    }
    ByteBuffer q = ByteBuffer.wrap(theirs).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer h = ByteBuffer.wrap(ours).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < n; k++) {
      int at = k * FpDiffProgram.RECORD_BYTES;
      long qr = q.getLong(at);
      long qf = q.getLong(at + 8);
      long qh = q.getLong(at + 16);
      long hr = h.getLong(at);
      long hf = h.getLong(at + 8);
      long hh = h.getLong(at + 16);
      if (qr == hr && qf == hf && qh == hh) {
        continue;
      }
      long fcsrBefore = k == 0 ? 0 : q.getLong(at - 16);
      StringBuilder b = new StringBuilder();
      b.append(describe(p, k)).append('\n');
      b.append(
          String.format(
              "  fcsr before: 0x%02x (frm %d, flags %s)%n",
              fcsrBefore, fcsrBefore >> 5, FpOracle.flagNames((int) fcsrBefore & 31)));
      b.append(
          String.format(
              "  qemu:    result 0x%016x  fcsr 0x%02x (%s)  state hash 0x%016x%n",
              qr, qf, FpOracle.flagNames((int) qf & 31), qh));
      b.append(
          String.format(
              "  hartlab: result 0x%016x  fcsr 0x%02x (%s)  state hash 0x%016x",
              hr, hf, FpOracle.flagNames((int) hf & 31), hh));
      if (qr == hr && qf == hf) {
        b.append("\n  (result and fcsr agree: some other register differs)");
      }
      return b.toString();
    }
    return null;
  }

  private static String describe(FpDiffProgram p, int k) {
    FpDiffProgram.Step s = p.steps.get(k);
    return String.format(
        "  instruction %d at 0x%x: %s%n  operands: %s",
        k, s.pc(), s.text(), s.operands().isEmpty() ? "-" : s.operands());
  }

  /** The instruction at or before {@code pc}, for a trap the hart took. */
  private static String at(FpDiffProgram p, long pc) {
    List<FpDiffProgram.Step> steps = p.steps;
    int k = steps.size() - 1;
    while (k > 0 && steps.get(k).pc() > pc) {
      k--;
    }
    return k >= 0 && steps.get(k).pc() <= pc
        ? "last instruction under test:\n" + describe(p, k)
        : "";
  }

  /** A soak run from the command line; prints what was compared and how long it took. */
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("fpdiff");
    Stats[] stats = new Stats[1];
    long t0 = System.nanoTime();
    String failure = run(dir, STEPS, SEED, stats);
    long t = System.nanoTime() - t0;
    if (failure != null) {
      System.out.println(failure);
      System.exit(1);
    }
    Stats s = stats[0];
    System.out.printf(
        "fpdiff: %,d instructions in %d programs (seed 0x%x) identical under qemu-riscv64 and"
            + " hartlab; %.1f s total, hartlab %.1f s, qemu %.1f s (wall, overlapped)%n",
        s.instructions(), s.programs(), SEED, t / 1e9, s.hartlabNanos() / 1e9, s.qemuNanos() / 1e9);
  }
}
