package hartlab.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
  private static final long LIMIT = ImageFiles.MAX_IMAGE_SIZE;

  @TempDir Path dir;

  private static ImageFileException refused(Path p, long limit) {
    return assertThrows(ImageFileException.class, () -> ImageFiles.read(p, limit));
  }

  @Test
  void readsARegularFileWhole() throws Exception {
    Path f = dir.resolve("prog");
    byte[] bytes = {0x7f, 'E', 'L', 'F', 1, 2, 3};
    Files.write(f, bytes);
    assertArrayEquals(bytes, ImageFiles.read(f, LIMIT));
    assertArrayEquals(bytes, ImageFiles.read(f, bytes.length), "exactly the limit is accepted");
  }

  @Test
  void aMissingFileIsMarkedMissing() {
    ImageFileException e = refused(dir.resolve("nothing"), LIMIT);
    assertTrue(e.missing());
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void aDirectoryIsRefused() {
    ImageFileException e = refused(dir, LIMIT);
    assertFalse(e.missing());
    assertTrue(e.getMessage().contains("is a directory, not a regular file"), e.getMessage());
  }

  /** Before: read 5.5 GB of zeros for 15 s, then an OutOfMemoryError. */
  @Test
  void devZeroIsRefusedAsADeviceWithoutReading() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero));
    ImageFileException e =
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> refused(zero, LIMIT));
    assertTrue(e.getMessage().contains("/dev/zero is a character device"), e.getMessage());
  }

  /** Before: opening a FIFO without a writer blocked for ever. */
  @Test
  void aFifoIsRefusedWithoutOpeningIt() throws Exception {
    Path fifo = dir.resolve("fifo");
    assumeTrue(mkfifo(fifo), "mkfifo not available");
    ImageFileException e =
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> refused(fifo, LIMIT));
    assertTrue(e.getMessage().contains("is a FIFO (named pipe)"), e.getMessage());
  }

  @Test
  void aFileLargerThanTheLimitIsRefusedByItsSize() throws Exception {
    Path big = dir.resolve("big");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(LIMIT + 1); // sparse: costs no disk
    }
    ImageFileException e = refused(big, LIMIT);
    assertTrue(e.getMessage().contains("67108865 bytes, larger than the 64 MiB"), e.getMessage());
  }

  @Test
  void aFileOneByteOverTheLimitIsRefused() throws Exception {
    Path f = dir.resolve("eleven");
    Files.write(f, new byte[11]);
    ImageFileException e = refused(f, 10);
    assertTrue(e.getMessage().contains("11 bytes, larger than the 10 bytes"), e.getMessage());
    assertEquals(11, ImageFiles.read(f, 11).length);
  }

  /** /proc files say they hold 0 bytes; the read itself must stop one byte past the limit. */
  @Test
  void aFileWhoseSizeLiesIsReadOnlyToOneBytePastTheLimit() {
    Path status = Path.of("/proc/self/status");
    assumeTrue(Files.isReadable(status));
    ImageFileException e = refused(status, 10);
    assertTrue(e.getMessage().contains("is more than 10 bytes"), e.getMessage());
  }

  private static boolean mkfifo(Path p) throws InterruptedException {
    try {
      return new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
