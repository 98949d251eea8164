/**
 * The kernel, written in Java and running on the hart threads: each hart's thread is that CPU's
 * kernel context, entered through {@link hartlab.cpu.TrapHandler} on every trap. {@link
 * hartlab.kernel.Machine} is the board (RAM, harts, their threads, the run's end); {@code Kernel}
 * is the trap entry; {@code Subsystems} wires the subsystems beneath it, each a subpackage named
 * after the Linux directory that holds the same code:
 *
 * <pre>
 *   syscall   the one system-call table and its handlers          (arch/riscv/kernel/syscall_table.c)
 *   check     the checkers and the violations sink
 *   sched     schedule(), context switch, sleeping and waking      (kernel/sched/core.c)
 *   proc      tasks, processes, fork, exit, execve, futex, signals (kernel/fork.c, exit.c, ...)
 *   fs        descriptor tables, pipes, console, root file system  (fs/)
 *   tlb       flush entry point, shootdown strategies, ASIDs,       (arch/riscv/mm/tlbflush.c,
 *             switch_mm and lazy TLB                                 context.c)
 *   mm        mm, VMAs, mmap_lock, page faults, user access, exec  (mm/, fs/binfmt_elf.c)
 *   smp       IPIs, turn-taking, wait queues, halting              (kernel/smp.c, sched/wait.c)
 *   stats     counters and latency histograms
 *   uapi      errno values
 * </pre>
 *
 * <p>A package may use those below it in this list and never one above, so there are no cycles:
 * {@code syscall} → {@code sched} → {@code proc} → {@code fs}, {@code tlb} → {@code mm} → {@code
 * smp} → {@code stats}, {@code uapi}; {@code check} plugs into hook points of {@code tlb} and the
 * MMU. Where a lower package must reach up (the memory code flushes TLBs, everything sleeps), it
 * defines a narrow interface that a higher one implements: {@link hartlab.kernel.mm.TlbFlusher},
 * {@link hartlab.kernel.smp.Waits}, {@link hartlab.kernel.tlb.CpuStates}. Nothing refers to {@code
 * Kernel} but the board. An architecture test in {@code tests} holds these rules.
 */
package hartlab.kernel;
