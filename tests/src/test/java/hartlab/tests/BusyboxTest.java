package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's riscv64 busybox-static (and mksh-static) under --root, output identical to
 * qemu-riscv64's. The binaries come from {@code .ci/fetch-busybox}, which .ci/run runs first; there
 * (HARTLAB_REQUIRE_BUSYBOX set) a missing binary fails the test, elsewhere the test fetches it
 * itself and is skipped only when that cannot be done (no network).
 *
 * <p>Normalisation: both runs see the same files, their times set here, with TZ=UTC. qemu runs in a
 * copy of the root as its working directory and hartlab with the root as /, so the script uses
 * relative paths only. {@code ls -l} is cut to mode, size, date and name: owners are the host's
 * under qemu and root under hartlab, and link counts and "total" blocks depend on the host's file
 * system.
 */
class BusyboxTest {
  private static final Instant MARCH_1 = Instant.parse("2024-03-01T12:00:00Z");

  @TempDir Path dir;

  @Test
  void busyboxShellScriptPrintsWhatQemuPrints() throws Exception {
    Path root = root();
    copy(Path.of("/busybox/script.sh"), root.resolve("script.sh"));
    Runs.Outcome reference =
        Runs.qemuIn(copyOf(root), Path.of("bin/busybox"), List.of("sh", "script.sh"), "TZ=UTC");
    assertEquals(0, reference.status(), "qemu: " + reference.stderr());
    Runs.Outcome ours =
        Runs.hartlab(
            "boot",
            "--root",
            root.toString(),
            root.resolve("bin/busybox").toString(),
            "--env",
            "TZ=UTC",
            "--cores",
            "4",
            "--stats",
            "none",
            "--",
            "sh",
            "script.sh");
    assertEquals(reference.stdout(), ours.stdout(), "stdout; hartlab's stderr: " + ours.stderr());
    assertEquals(reference.stderr(), ours.stderr());
    assertEquals(0, ours.status());
    assertTrue(ours.stdout().contains("tar round trip ok"), ours.stdout());
    assertTrue(Files.notExists(root.resolve("work")), "the guest's files stay in memory");
  }

  /** mksh (musl): builtins, arithmetic, loops and redirection; no fork (that needs signals). */
  @Test
  void mkshPrintsWhatQemuPrints() throws Exception {
    Path root = root();
    String script =
        "echo $((6*7)); for i in a b; do echo \"$i\"; done; typeset -u up=shout; echo $up;"
            + " read line < data/fruit.txt; echo \"$line\"; print -r -- \"${KSH_VERSION%% *}\"";
    Runs.Outcome reference =
        Runs.qemuIn(copyOf(root), Path.of("bin/mksh-static"), List.of("-c", script));
    assertEquals(0, reference.status(), "qemu: " + reference.stderr());
    Runs.Outcome ours =
        Runs.hartlab(
            "boot",
            "--root",
            root.toString(),
            root.resolve("bin/mksh-static").toString(),
            "--stats",
            "none",
            "--",
            "-c",
            script);
    assertEquals(reference.stdout(), ours.stdout(), "stdout; hartlab's stderr: " + ours.stderr());
    assertEquals(0, ours.status());
  }

  /** A root with the two shells in /bin and a few data files with fixed times. */
  private Path root() throws Exception {
    Path fetched = fetched();
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.createDirectories(root.resolve("bin"));
    for (String shell : List.of("busybox", "mksh-static")) {
      Files.copy(fetched.resolve("bin").resolve(shell), root.resolve("bin").resolve(shell));
    }
    Path data = Files.createDirectories(root.resolve("data"));
    Files.writeString(data.resolve("fruit.txt"), "pear\napple\nfig\nbanana\n");
    Files.writeString(data.resolve("words.txt"), "one two three\nfour\n");
    Files.writeString(data.resolve("scores"), "ann:3\nbob:5\ncid:7\n");
    Files.createSymbolicLink(data.resolve("link"), Path.of("fruit.txt"));
    for (String f : List.of("fruit.txt", "scores", "link")) {
      Files.setAttribute(
          data.resolve(f), "lastModifiedTime", FileTime.from(MARCH_1), LinkOption.NOFOLLOW_LINKS);
    }
    Files.setLastModifiedTime(
        data.resolve("words.txt"), FileTime.from(MARCH_1.plusSeconds(86_400)));
    return root;
  }

  private Path copyOf(Path root) throws IOException {
    Path copy = dir.resolve("copy-" + System.nanoTime());
    GuestRootTest.copyTree(root, copy);
    return copy;
  }

  private static void copy(Path resource, Path to) throws IOException {
    Files.writeString(to, GuestRootTest.resource(resource.toString()));
  }

  /**
   * The directory .ci/fetch-busybox fills (bin/busybox, bin/mksh-static): fetched now if missing,
   * failing the test where CI requires it and skipping it elsewhere when it cannot be had.
   */
  private static Path fetched() throws IOException, InterruptedException {
    Glibc.assumeToolchain();
    Path script = Path.of("..", ".ci", "fetch-busybox").toAbsolutePath().normalize();
    Process p = new ProcessBuilder(script.toString()).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean done = p.waitFor(5, TimeUnit.MINUTES);
    Path root = out.isEmpty() ? null : Path.of(out);
    boolean present =
        done
            && p.exitValue() == 0
            && root != null
            && Files.isRegularFile(root.resolve("bin/busybox"))
            && Files.isRegularFile(root.resolve("bin/mksh-static"));
    if (!present) {
      String why = script + " could not fetch busybox-static: " + err;
      if (System.getenv("HARTLAB_REQUIRE_BUSYBOX") != null) {
        fail(why);
      }
      assumeTrue(false, why);
    }
    return root;
  }
}
