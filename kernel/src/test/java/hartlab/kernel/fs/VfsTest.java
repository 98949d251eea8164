package hartlab.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.mm.kmem.HeapMeter;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PhysicalMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest root: paths that try to leave it ({@code ..}, relative and absolute symlinks, host
 * links pointing outside) stay inside, writes never reach the host, and a guest cannot grow the
 * tree past the machine's memory.
 */
class VfsTest {
  private static final int O_RDONLY = 0;

  @TempDir Path tmp;
  private Path root;
  private Path outside;
  private Vfs vfs;
  private FsContext ctx;
  private KernelMemory kmem;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "host secret\n");
    Files.writeString(root.resolve("a.txt"), "inside\n");
    Files.createDirectories(root.resolve("sub/deeper"));
    Files.writeString(root.resolve("sub/deeper/f"), "deep\n");
    // Links a guest might use to get out, made on the host where the guest cannot make them.
    Files.createSymbolicLink(root.resolve("abs"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("absdir"), outside);
    Files.createSymbolicLink(root.resolve("rel"), Path.of("../outside/secret.txt"));
    Files.createSymbolicLink(root.resolve("sub/up"), Path.of("../../../../.."));
    Files.createSymbolicLink(root.resolve("loop1"), Path.of("loop2"));
    Files.createSymbolicLink(root.resolve("loop2"), Path.of("loop1"));
    Files.createSymbolicLink(root.resolve("toa"), Path.of("/a.txt"));
    vfs = machine(8 << 20);
    ctx = vfs.initContext("/bin/test", 1);
  }

  private Vfs machine(long bytes) {
    PhysicalMemory memory = new PhysicalMemory(bytes);
    kmem = KernelMemory.of(new FrameAllocator(memory, 1, true));
    return new Vfs(
        RootFs.hostDirectory(root), kmem, memory, new OpenFiles(kmem, bytes), new RandomSource(1));
  }

  private String read(String path) {
    InodeFile f = (InodeFile) vfs.open(ctx, null, path, O_RDONLY, 0, 0);
    byte[] b = new byte[4096];
    int n = vfs.read(f, 0, b, b.length);
    f.release();
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  private static void errno(int expected, Executable call) {
    SyscallError e = assertThrows(SyscallError.class, call);
    assertEquals(expected, e.errno(), "errno");
  }

  @Test
  void dotDotStopsAtTheRoot() {
    assertEquals("inside\n", read("/../../../a.txt"));
    assertEquals("inside\n", read("../../a.txt"));
    assertEquals("inside\n", read("sub/deeper/../../../../a.txt"));
    errno(Errno.ENOENT, () -> read("../outside/secret.txt"));
    errno(Errno.ENOENT, () -> read("/../../" + outside + "/secret.txt"));
  }

  @Test
  void symlinksResolveInsideTheRoot() {
    errno(Errno.ENOENT, () -> read("abs")); // an absolute host path, looked up in the guest's /
    errno(Errno.ENOENT, () -> read("absdir/secret.txt"));
    errno(Errno.ENOENT, () -> read("rel")); // ../outside clamps at the root
    assertEquals("inside\n", read("sub/up/a.txt")); // far above the root is the root
    assertEquals("inside\n", read("toa"));
    assertEquals(outside.resolve("secret.txt").toString(), vfs.names().readlink(ctx, null, "abs"));
  }

  @Test
  void aGuestMadeLinkCannotLeaveEither() {
    vfs.names().symlink(ctx, outside.resolve("secret.txt").toString(), null, "mine", 0);
    vfs.names()
        .symlink(ctx, "../../../../../../../../" + outside + "/secret.txt", null, "mine2", 0);
    errno(Errno.ENOENT, () -> read("mine"));
    errno(Errno.ENOENT, () -> read("mine2"));
  }

  /** A host FIFO is listed with its type but never opened: opening it could block the hart. */
  @Test
  void aHostFifoIsSeenButNeverOpened() throws Exception {
    Process mkfifo = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).start();
    assertEquals(0, mkfifo.waitFor());
    vfs = machine(8 << 20);
    ctx = vfs.initContext("/bin/test", 1);
    assertEquals(
        Inode.S_IFIFO, vfs.attributes().stat(ctx, null, "/fifo", true).mode() & Inode.S_IFMT);
    errno(Errno.ENXIO, () -> read("/fifo"));
  }

  @Test
  void linkLoopsAndNoFollowAreRefused() {
    errno(Errno.ELOOP, () -> read("loop1"));
    errno(Errno.ELOOP, () -> vfs.open(ctx, null, "toa", Vfs.O_NOFOLLOW, 0, 0));
    errno(Errno.ENOTDIR, () -> read("a.txt/x"));
    errno(Errno.ENAMETOOLONG, () -> read("x".repeat(Vfs.NAME_MAX + 1)));
    errno(Errno.ENAMETOOLONG, () -> read("a/".repeat(Vfs.PATH_MAX / 2)));
  }

  @Test
  void writesStayInMemoryAndNeverReachTheHost() throws IOException {
    InodeFile f = (InodeFile) vfs.open(ctx, null, "a.txt", Vfs.O_RDWR | Vfs.O_TRUNC, 0, 0);
    byte[] data = "changed\n".getBytes(StandardCharsets.UTF_8);
    vfs.write(f, 0, data, data.length, 0);
    f.release();
    assertEquals("changed\n", read("a.txt"));
    vfs.names().mkdir(ctx, null, "newdir", 0755, 0);
    vfs.open(ctx, null, "newdir/new.txt", Vfs.O_CREAT | Vfs.O_WRONLY, 0644, 0).release();
    vfs.names().rename(ctx, null, "sub", null, "moved", 0, 0);
    vfs.names().unlink(ctx, null, "toa", false, 0);
    assertEquals("deep\n", read("moved/deeper/f"));
    errno(Errno.ENOENT, () -> read("sub/deeper/f"));
    // The host is as it was.
    assertEquals("inside\n", Files.readString(root.resolve("a.txt")));
    assertFalse(Files.exists(root.resolve("newdir")));
    assertFalse(Files.exists(root.resolve("moved")));
    assertTrue(Files.exists(root.resolve("sub/deeper/f")));
    assertTrue(Files.isSymbolicLink(root.resolve("toa")));
    assertEquals("host secret\n", Files.readString(outside.resolve("secret.txt")));
  }

  @Test
  void creatingThroughALinkMakesAGuestFileInsideTheRoot() throws IOException {
    // The link's target directory does not exist in the guest's tree: as in Linux, ENOENT.
    errno(Errno.ENOENT, () -> vfs.open(ctx, null, "abs", Vfs.O_CREAT | Vfs.O_WRONLY, 0644, 0));
    vfs.names().symlink(ctx, "/made-by-link", null, "dangling", 0);
    InodeFile f = (InodeFile) vfs.open(ctx, null, "dangling", Vfs.O_CREAT | Vfs.O_WRONLY, 0644, 0);
    vfs.write(f, 0, new byte[] {'x'}, 1, 0);
    f.release();
    assertEquals("x", read("/made-by-link"));
    assertFalse(Files.exists(root.resolve("made-by-link")));
    assertEquals("host secret\n", Files.readString(outside.resolve("secret.txt")));
  }

  @Test
  void theOverlayIsBoundedByTheMachinesMemory() {
    vfs = machine(4 << 20);
    ctx = vfs.initContext("/bin/test", 1);
    InodeFile f = (InodeFile) vfs.open(ctx, null, "big", Vfs.O_CREAT | Vfs.O_WRONLY, 0644, 0);
    byte[] page = new byte[4096];
    long written = 0;
    SyscallError full = null;
    while (full == null && written < (8 << 20)) {
      try {
        written += vfs.write(f, written, page, page.length, 0);
      } catch (SyscallError e) {
        full = e;
      }
    }
    assertEquals(Errno.ENOSPC, full == null ? 0 : full.errno(), "after " + written + " bytes");
    errno(Errno.EFBIG, () -> vfs.truncate(f, 1L << 40, 0));
    long used = kmem.used();
    vfs.names().unlink(ctx, null, "big", false, 0);
    assertEquals(used, kmem.used(), "an open file keeps its pages");
    f.release();
    assertTrue(kmem.used() <= used - written, "the last close frees them");
  }

  @Test
  void devicesAndTheBuiltInRoot() {
    PhysicalMemory memory = new PhysicalMemory(1 << 20);
    KernelMemory k = KernelMemory.of(new FrameAllocator(memory, 1, true));
    vfs =
        new Vfs(
            RootFs.withPrograms(Map.of("prog", new byte[] {1, 2, 3})),
            k,
            memory,
            new OpenFiles(k, 1 << 20),
            new RandomSource(1));
    ctx = vfs.initContext("/bin/prog", 1);
    vfs.attachProcesses(new ProcFsTest.Processes(Map.of(1, ctx)), null, null);
    assertArrayEquals(
        new byte[] {1, 2, 3}, vfs.readExecutable(ctx, "/bin/../bin/prog", 10).bytes());
    assertEquals("/bin/prog", vfs.names().readlink(ctx, null, "/proc/self/exe"));
    InodeFile zero = (InodeFile) vfs.open(ctx, null, "/dev/zero", O_RDONLY, 0, 0);
    byte[] b = {9, 9};
    assertEquals(2, vfs.read(zero, 0, b, 2));
    assertArrayEquals(new byte[2], b);
    errno(Errno.EACCES, () -> vfs.names().mkdir(ctx, null, "/dev/x", 0755, 0));
    errno(Errno.EBUSY, () -> vfs.names().unlink(ctx, null, "/proc", true, 0));
  }

  /**
   * Random operations on random paths made of names, ".", "..", links and slashes: every call
   * either works or throws a SyscallError, and the host tree never changes.
   */
  @Test
  void randomOperationsOnRandomPathsNeverBreakTheTreeOrTouchTheHost() throws IOException {
    String[] parts = {
      "a.txt",
      "sub",
      "deeper",
      "f",
      "..",
      ".",
      "",
      "abs",
      "absdir",
      "rel",
      "up",
      "loop1",
      "toa",
      "new",
      "x",
      outside.toString().substring(1)
    };
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(12);
    byte[] buf = new byte[256];
    int worked = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder p = new StringBuilder(rnd.nextBoolean() ? "/" : "");
      for (int k = rnd.nextInt(1, 5); k > 0; k--) {
        p.append(parts[rnd.nextInt(parts.length)]).append(k > 1 ? "/" : "");
      }
      String path = p.toString();
      int flags =
          rnd.nextInt(1 << 20)
              & (Vfs.O_ACCMODE
                  | Vfs.O_CREAT
                  | Vfs.O_EXCL
                  | Vfs.O_TRUNC
                  | Vfs.O_APPEND
                  | Vfs.O_DIRECTORY
                  | Vfs.O_NOFOLLOW);
      try {
        switch (rnd.nextInt(9)) {
          case 0 -> {
            OpenFile f = vfs.open(ctx, null, path, flags, 0644, 0);
            if (f instanceof InodeFile file && !(file.inode instanceof Inode.Dir)) {
              if (file.writable()) {
                vfs.write(file, rnd.nextInt(10_000), buf, rnd.nextInt(buf.length), 0);
              }
              if (file.readable()) {
                vfs.read(file, rnd.nextInt(10_000), buf, buf.length);
              }
            } else if (f instanceof InodeFile) {
              vfs.readdir().getdents(f, rnd.nextInt(16, 4096));
            }
            f.release();
          }
          case 1 -> vfs.names().mkdir(ctx, null, path, 0755, 0);
          case 2 -> vfs.names().unlink(ctx, null, path, rnd.nextBoolean(), 0);
          case 3 ->
              vfs.names()
                  .rename(ctx, null, path, null, "/" + parts[rnd.nextInt(parts.length)], 0, 0);
          case 4 -> vfs.names().symlink(ctx, parts[rnd.nextInt(parts.length)], null, path, 0);
          case 5 -> vfs.attributes().stat(ctx, null, path, rnd.nextBoolean());
          case 6 -> vfs.readdir().chdir(ctx, path);
          case 7 -> vfs.names().readlink(ctx, null, path);
          default -> vfs.names().access(ctx, null, path, rnd.nextInt(8), rnd.nextBoolean());
        }
        worked++;
      } catch (SyscallError e) {
        assertTrue(e.errno() > 0, path);
      }
    }
    assertTrue(worked > 1000, worked + " calls worked");
    assertEquals("inside\n", Files.readString(root.resolve("a.txt")));
    assertEquals("deep\n", Files.readString(root.resolve("sub/deeper/f")));
    assertEquals("host secret\n", Files.readString(outside.resolve("secret.txt")));
    try (var walk = Files.walk(tmp)) {
      assertEquals(15, walk.count(), "the host tree: nothing added or removed");
    }
  }

  @Test
  void aNodeCostsNoMoreHeapThanItsCharge() {
    double perNode =
        HeapMeter.bytesPerObject(
            5_000,
            n -> {
              Inode.Dir dir = new Inode.Dir(0, 0755, 0, null, true);
              for (int i = 0; i < n; i++) {
                String name = String.format("%0" + Vfs.NAME_MAX + "d", i);
                Inode.Regular r =
                    new Inode.Regular(
                        i,
                        0644,
                        0,
                        FileData.empty(new FileData.Pages(KernelMemory.unaccounted(), 0), null, 1));
                r.parent = dir;
                r.name = name;
                dir.children.put(name, r);
              }
              return dir;
            });
    int charged = KernelMemory.Kind.INODE.bytes();
    assertTrue(perNode <= charged, "a node takes " + perNode + " bytes, charged " + charged);
  }
}
