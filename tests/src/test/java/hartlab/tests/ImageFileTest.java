package hartlab.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hartlab.kernel.mm.Mm;
import hartlab.loader.UserSpace;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Program files that must not hurt the run: special files, huge files, an empty name, and images
 * the loader has to refuse with a reason rather than pass on to fail inside the kernel.
 */
class ImageFileTest {
  @TempDir Path dir;

  /** Before: read 5.5 GB of zeros for 15 s, then printed an OutOfMemoryError stack trace. */
  @Test
  void bootDevZeroIsRefusedAt65() {
    assumeTrue(Files.exists(Path.of("/dev/zero")));
    Runs.Outcome r =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5), () -> Runs.hartlab("boot", "/dev/zero", "--stats", "none"));
    assertEquals(65, r.status(), r.stderr());
    assertTrue(r.stderr().contains("/dev/zero is a character device"), r.stderr());
    BootTest.assertNoStackTrace(r);
  }

  /** Before: opening the FIFO blocked for ever, --timeout or not. */
  @Test
  void bootFifoIsRefusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("fifo");
    assumeTrue(mkfifo(fifo), "mkfifo not available");
    Runs.Outcome r =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> Runs.hartlab("boot", fifo.toString(), "--timeout", "1s", "--stats", "none"));
    assertEquals(65, r.status(), r.stderr());
    assertTrue(r.stderr().contains("is a FIFO (named pipe), not a regular file"), r.stderr());
  }

  @Test
  void bootDirectoryIsRefusedAt65() {
    Runs.Outcome r = Runs.hartlab("boot", dir.toString(), "--stats", "none");
    assertEquals(65, r.status(), r.stderr());
    assertTrue(r.stderr().contains(dir + " is a directory"), r.stderr());
  }

  /** Before: "hartlab: is a directory, not a program" and 65. */
  @Test
  void emptyImageNameIsAUsageError() {
    Runs.Outcome r = Runs.hartlab("boot", "", "--stats", "none");
    assertEquals(64, r.status(), r.stderr());
    assertTrue(r.stderr().contains("the program name is empty"), r.stderr());
  }

  @Test
  void fileOverTheSizeLimitIsRefusedWithoutReadingIt() throws Exception {
    Path big = dir.resolve("big");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength((64L << 20) + 1); // sparse
    }
    Runs.Outcome r = Runs.hartlab("boot", big.toString(), "--stats", "none");
    assertEquals(65, r.status(), r.stderr());
    assertTrue(r.stderr().contains("larger than the 64 MiB"), r.stderr());
  }

  /**
   * A static-pie whose data segment sits so high that, moved up by ELF_ET_DYN_BASE, it would end
   * above user space. Before: the kernel's relocate threw IllegalArgumentException, reported as a
   * usage error (64).
   */
  @Test
  void unplaceableEtDynIs65() throws Exception {
    byte[] elf = Runs.image("hello");
    ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(16, (short) 3); // e_type = ET_DYN
    int data = lastLoadSegment(b);
    b.putLong(data + 16, 0x18_0000_0000L + (b.getLong(data + 16) & 0xfff)); // p_vaddr
    Path file = dir.resolve("high-pie");
    Files.write(file, elf);
    Runs.Outcome r = Runs.hartlab("boot", file.toString(), "--stats", "none");
    assertEquals(65, r.status(), r.stderr());
    assertTrue(r.stderr().contains("static-pie") && r.stderr().contains("stack"), r.stderr());
    assertTrue(r.stderr().contains(String.format("offset 0x%x", data + 16)), r.stderr());
  }

  /**
   * A segment over the stack area. Before: the kernel's VmaTree refused the stack's area with an
   * IllegalStateException: an internal error (70).
   */
  @Test
  void segmentOverTheStackAreaIs65() throws Exception {
    byte[] elf = Runs.image("hello");
    ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    int data = lastLoadSegment(b);
    long stackBottom = (1L << 38) - 4096 - (8L << 20);
    b.putLong(data + 16, stackBottom - 4096 + (b.getLong(data + 16) & 0xfff));
    Path file = dir.resolve("over-stack");
    Files.write(file, elf);
    Runs.Outcome r = Runs.hartlab("boot", file.toString(), "--stats", "none");
    assertEquals(65, r.status(), r.stderr());
    assertTrue(r.stderr().contains("initial stack"), r.stderr());
  }

  /** The loader refuses by the kernel's layout; if the kernel's changes, the loader's must too. */
  @Test
  void loaderAndKernelAgreeOnTheUserSpaceLayout() {
    assertEquals(Mm.TASK_SIZE, UserSpace.TASK_SIZE);
    assertEquals(Mm.STACK_TOP, UserSpace.STACK_TOP);
    assertEquals(Mm.STACK_SIZE, UserSpace.STACK_SIZE);
    assertEquals(Mm.ET_DYN_BASE, UserSpace.ET_DYN_BASE);
  }

  /** File offset of the last PT_LOAD program header. */
  private static int lastLoadSegment(ByteBuffer b) {
    int phoff = (int) b.getLong(32);
    int phnum = b.getShort(56);
    int last = -1;
    for (int i = 0; i < phnum; i++) {
      if (b.getInt(phoff + i * 56) == 1) {
        last = phoff + i * 56;
      }
    }
    assertTrue(last > 0, "no PT_LOAD");
    return last;
  }

  static boolean mkfifo(Path p) throws InterruptedException {
    try {
      return new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
