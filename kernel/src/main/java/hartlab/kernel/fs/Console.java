package hartlab.kernel.fs;

import hartlab.kernel.uapi.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The guest's terminal: fd 1 and 2 go to the host's output streams, fd 0 reads the host's input. A
 * hart never touches a host stream: two host threads do, through bounded buffers, so that a host
 * that stops reading or writing can neither hold a hart nor fill the JVM's heap.
 *
 * <ul>
 *   <li>Output: {@link #offer} queues at most {@link #OUTPUT_BUFFER} bytes, never waiting; the
 *       {@code console-output} thread writes them out in order. When the host reader stops, the
 *       queue fills and the guest's writes wait in the file layer (bounded by the run's end); when
 *       it goes away (a closed pipe), the stream is broken and every later write gets its errno:
 *       EPIPE (with SIGPIPE, the caller's job), ENOSPC, or EIO.
 *   <li>Input: the {@code console-input} thread, started by the guest's first read, reads ahead at
 *       most {@link #INPUT_BUFFER} bytes and then waits until the guest has read some: the host's
 *       input is consumed only as fast as the guest asks for it.
 * </ul>
 *
 * <p>Thread-safe: buffers and flags are guarded by the console's monitor, a short lock; the host
 * threads do their blocking I/O outside it.
 */
public final class Console {
  /** Host input read ahead of the guest, at most. */
  static final int INPUT_BUFFER = 64 * 1024;

  /** Guest output waiting for the host, at most (each queued chunk counts at least 256 bytes). */
  static final int OUTPUT_BUFFER = 64 * 1024;

  private static final int MIN_CHUNK = 256;

  private final OutputStream[] streams;
  private final InputStream in;

  // ---- input, guarded by this ----
  private final byte[] input = new byte[INPUT_BUFFER];
  private int inputHead;
  private int inputCount;
  private boolean inputEnded;
  private Thread pump;

  // ---- output, guarded by this ----
  private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
  private int queued;
  private boolean writing;
  private long written;
  private final int[] broken = new int[3];
  private Thread writer; // null when none runs: started by offer, ended by drain
  private boolean draining;

  /** Bytes for one stream, in the order the guest wrote them. */
  private static final class Chunk {
    final int stream;
    final byte[] bytes;
    int length;

    Chunk(int stream, int capacity) {
      this.stream = stream;
      this.bytes = new byte[capacity];
    }
  }

  private final boolean terminal;

  /** A console on streams that are no terminal, as pipes and files are. */
  public Console(OutputStream out, OutputStream err, InputStream in) {
    this(out, err, in, false);
  }

  /**
   * @param terminal whether the host's streams are a terminal: the guest's isatty follows it, so
   *     that a guest formats output as it would under qemu-user on the same streams
   */
  public Console(OutputStream out, OutputStream err, InputStream in, boolean terminal) {
    this.streams = new OutputStream[] {null, out, err};
    this.in = in;
    this.terminal = terminal;
  }

  // ---- output ----

  /**
   * Queues up to {@code len} guest bytes for fd 1 (stdout) or 2 (stderr) without waiting: the
   * number queued (0 when the buffer is full), or {@code -errno} once the host stream is broken.
   */
  public synchronized int offer(int stream, byte[] b, int off, int len) {
    if (broken[stream] != 0) {
      return -broken[stream];
    }
    Chunk last = queue.peekLast();
    int n;
    if (last != null && last.stream == stream && last.bytes.length - last.length > 0) {
      n = Math.min(len, last.bytes.length - last.length);
    } else {
      int room = OUTPUT_BUFFER - queued;
      if (room < MIN_CHUNK || len == 0) {
        return 0;
      }
      last = new Chunk(stream, Math.max(MIN_CHUNK, Math.min(len, room)));
      queue.addLast(last);
      queued += last.bytes.length;
      n = Math.min(len, last.bytes.length);
    }
    System.arraycopy(b, off, last.bytes, last.length, n);
    last.length += n;
    if (writer == null) {
      draining = false;
      writer = new Thread(this::writeOut, "console-output");
      writer.setDaemon(true);
      writer.start();
    }
    notifyAll();
    return n;
  }

  /** Whether {@link #offer} would take a byte for {@code stream} now (or report it broken). */
  public synchronized boolean hasRoom(int stream) {
    Chunk last = queue.peekLast();
    return broken[stream] != 0
        || OUTPUT_BUFFER - queued >= MIN_CHUNK
        || (last != null && last.stream == stream && last.length < last.bytes.length);
  }

  /**
   * Waits in host time, up to {@code maxNanos}, until {@code stream} has room or {@code stop} says
   * the run is ending. For a write that must not advance virtual time while it waits (lockstep).
   * True if there is room.
   */
  public boolean awaitRoom(int stream, BooleanSupplier stop, long maxNanos) {
    long deadline = System.nanoTime() + maxNanos;
    while (!hasRoom(stream)) {
      if (stop.getAsBoolean() || System.nanoTime() - deadline >= 0) {
        return false;
      }
      LockSupport.parkNanos(this, 200_000);
    }
    return true;
  }

  /**
   * The run is over: waits until the queued output is written, giving up once the host has taken
   * nothing for {@code patienceNanos}. True if everything was written; false leaves the writer to
   * its blocked stream (a daemon thread) and marks that stream {@link #stalled}.
   */
  public boolean drain(long patienceNanos) {
    long lastWritten = -1;
    long since = System.nanoTime();
    synchronized (this) {
      draining = true; // the writer ends once the queue is empty
      notifyAll();
      while (!queue.isEmpty() || writing) {
        if (written != lastWritten) {
          lastWritten = written;
          since = System.nanoTime();
        }
        long left = patienceNanos - (System.nanoTime() - since);
        if (left <= 0) {
          stalled = writingStream;
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 50_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stalled = writingStream;
          return false;
        }
      }
      return true;
    }
  }

  private int stalled; // guarded by this: the stream the writer was stuck on, 0 if none
  private int writingStream; // guarded by this

  /**
   * Whether output to {@code stream} (1 or 2) was left unwritten at the end because the host
   * stopped reading it: that host stream may then be held by the blocked writer thread, and nothing
   * else should write to it or wait on it.
   */
  public synchronized boolean stalled(int stream) {
    return stalled == stream;
  }

  /** The console-output thread: writes queued chunks in order until the process ends. */
  private void writeOut() {
    for (; ; ) {
      Chunk c;
      boolean skip;
      synchronized (this) {
        while (queue.isEmpty()) {
          if (draining) {
            writer = null;
            return;
          }
          try {
            wait();
          } catch (InterruptedException e) {
            writer = null;
            return;
          }
        }
        c = queue.pollFirst(); // no longer appendable
        writing = true;
        writingStream = c.stream;
        skip = broken[c.stream] != 0;
      }
      int failure = skip ? 0 : writeChunk(streams[c.stream], c);
      synchronized (this) {
        writing = false;
        queued -= c.bytes.length;
        written += c.length;
        if (failure != 0 && broken[c.stream] == 0) {
          broken[c.stream] = failure;
        }
        notifyAll();
      }
    }
  }

  /** Writes one chunk; 0, or the errno a guest's write(2) would have met on the host stream. */
  private static int writeChunk(OutputStream s, Chunk c) {
    try {
      s.write(c.bytes, 0, c.length);
      s.flush();
      if (s instanceof PrintStream p && p.checkError()) {
        return Errno.EPIPE; // a PrintStream hides the cause: a reader gone is the usual one
      }
      return 0;
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("No space left")) {
        return Errno.ENOSPC;
      }
      if (m.contains("Broken pipe") || m.contains("Stream closed")) {
        return Errno.EPIPE;
      }
      return Errno.EIO;
    }
  }

  // ---- input ----

  /**
   * Reads available input into {@code b}: the byte count, 0 at end of input, or -1 when nothing has
   * arrived yet (the caller waits and retries).
   */
  public synchronized int read(byte[] b, int off, int len) {
    startPump();
    if (inputCount > 0) {
      int n = Math.min(len, inputCount);
      int first = Math.min(n, INPUT_BUFFER - inputHead);
      System.arraycopy(input, inputHead, b, off, first);
      System.arraycopy(input, 0, b, off + first, n - first);
      inputHead = (inputHead + n) % INPUT_BUFFER;
      inputCount -= n;
      notifyAll(); // room for the pump
      return n;
    }
    return inputEnded ? 0 : -1;
  }

  /** Whether a read would return without waiting (input, or its end): poll's POLLIN. */
  public synchronized boolean readReady() {
    startPump();
    return inputCount > 0 || inputEnded;
  }

  private void startPump() { // guarded by this
    if (pump == null) {
      pump = new Thread(this::pumpInput, "console-input");
      pump.setDaemon(true);
      pump.start();
    }
  }

  /** Whether the guest sees a terminal: TCGETS and TIOCGWINSZ work on the console only then. */
  public boolean terminal() {
    return terminal;
  }

  /** The console-input thread: reads the host's input while the buffer has room. */
  private void pumpInput() {
    byte[] chunk = new byte[4096];
    try {
      for (; ; ) {
        int room;
        synchronized (this) {
          while (inputCount == INPUT_BUFFER) {
            wait();
          }
          room = Math.min(chunk.length, INPUT_BUFFER - inputCount);
        }
        int n = in.read(chunk, 0, room);
        if (n < 0) {
          break;
        }
        synchronized (this) {
          int tail = (inputHead + inputCount) % INPUT_BUFFER;
          int first = Math.min(n, INPUT_BUFFER - tail);
          System.arraycopy(chunk, 0, input, tail, first);
          System.arraycopy(chunk, first, input, 0, n - first);
          inputCount += n;
        }
      }
    } catch (IOException e) {
      // The host closed or broke our stdin: the guest sees end of input, as after a hangup.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      inputEnded = true;
    }
  }
}
