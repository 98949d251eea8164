package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the F and D extensions are for: a static glibc program built by Debian's
 * riscv64-linux-gnu-gcc with its defaults (RV64GC, the lp64d ABI, e_flags 0x5), with libm, printf
 * of floating-point values, rounding modes and exception flags, boots on hartlab and prints what it
 * prints under qemu-riscv64. Built here from {@code glibc/fpmath.c}; skipped where the cross
 * compiler, its glibc (Debian's libc6-dev-riscv64-cross, which the compiler recommends) or qemu is
 * missing.
 */
class GlibcFloatTest {
  @TempDir Path dir;

  @Test
  void glibcProgramUsingFloatingPointPrintsWhatQemuPrints() throws Exception {
    assumeTrue(onPath("riscv64-linux-gnu-gcc"), "riscv64-linux-gnu-gcc is not installed");
    assumeTrue(onPath("qemu-riscv64"), "qemu-riscv64 is not installed");
    Path src = dir.resolve("fpmath.c");
    try (InputStream in = GlibcFloatTest.class.getResourceAsStream("/glibc/fpmath.c")) {
      Files.copy(in, src);
    }
    Path binary = dir.resolve("fpmath");
    String build = compile(src, binary);
    assumeTrue(build == null, () -> "cannot build a static glibc program here: " + build);
    List<String> args = List.of("100000");
    Runs.Outcome reference = Runs.qemu(binary, args);
    assertEquals(0, reference.status(), "qemu: " + reference.stderr());
    Runs.Outcome ours =
        Runs.hartlab(
            "boot", binary.toString(), "--cores", "2", "--stats", "none", "--", args.get(0));
    assertEquals(reference.stdout(), ours.stdout(), "stdout; hartlab's stderr: " + ours.stderr());
    assertEquals(0, ours.status(), ours.stderr());
  }

  private static boolean onPath(String tool) {
    for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(p, tool))) {
        return true;
      }
    }
    return false;
  }

  /** Builds with the toolchain's defaults; returns null, or what went wrong. */
  private static String compile(Path src, Path out) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "riscv64-linux-gnu-gcc",
                "-static",
                "-O2",
                "-o",
                out.toString(),
                src.toString(),
                "-lm")
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return "the compiler did not finish";
    }
    return p.exitValue() == 0 ? null : log;
  }
}
