package hartlab.tests.strategies;

import hartlab.kernel.tlb.shootdown.Shootdown;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;

/**
 * Broken on purpose, for the tests: the deferred strategy without its reuse barrier. An unmapped
 * range may be mapped again while a hart still caches the old translation, so that hart reads the
 * old frame through the new mapping. The stale-translation checker must catch it.
 */
public final class ReusesEarlyShootdown implements ShootdownStrategy {
  @Override
  public String name() {
    return "test-reuses-early";
  }

  @Override
  public String description() {
    return "BROKEN (tests only): deferred, and a range is reused before its flushes are done";
  }

  @Override
  public void shootdown(Shootdown s) {
    s.flushLocal();
    if (s.deferrable()) {
      s.defer(s.targets());
    } else {
      s.await(s.sendIpis(s.targets()));
    }
    s.release();
  }

  @Override
  public void beforeReuse(Shootdown.Pending p) {
    // Broken: the pending flushes are left to each hart's next kernel entry.
  }
}
