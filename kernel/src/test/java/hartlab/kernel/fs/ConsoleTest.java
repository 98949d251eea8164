package hartlab.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guest's terminal: writes go whole to the host's stdout or stderr; reads never block a hart
 * (nothing yet is -1, the end of input is 0), input arriving whenever the host sends it.
 */
class ConsoleTest {
  @Test
  void writesGoToStdoutOrStderrByDescriptor() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Console c = new Console(out, err, new java.io.ByteArrayInputStream(new byte[0]));
    byte[] b = "abcdef".getBytes(StandardCharsets.UTF_8);
    c.write(1, b, 1, 3);
    c.write(2, b, 0, 1);
    assertEquals("bcd", out.toString(StandardCharsets.UTF_8));
    assertEquals("a", err.toString(StandardCharsets.UTF_8));
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
