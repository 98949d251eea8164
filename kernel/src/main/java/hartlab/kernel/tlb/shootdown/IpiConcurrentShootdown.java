package hartlab.kernel.tlb.shootdown;

/**
 * Send the IPIs first and flush locally while they are in flight, then wait (Linux's
 * native_flush_tlb_multi order).
 */
public final class IpiConcurrentShootdown implements ShootdownStrategy {
  @Override
  public String name() {
    return "ipi-concurrent";
  }

  @Override
  public String description() {
    return "send the IPIs, flush locally while they are in flight, then wait";
  }

  @Override
  public void shootdown(Shootdown s) {
    Shootdown.Acks acks = s.sendIpis(s.targets());
    s.flushLocal();
    s.await(acks);
    s.release();
  }
}
