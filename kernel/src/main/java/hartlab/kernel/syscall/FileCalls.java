package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.SyscallTable.arg;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileIo;
import hartlab.kernel.proc.ProcessTable;
import hartlab.kernel.proc.Signals;
import hartlab.kernel.proc.Task;

/** Descriptor and I/O calls: read, write, writev, close, dup, dup3, pipe2. */
final class FileCalls {
  private final FileIo io;
  private final ProcessTable processes;

  FileCalls(FileIo io, ProcessTable processes) {
    this.io = io;
    this.processes = processes;
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
