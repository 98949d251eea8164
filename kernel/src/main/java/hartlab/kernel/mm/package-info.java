/**
 * Address spaces, Linux's {@code mm/}: the {@link hartlab.kernel.mm.Mm} (mm_struct) with its VMAs
 * and mmap_lock, the page-fault handler ({@link hartlab.kernel.mm.PageFaults}, memory.c), the VMA
 * operations ({@link hartlab.kernel.mm.Mmap}, {@link hartlab.kernel.mm.Mprotect}, {@link
 * hartlab.kernel.mm.Mremap}, {@link hartlab.kernel.mm.Madvise}), fork's {@link
 * hartlab.kernel.mm.DupMmap}, exec's {@link hartlab.kernel.mm.BinfmtElf}, and copy_from_user /
 * copy_to_user ({@link hartlab.kernel.mm.UserMemory}). Its subpackage {@code kmem} is the kernel
 * memory every guest-made kernel object is charged to; VMAs are charged by their tree.
 *
 * <p>Locking: an mm's VMA tree and its page table below the root are guarded by its mmap lock,
 * taken for writing by the VMA operations and fork and for reading by faults. A task that finds it
 * taken sleeps ({@link hartlab.kernel.mm.MmapLocking#lockOrSleep}); a path already inside a syscall
 * spins. Frame reference counts ({@link hartlab.kernel.mm.FrameRefs}) are atomic.
 *
 * <p>After changing a page table this package asks the architecture, through {@link
 * hartlab.kernel.mm.TlbFlusher}, to shoot down stale translations, and hands it the memory the
 * change freed; it never frees a frame a TLB may still reach. It depends on {@code smp} (to wait)
 * and {@code uapi}; {@code tlb}, {@code proc} and the syscalls build on it.
 */
package hartlab.kernel.mm;
