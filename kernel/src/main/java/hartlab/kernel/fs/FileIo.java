package hartlab.kernel.fs;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.smp.Halt;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.PhysicalMemory;

/**
 * Reading and writing open files (Linux's fs/read_write.c, fs/pipe.c and the tty's read and write):
 * the console and pipes. Data moves between user memory and the file through {@link UserMemory}; a
 * call that must wait sleeps the calling task through {@link Waits}.
 *
 * <p>The console's output buffer is the one thing here that waits for the host: when it is full (a
 * host reader that stopped reading), a lockstep hart waits for it in host time, without its clock
 * or anyone else's moving, so the run stays reproducible, and a parallel hart waits at most a
 * millisecond before putting the writer to sleep in virtual time; both give up when the run ends
 * (--timeout), so host output can never hold a hart past it.
 *
 * <p>Runs on the calling task's hart with its mm loaded.
 */
public final class FileIo {
  private static final int IO_CHUNK = 64 * 1024;
  private static final int MAX_IOV = 1024;
  public static final int O_NONBLOCK = 0x800;

  /** A console read with nothing typed yet polls again after this much virtual time. */
  private static final long CONSOLE_POLL_CYCLES = 1_000_000;

  /** In parallel mode, how long a console write waits in host time before its task sleeps. */
  private static final long CONSOLE_SPIN_NANOS = 1_000_000;

  private final UserMemory user;
  private final Console console;
  private final Waits waits;
  private final OpenFiles openFiles;
  private final PhysicalMemory memory;
  private final Halt halt;
  private final boolean lockstep;
  private final Vfs vfs;

  /**
   * @param lockstep whether harts take turns: a console write then waits for the host holding its
   *     turn, so that virtual time does not depend on how fast the host reads
   */
  public FileIo(
      UserMemory user,
      Console console,
      Waits waits,
      OpenFiles openFiles,
      PhysicalMemory memory,
      Halt halt,
      boolean lockstep,
      Vfs vfs) {
    this.user = user;
    this.console = console;
    this.waits = waits;
    this.openFiles = openFiles;
    this.memory = memory;
    this.halt = halt;
    this.lockstep = lockstep;
    this.vfs = vfs;
  }

  /**
   * access_ok: whether {@code [addr, addr+size)} lies in user space, both taken as unsigned, as the
   * kernel checks a buffer before read or write touch it (so count -1 is EFAULT, not EINVAL).
   */
  static boolean accessOk(long addr, long size) {
    return Long.compareUnsigned(size, Mm.TASK_SIZE) <= 0
        && Long.compareUnsigned(addr, Mm.TASK_SIZE - size) <= 0;
  }

