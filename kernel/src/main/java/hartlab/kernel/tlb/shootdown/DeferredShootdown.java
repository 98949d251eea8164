package hartlab.kernel.tlb.shootdown;

/**
 * Queue the invalidation and do not wait: every other hart applies it at its next kernel entry or
 * tick. The freed memory stays quarantined until all have, so nothing reuses a frame a stale
 * translation still reaches. Changes that revoke access the caller relies on at once (mprotect,
 * fork, copy-on-write) cannot wait: those go out as synchronous IPIs.
 */
public final class DeferredShootdown implements ShootdownStrategy {
  @Override
  public String name() {
    return "deferred";
  }

  @Override
  public String description() {
    return "queue the flush for each hart's next kernel entry or tick; memory quarantined until all applied";
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
}
