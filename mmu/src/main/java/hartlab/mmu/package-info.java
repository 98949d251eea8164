/**
 * Guest physical memory and address translation.
 *
 * <p>{@link hartlab.mmu.PhysicalMemory} is the machine's RAM: one off-heap Agrona buffer,
 * little-endian, with atomics for LR/SC, AMOs and A/D-bit updates. {@link
 * hartlab.mmu.FrameAllocator} hands out 4 KiB frames of it and can poison freed ones. Sv39 page
 * tables live in that RAM: {@link hartlab.mmu.PageTable} edits them for the kernel, {@link
 * hartlab.mmu.PageTableWalker} walks them as the hardware does (setting A/D with CAS). Each hart
 * owns one {@link hartlab.mmu.Mmu}: its {@code satp}, its ASID-tagged {@link hartlab.mmu.Tlb}, and
 * a one-entry cache per access kind in front of the TLB so the interpreter's common case is a
 * compare and an add. Everything here is hart-local except memory and the frame allocator.
 */
package hartlab.mmu;
