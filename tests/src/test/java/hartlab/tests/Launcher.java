package hartlab.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs hartlab as a user does: the {@code ./hartlab} launcher in a process of its own, with the
 * heap limit the launcher sets, the process's own stdout and stderr, and its real exit.
 */
final class Launcher {
  static final Path SCRIPT = Path.of("..", "hartlab").toAbsolutePath().normalize();

  private Launcher() {}

  /**
   * The launcher with {@code args}, on this JVM's java; {@code javaOpts} (may be empty) go to the
   * JVM after the launcher's own options.
   */
  static ProcessBuilder command(List<String> args, String javaOpts) {
    List<String> cmd = new ArrayList<>();
    cmd.add(SCRIPT.toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment()
        .put("HARTLAB_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    pb.environment().put("HARTLAB_JAVA_OPTS", javaOpts);
    return pb;
  }

  /**
   * The heap bound README.md states, in MiB: 96 MiB + 1.5 x RAM + RAM/32 + per hart 2 MiB and 24
   * bytes per TLB entry; the launcher's -Xmx.
   */
  static long heapBoundMib(long memMib, int cores, int tlbEntries) {
    return 96
        + memMib * 3 / 2
        + memMib / 32
        + cores * 2L
        + ((long) cores * tlbEntries * 24 >> 20)
        + 1;
  }

  /** What a JVM's unified GC log ({@code -Xlog:gc,gc+init}) says about its heap. */
  record GcLog(long maxCapacityMib, long maxAfterGcMib, int collections) {
    private static final Pattern CAPACITY = Pattern.compile("Heap Max Capacity: (\\d+)([MG])");
    private static final Pattern PAUSE = Pattern.compile("Pause .*? (\\d+)M->(\\d+)M\\(\\d+M\\)");

    static GcLog read(Path file) throws IOException {
      long capacity = -1;
      long after = 0;
      int collections = 0;
      for (String line : Files.readAllLines(file)) {
        Matcher c = CAPACITY.matcher(line);
        if (c.find()) {
          capacity = Long.parseLong(c.group(1)) * (c.group(2).equals("G") ? 1024 : 1);
        }
        Matcher p = PAUSE.matcher(line);
        if (p.find()) {
          collections++;
          after = Math.max(after, Long.parseLong(p.group(2)));
        }
      }
      return new GcLog(capacity, after, collections);
    }
  }
}
