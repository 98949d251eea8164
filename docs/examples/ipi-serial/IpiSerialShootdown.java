import hartlab.kernel.tlb.shootdown.Shootdown;
import hartlab.kernel.tlb.shootdown.ShootdownStrategy;

/**
 * An example of a user strategy (see README.md, "Adding a shootdown strategy"): interrupts the
 * targets one at a time, waiting for each before the next, as a kernel without multicast IPIs
 * would. Compare it with ipi-sync to see what multicast buys.
 */
public final class IpiSerialShootdown implements ShootdownStrategy {
  @Override
  public String name() {
    return "ipi-serial";
  }

  @Override
  public String description() {
    return "example user strategy: one IPI at a time, waiting for each";
  }

  @Override
  public void shootdown(Shootdown s) {
    s.flushLocal();
    for (long m = s.targets(); m != 0; m &= m - 1) {
      s.await(s.sendIpis(Long.lowestOneBit(m)));
    }
    s.release();
  }
}
