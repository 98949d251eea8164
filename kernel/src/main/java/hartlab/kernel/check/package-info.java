/**
 * The checkers: each watches one invariant the kernel must keep and is built to catch the
 * deliberately broken variants (unsafe lazy TLB, strategies that skip an IPI or free page tables
 * under lazy harts). Every {@link hartlab.kernel.check.Checker} registers the same way, through
 * {@link hartlab.kernel.check.CheckerHooks}, and reports to the one {@link
 * hartlab.kernel.check.Violations} sink, which counts violations by checker and stops the run.
 *
 * <p>The subsystems never call a checker by name: they expose hook points ({@link
 * hartlab.kernel.tlb.TlbObserver}, the MMU's {@link hartlab.mmu.TableReadCheck}) and this package
 * plugs into them, so it sits above {@code tlb}, {@code mm} and {@code smp}.
 */
package hartlab.kernel.check;
