/**
 * The kernel, written in Java and running on the hart threads: each hart's thread is that CPU's
 * kernel context, entered through {@link hartlab.cpu.TrapHandler} on every trap.
 *
 * <p>A tour: {@link hartlab.kernel.Machine} builds the board (RAM, harts, kernel) and runs a guest
 * to its end. {@link hartlab.kernel.Kernel} picks tasks, switches address spaces, dispatches traps.
 * {@code Exec} turns an ELF image into an {@link hartlab.kernel.Mm}; {@code AddressSpace} holds
 * mmap/munmap/mprotect/brk; {@code PageFaults} does demand paging; {@code UserMemory} is
 * copy_from_user/copy_to_user through the hart's MMU; {@code TlbFlush} is the single entry point
 * for invalidating translations; {@code Syscalls} is the table of system calls.
 */
package hartlab.kernel;
