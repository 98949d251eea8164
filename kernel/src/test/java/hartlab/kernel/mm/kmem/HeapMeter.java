package hartlab.kernel.mm.kmem;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.function.IntFunction;

/**
 * Measures the host heap objects keep reachable, for the tests that hold each {@link
 * KernelMemory.Kind}'s charge to be at least that.
 */
public final class HeapMeter {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private HeapMeter() {}

  /**
   * Bytes of heap per object: {@code build.apply(n)} makes {@code n} objects and returns what keeps
   * them reachable; the least of three tries, each between full collections.
   */
  public static double bytesPerObject(int n, IntFunction<Object> build) {
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 3; round++) {
      long before = usedAfterGc();
      Object root = build.apply(n);
      long after = usedAfterGc();
      Reference.reachabilityFence(root);
      best = Math.min(best, (after - before) / (double) n);
    }
    return best;
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return MEMORY.getHeapMemoryUsage().getUsed();
  }
}
