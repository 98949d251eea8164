package hartlab.kernel.syscall;

import java.util.List;

/**
 * One row of the {@link SyscallTable}: the riscv64 (asm-generic) number, the name, the arguments'
 * shape and the handler.
 */
record Syscall(int number, String name, List<Arg> args, Handler handler) {
  /**
   * Runs a call on the hart's thread with the calling task current and its mm in satp. Returns the
   * result, throws {@link hartlab.kernel.uapi.SyscallError} for {@code -errno}, or returns {@link
   * hartlab.kernel.smp.Waits#BLOCKED} after putting the task to sleep, or {@link
   * SyscallTable#NO_RETURN} when the task is gone or its registers are already set.
   */
  @FunctionalInterface
  interface Handler {
    long call(hartlab.cpu.Hart hart, hartlab.kernel.proc.Task task);
  }
}
