package hartlab.tests.strategies;

import hartlab.kernel.tlb.shootdown.Shootdown;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;

/**
 * Broken on purpose, for the tests: like ipi-sync, but never interrupts the highest-numbered
 * target, which keeps its stale translations. The TLB coherence checker must catch it.
 */
public final class SkipsOneIpiShootdown implements ShootdownStrategy {
  @Override
  public String name() {
    return "test-skips-one-ipi";
  }

  @Override
  public String description() {
    return "BROKEN (tests only): ipi-sync that forgets the highest target";
  }

  @Override
  public void shootdown(Shootdown s) {
    long targets = s.targets();
    long forgotten = targets == 0 ? 0 : Long.highestOneBit(targets);
    s.flushLocal();
    s.await(s.sendIpis(targets & ~forgotten));
    s.release();
  }
}
