package hartlab.cli.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hartlab.cli.Cli;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Boots mutants on the whole machine, in-process and exactly as the command line does ({@link
 * Cli#run} with {@code hartlab boot FILE ...}), and says whether each outcome is acceptable.
 *
 * <p>Acceptable: the guest ran and ended with any status (0-255, 128+signal included), the image
 * was refused with exit status 65 and a message, or a limit stopped it (124). Anything else is a
 * failure: an internal error (70), a checker violation (99), a usage error (64) for options that
 * are valid, a Java stack trace on either stream, or a boot that does not return within its timeout
 * plus a grace period. Which of these a status means is read from the statistics file the run
 * writes, because a guest may itself exit with 65, 70, 99 or 124.
 */
public final class ElfFuzzer {
  /** How every mutant is booted; lockstep by default, so that a failure reproduces exactly. */
  public record Settings(
      int cores, String exec, String memory, long maxInstructions, long timeoutMillis) {
    public static Settings defaults() {
      return new Settings(2, "lockstep", "32M", 200_000, 2_000);
    }

    /** The boot command line for {@code file}, statistics to {@code statsFile}. */
    public List<String> bootArgs(Path file, Path statsFile) {
      return List.of(
          "boot",
          file.toString(),
          "--cores",
          Integer.toString(cores),
          "--exec",
          exec,
          "--mem",
          memory,
          "--speculative-walks",
          "on",
          "--max-instructions",
          Long.toString(maxInstructions),
          "--timeout",
          timeoutMillis + "ms",
          "--stats",
          "none",
          "--stats-file",
          statsFile.toString());
    }
  }

  /** How a mutant's boot ended. */
  public enum Verdict {
    RAN(false),
    REJECTED(false),
    LIMIT(false),
    INTERNAL_ERROR(true),
    VIOLATION(true),
    USAGE_ERROR(true),
    STACK_TRACE(true),
    HANG(true),
    UNEXPLAINED(true);

    private final boolean failure;

    Verdict(boolean failure) {
      this.failure = failure;
    }

    public boolean failure() {
      return failure;
    }
  }

  /**
   * One boot: the verdict, the exit status, and the line that explains it (the rejection reason,
   * the guest's ending, or hartlab's complaint).
   */
  public record Result(
      ElfMutator.Mutant mutant,
      Verdict verdict,
      int status,
      String detail,
      String stdout,
      String stderr,
      List<String> bootArgs) {

    /** The detail with its numbers blanked: failures with the same signature are one problem. */
    public String signature() {
      return verdict.name().toLowerCase() + ": " + withoutNumbers(detail);
    }
  }

  /** {@code text} with every number, decimal or hex, replaced by {@code #}. */
  public static String withoutNumbers(String text) {
    return NUMBERS.matcher(text).replaceAll("#");
  }

  private static final Pattern NUMBERS = Pattern.compile("0x[0-9a-fA-F]+|\\d+");
  private static final Pattern STACK_TRACE =
      Pattern.compile("(?s).*(Exception in thread|\\n\\s+at [a-zA-Z_$][\\w$.]*\\(.*).*");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long past its own --timeout a boot may take before it counts as hung. */
  private static final long GRACE_MILLIS = 20_000;

  /** Bytes of each stream kept; a guest may print far more. */
  private static final int KEEP = 64 << 10;

  private final Settings settings;
  private final Path workDir;

  /**
   * @param workDir where mutants and statistics files are written while they run
   */
  public ElfFuzzer(Settings settings, Path workDir) {
    this.settings = settings;
    this.workDir = workDir;
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Boots {@code m} and judges the outcome. The mutant's file is deleted afterwards; a caller that
   * keeps failures writes them itself.
   */
  public Result run(ElfMutator.Mutant m) throws IOException, InterruptedException {
    Path file = workDir.resolve(m.id() + ".elf");
    Path stats = workDir.resolve(m.id() + ".json");
    Files.write(file, m.bytes());
    Files.deleteIfExists(stats);
    List<String> args = settings.bootArgs(file, stats);
    try {
      Capture out = new Capture();
      Capture err = new Capture();
      int[] status = {-1};
      Thread boot =
          new Thread(
              () ->
                  status[0] =
                      Cli.run(
                          args.toArray(String[]::new),
                          new PrintStream(out, true, StandardCharsets.UTF_8),
                          new PrintStream(err, true, StandardCharsets.UTF_8),
                          new ByteArrayInputStream(new byte[0])),
              "fuzz-" + m.id());
      boot.setDaemon(true);
      boot.start();
      boot.join(settings.timeoutMillis() + GRACE_MILLIS);
      if (boot.isAlive()) {
        return new Result(
            m,
            Verdict.HANG,
            -1,
            "boot did not return within "
                + TimeUnit.MILLISECONDS.toSeconds(settings.timeoutMillis() + GRACE_MILLIS)
                + " s",
            out.text(),
            err.text(),
            args);
      }
      return judge(m, status[0], out.text(), err.text(), readOutcome(stats), args);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(stats);
    }
  }

  /** The run's outcome and guest status from its statistics file, or null if none was written. */
  private static JsonNode readOutcome(Path stats) {
    try {
      return Files.exists(stats) ? JSON.readTree(stats.toFile()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  static Result judge(
      ElfMutator.Mutant m, int status, String out, String err, JsonNode stats, List<String> args) {
    String outcome = stats == null ? "" : stats.path("outcome").asText("");
    String message = hartlabLines(err);
    if (STACK_TRACE.matcher(out).matches() || STACK_TRACE.matcher(err).matches()) {
      return new Result(m, Verdict.STACK_TRACE, status, firstLine(message), out, err, args);
    }
    if (outcome.equals("exited") || outcome.equals("killed")) {
      return new Result(m, Verdict.RAN, status, outcome + " " + status, out, err, args);
    }
    Verdict v;
    switch (status) {
      case 65:
        v = stats == null && !message.isEmpty() ? Verdict.REJECTED : Verdict.UNEXPLAINED;
        return new Result(m, v, status, rejection(message), out, err, args);
      case 124:
        v =
            outcome.equals("timeout") || outcome.equals("instruction_limit")
                ? Verdict.LIMIT
                : Verdict.UNEXPLAINED;
        return new Result(m, v, status, outcome, out, err, args);
      case 70:
        return new Result(m, Verdict.INTERNAL_ERROR, status, firstLine(message), out, err, args);
      case 99:
        return new Result(m, Verdict.VIOLATION, status, firstLine(message), out, err, args);
      case 64:
        return new Result(m, Verdict.USAGE_ERROR, status, firstLine(message), out, err, args);
      default:
        return new Result(
            m,
            Verdict.UNEXPLAINED,
            status,
            "status " + status + ": " + firstLine(message),
            out,
            err,
            args);
    }
  }

  /** hartlab's own lines on stderr (the guest's are mixed in). */
  private static String hartlabLines(String err) {
    StringBuilder b = new StringBuilder();
    for (String line : err.split("\n")) {
      if (line.startsWith("hartlab: ")) {
        b.append(line, "hartlab: ".length(), line.length()).append('\n');
      }
    }
    return b.toString().trim();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  /** The loader's reason without the file name and offset, cut before the advice. */
  private static String rejection(String message) {
    String m = firstLine(message);
    int at = m.indexOf("at file offset ");
    if (at >= 0) {
      int colon = m.indexOf(": ", at);
      m = colon < 0 ? m : m.substring(colon + 2);
    } else {
      int colon = m.indexOf(": ");
      m = colon < 0 ? m : m.substring(colon + 2);
    }
    int semi = m.indexOf(';');
    return semi < 0 ? m : m.substring(0, semi);
  }

  /**
   * Keeps the first and the last {@link #KEEP} bytes written: a guest may print without end, and
   * hartlab's own message comes last.
   */
  private static final class Capture extends OutputStream {
    private final byte[] head = new byte[KEEP];
    private final byte[] tail = new byte[KEEP];
    private int headLength;
    private long tailWritten;

    @Override
    public synchronized void write(int b) {
      if (headLength < KEEP) {
        head[headLength++] = (byte) b;
      } else {
        tail[(int) (tailWritten++ % KEEP)] = (byte) b;
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      int toHead = Math.min(len, KEEP - headLength);
      System.arraycopy(b, off, head, headLength, toHead);
      headLength += toHead;
      int rest = len - toHead;
      int skip = Math.max(0, rest - KEEP); // overwritten in the ring anyway
      tailWritten += skip;
      for (int i = off + toHead + skip; i < off + len; i++) {
        write(b[i]);
      }
    }

    synchronized String text() {
      String h = new String(head, 0, headLength, StandardCharsets.UTF_8);
      if (tailWritten == 0) {
        return h;
      }
      int n = (int) Math.min(tailWritten, KEEP);
      byte[] t = new byte[n];
      for (int i = 0; i < n; i++) {
        t[i] = tail[(int) ((tailWritten - n + i) % KEEP)];
      }
      String skipped = tailWritten > KEEP ? "\n[... " + (tailWritten - KEEP) + " bytes ...]\n" : "";
      return h + skipped + new String(t, StandardCharsets.UTF_8);
    }
  }

  /** The boot command a person types to run a saved mutant the way the fuzzer did. */
  public static String commandLine(List<String> bootArgs, Path savedFile) {
    List<String> a = new ArrayList<>(bootArgs);
    a.set(1, savedFile.toString());
    int sf = a.indexOf("--stats-file");
    if (sf >= 0) {
      a.remove(sf + 1);
      a.remove(sf);
    }
    int st = a.indexOf("--stats");
    if (st >= 0) {
      a.set(st + 1, "table");
    }
    return "hartlab " + String.join(" ", a);
  }
}
