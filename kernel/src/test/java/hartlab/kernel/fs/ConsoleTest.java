package hartlab.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The guest's terminal: writes are queued without waiting and reach the host's stdout or stderr in
 * order; a host that stops reading fills a bounded buffer and is given up on at the end; a broken
 * host stream becomes the errno a write would have met. Reads never block a hart (nothing yet is
 * -1, the end of input is 0), input arriving whenever the host sends it.
 */
class ConsoleTest {
  private static final long PATIENCE = TimeUnit.SECONDS.toNanos(30);
  private static final byte[] NO_INPUT = new byte[0];

  private static Console console(OutputStream out, OutputStream err) {
    return new Console(out, err, new ByteArrayInputStream(NO_INPUT));
  }

  @Test
  void writesGoToStdoutOrStderrByDescriptorInOrder() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Console c = console(out, err);
    byte[] b = "abcdef".getBytes(StandardCharsets.UTF_8);
    assertEquals(3, c.offer(1, b, 1, 3));
    assertEquals(1, c.offer(2, b, 0, 1));
    assertEquals(2, c.offer(1, b, 4, 2));
    assertTrue(c.drain(PATIENCE), "a host that reads takes everything");
    assertEquals("bcdef", out.toString(StandardCharsets.UTF_8));
    assertEquals("a", err.toString(StandardCharsets.UTF_8));
    assertFalse(c.stalled(1) || c.stalled(2));
  }

  @Test
  void anEmptyWriteQueuesNothing() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Console c = console(out, out);
    assertEquals(0, c.offer(1, new byte[1], 0, 0));
    assertTrue(c.drain(PATIENCE));
    assertEquals(0, out.size());
  }

  /** A host reader that takes nothing until told to. */
  private static final class StuckStream extends OutputStream {
    final CountDownLatch go = new CountDownLatch(1);
    final ByteArrayOutputStream got = new ByteArrayOutputStream();

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        go.await();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      synchronized (got) {
        got.write(b, off, len);
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aHostThatStopsReadingFillsABoundedBufferAndIsGivenUpOnAtTheEnd() {
    StuckStream out = new StuckStream();
    Console c = console(out, new ByteArrayOutputStream());
    byte[] b = new byte[4096];
    long queued = 0;
    for (int n; (n = c.offer(1, b, 0, b.length)) > 0; ) {
      queued += n;
    }
    assertTrue(queued <= Console.OUTPUT_BUFFER + b.length, "bounded: " + queued);
    assertTrue(queued >= Console.OUTPUT_BUFFER - b.length, "and not smaller: " + queued);
    assertFalse(c.hasRoom(1), "a writer must wait");
    assertFalse(c.awaitRoom(1, () -> true, PATIENCE), "unless the run is stopping");
    assertFalse(c.drain(TimeUnit.MILLISECONDS.toNanos(50)), "the host took nothing");
    assertTrue(c.stalled(1));
    assertFalse(c.stalled(2));
    out.go.countDown();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void roomComesBackAsTheHostReads() throws Exception {
    StuckStream out = new StuckStream();
    Console c = console(out, new ByteArrayOutputStream());
    byte[] b = new byte[4096];
    long queued = 0;
    for (int n; (n = c.offer(1, b, 0, b.length)) > 0; ) {
      queued += n;
    }
    out.go.countDown();
    assertTrue(c.awaitRoom(1, () -> false, PATIENCE), "the host read some");
    assertTrue(c.offer(1, b, 0, 1) > 0);
    assertTrue(c.drain(PATIENCE));
    synchronized (out.got) {
      assertEquals(queued + 1, out.got.size(), "every queued byte, once");
    }
  }

  /** A host stream that fails every write with {@code message}. */
  private static OutputStream failing(String message) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException(message);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException(message);
      }
    };
  }

  @ParameterizedTest
  @CsvSource({"Broken pipe, 32", "Stream closed, 32", "No space left on device, 28", "boom, 5"})
  void aBrokenHostStreamGivesTheErrnoAWriteWouldHaveMet(String message, int errno) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Console c = console(failing(message), err);
    byte[] b = "x".getBytes(StandardCharsets.UTF_8);
    assertEquals(1, c.offer(1, b, 0, 1), "queued before anyone knew");
    assertTrue(c.drain(PATIENCE));
    assertEquals(-errno, c.offer(1, b, 0, 1), "every later write fails");
    assertTrue(c.hasRoom(1), "a broken stream never makes a writer wait");
    assertEquals(1, c.offer(2, b, 0, 1), "the other stream is unharmed");
    assertTrue(c.drain(PATIENCE));
    assertEquals("x", err.toString(StandardCharsets.UTF_8));
  }

  /** Reads until the console has an answer other than "nothing yet". */
  private static int readWhenReady(Console c, byte[] into) {
    int n;
    while ((n = c.read(into, 0, into.length)) < 0) {
      Thread.onSpinWait();
    }
    return n;
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void readsAreNeverBlockingAndSeeInputAsItArrivesThenTheEnd() throws Exception {
    PipedOutputStream host = new PipedOutputStream();
    Console c =
        new Console(
            new ByteArrayOutputStream(), new ByteArrayOutputStream(), new PipedInputStream(host));
    byte[] b = new byte[4];
    assertEquals(-1, c.read(b, 0, b.length), "nothing typed yet: the caller polls again later");
    host.write("hello".getBytes(StandardCharsets.UTF_8));
    host.flush();
    int got = 0;
    byte[] all = new byte[5];
    while (got < 5) {
      int n = readWhenReady(c, b);
      System.arraycopy(b, 0, all, got, n);
      got += n;
    }
    assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), all);
    host.close();
    assertEquals(0, readWhenReady(c, b), "end of input");
    assertEquals(0, c.read(b, 0, b.length), "and it stays ended");
  }
}
