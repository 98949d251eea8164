package hartlab.kernel;

import hartlab.kernel.sched.Schedule;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.LockstepTurns;
import hartlab.kernel.tlb.TlbManagement;

/**
 * What lockstep asks of a parked hart: whether it has something to do, and when. The turn-taking is
 * built before the subsystems it asks about (they wait through it), so its sources are attached
 * once the kernel is wired, before the harts start.
 */
final class IdleWork implements LockstepTurns.Work {
  private Schedule schedule;
  private Ipis ipis;
  private TlbManagement tlb;

  void attach(Schedule schedule, Ipis ipis, TlbManagement tlb) {
    this.schedule = schedule;
    this.ipis = ipis;
    this.tlb = tlb;
  }

  @Override
  public boolean hasWork(int hart) {
    return schedule.hasWork(hart) || ipis.pending(hart) || tlb.flush().hasDeferred(hart);
  }

  @Override
  public boolean walksWhileIdle(int hart) {
    return tlb.walks().enabled() && tlb.states().activeMm(hart) != null;
  }

  @Override
  public long nextTimer() {
    return schedule.nextTimer();
  }

  @Override
  public long nextIpi(int hart) {
    return ipis.nextIpi(hart);
  }
}
