/**
 * System calls: the one {@link hartlab.kernel.syscall.SyscallTable} of riscv64 numbers, names,
 * argument shapes and handlers, the entry point {@link hartlab.kernel.syscall.Syscalls} the trap
 * handler calls, and thin handler classes per area (files, memory, processes, time, futex, system
 * information) that read the arguments and call the subsystem that does the work.
 *
 * <p>Handlers run on the calling task's hart with its mm loaded, holding no lock. They return the
 * result, throw {@link hartlab.kernel.uapi.SyscallError} for {@code -errno}, or return {@link
 * hartlab.kernel.smp.Waits#BLOCKED} after the task went to sleep (the call then restarts or
 * completes with the waker's result). This package may use every subsystem; only the kernel's trap
 * entry uses it.
 */
package hartlab.kernel.syscall;
