package hartlab.kernel;

import hartlab.cpu.Hart;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The active_mm checker: a hart holding, or switching away from, an mm whose memory was freed is a
 * use-after-free of that mm in a real kernel. The first violation stops the run with a report.
 */
final class ActiveMmChecker {
  private final Kernel kernel;
  private final boolean enabled;
  private final AtomicLong violations = new AtomicLong();

  ActiveMmChecker(Kernel kernel, boolean enabled) {
    this.kernel = kernel;
    this.enabled = enabled;
  }

  void switchingFrom(Hart hart, Mm prev, LazyTlbMode mode) {
    if (enabled && prev != null && prev.freed) {
      violations.incrementAndGet();
      kernel.violation(
          String.format(
              "active_mm checker: hart %d switches away from %s, whose memory was already freed "
                  + "(lazy TLB mode %s: the hart held it lazily without keeping it alive)",
              hart.id(), prev, mode.name().toLowerCase()));
    }
  }

  long violations() {
    return violations.get();
  }
}
