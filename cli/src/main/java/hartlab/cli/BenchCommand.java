package hartlab.cli;

import hartlab.kernel.Machine;
import hartlab.kernel.MachineConfig;
import hartlab.kernel.RunResult;
import hartlab.kernel.fs.Console;
import hartlab.kernel.stats.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hartlab bench}: single-hart interpreter speed on a compute-bound guest, and the run-time
 * ratio to qemu-riscv64 on the same binary, measured alternately in the same run so that machine
 * noise hits both.
 */
@Command(
    name = "bench",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Measure single-hart MIPS on the built-in 'compute' image and compare the",
      "run time with qemu-riscv64 (if installed) on the same binary."
    })
final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--image",
      defaultValue = "compute",
      description = "Guest to run (default: ${DEFAULT-VALUE}).")
  String image;

  /** Enough for a run of about ten minutes of compute on a fast host. */
  static final long MAX_ROUNDS = 100_000;

  static final int MAX_REPEAT = 100;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      description =
          "Round count passed to the guest as its argument, 1.."
              + MAX_ROUNDS
              + " (default: the guest's own, 600 for compute).")
  Long rounds;

  @Option(
      names = "--repeat",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Runs of each, 1.." + MAX_REPEAT + "; the fastest counts (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(
      names = "--qemu",
      defaultValue = "qemu-riscv64",
      description = "qemu user-mode binary; 'none' to skip.")
  String qemu;

  @Option(
      names = "--out",
      defaultValue = "hartlab-bench.json",
      description = "JSON result file (default: ${DEFAULT-VALUE}).")
  Path out;

  private final Cli cli;

  BenchCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws Exception {
    if (rounds != null && (rounds < 1 || rounds > MAX_ROUNDS)) {
      throw new UsageException(
          "--rounds " + rounds + ": out of range; the round count must be 1.." + MAX_ROUNDS);
    }
    if (repeat < 1 || repeat > MAX_REPEAT) {
      throw new UsageException(
          "--repeat " + repeat + ": out of range; runs must be 1.." + MAX_REPEAT);
    }
    OutputFiles.requireWritable("--out", out);
    GuestImage.Loaded loaded;
    try {
      loaded = GuestImage.load(image);
    } catch (GuestImage.Unusable e) {
      return cli.fail(ExitCodes.BAD_IMAGE, e.getMessage());
    }
    GuestImage guest = loaded.guest();
    List<String> argv = new ArrayList<>(List.of(guest.argv0()));
    if (rounds != null) {
      argv.add(Long.toString(rounds));
    }
    Path binary = Files.createTempFile("hartlab-bench-", "-" + guest.name());
    try {
      Files.write(binary, guest.bytes());
      binary.toFile().setExecutable(true);
      return measure(loaded, argv, binary);
    } finally {
      Files.deleteIfExists(binary);
    }
  }

  private int measure(GuestImage.Loaded loaded, List<String> argv, Path binary) throws Exception {
    GuestImage guest = loaded.guest();
    MachineConfig config = MachineConfig.builder().cores(1).build();
    long bestHartlab = Long.MAX_VALUE;
    long bestQemu = Long.MAX_VALUE;
    long instructions = 0;
    boolean haveQemu = !"none".equals(qemu);
    for (int i = 1; i <= repeat; i++) {
      ByteArrayOutputStream guestOut = new ByteArrayOutputStream();
      RunResult r =
          new Machine(
                  config,
                  new Console(new PrintStream(guestOut), cli.err(), InputStream.nullInputStream()),
                  GuestImage.rootFs())
              .run(loaded.elf(), guest.name(), argv, List.of());
      if (r.outcome() != Outcome.EXITED || r.exitCode() != 0) {
        // Not hartlab's failure: say how the guest ended and pass its status on, as boot does.
        return cli.fail(
            BootCommand.exitCode(r),
            String.format(
                "bench: %s %s, status %d%s; bench needs a guest that exits with status 0",
                guest.name(),
                r.outcome().name().toLowerCase(Locale.ROOT),
                r.exitCode(),
                r.message().isEmpty() ? "" : " (" + r.message() + ")"));
      }
      instructions = r.instructions();
      bestHartlab = Math.min(bestHartlab, r.hostNanos());
      cli.err()
          .printf(
              "run %d/%d: hartlab %.3f s, %.1f MIPS",
              i, repeat, r.hostNanos() / 1e9, instructions / (r.hostNanos() / 1e3));
      if (haveQemu) {
        long q = timeQemu(binary, argv);
        if (q < 0) {
          haveQemu = false;
          cli.err().print(" (qemu not runnable; skipping it)");
        } else {
          bestQemu = Math.min(bestQemu, q);
          cli.err().printf(", qemu %.3f s", q / 1e9);
        }
      }
      cli.err().println();
    }
    double mips = instructions / (bestHartlab / 1e3);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("image", guest.name());
    result.put("argv", argv);
    result.put("instructions", instructions);
    result.put("hartlabSeconds", bestHartlab / 1e9);
    result.put("mips", mips);
    if (haveQemu) {
      result.put("qemuSeconds", bestQemu / 1e9);
      result.put("slowdownVsQemu", (double) bestHartlab / bestQemu);
    }
    cli.out()
        .printf(
            "%s: %,d instructions, best of %d: %.3f s, %.1f MIPS%n",
            guest.name(), instructions, repeat, bestHartlab / 1e9, mips);
    if (haveQemu) {
      cli.out()
          .printf(
              "qemu-riscv64: %.3f s; hartlab takes %.1fx qemu's time%n",
              bestQemu / 1e9, (double) bestHartlab / bestQemu);
    }
    try {
      StatsReport.writeJson(out, result);
    } catch (IOException e) {
      return cli.fail(
          ExitCodes.CANT_CREATE,
          "could not write the results to --out " + out + ": " + OutputFiles.reason(e));
    }
    cli.out().println("written to " + out);
    return 0;
  }

  /** Wall time of one qemu run in ns, or -1 when qemu cannot be run. */
  private long timeQemu(Path binary, List<String> argv) throws InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(qemu, binary.toString()));
    cmd.addAll(argv.subList(1, argv.size()));
    long start = System.nanoTime();
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        return -1;
      }
    } catch (IOException e) {
      return -1;
    }
    return System.nanoTime() - start;
  }
}
