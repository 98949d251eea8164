package hartlab.kernel;

import hartlab.cpu.Hart;
import java.util.List;

/** read, write, writev, close, dup, dup3 and pipe2 over the console and pipes. */
final class FileSyscalls {
  private static final int IO_CHUNK = 64 * 1024;
  private static final int MAX_IOV = 1024;
  private static final int O_NONBLOCK = 0x800;

  /** A console read with nothing typed yet polls again after this much virtual time. */
  private static final long CONSOLE_POLL_CYCLES = 1_000_000;

  private final Kernel kernel;
  private final UserMemory user;
  private final Console console;
  private final ProcessTable processes;

  FileSyscalls(Kernel kernel, UserMemory user, Console console, ProcessTable processes) {
    this.kernel = kernel;
    this.user = user;
    this.console = console;
    this.processes = processes;
  }

  List<Syscalls.Entry> entries() {
    return List.of(
        new Syscalls.Entry(23, "dup", (h, t) -> t.process.files.dup(Syscalls.arg(h, 0))),
        new Syscalls.Entry(
            24,
            "dup3",
            (h, t) ->
                t.process.files.dup3(
                    Syscalls.arg(h, 0), Syscalls.arg(h, 1), (int) Syscalls.arg(h, 2))),
        new Syscalls.Entry(
            57,
            "close",
            (h, t) -> {
              t.process.files.close(Syscalls.arg(h, 0));
              return 0;
            }),
        new Syscalls.Entry(59, "pipe2", this::pipe2),
        new Syscalls.Entry(63, "read", this::read),
        new Syscalls.Entry(64, "write", this::write),
        new Syscalls.Entry(66, "writev", this::writev));
  }

  private long pipe2(Hart hart, Task task) {
    long fds = Syscalls.arg(hart, 0);
    int flags = (int) Syscalls.arg(hart, 1);
    if ((flags & ~(FileTable.O_CLOEXEC | O_NONBLOCK)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    user.checkWritable(hart, task.mm, fds, 8);
    Pipe pipe = new Pipe();
    boolean cloexec = (flags & FileTable.O_CLOEXEC) != 0;
    boolean nonBlocking = (flags & O_NONBLOCK) != 0;
    FileTable files = task.process.files;
    int r = files.install(new PipeEnd(pipe, false, nonBlocking, kernel), cloexec);
    if (r < 0) {
      return r;
    }
    int w = files.install(new PipeEnd(pipe, true, nonBlocking, kernel), cloexec);
    if (w < 0) {
      files.close(r);
      return w;
    }
    user.putInt(hart, task.mm, fds, r);
    user.putInt(hart, task.mm, fds + 4, w);
    return 0;
  }

  private long read(Hart hart, Task task) {
    OpenFile file = task.process.files.get(Syscalls.arg(hart, 0));
    long buf = Syscalls.arg(hart, 1);
    long count = Syscalls.arg(hart, 2);
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
    user.checkWritable(hart, task.mm, buf, n);
    if (file instanceof PipeEnd end) {
      return readPipe(hart, task, end, buf, n);
    }
    byte[] data = new byte[n];
    int got = console.read(data, 0, n);
    if (got < 0) {
      return kernel.sleep(hart, task, null, true, hart.cycles() + CONSOLE_POLL_CYCLES, 0);
    }
    user.copyToUser(hart, task.mm, buf, data, 0, got);
    return got;
  }

  /**
   * Reads what the pipe holds (at least a byte); EOF once no writer is left; otherwise sleeps and
   * reads again, or EAGAIN on a non-blocking end.
   */
  private long readPipe(Hart hart, Task task, PipeEnd end, long buf, int count) {
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
        return kernel.sleep(hart, task, pipe.readers, true, Long.MAX_VALUE, 0);
      }
      data = new byte[Math.min(count, available)];
      pipe.buffer.readBytes(data);
      pipe.buffer.discardReadBytes();
      kernel.wakeAll(pipe.writers);
    }
    user.copyToUser(hart, task.mm, buf, data, 0, data.length);
    return data.length;
  }

