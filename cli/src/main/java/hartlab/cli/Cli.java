package hartlab.cli;

import hartlab.images.Images;
import hartlab.kernel.RunResult;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hartlab} command. {@link #run} is the whole program with its streams passed in, so
 * tests drive it exactly as a user does; {@link #main} only binds it to the process.
 */
@Command(
    name = "hartlab",
    mixinStandardHelpOptions = true,
    version = "hartlab 0.1.0",
    description = "A multi-core RISC-V machine emulator for studying TLB coherence.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Cli implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Cli.class);

  private final PrintStream out;
  private final PrintStream err;
  private final InputStream in;
  private final OutputStream guestOut;
  private final OutputStream guestErr;
  private final Consumer<RunResult> results;

  Cli(
      PrintStream out,
      PrintStream err,
      InputStream in,
      OutputStream guestOut,
      OutputStream guestErr,
      Consumer<RunResult> results) {
    this.out = out;
    this.err = err;
    this.in = in;
    this.guestOut = guestOut;
    this.guestErr = guestErr;
    this.results = results;
  }

  public static void main(String[] args) {
    // Netty would reach for sun.misc.Unsafe, which JDK 24+ warns about on the console; nothing
    // here needs it. Must be set before any netty class loads.
    System.setProperty("io.netty.noUnsafe", "true");
    // The guest's console writes the process's own descriptors unbuffered, so that a failing
    // write reports its cause (a closed pipe is EPIPE for the guest) and a blocked one holds no
    // lock that hartlab's own output needs.
    int status =
        run(
            args,
            System.out,
            System.err,
            System.in,
            new FileOutputStream(FileDescriptor.out),
            new FileOutputStream(FileDescriptor.err),
            r -> {});
    HostOutput.flush(System.out);
    System.exit(status);
  }

  /** Runs hartlab with {@code args}; returns the exit status (see {@link ExitCodes}). */
  public static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
    return run(args, out, err, in, r -> {});
  }

  /**
   * As {@link #run(String[], PrintStream, PrintStream, InputStream)}, also handing every finished
   * machine run's result to {@code results}: programs and tests compare those objects, not the
   * printed report.
   */
  public static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      InputStream in,
      Consumer<RunResult> results) {
    return run(args, out, err, in, out, err, results);
  }

  /**
   * As {@link #run(String[], PrintStream, PrintStream, InputStream, Consumer)}, with the guest's
   * console writing {@code guestOut} and {@code guestErr} rather than {@code out} and {@code err}.
   */
  public static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      InputStream in,
      OutputStream guestOut,
      OutputStream guestErr,
      Consumer<RunResult> results) {
    Cli cli = new Cli(out, err, in, guestOut, guestErr, results);
    CommandLine cmd = new CommandLine(cli);
    cmd.addSubcommand("boot", new BootCommand(cli));
    cmd.addSubcommand("images", new ImagesCommand(cli));
    cmd.addSubcommand("bench", new BenchCommand(cli));
    cmd.addSubcommand("strategies", new StrategiesCommand(cli));
    cmd.addSubcommand("costs", new CostsCommand(cli));
    cmd.addSubcommand("compare", CompareCommand.create(cli));
    cmd.addSubcommand("merge", new MergeCommand(cli));
    cmd.addSubcommand("ctxsw", CtxswCommand.create(cli));
    cmd.addSubcommand("reproduce", new ReproduceCommand(cli));
    cmd.addSubcommand("fuzz-elf", new FuzzElfCommand(cli));
    cmd.setOut(new java.io.PrintWriter(out, true));
    cmd.setErr(new java.io.PrintWriter(err, true));
    cmd.setExitCodeExceptionMapper(
        e -> e instanceof CommandLine.ParameterException ? ExitCodes.USAGE : ExitCodes.INTERNAL);
    cmd.setParameterExceptionHandler(
        (e, a) -> usageError(err, e.getMessage(), e.getCommandLine(), cmd));
    cmd.setExecutionExceptionHandler(
        (e, c, parsed) -> {
          if (e instanceof UsageException) {
            return usageError(err, e.getMessage(), c, cmd);
          }
          // Anything else escaping a command is a bug in hartlab, whatever its type: an
          // IllegalArgumentException from deep inside is not the user's fault.
          err.println("hartlab: internal error: " + e);
          LOG.debug("internal error", e);
          return ExitCodes.INTERNAL;
        });
    try {
      return cmd.execute(args);
    } catch (OutOfMemoryError e) {
      err.println(
          "hartlab: internal error: the host JVM ran out of memory ("
              + e.getMessage()
              + "); give it more with HARTLAB_JAVA_OPTS=-Xmx...");
      return ExitCodes.INTERNAL;
    } catch (Error e) {
      err.println("hartlab: internal error: " + e);
      LOG.debug("internal error", e);
      return ExitCodes.INTERNAL;
    }
  }

  private static int usageError(
      PrintStream err, String message, CommandLine where, CommandLine root) {
    err.println("hartlab: " + message);
    err.println("Try 'hartlab " + (where == root ? "" : where.getCommandName() + " ") + "--help'.");
    return ExitCodes.USAGE;
  }

  /** Without a subcommand: help. */
  @Override
  public Integer call() {
    new CommandLine(this).usage(out);
    out.println();
    out.println(
        "Commands: boot [IMAGE|PATH] [options] [-- args], compare, merge, ctxsw, reproduce,"
            + " images, strategies, costs, bench, fuzz-elf."
            + " Default image: "
            + Images.DEFAULT
            + ".");
    return 0;
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  InputStream in() {
    return in;
  }

  /** Where the guest's fd 1 goes. */
  OutputStream guestOut() {
    return guestOut;
  }

  /** Where the guest's fd 2 goes. */
  OutputStream guestErr() {
    return guestErr;
  }

  /** A machine run finished (before its report is printed). */
  void finished(RunResult result) {
    results.accept(result);
  }

  int fail(int status, String message) {
    err.println("hartlab: " + message);
    return status;
  }
}
