package hartlab.kernel.fs;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.Errnos.errnoOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import org.junit.jupiter.api.Test;

/**
 * Descriptor tables: lowest free descriptor, dup and dup3 with close-on-exec, EMFILE, fork's copy
 * and CLONE_FILES sharing, and descriptions closed when their last descriptor goes.
 */
class FileTableTest {
  /** Waits that never sleep: descriptor tables only ever wake pipe waiters. */
  private static final Waits NO_WAITS =
      new Waits() {
        @Override
        public long sleep(
            hartlab.cpu.Hart hart,
            WaitQueue queue,
            boolean restart,
            long deadline,
            long timeoutResult) {
          throw new AssertionError("nothing here sleeps");
        }

        @Override
        public long sleepUninterruptible(hartlab.cpu.Hart hart, WaitQueue queue, boolean restart) {
          throw new AssertionError("nothing here sleeps");
        }

        @Override
        public boolean wake(Sleeper task, long result) {
          return false;
        }

        @Override
        public void wakeAll(WaitQueue queue) {}

        @Override
        public void signalWake(Sleeper task) {}

        @Override
        public Sleeper current(hartlab.cpu.Hart hart) {
          throw new AssertionError("nothing here asks for the current task");
        }
      };

  private final OpenFiles open = OpenFiles.unaccounted();

  /** A pipe's two ends, charged as pipe2 charges them; no data goes through, so no RAM. */
  private PipeEnd[] pipe() {
    open.kmem().charge(KernelMemory.Kind.PIPE, Errno.ENFILE);
    Pipe p = new Pipe(open.kmem(), null);
    return new PipeEnd[] {
      new PipeEnd(open, p, false, false, NO_WAITS), new PipeEnd(open, p, true, false, NO_WAITS)
    };
  }

  @Test
  void theConsoleTableHasZeroOneAndTwo() {
    FileTable t = FileTable.withConsole();
    assertTrue(t.get(0).readable());
    assertTrue(t.get(1).writable() && t.get(2).writable());
    assertEquals(Errno.EBADF, errnoOf(() -> t.get(3)));
    assertEquals(Errno.EBADF, errnoOf(() -> t.get(-1)));
    assertEquals(Errno.EBADF, errnoOf(() -> t.get(FileTable.MAX_FDS)));
  }

  @Test
  void newDescriptorsTakeTheLowestFreeNumber() {
    FileTable t = FileTable.withConsole();
    PipeEnd[] p = pipe();
    assertEquals(3, t.install(p[0], false));
    assertEquals(4, t.install(p[1], false));
    t.close(1);
    assertEquals(1, t.dup(4), "dup takes the lowest free: 1");
    assertSame(p[1], t.get(1));
    assertEquals(Errno.EBADF, errnoOf(() -> t.close(1000)));
    assertEquals(Errno.EBADF, errno(() -> t.dup(77)));
  }

  @Test
  void dup3ReplacesTheTargetAndSetsCloseOnExecOnlyThere() {
    FileTable t = FileTable.withConsole();
    PipeEnd[] p = pipe();
    int r = t.install(p[0], false);
    int w = t.install(p[1], false);
    assertEquals(9, t.dup3(w, 9, FileTable.O_CLOEXEC));
    assertEquals(2, t.dup3(r, 2, 0), "replacing stderr");
    assertSame(p[0], t.get(2));
    assertEquals(Errno.EINVAL, errno(() -> t.dup3(r, r, 0)), "dup3 onto itself");
    assertEquals(Errno.EINVAL, errno(() -> t.dup3(r, 10, 0x1)), "unknown flag");
    assertEquals(Errno.EBADF, errno(() -> t.dup3(50, 10, 0)));
    assertEquals(Errno.EBADF, errno(() -> t.dup3(r, FileTable.MAX_FDS, 0)));
    assertEquals(Errno.EBADF, errno(() -> t.dup3(r, -1, 0)));
    t.closeOnExec();
    assertEquals(Errno.EBADF, errnoOf(() -> t.get(9)), "closed on exec");
    assertSame(p[1], t.get(w), "its original was not marked");
    assertEquals(1, p[1].pipe.writeEnds, "the description lives on in fd " + w);
  }

  @Test
  void aDescriptionIsClosedWhenItsLastDescriptorGoes() {
    FileTable t = FileTable.withConsole();
    PipeEnd[] p = pipe();
    int w = t.install(p[1], false);
    int copy = t.dup(w);
    t.close(w);
    assertEquals(1, p[1].pipe.writeEnds, "still open through the copy");
    t.close(copy);
    assertEquals(0, p[1].pipe.writeEnds, "last close");
    assertEquals(1, open.count(), "the read end, never installed, is still open");
    p[0].release();
    assertEquals(0, open.count());
    assertEquals(0, open.kmem().used(), "both ends closed: the pipe's charge went back too");
  }

  @Test
  void aFullTableIsEmfileAndReleasesWhatItCouldNotInstall() {
    FileTable t = FileTable.withConsole();
    PipeEnd[] p = pipe();
    int w = t.install(p[1], false);
    for (int fd = 4; fd < FileTable.MAX_FDS; fd++) {
      assertEquals(fd, t.dup(w));
    }
    assertEquals(-Errno.EMFILE, t.dup(w));
    PipeEnd[] q = pipe();
    assertEquals(-Errno.EMFILE, t.install(q[0], false));
    assertEquals(0, q[0].pipe.readEnds, "the refused description was released");
  }

  @Test
  void forksCopySharesDescriptionsButNotTheTable() {
    FileTable parent = FileTable.withConsole();
    PipeEnd[] p = pipe();
    int w = parent.install(p[1], true);
    FileTable child = parent.copy();
    assertSame(p[1], child.get(w));
    child.close(w);
    assertSame(p[1], parent.get(w), "the parent's descriptor is its own");
    assertEquals(1, p[1].pipe.writeEnds);
    child.closeOnExec();
    parent.closeOnExec();
    assertEquals(0, p[1].pipe.writeEnds, "close-on-exec was copied too");
  }

  @Test
  void aSharedTableClosesEverythingWithItsLastUser() {
    FileTable t = FileTable.withConsole();
    PipeEnd[] p = pipe();
    t.install(p[0], false);
    FileTable same = t.share();
    assertSame(t, same);
    t.drop();
    assertEquals(1, p[0].pipe.readEnds, "one user left");
    t.drop();
    assertEquals(0, p[0].pipe.readEnds, "closed with the last user");
    assertEquals(Errno.EBADF, errnoOf(() -> t.get(0)));
  }
}
