package hartlab.kernel.fs;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.Errnos.errnoOf;
import static hartlab.kernel.KernelRig.PAGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.proc.Task;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Pipes through FileIo, between two threads of one process: the reader on hart 0, the writer on
 * hart 1, with their buffers in user memory. EOF, EAGAIN, EPIPE with the SIGPIPE callback, PIPE_BUF
 * atomicity, and a large write that sleeps part-way and resumes where it stopped.
 */
class PipeTest {
  private static final int BUFFER_PAGES = 40; // 160 KiB, more than a pipe holds

  private final KernelRig rig = KernelRig.of(2);
  private final FileIo io = rig.io;
  private final Hart rh = rig.hart(0), wh = rig.hart(1);
  private final Task reader = rig.runNewProcess(0);
  private final Task writer = rig.runOn(1, rig.newThread(reader));
  private final Mm mm = reader.mm;
  private final FileTable files = reader.process.files;
  private final UserMemory user = rig.vm.user();
  private final long rbuf = rig.mmapAnon(rh, mm, BUFFER_PAGES);
  private final long wbuf = rig.mmapAnon(rh, mm, BUFFER_PAGES);
  private final long fds = rig.mmapAnon(rh, mm, 1);
  private int brokenPipes;

  /** A pipe with {@code flags}; returns {read fd, write fd}. */
  private int[] pipe(int flags) {
    assertEquals(0, io.pipe2(rh, mm, files, fds, flags));
    return new int[] {user.getInt(rh, mm, fds), user.getInt(rh, mm, fds + 4)};
  }

  private long write(int fd, byte[] data) {
    user.copyToUser(wh, mm, wbuf, data, 0, data.length);
    return write(fd, data.length, true);
  }

  private long write(int fd, long count, boolean mayBlock) {
    return io.write(wh, mm, writer, files.get(fd), wbuf, count, mayBlock, () -> brokenPipes++);
  }

  private long read(int fd, long count) {
    return io.read(rh, mm, files.get(fd), rbuf, count);
  }

