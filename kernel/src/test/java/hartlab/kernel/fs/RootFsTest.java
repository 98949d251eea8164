package hartlab.kernel.fs;

import static hartlab.kernel.Errnos.errnoOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import hartlab.kernel.uapi.Errno;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The read-only root: programs under /bin, paths resolved from / as Linux resolves them. */
class RootFsTest {
  private static final byte[] HELLO = {1, 2, 3};
  private final RootFs fs = RootFs.withPrograms(Map.of("hello", HELLO));

  @Test
  void pathsResolveWithRepeatedSlashesDotsAndDotDots() {
    for (String path :
        new String[] {
          "/bin/hello",
          "//bin///hello",
          "/bin/./hello",
          "/x/../bin/hello",
          "bin/hello",
          "/../../bin/hello"
        }) {
      assertArrayEquals(HELLO, fs.read(path), path);
    }
    assertEquals("hello", fs.name("/x/../bin/hello").orElseThrow());
  }

  @Test
  void errorsAreThoseExecveGives() {
    assertEquals(Errno.ENOENT, errnoOf(() -> fs.read("")));
    assertEquals(Errno.ENOENT, errnoOf(() -> fs.read("/bin/nope")));
    assertEquals(Errno.ENOTDIR, errnoOf(() -> fs.read("/bin/hello/")));
    assertEquals(Errno.EACCES, errnoOf(() -> fs.read("/bin")), "a directory");
    assertEquals(Errno.EACCES, errnoOf(() -> fs.read("/")));
    assertEquals(Errno.ENAMETOOLONG, errnoOf(() -> fs.read("/" + "a".repeat(RootFs.PATH_MAX))));
    assertEquals(Errno.ENOENT, errnoOf(() -> RootFs.empty().read("/bin/hello")));
  }
}
