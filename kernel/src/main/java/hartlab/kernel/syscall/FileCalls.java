package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileIo;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.OpenFile;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.fs.Vfs;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.Signals;
import hartlab.kernel.proc.Task;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/**
 * Descriptor and I/O calls: read, write, their vector and positional forms, lseek, close, dup,
 * dup3, pipe2, fcntl, ioctl, fstat, getdents64, ftruncate.
 */
final class FileCalls {
  private static final int F_DUPFD = 0,
      F_GETFD = 1,
      F_SETFD = 2,
      F_GETFL = 3,
      F_SETFL = 4,
      F_GETLK = 5,
      F_SETLK = 6,
      F_SETLKW = 7,
      F_DUPFD_CLOEXEC = 1030,
      FD_CLOEXEC = 1,
      F_UNLCK = 2;
  private static final int TCGETS = 0x5401,
      TCSETS = 0x5402,
      TCSETSW = 0x5403,
      TCSETSF = 0x5404,
      TIOCGPGRP = 0x540F,
      TIOCSPGRP = 0x5410,
      TIOCGWINSZ = 0x5413;

  /** A terminal's settings as a fresh Linux tty has them (struct termios, 36 bytes on riscv64). */
  private static final byte[] TERMIOS = termios();

  private static final int GETDENTS_MAX = 64 * 1024;

  private final FileIo io;
  private final ProcessTable processes;
  private final Vfs vfs;
  private final UserMemory user;

  FileCalls(FileIo io, ProcessTable processes, Vfs vfs, UserMemory user) {
    this.io = io;
    this.processes = processes;
    this.vfs = vfs;
    this.user = user;
  }

  private static OpenFile file(Hart hart, Task task, int i) {
    return task.process.files.get(fd(hart, i));
  }

  /**
   * A descriptor argument: an unsigned int in Linux, so the upper half of the register is ignored.
   */
  private static long fd(Hart hart, int i) {
    return arg(hart, i) & 0xFFFF_FFFFL;
  }

  long dup(Hart hart, Task task) {
    return task.process.files.dup(fd(hart, 0));
  }

  long dup3(Hart hart, Task task) {
    return task.process.files.dup3(fd(hart, 0), fd(hart, 1), (int) arg(hart, 2));
  }

  long close(Hart hart, Task task) {
    task.process.files.close(fd(hart, 0));
    return 0;
  }

  long pipe2(Hart hart, Task task) {
    return io.pipe2(hart, task.mm, task.process.files, arg(hart, 0), (int) arg(hart, 1));
  }

  long read(Hart hart, Task task) {
    return io.read(hart, task.mm, task.process.files.get(fd(hart, 0)), arg(hart, 1), arg(hart, 2));
  }

  long write(Hart hart, Task task) {
    return io.write(
        hart,
        task.mm,
        task,
        task.process.files.get(fd(hart, 0)),
        arg(hart, 1),
        arg(hart, 2),
        true,
        sigpipe(task));
  }

  long writev(Hart hart, Task task) {
    return io.writev(
        hart,
        task.mm,
        task,
        task.process.files.get(fd(hart, 0)),
        arg(hart, 1),
        arg(hart, 2),
        sigpipe(task));
  }

  long readv(Hart hart, Task task) {
    return io.readv(hart, task.mm, file(hart, task, 0), arg(hart, 1), arg(hart, 2));
  }

  long pread64(Hart hart, Task task) {
    return io.pread(hart, task.mm, file(hart, task, 0), arg(hart, 1), arg(hart, 2), arg(hart, 3));
  }

  long pwrite64(Hart hart, Task task) {
    return io.pwrite(hart, task.mm, file(hart, task, 0), arg(hart, 1), arg(hart, 2), arg(hart, 3));
  }

  long lseek(Hart hart, Task task) {
    return io.lseek(file(hart, task, 0), arg(hart, 1), (int) arg(hart, 2));
  }

  long fstat(Hart hart, Task task) {
    byte[] st = vfs.attributes().stat(file(hart, task, 0)).toStat();
    user.copyToUser(hart, task.mm, arg(hart, 1), st, 0, st.length);
    return 0;
  }

