package hartlab.kernel.tlb.shootdown;

/** Flush locally, then IPI every other hart in mm_cpumask and wait for all of them. */
public final class IpiSyncShootdown implements ShootdownStrategy {
  @Override
  public String name() {
    return "ipi-sync";
  }

  @Override
  public String description() {
    return "flush locally, IPI every other hart in mm_cpumask, wait for all";
  }

  @Override
  public void shootdown(Shootdown s) {
    s.flushLocal();
    s.await(s.sendIpis(s.targets()));
    s.release();
  }
}
