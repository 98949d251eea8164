package hartlab.kernel.tlb;

/**
 * What the TLB code needs to know of the scheduler: whether a hart runs a task right now. A hart
 * with an mm loaded and no task holds that mm only lazily. A racy view, as Linux's is.
 */
@FunctionalInterface
public interface CpuStates {
  boolean runsTask(int hart);
}
