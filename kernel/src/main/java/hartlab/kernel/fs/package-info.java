/**
 * Files, Linux's {@code fs/}: a process's descriptor table ({@link hartlab.kernel.fs.FileTable}),
 * open file descriptions ({@link hartlab.kernel.fs.OpenFile}: the console and pipe ends) and their
 * count against file-max ({@link hartlab.kernel.fs.OpenFiles}), reading and writing them ({@link
 * hartlab.kernel.fs.FileIo}), the host {@link hartlab.kernel.fs.Console}, and the read-only {@link
 * hartlab.kernel.fs.RootFs} execve loads programs from.
 *
 * <p>What a guest can multiply here is charged to kernel memory ({@code mm.kmem}): descriptor
 * tables, open files, pipes, and the guest frames a pipe's data lives in, one per page of unread
 * data. The host is reached only through the console's two threads and bounded buffers: no hart
 * ever blocks on a host stream.
 *
 * <p>Locking: a descriptor table and a pipe are each guarded by their own monitor (short locks,
 * never held across a wait); a pipe's monitor is also the lock its waiters' conditions are checked
 * under, so a wake-up cannot be lost. Depends on {@code mm} (user memory), {@code smp} (sleeping)
 * and {@code uapi}.
 */
package hartlab.kernel.fs;
