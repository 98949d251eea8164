package hartlab.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.images.Images;
import org.junit.jupiter.api.Test;

/**
 * gcc-compiled guest programs of the images module on one bare hart ({@link ElfRun}, no kernel):
 * isatest checks every instruction class against constants written in its source, and compute's
 * checksum was taken from qemu-riscv64 running the same binary. The images come from the images
 * module's jar (a test-only dependency: images sits above cpu), wherever the build runs from.
 */
class GuestImageTest {
  static byte[] image(String name) {
    return Images.load(name)
        .orElseThrow(
            () ->
                new AssertionError(
                    "guest image '"
                        + name
                        + "' is not on the test class path: hartlab-images must be a test"
                        + " dependency of hartlab-cpu, with its built ELF files under"
                        + " images/src/main/resources/hartlab/images (make -C images)"));
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
