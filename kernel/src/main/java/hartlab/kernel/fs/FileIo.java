package hartlab.kernel.fs;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/**
 * Reading and writing open files (Linux's fs/read_write.c, fs/pipe.c and the tty's read and write):
 * the console and pipes. Data moves between user memory and the file through {@link UserMemory}; a
 * call that must wait sleeps the calling task through {@link Waits}.
 *
 * <p>Runs on the calling task's hart with its mm loaded.
 */
public final class FileIo {
  private static final int IO_CHUNK = 64 * 1024;
  private static final int MAX_IOV = 1024;
  public static final int O_NONBLOCK = 0x800;

  /** A console read with nothing typed yet polls again after this much virtual time. */
  private static final long CONSOLE_POLL_CYCLES = 1_000_000;

  private final UserMemory user;
  private final Console console;
  private final Waits waits;

  public FileIo(UserMemory user, Console console, Waits waits) {
    this.user = user;
    this.console = console;
    this.waits = waits;
  }

  /** pipe2: a new pipe's read and write ends at the two lowest free descriptors. */
  public long pipe2(Hart hart, Mm mm, FileTable files, long fds, int flags) {
    if ((flags & ~(FileTable.O_CLOEXEC | O_NONBLOCK)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    user.checkWritable(hart, mm, fds, 8);
    Pipe pipe = new Pipe();
    boolean cloexec = (flags & FileTable.O_CLOEXEC) != 0;
    boolean nonBlocking = (flags & O_NONBLOCK) != 0;
    int r = files.install(new PipeEnd(pipe, false, nonBlocking, waits), cloexec);
    if (r < 0) {
      return r;
    }
    int w = files.install(new PipeEnd(pipe, true, nonBlocking, waits), cloexec);
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
    if (count < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    int n = (int) Math.min(count, IO_CHUNK);
    if (n == 0) {
      return 0;
    }
    user.checkWritable(hart, mm, buf, n);
    if (file instanceof PipeEnd end) {
      return readPipe(hart, mm, end, buf, n);
    }
    byte[] data = new byte[n];
    int got = console.read(data, 0, n);
    if (got < 0) {
      return waits.sleep(hart, null, true, hart.cycles() + CONSOLE_POLL_CYCLES, 0);
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
      int available = pipe.buffer.readableBytes();
      if (available == 0) {
        if (pipe.writeEnds == 0) {
          return 0;
        }
        if (end.nonBlocking) {
          throw SyscallError.of(Errno.EAGAIN);
        }
        return waits.sleep(hart, pipe.readers, true, Long.MAX_VALUE, 0);
      }
      data = new byte[Math.min(count, available)];
      pipe.buffer.readBytes(data);
      pipe.buffer.discardReadBytes();
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
    if (count < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (file instanceof PipeEnd end) {
      return writePipe(hart, mm, task, end, buf, count, mayBlock, brokenPipe);
    }
    return writeConsole(hart, mm, ((ConsoleFile) file).stream, buf, count);
  }

  /** Copies {@code count} bytes to the console; a fault after some progress is a short write. */
  private long writeConsole(Hart hart, Mm mm, int stream, long buf, long count) {
    long done = 0;
    byte[] chunk = new byte[(int) Math.min(count, IO_CHUNK)];
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
      console.write(stream, chunk, 0, n);
      done += n;
    }
    return done;
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
          if (end.nonBlocking || !mayBlock) {
            if (done > 0 || !end.nonBlocking) {
              return done;
            }
            throw SyscallError.of(Errno.EAGAIN);
          }
          task.setSyscallProgress(done);
          return waits.sleep(hart, pipe.writers, true, Long.MAX_VALUE, 0);
        }
        int written = Math.min(n, space);
        pipe.buffer.writeBytes(data, 0, written);
        waits.wakeAll(pipe.readers);
        done += written;
        if (done == count) {
          return done;
        }
      }
    }
  }

  /** writev: the segments in order, as one write; only the first may sleep. */
  public long writev(
      Hart hart, Mm mm, Sleeper task, OpenFile file, long iov, long iovcnt, Runnable brokenPipe) {
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
    }
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