  private long write(Hart hart, Task task) {
    return writeFile(
        hart,
        task,
        task.process.files.get(Syscalls.arg(hart, 0)),
        Syscalls.arg(hart, 1),
        Syscalls.arg(hart, 2),
        true);
  }

  /** Writes to a file; only with {@code mayBlock} may it sleep (else a full pipe takes 0 bytes). */
  private long writeFile(
      Hart hart, Task task, OpenFile file, long buf, long count, boolean mayBlock) {
    if (!file.writable()) {
      throw SyscallError.of(Errno.EBADF);
    }
    if (count < 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    if (file instanceof PipeEnd end) {
      return writePipe(hart, task, end, buf, count, mayBlock);
    }
    return writeConsole(hart, task, ((ConsoleFile) file).stream, buf, count);
  }

  /** Copies {@code count} bytes to the console; a fault after some progress is a short write. */
  private long writeConsole(Hart hart, Task task, int stream, long buf, long count) {
    long done = 0;
    byte[] chunk = new byte[(int) Math.min(count, IO_CHUNK)];
    while (done < count) {
      int n = (int) Math.min(count - done, chunk.length);
      try {
        user.copyFromUser(hart, task.mm, buf + done, chunk, 0, n);
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
   * resumes from {@link Task#syscallProgress}). A non-blocking end, or a write that may not block,
   * returns what it wrote so far (EAGAIN if nothing). With no reader left the writer gets SIGPIPE,
   * whose default action kills it, and EPIPE.
   */
  private long writePipe(
      Hart hart, Task task, PipeEnd end, long buf, long count, boolean mayBlock) {
    Pipe pipe = end.pipe;
    long done = mayBlock ? task.syscallProgress : 0;
    boolean atomic = count <= Pipe.PIPE_BUF;
    for (; ; ) {
      int n = (int) Math.min(count - done, Pipe.CAPACITY);
      byte[] data = new byte[n];
      try {
        user.copyFromUser(hart, task.mm, buf + done, data, 0, n);
      } catch (SyscallError e) {
        if (done > 0) {
          return done;
        }
        throw e;
      }
      synchronized (pipe) {
        if (pipe.readEnds == 0) {
          processes.endGroup(
              task.process,
              Signals.SIGPIPE,
              task.process + " killed by SIGPIPE: write to a pipe with no reader");
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
          task.syscallProgress = done;
          return kernel.sleep(hart, task, pipe.writers, true, Long.MAX_VALUE, 0);
        }
        int written = Math.min(n, space);
        pipe.buffer.writeBytes(data, 0, written);
        kernel.wakeAll(pipe.readers);
        done += written;
        if (done == count) {
          return done;
        }
      }
    }
  }

  private long writev(Hart hart, Task task) {
    OpenFile file = task.process.files.get(Syscalls.arg(hart, 0));
    long iov = Syscalls.arg(hart, 1);
    long iovcnt = Syscalls.arg(hart, 2);
    if (iovcnt < 0 || iovcnt > MAX_IOV) {
      throw SyscallError.of(Errno.EINVAL);
    }
    long[] bases = new long[(int) iovcnt];
    long[] lengths = new long[(int) iovcnt];
    long total = 0;
    for (int i = 0; i < iovcnt; i++) {
      bases[i] = user.getLong(hart, task.mm, iov + 16L * i);
      lengths[i] = user.getLong(hart, task.mm, iov + 16L * i + 8);
      total += lengths[i];
      if (lengths[i] < 0 || total < 0) {
        throw SyscallError.of(Errno.EINVAL);
      }
    }
    long done = 0;
    for (int i = 0; i < iovcnt; i++) {
      long n;
      try {
        n = writeFile(hart, task, file, bases[i], lengths[i], done == 0);
      } catch (SyscallError e) {
        if (done > 0) {
          return done;
        }
        throw e;
      }
      if (n == Syscalls.BLOCKED) {
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