  /**
   * pipe2: a new pipe's read and write ends at the two lowest free descriptors. As in Linux's
   * create_pipe_files, the pipe's inode is ENFILE when kernel memory cannot hold it, each end
   * ENFILE past file-max (or ENOMEM), and a full descriptor table EMFILE.
   */
  public long pipe2(Hart hart, Mm mm, FileTable files, long fds, int flags) {
    if ((flags & ~(FileTable.O_CLOEXEC | O_NONBLOCK)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    user.checkWritable(hart, mm, fds, 8);
    openFiles.kmem().charge(KernelMemory.Kind.PIPE, Errno.ENFILE);
    Pipe pipe = new Pipe(openFiles.kmem(), memory);
    boolean cloexec = (flags & FileTable.O_CLOEXEC) != 0;
    boolean nonBlocking = (flags & O_NONBLOCK) != 0;
    PipeEnd readEnd;
    PipeEnd writeEnd;
    try {
      readEnd = new PipeEnd(openFiles, pipe, false, nonBlocking, waits);
    } catch (SyscallError e) {
      synchronized (pipe) {
        pipe.free(); // no end was made: nothing else will free it
      }
      throw e;
    }
    try {
      writeEnd = new PipeEnd(openFiles, pipe, true, nonBlocking, waits);
    } catch (SyscallError e) {
      readEnd.release(); // the last end closing frees the pipe
      throw e;
    }
    int r = files.install(readEnd, cloexec);
    if (r < 0) {
      writeEnd.release();
      return r;
    }
    int w = files.install(writeEnd, cloexec);
    if (w < 0) {
      files.close(r);
      return w;
    }
    user.putInt(hart, mm, fds, r);
    user.putInt(hart, mm, fds + 4, w);
    return 0;
  }

  public long read(Hart hart, Mm mm, OpenFile file, long buf, long count) {
    if (!file.readable()) {
      throw SyscallError.of(Errno.EBADF);
    }
    if (!accessOk(buf, count)) {
      throw SyscallError.of(Errno.EFAULT);
    }
    int n = (int) Math.min(count, IO_CHUNK);
    if (n == 0) {
      return 0;
    }
    user.checkWritable(hart, mm, buf, n);
    if (file instanceof InodeFile f) {
      long pos = vfs.position(f, false);
      int got = readAt(hart, mm, f, pos, buf, n);
      vfs.advance(f, pos, got);
      return got;
    }
    if (file instanceof PipeEnd end) {
      return readPipe(hart, mm, end, buf, n);
    }
    if (file instanceof ProcMapsFile maps) {
      byte[] text = maps.read(hart, n);
      user.copyToUser(hart, mm, buf, text, 0, text.length);
      return text.length;
    }
    byte[] data = new byte[n];
    int got = console.read(data, 0, n);
    if (got < 0) {
      return waits.sleep(hart, null, true, hart.cycles() + CONSOLE_POLL_CYCLES, Waits.RESTART);
    }
    user.copyToUser(hart, mm, buf, data, 0, got);
    return got;
  }

  /**
   * Reads what the pipe holds (at least a byte); EOF once no writer is left; otherwise sleeps and
   * reads again, or EAGAIN on a non-blocking end.
   */
  private long readPipe(Hart hart, Mm mm, PipeEnd end, long buf, int count) {
    Pipe pipe = end.pipe;
    byte[] data;
    synchronized (pipe) {
      int available = pipe.readableBytes();
      if (available == 0) {
        if (pipe.writeEnds == 0) {
          return 0;
        }
        if (end.nonBlocking()) {
          throw SyscallError.of(Errno.EAGAIN);
        }
        return waits.sleep(hart, pipe.readers, true, Long.MAX_VALUE, 0);
      }
      data = new byte[Math.min(count, available)];
      pipe.read(data);
      waits.wakeAll(pipe.writers);
    }
    user.copyToUser(hart, mm, buf, data, 0, data.length);
    return data.length;
  }

  /**
   * Writes to a file; only with {@code mayBlock} may it sleep (else a full pipe takes 0 bytes).
   * {@code brokenPipe} runs when the pipe has no reader left (the caller's SIGPIPE).
   */
  public long write(
      Hart hart,
      Mm mm,
      Sleeper task,
      OpenFile file,
      long buf,
      long count,
      boolean mayBlock,
      Runnable brokenPipe) {
    if (!file.writable()) {
      throw SyscallError.of(Errno.EBADF);
    }
    if (!accessOk(buf, count)) {
      throw SyscallError.of(Errno.EFAULT);
    }
    if (file instanceof InodeFile f) {
      long pos = vfs.position(f, true);
      long n = writeAt(hart, mm, f, pos, buf, count);
      vfs.advance(f, pos, (int) n);
      return n;
    }
    if (file instanceof ProcMapsFile) {
      throw SyscallError.of(Errno.EINVAL); // open for writing by root, but it has no write
    }
    if (file instanceof PipeEnd end) {
      return writePipe(hart, mm, task, end, buf, count, mayBlock, brokenPipe);
    }
    return writeConsole(
        hart, mm, task, ((ConsoleFile) file).writeStream(), buf, count, mayBlock, brokenPipe);
  }

  /**
   * Copies {@code count} bytes to the console; a fault after some progress is a short write. When
   * the console's buffer is full the write waits (see the class comment); a task that sleeps for it
   * resumes from {@link Sleeper#syscallProgress}, and a write that may not block returns what it
   * wrote. A host stream that broke is the writer's errno, with SIGPIPE ({@code brokenPipe}) for a
   * reader that went away, as a write to a closed pipe would give under qemu-user.
   */
  private long writeConsole(
      Hart hart,
      Mm mm,
      Sleeper task,
      int stream,
      long buf,
      long count,
      boolean mayBlock,
      Runnable brokenPipe) {
    long done = mayBlock ? task.syscallProgress() : 0;
    byte[] chunk = new byte[(int) Math.min(Math.max(count - done, 0), IO_CHUNK)];
    while (done < count) {
      int n = (int) Math.min(count - done, chunk.length);
      try {
        user.copyFromUser(hart, mm, buf + done, chunk, 0, n);
      } catch (SyscallError e) {
        if (done > 0) {
          return done;
        }
        throw e;
      }
      for (int off = 0; off < n; ) {
        int k = console.offer(stream, chunk, off, n - off);
        if (k < 0) {
          if (-k == Errno.EPIPE) {
            brokenPipe.run();
          }
          if (done + off > 0) {
            return done + off;
          }
          throw SyscallError.of(-k);
        }
        off += k;
        if (off < n && !awaitConsole(stream)) {
          if (!mayBlock || halt.stopping()) {
            return done + off;
          }
          task.setSyscallProgress(done + off);
          return waits.sleep(hart, null, true, hart.cycles() + CONSOLE_POLL_CYCLES, Waits.RESTART);
        }
      }
      done += n;
    }
    return done;
  }

  /** Waits in host time for room in the console's buffer: see the class comment. */
  private boolean awaitConsole(int stream) {
    return console.awaitRoom(
        stream, halt::stopping, lockstep ? Long.MAX_VALUE : CONSOLE_SPIN_NANOS);
  }

  /**
   * Writes into a pipe as Linux does: up to PIPE_BUF bytes all at once or not at all; more in
   * pieces, sleeping whenever the pipe is full until every byte is written (the restarted call
   * resumes from {@link Sleeper#syscallProgress}). A non-blocking end, or a write that may not
   * block, returns what it wrote so far (EAGAIN if nothing). With no reader left the writer gets
   * SIGPIPE ({@code brokenPipe}), whose default action kills it, and EPIPE.
   */
  private long writePipe(
      Hart hart,
      Mm mm,
      Sleeper task,
      PipeEnd end,
      long buf,
      long count,
      boolean mayBlock,
      Runnable brokenPipe) {
    Pipe pipe = end.pipe;
    long done = mayBlock ? task.syscallProgress() : 0;
    boolean atomic = count <= Pipe.PIPE_BUF;
    for (; ; ) {
      int n = (int) Math.min(count - done, Pipe.CAPACITY);
      byte[] data = new byte[n];
      try {
        user.copyFromUser(hart, mm, buf + done, data, 0, n);
      } catch (SyscallError e) {
        if (done > 0) {
          return done;
        }
        throw e;
      }
      synchronized (pipe) {
        if (pipe.readEnds == 0) {
          brokenPipe.run();
          if (done > 0) {
            return done;
          }
          throw SyscallError.of(Errno.EPIPE);
        }
        if (n == 0) {
          return done;
        }
        int space = pipe.space();
        if (atomic ? space < n : space == 0) {
          if (end.nonBlocking() || !mayBlock) {
            if (done > 0 || !end.nonBlocking()) {
              return done;
            }
            throw SyscallError.of(Errno.EAGAIN);
          }
          task.setSyscallProgress(done);
          return waits.sleep(hart, pipe.writers, true, Long.MAX_VALUE, 0);
        }
        int want = Math.min(n, space);
        int written = pipe.reserve(want);
        if (written < want && (atomic || written == 0)) {
          // pipe_write could not get a page: what was written so far, or ENOMEM
          if (done > 0) {
            return done;
          }
          throw SyscallError.of(Errno.ENOMEM);
        }
        pipe.write(data, 0, written);
        waits.wakeAll(pipe.readers);
        done += written;
        if (done == count || written < want) {
          return done;
        }
      }
    }
  }

  /** Reads a file of the tree at {@code pos} into user memory: one chunk at most. */
  private int readAt(Hart hart, Mm mm, InodeFile f, long pos, long buf, int n) {
    byte[] data = new byte[n];
    int got = vfs.read(f, pos, data, n);
    user.copyToUser(hart, mm, buf, data, 0, got);
    return got;
  }

  /**
   * Writes user memory into a file of the tree at {@code pos} (-1: at its end), chunk by chunk; a
   * fault or a full machine after some progress is a short write.
   */
  private long writeAt(Hart hart, Mm mm, InodeFile f, long pos, long buf, long count) {
    byte[] chunk = new byte[(int) Math.min(count, IO_CHUNK)];
    long done = 0;
    while (done < count) {
      int n = (int) Math.min(count - done, chunk.length);
      int k;
      try {
        user.copyFromUser(hart, mm, buf + done, chunk, 0, n);
        k = vfs.write(f, pos < 0 ? -1 : pos + done, chunk, n, RootFs.EPOCH_NS + hart.cycles());
      } catch (SyscallError e) {
        if (done > 0) {
          return done;
        }
        throw e;
      }
      done += k;
      if (k < n) {
        break;
      }
    }
    return done;
  }

  /** pread64: ESPIPE on a pipe or the console, which have no position. */
  public long pread(Hart hart, Mm mm, OpenFile file, long buf, long count, long offset) {
    InodeFile f = positional(file, file.readable(), buf, count, offset);
    int n = (int) Math.min(count, IO_CHUNK);
    return n == 0 ? 0 : readAt(hart, mm, f, offset, buf, n);
  }

  /** pwrite64: ESPIPE on a pipe or the console. */
  public long pwrite(Hart hart, Mm mm, OpenFile file, long buf, long count, long offset) {
    return writeAt(
        hart, mm, positional(file, file.writable(), buf, count, offset), offset, buf, count);
  }

  /**
   * The file a pread64 or pwrite64 works on, after its checks in Linux's order: EBADF when not open
   * for that, ESPIPE without a position, EINVAL for a negative offset, EFAULT for the buffer.
   */
  private static InodeFile positional(
      OpenFile file, boolean allowed, long buf, long count, long offset) {
    if (!allowed) {
      throw SyscallError.of(Errno.EBADF);
    }
    if (!(file instanceof InodeFile f)) {
      throw SyscallError.of(Errno.ESPIPE);
    }
    if (offset < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (!accessOk(buf, count)) {
      throw SyscallError.of(Errno.EFAULT);
    }
    return f;
  }

  /** lseek: ESPIPE on a pipe or the console; a maps file only rewinds (see its seek). */
  public long lseek(OpenFile file, long offset, int whence) {
    if (file instanceof ProcMapsFile maps) {
      return maps.seek(offset, whence);
    }
    if (!(file instanceof InodeFile f)) {
      throw SyscallError.of(Errno.ESPIPE);
    }
    return vfs.lseek(f, offset, whence);
  }

  /**
   * readv: the segments in order. A file of the tree fills them all (a short read stops it); a pipe
   * or the console reads into the first non-empty segment only, a short read POSIX allows, so that
   * only one read may sleep.
   */
  public long readv(Hart hart, Mm mm, OpenFile file, long iov, long iovcnt) {
    long[][] segs = iovecs(hart, mm, iov, iovcnt);
    long done = 0;
    for (int i = 0; i < segs[0].length; i++) {
      if (segs[1][i] == 0) {
        continue;
      }
      long n;
      try {
        n = read(hart, mm, file, segs[0][i], segs[1][i]);
      } catch (SyscallError e) {
        if (done > 0) {
          return done;
        }
        throw e;
      }
      if (n == Waits.BLOCKED || !(file instanceof InodeFile)) {
        return n;
      }
      done += n;
      if (n < segs[1][i]) {
        break;
      }
    }
    return done;
  }

  /** An iovec array's bases and lengths: EINVAL for a bad count or total, EFAULT for a bad base. */
  private long[][] iovecs(Hart hart, Mm mm, long iov, long iovcnt) {
    if (iovcnt < 0 || iovcnt > MAX_IOV) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long[] bases = new long[(int) iovcnt];
    long[] lengths = new long[(int) iovcnt];
    long total = 0;
    for (int i = 0; i < iovcnt; i++) {
      bases[i] = user.getLong(hart, mm, iov + 16L * i);
      lengths[i] = user.getLong(hart, mm, iov + 16L * i + 8);
      total += lengths[i];
      if (lengths[i] < 0 || total < 0) {
        throw SyscallError.of(Errno.EINVAL);
      }
      if (!accessOk(bases[i], lengths[i])) {
        throw SyscallError.of(Errno.EFAULT);
      }
    }
    return new long[][] {bases, lengths};
  }

  public static final int POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10;

  /** What poll would report for {@code file} now, of POLLIN, POLLOUT, POLLERR and POLLHUP. */
  public int pollEvents(OpenFile file) {
    if (file instanceof PipeEnd end) {
      Pipe pipe = end.pipe;
      synchronized (pipe) {
        if (end.writeEnd) {
          return pipe.readEnds == 0 ? POLLERR : pipe.space() >= Pipe.PIPE_BUF ? POLLOUT : 0;
        }
        return (pipe.readableBytes() > 0 ? POLLIN : 0) | (pipe.writeEnds == 0 ? POLLHUP : 0);
      }
    }
    if (file instanceof ConsoleFile c) {
      int ev = 0;
      if (c.readable() && console.readReady()) {
        ev |= POLLIN;
      }
      if (c.writable() && console.hasRoom(c.writeStream())) {
        ev |= POLLOUT;
      }
      return ev;
    }
    return (file.readable() ? POLLIN : 0) | (file.writable() ? POLLOUT : 0);
  }

  /** ioctl's TCGETS and TIOCGWINSZ: true if {@code file} is the console and it is a terminal. */
  public boolean isTerminal(OpenFile file) {
    return file instanceof ConsoleFile && console.terminal();
  }

  /** writev: the segments in order, as one write; only the first may sleep. */
  public long writev(
      Hart hart, Mm mm, Sleeper task, OpenFile file, long iov, long iovcnt, Runnable brokenPipe) {
    long[][] segs = iovecs(hart, mm, iov, iovcnt);
    long[] bases = segs[0];
    long[] lengths = segs[1];
    long done = 0;
    for (int i = 0; i < iovcnt; i++) {
      long n;
      try {
        n = write(hart, mm, task, file, bases[i], lengths[i], done == 0, brokenPipe);
      } catch (SyscallError e) {
        if (done > 0) {
          return done;
        }
        throw e;
      }
      if (n == Waits.BLOCKED) {
        return n; // only the first segment may sleep: nothing was written yet
      }
      done += n;
      if (n < lengths[i]) {
        break;
      }
    }
    return done;
  }
}