  private byte[] readBack(int n) {
    byte[] b = new byte[n];
    user.copyFromUser(rh, mm, rbuf, b, 0, n);
    return b;
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 13 + seed);
    }
    return b;
  }

  @Test
  void pipe2InstallsBothEndsAtTheLowestFreeDescriptors() {
    int[] p = pipe(0);
    assertEquals(3, p[0]);
    assertEquals(4, p[1]);
    assertTrue(files.get(p[0]).readable() && !files.get(p[0]).writable());
    assertTrue(files.get(p[1]).writable() && !files.get(p[1]).readable());
    assertEquals(Errno.EINVAL, errno(() -> io.pipe2(rh, mm, files, fds, 0x1)));
    assertEquals(Errno.EFAULT, errno(() -> io.pipe2(rh, mm, files, 0x10, 0)));
    assertEquals(5, pipe(FileTable.O_CLOEXEC)[0], "the refused calls installed nothing");
    files.closeOnExec();
    assertEquals(Errno.EBADF, errnoOf(() -> files.get(5)));
    assertEquals(Errno.EBADF, errnoOf(() -> files.get(6)));
    assertSame(PipeEnd.class, files.get(3).getClass(), "a plain pipe stays");
  }

  @Test
  void bytesComeOutInOrderAndAReadTakesWhatIsThere() {
    int[] p = pipe(0);
    byte[] data = "hello, pipe".getBytes(StandardCharsets.UTF_8);
    assertEquals(data.length, write(p[1], data));
    assertEquals(5, read(p[0], 5));
    assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), readBack(5));
    assertEquals(data.length - 5, read(p[0], 100), "the rest, not the count asked for");
    assertArrayEquals(", pipe".getBytes(StandardCharsets.UTF_8), readBack(6));
    assertEquals(0, read(p[0], 0), "reading nothing");
  }

  @Test
  void closingTheLastWriteEndIsEndOfFile() {
    int[] p = pipe(0);
    write(p[1], new byte[] {1, 2});
    int dup = files.dup(p[1]);
    files.close(p[1]);
    assertEquals(2, read(p[0], 10), "the data first");
    assertEquals(Waits.BLOCKED, read(p[0], 10), "a writer is left: wait");
    files.close(dup);
    assertEquals(Task.State.RUNNABLE, reader.state, "the last close woke the reader");
    rig.schedule.schedule(rh);
    assertEquals(0, read(p[0], 10), "EOF");
  }

  @Test
  void anEmptyPipeSleepsTheReaderUntilAWriteWakesIt() {
    int[] p = pipe(0);
    rh.setPc(0x10000);
    assertEquals(Waits.BLOCKED, read(p[0], 10));
    assertEquals(Task.State.SLEEPING, reader.state);
    assertEquals(0x10000, reader.pc, "read runs again when woken");
    write(p[1], new byte[] {9});
    assertEquals(Task.State.RUNNABLE, reader.state);
    rig.schedule.schedule(rh);
    assertEquals(1, read(p[0], 10));
  }

  @Test
  void nonBlockingEndsSayEagainInsteadOfSleeping() {
    int[] p = pipe(FileIo.O_NONBLOCK);
    assertEquals(Errno.EAGAIN, errno(() -> read(p[0], 10)));
    assertEquals(Task.State.RUNNING, reader.state);
    byte[] full = bytes(Pipe.CAPACITY, 1);
    user.copyToUser(wh, mm, wbuf, full, 0, full.length);
    assertEquals(Pipe.CAPACITY, write(p[1], Pipe.CAPACITY, true));
    assertEquals(Errno.EAGAIN, errno(() -> write(p[1], 1, true)), "full");
    assertEquals(100, read(p[0], 100));
    assertEquals(100, write(p[1], 5000, true), "more than PIPE_BUF: as much as fits");
    assertEquals(Task.State.RUNNING, writer.state);
  }

  @Test
  void writesUpToPipeBufAreAllOrNothing() {
    int[] p = pipe(FileIo.O_NONBLOCK);
    write(p[1], Pipe.CAPACITY - 100, true);
    assertEquals(
        Errno.EAGAIN, errno(() -> write(p[1], Pipe.PIPE_BUF, true)), "4096 bytes do not fit");
    assertEquals(100, write(p[1], 100, true), "100 bytes do");
    int[] q = pipe(0);
    write(q[1], Pipe.CAPACITY - 100, true);
    wh.setPc(0x20000);
    assertEquals(Waits.BLOCKED, write(q[1], Pipe.PIPE_BUF, true), "a blocking end waits");
    assertEquals(0, writer.syscallProgress(), "having written none of it");
    read(q[0], Pipe.PIPE_BUF); // room now: the writer is woken to try again
    assertEquals(Task.State.RUNNABLE, writer.state);
    rig.schedule.schedule(wh);
    assertEquals(Pipe.PIPE_BUF, write(q[1], Pipe.PIPE_BUF, true));
  }

  @Test
  void aWriteThatMayNotBlockReturnsZeroOnAFullPipe() {
    int[] p = pipe(0);
    write(p[1], Pipe.CAPACITY, true);
    assertEquals(0, write(p[1], 10, false), "a later writev segment");
    assertEquals(Task.State.RUNNING, writer.state);
  }

  @Test
  void aLargeWriteSleepsPartWayAndResumesWhereItStopped() {
    int[] p = pipe(0);
    byte[] data = bytes(100_000, 3);
    user.copyToUser(wh, mm, wbuf, data, 0, data.length);
    wh.setPc(0x20000);
    assertEquals(Waits.BLOCKED, write(p[1], data.length, true));
    assertEquals(Pipe.CAPACITY, writer.syscallProgress(), "64 KiB went in before it slept");
    assertEquals(Task.State.SLEEPING, writer.state);
    byte[] got = new byte[data.length];
    long n = read(p[0], 70_000);
    assertEquals(Pipe.CAPACITY, n);
    user.copyFromUser(rh, mm, rbuf, got, 0, (int) n);
    assertEquals(Task.State.RUNNABLE, writer.state, "the reader made room and woke it");
    rig.schedule.schedule(wh);
    assertEquals(0x20000, wh.pc(), "the write runs again");
    assertEquals(data.length, write(p[1], data.length, true), "and finishes: the whole count");
    long m = read(p[0], 70_000);
    assertEquals(data.length - Pipe.CAPACITY, m);
    user.copyFromUser(rh, mm, rbuf, got, (int) n, (int) m);
    assertArrayEquals(data, got, "every byte once, in order");
  }

  @Test
  void writingToAPipeNobodyReadsRaisesSigpipeAndFailsWithEpipe() {
    int[] p = pipe(0);
    files.close(p[0]);
    assertEquals(Errno.EPIPE, errno(() -> write(p[1], new byte[] {1})));
    assertEquals(1, brokenPipes, "SIGPIPE for the caller");
  }

  @Test
  void aWriterSleepingOnAFullPipeGetsEpipeWhenTheReaderGoes() {
    int[] p = pipe(0);
    byte[] data = bytes(Pipe.CAPACITY + 10, 5);
    user.copyToUser(wh, mm, wbuf, data, 0, data.length);
    assertEquals(Waits.BLOCKED, write(p[1], data.length, true));
    files.close(p[0]);
    assertEquals(Task.State.RUNNABLE, writer.state, "the last reader's close woke it");
    rig.schedule.schedule(wh);
    assertEquals(Pipe.CAPACITY, write(p[1], data.length, true), "what was written so far");
    assertEquals(1, brokenPipes);
  }

  @Test
  void wrongEndsAndBadCountsAreRefused() {
    int[] p = pipe(0);
    assertEquals(Errno.EBADF, errno(() -> read(p[1], 1)));
    assertEquals(Errno.EBADF, errno(() -> write(p[0], 1, true)));
    // A count past user space fails access_ok, which comes first, as in vfs_read and vfs_write.
    assertEquals(Errno.EFAULT, errno(() -> read(p[0], -1)));
    assertEquals(Errno.EFAULT, errno(() -> write(p[1], -1, true)));
    assertEquals(Errno.EFAULT, errno(() -> io.read(rh, mm, files.get(p[0]), 0x10, 1)));
    assertEquals(
        Errno.EFAULT,
        errno(() -> io.write(wh, mm, writer, files.get(p[1]), 0x10, 1, true, () -> {})));
  }

  @Test
  void writevWritesTheSegmentsInOrderAsOneWrite() {
    int[] p = pipe(0);
    long iov = wbuf + 20 * PAGE;
    user.copyToUser(wh, mm, wbuf, "abc".getBytes(StandardCharsets.UTF_8), 0, 3);
    user.copyToUser(wh, mm, wbuf + 100, "defg".getBytes(StandardCharsets.UTF_8), 0, 4);
    user.putLong(wh, mm, iov, wbuf);
    user.putLong(wh, mm, iov + 8, 3);
    user.putLong(wh, mm, iov + 16, wbuf + 100);
    user.putLong(wh, mm, iov + 24, 4);
    assertEquals(7, io.writev(wh, mm, writer, files.get(p[1]), iov, 2, () -> {}));
    assertEquals(7, read(p[0], 100));
    assertArrayEquals("abcdefg".getBytes(StandardCharsets.UTF_8), readBack(7));
    assertEquals(
        Errno.EINVAL, errno(() -> io.writev(wh, mm, writer, files.get(p[1]), iov, -1, null)));
    assertEquals(
        Errno.EINVAL, errno(() -> io.writev(wh, mm, writer, files.get(p[1]), iov, 1025, null)));
    user.putLong(wh, mm, iov + 16, 0x10); // a bad second segment: a short write, not an error
    assertEquals(3, io.writev(wh, mm, writer, files.get(p[1]), iov, 2, () -> {}));
  }

  @Test
  void theConsoleGetsWhatIsWrittenToDescriptorsOneAndTwo() {
    byte[] out = "out\n".getBytes(StandardCharsets.UTF_8);
    user.copyToUser(wh, mm, wbuf, out, 0, out.length);
    assertEquals(4, io.write(wh, mm, writer, files.get(1), wbuf, 4, true, () -> {}));
    assertEquals(2, io.write(wh, mm, writer, files.get(2), wbuf, 2, true, () -> {}));
    assertEquals("out\n", rig.stdout());
    assertEquals("ou", rig.stderr());
    assertEquals(Errno.EBADF, errno(() -> io.read(rh, mm, files.get(1), rbuf, 1)));
  }

  @Test
  void aPipesDataLivesInKernelMemoryOnlyWhileUnread() {
    long before = rig.kmem.used();
    int[] p = pipe(0);
    long empty = rig.kmem.used();
    assertEquals(
        KernelMemory.Kind.PIPE.bytes() + 2L * KernelMemory.Kind.FILE.bytes(),
        empty - before,
        "the pipe and its two ends, no data pages");
    assertEquals(3 * PAGE, write(p[1], bytes((int) (3 * PAGE), 9)));
    assertEquals(empty + 3 * PAGE, rig.kmem.used(), "three pages of unread data");
    assertEquals(3 * PAGE, read(p[0], 3 * PAGE));
    assertEquals(empty, rig.kmem.used(), "read: the pages went back");
    assertEquals(1, write(p[1], new byte[] {7}));
    files.close(p[0]);
    assertEquals(
        empty - KernelMemory.Kind.FILE.bytes(),
        rig.kmem.used(),
        "no reader left: its end and the unread byte's page went");
    files.close(p[1]);
    assertEquals(before, rig.kmem.used(), "both ends closed: nothing left");
  }
}
