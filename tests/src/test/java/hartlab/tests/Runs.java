package hartlab.tests;

import hartlab.cli.Cli;
import hartlab.images.Images;
import hartlab.kernel.RunResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs hartlab (in-process, exactly as the command line) and qemu-riscv64, capturing what they
 * print.
 */
final class Runs {
  /** What a run printed and how it ended; {@code result} is null when no machine ran. */
  record Outcome(int status, String stdout, String stderr, RunResult result) {
    Outcome(int status, String stdout, String stderr) {
      this(status, stdout, stderr, null);
    }

    /** The machine run's result; fails the test when there was none. */
    RunResult run() {
      if (result == null) {
        throw new AssertionError("no machine run (status " + status + "): " + stderr);
      }
      return result;
    }
  }

  private Runs() {}

  static Outcome hartlab(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    RunResult[] result = {null};
    int status =
        Cli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            new ByteArrayInputStream(new byte[0]),
            r -> result[0] = r);
    return new Outcome(
        status,
        out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8),
        result[0]);
  }

  /** qemu-riscv64 on {@code binary} with a clean environment like hartlab's default one. */
  static Outcome qemu(Path binary, List<String> args) throws IOException, InterruptedException {
    return qemuIn(null, binary, args);
  }

  /**
   * qemu-riscv64 as the reference for {@code mapsrace}: qemu-user builds /proc/self/maps from its
   * own page bookkeeping, which guest threads' mremaps change under it, so now and then its reader
   * sees lines out of order (mapsrace then prints FAILED). Such a run of qemu's is no reference:
   * run it again, at most five times.
   */
  static Outcome qemuMapsrace(Path binary, List<String> args)
      throws IOException, InterruptedException {
    Outcome o = qemu(binary, args);
    for (int i = 0; i < 4 && o.stdout().contains("FAILED"); i++) {
      o = qemu(binary, args);
    }
    return o;
  }

  /**
   * As {@link #qemu(Path, List)}, in working directory {@code cwd} (null: this process's) and with
   * {@code env} (NAME=VALUE) added: the way to give a program under qemu the files hartlab's --root
   * gives it, with relative paths.
   */
  static Outcome qemuIn(Path cwd, Path binary, List<String> args, String... env)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=/bin", "HOME=/", "TERM=dumb"));
    cmd.addAll(List.of(env));
    cmd.add("qemu-riscv64");
    cmd.add(binary.toString());
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd)
            .directory(cwd == null ? null : cwd.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("qemu-riscv64 did not finish: " + cmd);
    }
    return new Outcome(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  /**
   * The part of an image's output that must match between emulators: all of it, except the timing
   * lines pingpong prints after its first line (cycles differ by design).
   */
  static String comparable(String image, String stdout) {
    // Their timings differ; the first line and the status say they ran the same.
    return image.equals("pingpong") || image.equals("latctx")
        ? stdout.lines().findFirst().orElse("")
        : stdout;
  }

  /** The bytes of a built-in image. */
  static byte[] image(String name) {
    return Images.load(name).orElseThrow(() -> new IllegalArgumentException("no image " + name));
  }

  /** Writes a built-in image to {@code dir} as an executable file. */
  static Path extract(String image, Path dir) throws IOException {
    Path file = dir.resolve(image);
    Files.write(
        file,
        Images.load(image).orElseThrow(() -> new IllegalArgumentException("no image " + image)));
    file.toFile().setExecutable(true);
    return file;
  }
}
