/**
 * TLB-shootdown strategies: the public interface a user strategy implements ({@link
 * hartlab.kernel.tlb.shootdown.ShootdownStrategy}), the primitives it composes ({@link
 * hartlab.kernel.tlb.shootdown.Shootdown}), and the five built-in strategies. The kernel's side of
 * a shootdown lives in {@code hartlab.kernel.tlb.TlbShootdown}.
 */
package hartlab.kernel.tlb.shootdown;
