/**
 * Read-copy-update: readers that take no lock and writers that publish a new version, then wait (or
 * defer the free) until every reader that could see the old one has left.
 *
 * <p>{@link hartlab.kernel.rcu.Rcu} is what the rest of the kernel uses; {@link
 * hartlab.kernel.rcu.TreeRcu} implements it as Linux's Tree RCU does, with dyntick counters and a
 * grace-period state machine advanced by the harts' own hooks (kernel entry, return to user,
 * context switch, idle, spinning waits, tick): {@code TreeRcu} has the read side, the hooks and the
 * waits, {@code GracePeriods} the state machine, {@code RcuCallbacks} the callback lists and
 * barriers. {@link hartlab.kernel.rcu.RcuObject}s freed through it are poisoned, so the RCU checker
 * ({@code check}) sees readers that touch them; {@link hartlab.kernel.rcu.RcuTorture} exercises it
 * all, and {@link hartlab.kernel.rcu.RcuMode} selects the engine or a variant broken on purpose.
 *
 * <p>Sits between {@code mm} (its first user: the VMA tree and page-table freeing) and {@code smp}
 * (harts, IPIs and waits it is built from).
 */
package hartlab.kernel.rcu;
