package hartlab.kernel.smp;

import hartlab.cpu.Hart;

/**
 * Told of every round of a spinning wait ({@link Ipis#spinUntil}): a hart that spins in the kernel
 * for another hart does nothing else meanwhile. RCU counts it as a quiescent state when the hart is
 * not inside a read-side section.
 */
@FunctionalInterface
public interface SpinObserver {
  /** {@code hart} spins, on its own thread, holding no host lock. */
  void spinning(Hart hart);
}
