/**
 * Address spaces, Linux's {@code mm/}: the {@link hartlab.kernel.mm.Mm} (mm_struct) with its VMAs
 * and mmap_lock, the page-fault handler ({@link hartlab.kernel.mm.PageFaults}, memory.c), the VMA
 * operations ({@link hartlab.kernel.mm.Mmap}, {@link hartlab.kernel.mm.Mprotect}, {@link
 * hartlab.kernel.mm.Mremap}, {@link hartlab.kernel.mm.Madvise}), fork's {@link
 * hartlab.kernel.mm.DupMmap}, exec's {@link hartlab.kernel.mm.BinfmtElf}, and copy_from_user /
 * copy_to_user ({@link hartlab.kernel.mm.UserMemory}). Its subpackage {@code kmem} is the kernel
 * memory every guest-made kernel object is charged to; VMAs are charged by their tree.
 *
 * <p>Locking: an mm's VMA tree and its page table below the root are changed only under its mmap
 * lock held for writing (VMA operations, fork). Readers take no lock: faults find their area in the
 * RCU-walkable {@link hartlab.kernel.mm.VmaTree} and hold it by a per-VMA reference ({@link
 * hartlab.kernel.mm.VmaLocks}), falling back to the mmap lock for reading; writers write-lock the
 * areas whose page tables they change. A task that finds the mmap lock taken sleeps ({@link
 * hartlab.kernel.mm.MmapLocking#lockOrSleep}); a path already inside a syscall spins. Areas are
 * type-stable ({@link hartlab.kernel.mm.VmaPool}) and never change while in a tree. Frame reference
 * counts ({@link hartlab.kernel.mm.FrameRefs}) are atomic.
 *
 * <p>After changing a page table this package asks the architecture, through {@link
 * hartlab.kernel.mm.TlbFlusher}, to shoot down stale translations, and hands it the memory the
 * change freed; it never frees a frame a TLB may still reach. It depends on {@code smp} (to wait)
 * {@code rcu} and {@code uapi}; {@code tlb}, {@code fs}, {@code proc} and the syscalls build on it.
 */
package hartlab.kernel.mm;
