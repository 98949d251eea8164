package hartlab.kernel.tlb.shootdown;

/** Hardware broadcast invalidation (as arm64's TLBI IS): no IPIs, one fixed cost per operation. */
public final class BroadcastShootdown implements ShootdownStrategy {
  @Override
  public String name() {
    return "broadcast";
  }

  @Override
  public String description() {
    return "hardware broadcast invalidation: no IPIs, a fixed cost per operation";
  }

  @Override
  public void shootdown(Shootdown s) {
    s.flushLocal();
    s.broadcast(s.targets());
    s.release();
  }
}
