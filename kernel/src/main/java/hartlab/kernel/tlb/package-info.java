/**
 * The architecture's side of address spaces, Linux's {@code arch/riscv/mm/tlbflush.c} and {@code
 * context.c}: the flush entry point {@link hartlab.kernel.tlb.TlbFlush} (flush_tlb_mm_range) with
 * its TLB generations, the pluggable shootdown strategies ({@code shootdown/}), the ASID allocator,
 * and {@link hartlab.kernel.tlb.MmSwitch} (switch_mm, lazy TLB, mmget/mmput/mmgrab/mmdrop).
 *
 * <p>Per-hart state ({@link hartlab.kernel.tlb.TlbState}: the loaded mm, a lazy reference, the
 * deferred flushes) is written by its own hart, except the deferred queue, which other harts fill.
 * An mm's TLB generation and cpumask are atomics; each hart writes only its own slot of the mm's
 * per-hart generations. The flush code runs on the initiating hart under the mm's mmap lock and
 * waits for other harts only through {@link hartlab.kernel.smp.Ipis}.
 *
 * <p>Checkers watch through {@link hartlab.kernel.tlb.TlbObserver}; the scheduler is seen only
 * through {@link hartlab.kernel.tlb.CpuStates}. Depends on {@code mm}, {@code smp}, {@code stats}.
 */
package hartlab.kernel.tlb;
