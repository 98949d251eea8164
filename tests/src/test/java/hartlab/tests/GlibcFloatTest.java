package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
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
    String missing = Glibc.missingTools();
    assumeTrue(missing == null, missing);
    String build = Glibc.build("fpmath", dir, "-lm");
    assumeTrue(build == null, () -> "cannot build a static glibc program here: " + build);
    Path binary = dir.resolve("fpmath");
    List<String> args = List.of("100000");
    Runs.Outcome reference = Runs.qemu(binary, args);
    assertEquals(0, reference.status(), "qemu: " + reference.stderr());
    Runs.Outcome ours =
        Runs.hartlab(
            "boot", binary.toString(), "--cores", "2", "--stats", "none", "--", args.get(0));
    assertEquals(reference.stdout(), ours.stdout(), "stdout; hartlab's stderr: " + ours.stderr());
    assertEquals(0, ours.status(), ours.stderr());
  }
}
