package hartlab.cli;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * hartlab's own output at the end of a run (the report, the last flush), written so that a host
 * reader that stopped reading cannot keep the process alive: the write happens on a daemon thread,
 * and the caller goes on after a bounded wait whether or not it finished.
 */
final class HostOutput {
  /** How long the end of a run waits for its report to be taken by the host. */
  static final long PATIENCE_MILLIS = 1_000;

  private HostOutput() {}

  /** Prints {@code text} and flushes; false if the host had not taken it within the patience. */
  static boolean print(PrintStream stream, String text) {
    return run(
        () -> {
          stream.print(text);
          stream.flush();
        });
  }

  /** Flushes {@code stream}; false if the host had not taken it within the patience. */
  static boolean flush(PrintStream stream) {
    return run(stream::flush);
  }

  private static boolean run(Runnable write) {
    Thread t = new Thread(write, "host-output");
    t.setDaemon(true);
    t.start();
    try {
      t.join(TimeUnit.MILLISECONDS.toMillis(PATIENCE_MILLIS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !t.isAlive();
  }
}
