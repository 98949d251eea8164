package hartlab.tests;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the glibc test programs under {@code src/test/resources/glibc} with Debian's
 * riscv64-linux-gnu-gcc and its defaults ({@code -static -O2}: RV64GC, lp64d), as a user would.
 */
final class Glibc {
  private Glibc() {}

  /** Whether {@code tool} is an executable on the PATH. */
  static boolean onPath(String tool) {
    for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(p, tool))) {
        return true;
      }
    }
    return false;
  }

  /** Why glibc programs cannot be built and compared here, or null when they can. */
  static String missingTools() {
    if (!onPath("riscv64-linux-gnu-gcc")) {
      return "riscv64-linux-gnu-gcc is not installed";
    }
    return onPath("qemu-riscv64") ? null : "qemu-riscv64 is not installed";
  }

  /**
   * Copies resource {@code glibc/NAME.c} into {@code dir} and builds it there; returns null, or
   * what went wrong (a missing glibc for riscv64, Debian's libc6-dev-riscv64-cross, shows up here).
   */
  static String build(String name, Path dir, String... libs)
      throws IOException, InterruptedException {
    Path src = dir.resolve(name + ".c");
    try (InputStream in = Glibc.class.getResourceAsStream("/glibc/" + name + ".c")) {
      if (in == null) {
        return "no resource glibc/" + name + ".c";
      }
      Files.copy(in, src);
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "riscv64-linux-gnu-gcc",
                "-static",
                "-O2",
                "-o",
                dir.resolve(name).toString(),
                src.toString()));
    cmd.addAll(List.of(libs));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return "the compiler did not finish";
    }
    return p.exitValue() == 0 ? null : log;
  }
}
