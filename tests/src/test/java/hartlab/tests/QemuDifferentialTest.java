package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.images.Images;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in image, booted by path with arguments, prints the same stdout and exits with the
 * same status under hartlab as under qemu-riscv64, the reference.
 */
class QemuDifferentialTest {
  @TempDir static Path dir;

  /** Image and guest arguments; every image appears at least once. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("hello", List.of()),
        Arguments.of("hello", List.of("a", "b", "c")),
        Arguments.of("hello", List.of("", "with space", "ünïcödé")),
        Arguments.of("demo", List.of()),
        Arguments.of("isatest", List.of()),
        Arguments.of("fault", List.of("segv")),
        Arguments.of("fault", List.of("ill")),
        Arguments.of("fault", List.of("exit", "42")),
        Arguments.of("fault", List.of("wild")),
        Arguments.of("fault", List.of("hog", "3")),
        Arguments.of("compute", List.of("1")),
        Arguments.of("forkexec", List.of("-n")),
        Arguments.of("threads", List.of("7", "3001")),
        Arguments.of("pipes", List.of()),
        Arguments.of("forkstorm", List.of("4", "3")),
        Arguments.of("pingpong", List.of("500")),
        Arguments.of("latctx", List.of("-w", "16", "-n", "4", "100")),
        Arguments.of("latctx", List.of("-t", "-b", "-n", "3", "100")),
        Arguments.of("latctx", List.of("-t", "-p", "-n", "4", "50")),
        Arguments.of("latctx", List.of("-n", "1")),
        Arguments.of("mmapstorm", List.of("4", "40", "4")),
        Arguments.of("mprotect-toggle", List.of("3", "50")),
        Arguments.of("cowstorm", List.of("3", "8")),
        Arguments.of("staletlb", List.of("20")),
        Arguments.of("mapsrace", List.of("10", "40")),
        Arguments.of("vmareuse", List.of("4", "100", "8")),
        // limits and sysfuzz: only their modes that are safe on a real kernel (see their sources)
        Arguments.of("limits", List.of("brk")),
        Arguments.of("limits", List.of("rw")),
        Arguments.of("limits", List.of("readtext")),
        Arguments.of("limits", List.of("stdin")),
        Arguments.of("limits", List.of("futexkill", "20")),
        Arguments.of("sysfuzz", List.of("-n", "-c", "50000", "-s", "7")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void sameStdoutAndStatusAsQemu(String image, List<String> args) throws Exception {
    Path binary = Runs.extract(image, dir);
    Runs.Outcome reference =
        image.equals("mapsrace") ? Runs.qemuMapsrace(binary, args) : Runs.qemu(binary, args);
    List<String> cmd =
        new ArrayList<>(
            List.of("boot", binary.toString(), "--cores", "2", "--stats", "none", "--"));
    cmd.addAll(args);
    Runs.Outcome ours = Runs.hartlab(cmd.toArray(String[]::new));
    assertEquals(
        Runs.comparable(image, reference.stdout()),
        Runs.comparable(image, ours.stdout()),
        "stdout of " + image + " " + args + "; stderr: " + ours.stderr());
    assertEquals(
        reference.status(),
        ours.status(),
        "exit status of " + image + " " + args + "; stderr: " + ours.stderr());
  }

  @Test
  void everyImageIsCovered() {
    Set<String> covered = cases().map(a -> (String) a.get()[0]).collect(Collectors.toSet());
    Set<String> all =
        Images.list().stream().map(Images.ImageInfo::name).collect(Collectors.toSet());
    assertTrue(covered.containsAll(all), "images without a differential case: " + all);
  }
}
