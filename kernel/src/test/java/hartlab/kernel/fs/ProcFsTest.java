package hartlab.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.proc.Task;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PhysicalMemory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * /proc as part of the tree: {@code self} is a link to the caller's pid, a directory per process
 * not yet reaped comes and goes with it, and {@code maps} opens the lockless listing.
 */
class ProcFsTest {
  private static final int O_RDONLY = 0;

  /** A process table reduced to pids and their contexts, which a test changes at will. */
  static final class Processes implements ProcessView {
    final TreeMap<Integer, FsContext> live = new TreeMap<>();

    Processes(Map<Integer, FsContext> live) {
      this.live.putAll(live);
    }

    @Override
    public List<Entry> list() {
      List<Entry> out = new ArrayList<>();
      live.forEach((pid, fs) -> out.add(new Entry(pid, null, fs)));
      return out;
    }

    @Override
    public Entry find(int pid) {
      FsContext fs = live.get(pid);
      return fs == null ? null : new Entry(pid, null, fs);
    }
  }

  private static void errno(int expected, Executable call) {
    SyscallError e = assertThrows(SyscallError.class, call);
    assertEquals(expected, e.errno(), "errno");
  }

  /** The names getdents64 returns for {@code path}, in order, "." and ".." included. */
  static List<String> list(Vfs vfs, FsContext c, String path) {
    OpenFile dir = vfs.open(c, null, path, Vfs.O_DIRECTORY, 0, 0);
    List<String> names = new ArrayList<>();
    try {
      for (byte[] b; (b = vfs.readdir().getdents(dir, 4096)).length > 0; ) {
        for (int at = 0; at < b.length; ) {
          int reclen = (b[at + 16] & 0xFF) | (b[at + 17] & 0xFF) << 8;
          int end = at + 19;
          while (b[end] != 0) {
            end++;
          }
          names.add(new String(b, at + 19, end - at - 19, StandardCharsets.UTF_8));
          at += reclen;
        }
      }
    } finally {
      dir.release();
    }
    return names;
  }

  private static Vfs emptyTree() {
    PhysicalMemory memory = new PhysicalMemory(1 << 20);
    KernelMemory k = KernelMemory.of(new FrameAllocator(memory, 1, true));
    return new Vfs(RootFs.empty(), k, memory, new OpenFiles(k, 1 << 20), new RandomSource(1));
  }

  @Test
  void selfIsALinkToTheCallersPidAndEachProcessHasADirectory() {
    Vfs vfs = emptyTree();
    FsContext one = vfs.initContext("/bin/one", 1);
    FsContext seven = vfs.copy(one, 7);
    seven.setExe("/bin/seven");
    Processes processes = new Processes(Map.of(1, one, 7, seven));
    vfs.attachProcesses(processes, null, null);

    assertEquals("1", vfs.names().readlink(one, null, "/proc/self"));
    assertEquals("7", vfs.names().readlink(seven, null, "/proc/self"));
    assertEquals("/bin/seven", vfs.names().readlink(seven, null, "/proc/self/exe"));
    assertEquals("/bin/seven", vfs.names().readlink(one, null, "/proc/7/exe"));
    assertEquals(List.of(".", "..", "1", "7", "self"), list(vfs, one, "/proc"));
    assertEquals(List.of(".", "..", "exe", "maps"), list(vfs, one, "/proc/self/"));
    Kstat self = vfs.attributes().stat(one, null, "/proc/self", false);
    assertEquals(Inode.S_IFLNK, self.mode() & Inode.S_IFMT);
    Kstat maps = vfs.attributes().stat(one, null, "/proc/7/maps", true);
    assertEquals(Inode.S_IFREG | 0444, maps.mode());
    assertEquals(0, maps.size(), "a /proc file says it holds nothing, as Linux's do");
    assertEquals(
        vfs.attributes().stat(one, null, "/proc", true).dev(),
        maps.dev(),
        "/proc/PID is on the proc mount");
  }

