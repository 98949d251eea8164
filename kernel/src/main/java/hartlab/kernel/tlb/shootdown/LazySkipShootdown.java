package hartlab.kernel.tlb.shootdown;

/**
 * Do not interrupt harts that hold the mm only lazily: they cannot use its user translations until
 * they switch back to it, and then they catch up from the mm's TLB generation (x86 Linux's
 * should_flush_tlb). Once page-table pages are freed that is no longer safe: a lazy hart's
 * page-walk cache or a speculative walk may still reach them, so then every hart gets the IPI.
 */
public final class LazySkipShootdown implements ShootdownStrategy {
  @Override
  public String name() {
    return "lazy-skip";
  }

  @Override
  public String description() {
    return "do not IPI lazy harts; they catch up from the TLB generation when they switch back";
  }

  @Override
  public void shootdown(Shootdown s) {
    long skip = s.freesPageTables() ? 0 : s.lazyTargets();
    Shootdown.Acks acks = s.sendIpis(s.targets() & ~skip);
    s.flushLocal();
    s.await(acks);
    s.catchUpOnSwitch(skip);
    s.release();
  }
}
