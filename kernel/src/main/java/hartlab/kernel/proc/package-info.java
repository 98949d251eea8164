/**
 * Tasks and processes, Linux's {@code kernel/fork.c}, {@code exit.c}, {@code signal.c}, {@code
 * futex/} and {@code fs/exec.c}: the {@link hartlab.kernel.proc.Task} (task_struct) and {@link
 * hartlab.kernel.proc.GuestProcess} (its thread group), the {@link
 * hartlab.kernel.proc.ProcessTable} (pids, the process tree, wait4), {@link
 * hartlab.kernel.proc.Fork}, {@link hartlab.kernel.proc.Exit}, {@link hartlab.kernel.proc.Execve},
 * {@link hartlab.kernel.proc.Futexes}, and signals: {@link hartlab.kernel.proc.Signals} (numbers
 * and default actions), {@link hartlab.kernel.proc.Sighand} (a process's actions and shared pending
 * set), {@link hartlab.kernel.proc.SignalSending} and {@link hartlab.kernel.proc.SignalDelivery}
 * (Linux riscv64's signal frame and rt_sigreturn).
 *
 * <p>Locking: the process tree and every process's task list are guarded by the table's lock, a
 * short lock taken before any wait-queue lock and never held across a wait. A process's signal
 * state (actions, the pending and blocked sets of it and its threads) is guarded by its {@code
 * Sighand}'s monitor, taken after the table's lock and never held across a user-memory access. A
 * futex's queue is checked and joined under the queue's monitor. Tasks sleep and wake only through
 * {@link hartlab.kernel.smp.Waits}: this package never calls the scheduler, which builds on it.
 * Depends on {@code tlb}, {@code mm}, {@code fs}, {@code smp}, {@code uapi}.
 */
package hartlab.kernel.proc;
