package hartlab.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * gcc-compiled guest programs of the images module on one bare hart ({@link ElfRun}, no kernel):
 * isatest checks every instruction class against constants written in its source, and compute's
 * checksum was taken from qemu-riscv64 running the same binary. Skipped when the images are not
 * beside this module (they are read from the source tree, not depended on: images sit above cpu).
 */
class GuestImageTest {
  static byte[] image(String name) throws Exception {
    Path p = Path.of("..", "images", "src", "main", "resources", "hartlab", "images", name);
    assumeTrue(Files.isRegularFile(p), "no guest image " + p.toAbsolutePath());
    return Files.readAllBytes(p);
  }

  @Test
  void isatestPasses() throws Exception {
    ElfRun r = new ElfRun(image("isatest"), "isatest");
    int status = r.run();
    assertTrue(r.output().contains(" 0 failed"), r.output());
    assertEquals(0, status, r.output());
  }

  @Test
  void computeMatchesQemu() throws Exception {
    ElfRun r = new ElfRun(image("compute"), "compute", "7");
    assertEquals(0, r.run(), r.output());
    assertEquals("compute: rounds=7 checksum=0x1856b6f4a7660d2b\n", r.output());
  }
}
