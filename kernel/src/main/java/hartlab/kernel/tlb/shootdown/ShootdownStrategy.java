package hartlab.kernel.tlb.shootdown;

/**
 * How the kernel makes other harts drop translations after it changed a page table: the thing
 * people compare with hartlab. Chosen with {@code --shootdown NAME}; built-in strategies and any
 * found on the class path through {@link java.util.ServiceLoader} (a jar listing its class in
 * {@code META-INF/services/hartlab.kernel.tlb.shootdown.ShootdownStrategy}) are selectable by name.
 *
 * <p>Implementations must be stateless or thread-safe: one instance serves every hart.
 */
public interface ShootdownStrategy {
  /** The name {@code --shootdown} selects it by: lower case, words joined by dashes. */
  String name();

  /** One line for listings. */
  String description();

  /**
   * Runs on the initiating hart after the page-table change, with the mm's mmap lock held. Must see
   * to it that no hart keeps using the changed translations, and call {@link Shootdown#release()}
   * exactly once, when the memory the change freed may be reused.
   */
  void shootdown(Shootdown s);

  /**
   * The kernel is about to map {@code [p.start(), p.end())} again (mmap, MAP_FIXED, mremap, brk)
   * while flushes this strategy deferred for it are still pending on some harts: a hart that still
   * caches the old translation would read the old frame through the new mapping. The default
   * completes them first. A strategy that defers must keep this guarantee some way.
   */
  default void beforeReuse(Shootdown.Pending p) {
    p.complete();
  }
}
