/**
 * Files, Linux's {@code fs/}: the file tree ({@link hartlab.kernel.fs.Vfs}: open, read, write;
 * {@link hartlab.kernel.fs.Names}, {@link hartlab.kernel.fs.Attributes}, {@link
 * hartlab.kernel.fs.Readdir}: names, attributes, directories; a host directory given with --root,
 * read-only beneath an in-memory layer, or the built-in images, with /dev and /proc mounted over
 * it; /proc's entries are the processes of the moment, which the process table shows it through
 * {@link hartlab.kernel.fs.ProcessView}), a file's bytes ({@link hartlab.kernel.fs.FileData},
 * copied up into guest frames when written), a process's place in the tree ({@link
 * hartlab.kernel.fs.FsContext}), a process's descriptor table ({@link
 * hartlab.kernel.fs.FileTable}), open file descriptions ({@link hartlab.kernel.fs.OpenFile}: the
 * console, pipe ends and files of the tree) and their count against file-max ({@link
 * hartlab.kernel.fs.OpenFiles}), reading, writing and polling them ({@link
 * hartlab.kernel.fs.FileIo}), and the host {@link hartlab.kernel.fs.Console}.
 *
 * <p>What a guest can multiply here is charged to kernel memory ({@code mm.kmem}): descriptor
 * tables, open files, pipes, the nodes of the tree, and the guest frames pipe data and written file
 * data live in. The host is reached only through the console's two threads and bounded buffers, and
 * through reads of the regular files and directories under --root, each found by the tree's own
 * lookup without following a host link: no hart blocks on a host stream, and no guest path names a
 * host file outside the root.
 *
 * <p>Locking: the tree has one lock, the Vfs's monitor; a descriptor table and a pipe are each
 * guarded by their own monitor (short locks, never held across a wait); a pipe's monitor is also
 * the lock its waiters' conditions are checked under, so a wake-up cannot be lost. Depends on
 * {@code mm} (user memory, the VMA tree for /proc/PID/maps), {@code smp} (sleeping) and {@code
 * uapi}.
 */
package hartlab.kernel.fs;
