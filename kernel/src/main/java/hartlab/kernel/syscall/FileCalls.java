package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileIo;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.mm.VmaLocks;
import hartlab.kernel.proc.GuestProcess;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.Signals;
import hartlab.kernel.proc.Task;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Descriptor and I/O calls: openat, read, write, writev, close, dup, dup3, pipe2. */
final class FileCalls {
  private static final int O_ACCMODE = 3, O_RDONLY = 0;
  private static final Pattern PROC_MAPS = Pattern.compile("/proc/(self|[0-9]{1,9})/maps");

  private final FileIo io;
  private final ProcessTable processes;
  private final UserMemory user;
  private final MmSwitch mmSwitch;
  private final VmaLocks vmaLocks;

  FileCalls(
      FileIo io, ProcessTable processes, UserMemory user, MmSwitch mmSwitch, VmaLocks vmaLocks) {
    this.io = io;
    this.processes = processes;
    this.user = user;
    this.mmSwitch = mmSwitch;
    this.vmaLocks = vmaLocks;
  }

  /**
   * openat: only {@code /proc/self/maps} and {@code /proc/PID/maps} can be opened for now (there is
   * no file system to open anything else from: ENOENT), read-only (EACCES otherwise).
   */
  long openat(Hart hart, Task task) {
    String path = user.getString(hart, task.mm, arg(hart, 1), RootFs.PATH_MAX, Errno.ENAMETOOLONG);
    int flags = (int) arg(hart, 2);
    Matcher m = PROC_MAPS.matcher(path);
    if (!m.matches()) {
      throw SyscallError.of(Errno.ENOENT);
    }
    GuestProcess p =
        m.group(1).equals("self") ? task.process : processes.find(Long.parseLong(m.group(1)));
    Mm target = p == null ? null : p.mm;
    if (target == null) {
      throw SyscallError.of(Errno.ENOENT);
    }
    if ((flags & O_ACCMODE) != O_RDONLY) {
      throw SyscallError.of(Errno.EACCES);
    }
    return io.openProcMaps(
        target, mmSwitch, vmaLocks, task.process.files, (flags & FileTable.O_CLOEXEC) != 0);
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

  /** A write to a pipe nobody reads: SIGPIPE, whose default action ends the writer's process. */
  private Runnable sigpipe(Task task) {
    return () ->
        processes.endGroup(
            task.process,
            Signals.SIGPIPE,
            task.process + " killed by SIGPIPE: write to a pipe with no reader");
  }
}
