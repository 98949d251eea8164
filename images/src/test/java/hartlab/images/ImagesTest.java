package hartlab.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.images.Images.ImageInfo;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ImagesTest {

  private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

  @Test
  void everyListedImageLoadsAndIsAnElfFile() {
    List<ImageInfo> images = Images.list();
    assertFalse(images.isEmpty(), "index.txt lists no image");
    for (ImageInfo image : images) {
      byte[] elf =
          Images.load(image.name())
              .orElseThrow(() -> new AssertionError("listed but not loadable: " + image.name()));
      assertTrue(elf.length > 64, image.name() + ": shorter than an ELF header");
      assertArrayEquals(ELF_MAGIC, Arrays.copyOf(elf, 4), image.name() + ": no ELF magic");
      assertEquals(2, elf[4], image.name() + ": not ELFCLASS64");
      assertEquals(1, elf[5], image.name() + ": not little-endian");
      assertEquals(2, elf[16], image.name() + ": not ET_EXEC (a static executable)");
      assertEquals(243, elf[18] & 0xff, image.name() + ": not EM_RISCV");
      assertFalse(image.description().isBlank(), image.name() + ": no description");
    }
  }

  @Test
  void defaultIsListed() {
    assertTrue(names().contains(Images.DEFAULT), "DEFAULT is not in index.txt");
  }

  @Test
  void theGuestProgramsAreAllListed() {
    assertTrue(
        names()
            .containsAll(
                List.of(
                    "hello",
                    "demo",
                    "isatest",
                    "fault",
                    "compute",
                    "forkexec",
                    "threads",
                    "pipes",
                    "pingpong",
                    "forkstorm",
                    "mmapstorm",
                    "mprotect-toggle",
                    "cowstorm")),
        "index.txt lists " + names());
  }

  @Test
  void namesAreUniqueAndInIndexOrder() {
    List<String> names = names();
    assertEquals(names.size(), names.stream().distinct().count(), "duplicate names " + names);
  }

  @Test
  void unknownOrNonImageNamesLoadNothing() {
    assertTrue(Images.load("no-such-image").isEmpty());
    assertTrue(Images.load("index.txt").isEmpty());
    assertTrue(Images.load("../images/demo").isEmpty());
    assertTrue(Images.load("/hartlab/images/demo").isEmpty());
    assertTrue(Images.load("").isEmpty());
    assertTrue(Images.load(null).isEmpty());
  }

  private static List<String> names() {
    return Images.list().stream().map(ImageInfo::name).collect(Collectors.toList());
  }
}