  @Test
  void aReapedProcessIsGoneEvenThroughADescriptorHeldOnItsDirectory() {
    Vfs vfs = emptyTree();
    FsContext one = vfs.initContext("/bin/one", 1);
    Processes processes = new Processes(Map.of(1, one, 2, vfs.copy(one, 2)));
    vfs.attachProcesses(processes, null, null);
    OpenFile held = vfs.open(one, null, "/proc/2", Vfs.O_DIRECTORY, 0, 0);
    assertEquals("/bin/one", vfs.names().readlink(one, held, "exe"));

    processes.live.remove(2);
    assertEquals(List.of(".", "..", "1", "self"), list(vfs, one, "/proc"));
    errno(Errno.ENOENT, () -> vfs.open(one, null, "/proc/2/maps", O_RDONLY, 0, 0));
    errno(Errno.ESRCH, () -> vfs.names().readlink(one, held, "exe"));
    errno(Errno.ESRCH, () -> vfs.open(one, held, "maps", O_RDONLY, 0, 0));
    errno(Errno.ENOENT, () -> vfs.attributes().stat(one, null, "/proc/2", true));
    held.release();
    errno(Errno.ENOENT, () -> vfs.open(one, null, "/proc/99/maps", O_RDONLY, 0, 0));

    processes.live.put(3, vfs.copy(one, 3));
    assertEquals("/bin/one", vfs.names().readlink(one, null, "/proc/3/exe"), "found by lookup");
    errno(Errno.ENOENT, () -> vfs.attributes().stat(one, null, "/proc/03", true));
    errno(Errno.ENOENT, () -> vfs.attributes().stat(one, null, "/proc/+3", true));
    assertEquals(List.of(".", "..", "1", "3", "self"), list(vfs, one, "/proc"));
  }

  /** The errnos Linux gives root for what cannot be done in /proc (measured on Linux 6.18). */
  @Test
  void procRefusesChangesAsLinuxDoes() {
    Vfs vfs = emptyTree();
    FsContext one = vfs.initContext("/bin/one", 1);
    vfs.attachProcesses(new Processes(Map.of(1, one)), null, null);
    errno(Errno.ENOTDIR, () -> vfs.open(one, null, "/proc/self/maps/x", O_RDONLY, 0, 0));
    errno(Errno.ENOTDIR, () -> vfs.open(one, null, "/proc/self/maps", Vfs.O_DIRECTORY, 0, 0));
    errno(
        Errno.ENOENT,
        () -> vfs.open(one, null, "/proc/self/new", Vfs.O_CREAT | Vfs.O_WRONLY, 0644, 0));
    errno(Errno.ENOENT, () -> vfs.names().mkdir(one, null, "/proc/x", 0755, 0));
    errno(Errno.ENOENT, () -> vfs.names().symlink(one, "x", null, "/proc/self/y", 0));
    errno(Errno.EPERM, () -> vfs.names().unlink(one, null, "/proc/self/maps", false, 0));
    errno(Errno.EPERM, () -> vfs.names().unlink(one, null, "/proc/self", false, 0));
    errno(Errno.EPERM, () -> vfs.names().unlink(one, null, "/proc/1", true, 0));
    errno(Errno.EBUSY, () -> vfs.names().unlink(one, null, "/proc", true, 0));
    errno(Errno.EPERM, () -> vfs.attributes().chmod(one, null, "/proc/self/maps", true, 0600));
    errno(Errno.EISDIR, () -> vfs.open(one, null, "/proc/self", Vfs.O_WRONLY, 0, 0));
  }

