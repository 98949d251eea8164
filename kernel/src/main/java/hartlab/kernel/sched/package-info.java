/**
 * The scheduler core, Linux's {@code kernel/sched/core.c}: {@link
 * hartlab.kernel.sched.Schedule#schedule} and its context switch (pick, switch_mm, switch_to,
 * finish, each phase charged and recorded), ticks, preemption, yield, idle and exit; and {@link
 * hartlab.kernel.sched.SleepWake}, the sleeping and waking every subsystem below reaches through
 * {@link hartlab.kernel.smp.Waits}. Run-queue policies (fair, round-robin, placement, balancing)
 * live in the {@code hartlab.sched} module, which knows nothing of the kernel.
 *
 * <p>Per-hart state ({@code Rq}) is written by its own hart, except the woken-task hint, which a
 * waker leaves. A task's state changes from SLEEPING under the task's monitor, so exactly one waker
 * wins. Depends on {@code proc}, {@code tlb}, {@code mm}, {@code smp}, {@code stats}.
 */
package hartlab.kernel.sched;
