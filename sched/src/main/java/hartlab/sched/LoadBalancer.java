package hartlab.sched;

import static hartlab.sched.RunQueue.allows;
import static hartlab.sched.SchedEntity.QUEUED;
import static hartlab.sched.SchedEntity.stateOf;

/**
 * Moves waiting tasks between harts so that none idles while another has a queue: idle pull when a
 * hart finds nothing to run (Linux's newidle balance) and periodic balancing at ticks (Linux's
 * load_balance), both with task counts as the load and both honouring affinity.
 *
 * <p>Called on the thread of the hart that pulls. Takes two queue locks, the lower hart index
 * first, and re-checks under them what it chose without them.
 */
final class LoadBalancer {
  private final RunQueue[] rqs;
  private final Placement placement;

  LoadBalancer(RunQueue[] rqs, Placement placement) {
    this.rqs = rqs;
    this.placement = placement;
  }

  /**
   * Idle pull (Linux's newidle balance): take one task allowed on {@code dst}'s hart from the
   * busiest other hart that has one waiting, and run it. Harts are tried busiest first, lowest
   * index on ties; each is re-checked under both locks.
   */
  SchedEntity idlePull(RunQueue dst, long now) {
    long tried = 1L << dst.hart;
    for (; ; ) {
      RunQueue src = busiest(tried);
      if (src == null) {
        return null;
      }
      tried |= 1L << src.hart;
      RunQueue first = src.hart < dst.hart ? src : dst;
      RunQueue second = first == src ? dst : src;
      synchronized (first) {
        synchronized (second) {
          SchedEntity e = src.stealCandidate(dst.hart, now);
          if (e != null) {
            src.remove(e);
            placement.migrateVruntime(e, dst.hart); // against src's min_vruntime before it moves on
            src.updateMinVruntime();
            dst.idlePulls++;
            dst.startRunning(e, now);
            return e;
          }
        }
      }
    }
  }

  /**
   * The hart not in {@code exclude} with the most tasks and at least one waiting; lowest index on
   * ties.
   */
  private RunQueue busiest(long exclude) {
    RunQueue best = null;
    int bestLoad = -1;
    for (RunQueue rq : rqs) {
      if (allows(exclude, rq.hart) || rq.nrQueued == 0) {
        continue;
      }
      int load = rq.load();
      if (load > bestLoad) {
        best = rq;
        bestLoad = load;
      }
    }
    return best;
  }

  /**
   * Periodic load balancing for {@code dst}'s hart (Linux's load_balance, with task counts as the
   * load): find the busiest other hart and pull waiting tasks allowed here, back of its queue
   * first, cold before cache-hot, while it has more than one task more than this hart.
   */
  void balance(RunQueue dst, long now) {
    RunQueue src = busiest(1L << dst.hart);
    if (src == null || src.load() - dst.load() <= 1) {
      return;
    }
    RunQueue first = src.hart < dst.hart ? src : dst;
    RunQueue second = first == src ? dst : src;
    synchronized (first) {
      synchronized (second) {
        while (src.load() - dst.load() > 1) {
          SchedEntity e = src.stealCandidate(dst.hart, now);
          if (e == null) {
            break;
          }
          src.remove(e);
          placement.migrateVruntime(e, dst.hart);
          e.setState(stateOf(QUEUED, dst.hart));
          dst.enqueueMigrated(e);
          dst.balancePulls++;
        }
        src.updateMinVruntime();
        dst.updateMinVruntime();
      }
    }
  }
}