  /** /proc/self/maps and /proc/PID/maps open the listing of that process's areas. */
  @Test
  void mapsOpensTheListingOfThatProcess() {
    KernelRig rig = KernelRig.of(2);
    Task a = rig.runNewProcess(0);
    Task b = rig.runNewProcess(1);
    Hart h = rig.hart(0);
    long mine = rig.mmapAnon(h, a.mm, 3);
    String line = String.format("%08x-%08x rw-p", mine, mine + 3 * KernelRig.PAGE);
    Vfs vfs = rig.vfs;

    ProcMapsFile self =
        assertInstanceOf(
            ProcMapsFile.class, vfs.open(a.process.fs, null, "/proc/self/maps", O_RDONLY, 0, 0));
    String text = new String(self.read(h, 4096), StandardCharsets.US_ASCII);
    self.release();
    assertTrue(text.contains(line), text);

    String path = "/proc/" + a.process.pid + "/maps";
    ProcMapsFile other = (ProcMapsFile) vfs.open(b.process.fs, null, path, O_RDONLY, 0, 0);
    assertEquals(text, new String(other.read(rig.hart(1), 4096), StandardCharsets.US_ASCII));
    other.release();
    ProcMapsFile bs = (ProcMapsFile) vfs.open(b.process.fs, null, "/proc/self/maps", 0, 0, 0);
    assertFalse(
        new String(bs.read(rig.hart(1), 4096), StandardCharsets.US_ASCII).contains(line),
        "b's maps are b's");
    bs.release();

    // Root may open it for writing, as in Linux; the write is EINVAL and reading is EBADF.
    OpenFile w = vfs.open(a.process.fs, null, "/proc/self/maps", Vfs.O_WRONLY, 0, 0);
    assertTrue(w.writable());
    assertFalse(w.readable());
    errno(Errno.EINVAL, () -> rig.io.write(h, a.mm, a, w, mine, 1, true, () -> {}));
    errno(Errno.EBADF, () -> rig.io.read(h, a.mm, w, mine, 1));
    assertEquals(Vfs.O_WRONLY, w.statusFlags() & Vfs.O_ACCMODE);
    w.release();
  }

  /** lseek rewinds a maps file (programs read it again that way) and reports where it stands. */
  @Test
  void mapsRewindsToItsStartAndRefusesOtherOffsets() {
    KernelRig rig = KernelRig.of(1);
    Task a = rig.runNewProcess(0);
    Hart h = rig.hart(0);
    rig.mmapAnon(h, a.mm, 2);
    ProcMapsFile maps =
        (ProcMapsFile) rig.vfs.open(a.process.fs, null, "/proc/self/maps", O_RDONLY, 0, 0);
    byte[] first = maps.read(h, 30);
    byte[] rest = maps.read(h, 4096);
    assertEquals(first.length + rest.length, rig.io.lseek(maps, 0, Vfs.SEEK_CUR));
    assertEquals(0, maps.read(h, 4096).length, "at the end");
    errno(Errno.EINVAL, () -> rig.io.lseek(maps, 5, Vfs.SEEK_SET));
    errno(Errno.EINVAL, () -> rig.io.lseek(maps, 0, Vfs.SEEK_END));
    errno(Errno.EINVAL, () -> rig.io.lseek(maps, -1, Vfs.SEEK_CUR));
    assertEquals(0, rig.io.lseek(maps, 0, Vfs.SEEK_SET));
    assertArrayEquals(first, maps.read(h, 30), "the listing again from its first byte");
    assertEquals(30, rig.io.lseek(maps, 30, Vfs.SEEK_SET), "where it stands: no move");
    maps.release();
  }

  /**
   * The first program may be started by a relative name (hartlab boot ./a.out); its exe link is
   * absolute all the same, as glibc's start-up asserts.
   */
  @Test
  void exeIsAbsoluteWhenTheFirstProgramIsNamedRelatively() {
    Vfs vfs = emptyTree();
    for (String[] c :
        new String[][] {
          {"./a.out", "/a.out"},
          {"a.out", "/a.out"},
          {"../../x/./y//z", "/x/y/z"},
          {"/bin/sh", "/bin/sh"}
        }) {
      FsContext init = vfs.initContext(c[0], 1);
      vfs.attachProcesses(new Processes(Map.of(1, init)), null, null);
      assertEquals(c[1], vfs.names().readlink(init, null, "/proc/self/exe"), c[0]);
    }
  }
}
