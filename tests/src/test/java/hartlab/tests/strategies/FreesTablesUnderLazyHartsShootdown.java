package hartlab.tests.strategies;

import hartlab.kernel.tlb.shootdown.Shootdown;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;

/**
 * Broken on purpose, for the tests: lazy-skip that also skips lazy harts when page-table pages are
 * freed, so those pages are released while a lazy hart's page-walk cache still points at them. The
 * freed-page-table checker must catch its next (speculative) walk.
 */
public final class FreesTablesUnderLazyHartsShootdown implements ShootdownStrategy {
  @Override
  public String name() {
    return "test-frees-tables-under-lazy-harts";
  }

  @Override
  public String description() {
    return "BROKEN (tests only): lazy-skip even when page tables are freed";
  }

  @Override
  public void shootdown(Shootdown s) {
    long lazy = s.lazyTargets();
    Shootdown.Acks acks = s.sendIpis(s.targets() & ~lazy);
    s.flushLocal();
    s.await(acks);
    s.catchUpOnSwitch(lazy);
    s.release();
  }
}
