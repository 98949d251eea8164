/**
 * Files, Linux's {@code fs/}: a process's descriptor table ({@link hartlab.kernel.fs.FileTable}),
 * open file descriptions ({@link hartlab.kernel.fs.OpenFile}: the console and pipe ends), reading
 * and writing them ({@link hartlab.kernel.fs.FileIo}), the host {@link hartlab.kernel.fs.Console},
 * and the read-only {@link hartlab.kernel.fs.RootFs} execve loads programs from.
 *
 * <p>Locking: a descriptor table and a pipe are each guarded by their own monitor (short locks,
 * never held across a wait); a pipe's monitor is also the lock its waiters' conditions are checked
 * under, so a wake-up cannot be lost. Depends on {@code mm} (user memory), {@code smp} (sleeping)
 * and {@code uapi}.
 */
package hartlab.kernel.fs;
