/**
 * Run queues and scheduling policies, over the small {@link hartlab.sched.Schedulable} interface so
 * that nothing here knows kernel types. One {@link hartlab.sched.RunQueue} per hart holds the tasks
 * ready to run there; the kernel picks from its own hart's queue when it needs a task.
 */
package hartlab.sched;
