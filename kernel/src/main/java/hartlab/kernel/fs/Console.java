package hartlab.kernel.fs;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The guest's terminal: fd 1 and 2 go to the host's output streams, fd 0 reads the host's input.
 *
 * <p>Thread-safe: harts write concurrently, each write is passed on whole under the console's
 * monitor (a short lock). Input is pumped by a daemon thread, started on the first read, into a
 * netty buffer so that a hart never blocks on the host stream itself.
 */
public final class Console {
  private final OutputStream out;
  private final OutputStream err;
  private final InputStream in;
  private final ByteBuf input = Unpooled.buffer(); // guarded by this
  private boolean inputEnded; // guarded by this
  private Thread pump; // guarded by this

  public Console(OutputStream out, OutputStream err, InputStream in) {
    this.out = out;
    this.err = err;
    this.in = in;
  }

  /** Writes guest bytes to fd 1 (stdout) or 2 (stderr). */
  public synchronized void write(int fd, byte[] b, int off, int len) {
    try {
      OutputStream s = fd == 2 ? err : out;
      s.write(b, off, len);
      s.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("console: host output failed", e);
    }
  }

  /**
   * Reads available input into {@code b}: the byte count, 0 at end of input, or -1 when nothing has
   * arrived yet (the caller waits and retries).
   */
  public synchronized int read(byte[] b, int off, int len) {
    if (pump == null) {
      pump = new Thread(this::pumpInput, "console-input");
      pump.setDaemon(true);
      pump.start();
    }
    if (input.isReadable()) {
      int n = Math.min(len, input.readableBytes());
      input.readBytes(b, off, n);
      input.discardReadBytes();
      return n;
    }
    return inputEnded ? 0 : -1;
  }

  private void pumpInput() {
    byte[] chunk = new byte[4096];
    try {
      for (int n; (n = in.read(chunk)) >= 0; ) {
        synchronized (this) {
          input.writeBytes(chunk, 0, n);
        }
      }
    } catch (IOException e) {
      // The host closed or broke our stdin: the guest sees end of input, as after a hangup.
    }
    synchronized (this) {
      inputEnded = true;
    }
  }
}