  /** getdents64: at most 64 KiB of entries per call, however large the buffer. */
  long getdents64(Hart hart, Task task) {
    OpenFile dir = file(hart, task, 0);
    long count = arg(hart, 2) & 0xFFFF_FFFFL;
    user.checkWritable(hart, task.mm, arg(hart, 1), Math.min(count, GETDENTS_MAX));
    byte[] entries = vfs.readdir().getdents(dir, (int) Math.min(count, GETDENTS_MAX));
    user.copyToUser(hart, task.mm, arg(hart, 1), entries, 0, entries.length);
    return entries.length;
  }

  long ftruncate(Hart hart, Task task) {
    vfs.truncate(file(hart, task, 0), arg(hart, 1), RootFs.EPOCH_NS + hart.cycles());
    return 0;
  }

  /**
   * fcntl: duplicating, close-on-exec, status flags. Record locks are granted at once and F_GETLK
   * always finds the range unlocked: hartlab keeps no locks (one machine, advisory locks only).
   */
  long fcntl(Hart hart, Task task) {
    FileTable files = task.process.files;
    long fd = fd(hart, 0);
    int cmd = (int) arg(hart, 1);
    long a = arg(hart, 2);
    switch (cmd) {
      case F_DUPFD:
      case F_DUPFD_CLOEXEC:
        return files.dupFrom(fd, (int) a, cmd == F_DUPFD_CLOEXEC);
      case F_GETFD:
        return files.closeOnExec(fd) ? FD_CLOEXEC : 0;
      case F_SETFD:
        files.setCloseOnExec(fd, (a & FD_CLOEXEC) != 0);
        return 0;
      case F_GETFL:
        return files.get(fd).statusFlags();
      case F_SETFL:
        files.get(fd).setStatusFlags((int) a);
        return 0;
      case F_GETLK:
        files.get(fd);
        user.copyToUser(hart, task.mm, a, new byte[] {F_UNLCK, 0}, 0, 2);
        return 0;
      case F_SETLK:
      case F_SETLKW:
        files.get(fd);
        user.getLong(hart, task.mm, a); // the struct must be readable
        return 0;
      default:
        throw SyscallError.of(Errno.EINVAL);
    }
  }

  /** ioctl: the terminal calls on the console when it is a terminal; ENOTTY for anything else. */
  long ioctl(Hart hart, Task task) {
    OpenFile f = file(hart, task, 0);
    int request = (int) arg(hart, 1);
    long a = arg(hart, 2);
    if (!io.isTerminal(f)) {
      throw SyscallError.of(Errno.ENOTTY);
    }
    switch (request) {
      case TCGETS:
        user.copyToUser(hart, task.mm, a, TERMIOS, 0, TERMIOS.length);
        return 0;
      case TCSETS:
      case TCSETSW:
      case TCSETSF:
        user.getLong(hart, task.mm, a); // accepted and ignored: the host terminal keeps its mode
        return 0;
      case TIOCGWINSZ:
        user.copyToUser(hart, task.mm, a, new byte[] {24, 0, 80, 0, 0, 0, 0, 0}, 0, 8);
        return 0;
      case TIOCGPGRP:
        user.putInt(hart, task.mm, a, 1); // every process is in init's group
        return 0;
      case TIOCSPGRP:
        return 0;
      default:
        throw SyscallError.of(Errno.ENOTTY);
    }
  }

  private static byte[] termios() {
    byte[] t = new byte[36];
    int[] flags = {
      0x0500, 0x0005, 0x00bf, 0x8a3b
    }; // ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD, ...
    for (int i = 0; i < 4; i++) {
      for (int b = 0; b < 4; b++) {
        t[4 * i + b] = (byte) (flags[i] >>> (8 * b));
      }
    }
    byte[] cc = {3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16};
    System.arraycopy(cc, 0, t, 17, cc.length); // c_cc after c_line
    return t;
  }

  /** A write to a pipe nobody reads: SIGPIPE, whose default action ends the writer's process. */
  private Runnable sigpipe(Task task) {
    return () ->
        processes.endGroup(
            task.process,
            Signals.SIGPIPE,
            task.process + " killed by SIGPIPE: write to a pipe with no reader");
  }
}
