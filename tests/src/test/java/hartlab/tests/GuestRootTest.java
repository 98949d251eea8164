package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --root}: glibc programs doing file I/O in a host directory given as the guest's root, and
 * a hostile one trying to leave it, write the host and exhaust the kernel.
 */
class GuestRootTest {
  @TempDir Path dir;

  /** Issue 12's acceptance: file I/O under --root, output identical to qemu-riscv64's. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lockstep", "parallel"})
  void glibcFileIoUnderRootPrintsWhatQemuPrints(String exec) throws Exception {
    Glibc.assumeToolchain();
    Path root = dir.resolve("root");
    Glibc.build("fileio", root.resolve("bin/fileio"));
    Files.createDirectories(root.resolve("data"));
    Files.writeString(
        root.resolve("data/lines.txt"),
        IntStream.rangeClosed(1, 10).mapToObj(i -> i + "\n").collect(Collectors.joining()));
    // qemu changes the directory it runs in, so it gets a copy; hartlab must leave root as it is.
    Path copy = dir.resolve("copy");
    copyTree(root, copy);
    Runs.Outcome reference = Runs.qemuIn(copy, Path.of("bin/fileio"), List.of());
    assertEquals(0, reference.status(), "qemu: " + reference.stderr());
    Runs.Outcome ours =
        Runs.hartlab(
            "boot",
            "--root",
            root.toString(),
            root.resolve("bin/fileio").toString(),
            "--exec",
            exec,
            "--stats",
            "none");
    assertEquals(reference.stdout(), ours.stdout(), "stdout; hartlab's stderr: " + ours.stderr());
    assertEquals(0, ours.status(), ours.stderr());
    try (var files = Files.list(root)) {
      assertEquals(
          List.of("bin", "data"), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void aHostileGuestStaysInItsRootAndGetsErrnos() throws Exception {
    Glibc.assumeToolchain();
    Path root = dir.resolve("root");
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "host secret\n");
    Glibc.build("hostile", root.resolve("bin/hostile"));
    Files.writeString(root.resolve("inside.txt"), "inside\n");
    Files.createSymbolicLink(root.resolve("abs"), outside.resolve("secret"));
    script(root.resolve("run.sh"), "#!/bin/hostile argv\n");
    script(root.resolve("loop.sh"), "#!/loop.sh\n");
    Runs.Outcome first = hostile(root);
    assertEquals(resource("/glibc/hostile.expected"), first.stdout(), first.stderr());
    assertEquals(0, first.status(), first.stderr());
    assertFalse(first.stderr().contains("Exception"), first.stderr());
    // The host is untouched.
    assertEquals("inside\n", Files.readString(root.resolve("inside.txt")));
    assertEquals("host secret\n", Files.readString(outside.resolve("secret")));
    assertTrue(Files.isSymbolicLink(root.resolve("abs")));
    try (var files = Files.list(root)) {
      assertEquals(
          List.of("abs", "bin", "inside.txt", "loop.sh", "run.sh"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    Runs.Outcome again = hostile(root);
    assertEquals(first.run().digest(), again.run().digest(), "lockstep: same root, same run");
  }

  @Test
  void aRootThatIsNoDirectoryIsAUsageError() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    for (Path root : List.of(dir.resolve("missing"), file)) {
      Runs.Outcome r = Runs.hartlab("boot", "--root", root.toString(), "hello");
      assertEquals(64, r.status(), r.stderr());
      assertTrue(r.stderr().contains("--root " + root + ": not a directory"), r.stderr());
      assertFalse(r.stderr().contains("Exception"), r.stderr());
    }
  }

  private static Runs.Outcome hostile(Path root) {
    return Runs.hartlab(
        "boot",
        "--root",
        root.toString(),
        root.resolve("bin/hostile").toString(),
        "--mem",
        "64M",
        "--exec",
        "lockstep",
        "--stats",
        "none");
  }

  private static void script(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  static String resource(String name) throws IOException {
    try (InputStream in = GuestRootTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Copies a directory tree, links as links, keeping modification times (links' too). */
  static void copyTree(Path from, Path to) throws IOException {
    try (var walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        Files.copy(p, target, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
        Files.setAttribute(
            target,
            "lastModifiedTime",
            Files.getAttribute(p, "lastModifiedTime", LinkOption.NOFOLLOW_LINKS),
            LinkOption.NOFOLLOW_LINKS);
      }
    }
  }
}
