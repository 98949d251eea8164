/**
 * Read-copy-update: readers that take no lock and writers that publish a new version, then wait (or
 * defer the free) until every reader that could see the old one has left.
 *
 * <p>Sits between {@code mm} (its first user: the VMA tree and page-table freeing) and {@code smp}
 * (harts, IPIs and waits it is built from).
 */
package hartlab.kernel.rcu;
