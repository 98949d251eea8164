package hartlab.tests;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Building the test programs under {@code src/test/resources/glibc} with Debian's cross compiler
 * and its defaults (RV64GC, lp64d, static glibc). A test using them is skipped where the compiler,
 * its glibc or qemu-riscv64 is missing.
 */
final class Glibc {
  private Glibc() {}

  /** Skips the calling test unless the cross compiler and qemu-riscv64 are installed. */
  static void assumeToolchain() {
    assumeTrue(onPath("riscv64-linux-gnu-gcc"), "riscv64-linux-gnu-gcc is not installed");
    assumeTrue(onPath("qemu-riscv64"), "qemu-riscv64 is not installed");
  }

  /**
   * Builds resource {@code glibc/NAME.c} into the executable {@code out} (with libm); skips the
   * test if this machine cannot build a static glibc program.
   */
  static Path build(String name, Path out) throws IOException, InterruptedException {
    Path src = Files.createTempFile(name, ".c");
    try (InputStream in = Glibc.class.getResourceAsStream("/glibc/" + name + ".c")) {
      Files.copy(in, src, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
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
    boolean done = p.waitFor(2, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    Files.delete(src);
    String failure = !done ? "the compiler did not finish" : p.exitValue() == 0 ? null : log;
    assumeTrue(failure == null, () -> "cannot build a static glibc program here: " + failure);
    return out;
  }

  static boolean onPath(String tool) {
    for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(p, tool))) {
        return true;
      }
    }
    return false;
  }
}
