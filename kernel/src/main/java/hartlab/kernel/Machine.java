package hartlab.kernel;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.Console;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.mm.BinfmtElf;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.stats.Outcome;
import hartlab.kernel.stats.Statistics;
import hartlab.kernel.stats.Tracer;
import hartlab.loader.ElfImage;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The board: RAM, the harts with their threads ({@code hart-N}), and the kernel. One machine runs
 * one guest program to its end.
 */
public final class Machine {
  private static final Logger log = LoggerFactory.getLogger(Machine.class);

  /** How long stopping harts get to leave before the run is declared hung. */
  private static final long STOP_GRACE_MILLIS = 5_000;

  /**
   * How long the guest's last output may wait for a host reader that takes nothing: after a run
   * that ended on its own, and after one --timeout stopped (which must end on time).
   */
  private static final long DRAIN_PATIENCE_MILLIS = 2_000, DRAIN_AFTER_TIMEOUT_MILLIS = 500;

  private final MachineConfig config;
  private final Hart[] harts;
  private final Kernel kernel;
  private final Console console;

  public Machine(MachineConfig config, Console console, RootFs rootFs) {
    this(config, console, rootFs, Tracer.OFF);
  }

  /** A machine whose kernel reports timeline events to {@code tracer}. */
  public Machine(MachineConfig config, Console console, RootFs rootFs, Tracer tracer) {
    this.config = config;
    this.console = console;
    Board board = Board.of(config);
    this.harts = board.harts();
    this.kernel = new Kernel(config, Subsystems.wire(config, board, console, rootFs, tracer));
  }

  /** Told about the run's progress about once a second, on the thread that called {@link #run}. */
  @FunctionalInterface
  public interface Progress {
    void update(long instructions, long hostNanos);

    Progress NONE = (instructions, hostNanos) -> {};
  }

  /**
   * Thrown when the image cannot be made into a process (too large for RAM, arguments too long).
   */
  public static final class BootException extends Exception {
    private static final long serialVersionUID = 1L;

    BootException(String message) {
      super(message);
    }
  }

  /**
   * Boots {@code image} as the first process with {@code argv} and {@code envp}, runs the machine
   * until the guest ends or a limit stops it, and reports how it ended. Call once.
   */
  public RunResult run(ElfImage image, String name, List<String> argv, List<String> envp)
      throws BootException {
    return run(image, name, argv, envp, Progress.NONE);
  }

  /** As {@link #run(ElfImage, String, List, List)}, reporting progress while it waits. */
  public RunResult run(
      ElfImage image, String name, List<String> argv, List<String> envp, Progress progress)
      throws BootException {
    try {
      kernel.startInit(image, name, argv, envp);
    } catch (BinfmtElf.ExecFailure e) {
      throw new BootException(e.getMessage());
    }
    long start = System.nanoTime();
    Thread[] threads = new Thread[harts.length];
    for (int i = 0; i < harts.length; i++) {
      Hart hart = harts[i];
      threads[i] = new Thread(() -> runHart(hart), "hart-" + i);
      threads[i].setDaemon(true);
      kernel.attachThread(i, threads[i]);
    }
    for (Thread t : threads) {
      t.start();
    }
    long deadline =
        config.timeoutMillis() > 0
            ? start + TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis())
            : Long.MAX_VALUE;
    while (System.nanoTime() < deadline
        && !joinAll(threads, Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1)))) {
      progress.update(instructionsSoFar(), System.nanoTime() - start);
    }
    if (!joinAll(threads, deadline)) {
      kernel
          .halt()
          .requestStop(
              Outcome.TIMEOUT,
              0,
              String.format(
                  "stopped after --timeout %.1fs: the guest had not finished",
                  config.timeoutMillis() / 1000.0));
      if (!joinAll(threads, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS))) {
        return result(
            new Halt.Ending(
                Outcome.INTERNAL_ERROR,
                0,
                "internal error: harts did not stop within 5 s of the stop request"),
            start);
      }
    }
    return result(kernel.halt().ending(), start);
  }

  /** Instructions retired so far over all harts; a racy sum, for progress only. */
  private long instructionsSoFar() {
    long n = 0;
    for (Hart h : harts) {
      n += h.instret();
    }
    return n;
  }

  private RunResult result(Halt.Ending end, long start) {
    // The guest's output still queued goes out now, unless the host has stopped taking it.
    console.drain(
        TimeUnit.MILLISECONDS.toNanos(
            end.outcome() == Outcome.TIMEOUT ? DRAIN_AFTER_TIMEOUT_MILLIS : DRAIN_PATIENCE_MILLIS));
    Statistics stats = kernel.statistics();
    return new RunResult(
        end.outcome(),
        end.exitCode(),
        end.message(),
        stats,
        stats.digest(end.outcome(), end.exitCode()),
        System.nanoTime() - start,
        harts.length);
  }

  private void runHart(Hart hart) {
    try {
      kernel.hartStarted(hart);
      hart.runLoop(kernel);
    } catch (Throwable t) {
      log.debug("hart-{} failed", hart.id(), t);
      kernel
          .halt()
          .requestStop(
              Outcome.INTERNAL_ERROR,
              0,
              String.format("internal error on hart-%d at pc 0x%x: %s", hart.id(), hart.pc(), t));
    }
  }

  /** Joins every thread before {@code deadlineNanos}; false if one is still running then. */
  private static boolean joinAll(Thread[] threads, long deadlineNanos) {
    try {
      for (Thread t : threads) {
        if (deadlineNanos == Long.MAX_VALUE) {
          t.join();
          continue;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (left > 0) {
          t.join(left);
        }
        if (t.isAlive()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
