package hartlab.kernel.proc;

import hartlab.cpu.Hart;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.uapi.SyscallError;

/**
 * do_exit's process half (Linux's kernel/exit.c): clear_child_tid with its futex wake, exit_mm, and
 * exit_notify through the process table. The scheduler has already taken the task off its hart.
 */
public final class Exit {
  private final UserMemory user;
  private final Futexes futexes;
  private final MmSwitch mmSwitch;
  private final ProcessTable processes;

  public Exit(UserMemory user, Futexes futexes, MmSwitch mmSwitch, ProcessTable processes) {
    this.user = user;
    this.futexes = futexes;
    this.mmSwitch = mmSwitch;
    this.processes = processes;
  }

  /** Ends {@code task} on {@code hart}. True when it was the machine's last task. */
  public boolean exitTask(Hart hart, Task task) {
    task.state = Task.State.DEAD;
    processes.releaseVfork(task);
    if (task.clearChildTid != 0) {
      try {
        user.putInt(hart, task.mm, task.clearChildTid, 0);
        futexes.wake(hart, task.mm, task.clearChildTid, 1);
      } catch (SyscallError e) {
        // A bad clear_child_tid address is ignored, as in Linux.
      }
    }
    mmSwitch.exitMm(hart, task.mm);
    return processes.taskExited(task, task.exitCode);
  }
}
