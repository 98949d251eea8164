/**
 * Kernel memory, Linux's slab accounting ({@code mm/slab_common.c}, kmemcg's {@code
 * __GFP_ACCOUNT}): {@link hartlab.kernel.mm.kmem.KernelMemory}, the one budget every kernel object
 * a guest can multiply is charged to — tasks, processes, VMAs, descriptor tables, open files, pipes
 * and their pages (and, to come, queued signals). Futex waiters cost nothing apart: as in Linux
 * their entry lives in the waiting task (on its kernel stack), charged with the task.
 *
 * <p>The budget is the machine's RAM: charges take whole frames from the frame allocator, as a slab
 * takes pages, and stop at a reserve left to user pages and page tables (Linux's min_free_kbytes).
 * Each kind of object is charged a fixed size at least as large as the host heap it holds, so the
 * JVM heap guest-made kernel objects can take is bounded by {@code --mem} whatever the guest does,
 * and a lockstep run charges the same bytes every time. A refused charge is the caller's errno:
 * ENOMEM for VMAs, tasks and descriptor tables, ENFILE for pipes, ENOMEM from a pipe write that
 * could not get a page.
 *
 * <p>Used by {@code mm} (VMAs), {@code fs} (descriptor tables, files, pipes) and {@code proc}
 * (tasks, processes); uses only the frame allocator and {@code uapi}.
 */
package hartlab.kernel.mm.kmem;
