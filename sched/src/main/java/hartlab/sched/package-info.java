/**
 * Run queues, scheduling policies, load balancing and affinity for the harts, over the small {@link
 * hartlab.sched.Schedulable} interface so that nothing here knows kernel types.
 *
 * <p>A tour. Each kernel task owns a {@link hartlab.sched.SchedEntity}: its nice weight, affinity
 * mask, last hart, FAIR virtual runtime, and one atomic state word (blocked / queued on h / running
 * on h / running with a wake-up pending) through which the entity is handed from thread to thread.
 * The {@link hartlab.sched.Scheduler} keeps one {@code RunQueue} per hart, each with its own short
 * lock: {@code RrRunQueue} is a FIFO with a time slice (SCHED_RR), {@code FairRunQueue} a
 * vruntime-ordered set with a monotonic min_vruntime (CFS: weights from Linux's
 * sched_prio_to_weight, sleeper credit as in place_entity, tick and wakeup preemption as in
 * check_preempt_tick / wakeup_preempt_entity). The kernel drives it from the hart threads: {@code
 * wake} places a runnable task ({@code Placement}: previous hart if not much busier, else the least
 * loaded allowed one), {@code pickNext} hands the hart its next task (pulling one from the busiest
 * hart when idle, {@code LoadBalancer}), {@code requeue} / {@code block} / {@code exit} take the
 * current task off the hart, {@code tick} decides preemption and every few ticks balances load,
 * {@code dequeue} follows an affinity change or an exit. Affinity is honoured everywhere; {@link
 * hartlab.sched.SchedConfig} holds the tunables and {@link hartlab.sched.SchedStats} the counters
 * and the run-queue wait histogram. Given the same sequence of calls, everything is deterministic,
 * so lockstep runs reproduce.
 */
package hartlab.sched;
