package hartlab.kernel.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Tracer} that keeps events in memory, per hart, up to a limit over all harts; later ones
 * are counted as dropped. Each hart's list is written by that hart's thread alone, so in lockstep
 * the lists (and the flow ids, numbered per sender) are the same on every run.
 */
public final class TraceRecorder implements Tracer {
  /** The kinds of event. */
  public enum Kind {
    RUNNING,
    SLICE,
    IPI_SENT,
    IPI_HANDLED,
    GRACE_PERIOD
  }

  /**
   * One event on {@code hart}'s timeline.
   *
   * @param flow the IPI's flow id for IPI events, the task id for RUNNING, the number of a grace
   *     period
   * @param target the IPI's target for IPI_SENT
   */
  public record Event(
      Kind kind,
      int hart,
      String category,
      String name,
      long start,
      long end,
      long flow,
      int target) {}

  private final List<List<Event>> harts = new ArrayList<>();
  private final long[] nextFlow;
  private final long limit;
  private final AtomicLong recorded = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  /** A recorder for {@code harts} harts keeping at most {@code limit} events. */
  public TraceRecorder(int harts, long limit) {
    for (int i = 0; i < harts; i++) {
      this.harts.add(new ArrayList<>());
    }
    this.nextFlow = new long[harts];
    this.limit = limit;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  private void add(Event e) {
    if (recorded.incrementAndGet() > limit) {
      recorded.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    List<Event> list = harts.get(e.hart());
    synchronized (list) {
      list.add(e);
    }
  }

  @Override
  public void running(int hart, long cycles, int tid, String name) {
    add(new Event(Kind.RUNNING, hart, "sched", name, cycles, cycles, tid, -1));
  }

  @Override
  public void slice(int hart, String category, String name, long start, long end) {
    add(new Event(Kind.SLICE, hart, category, name, start, end, 0, -1));
  }

  @Override
  public long ipiSent(int hart, int target, long cycles) {
    // Hart-local numbering: the sender's count of IPIs, tagged with the sender.
    long flow = ((long) (hart + 1) << 40) | ++nextFlow[hart];
    add(
        new Event(
            Kind.IPI_SENT, hart, "ipi", "IPI to hart " + target, cycles, cycles, flow, target));
    return flow;
  }

  @Override
  public void ipiHandled(int hart, long flow, String what, long start, long end) {
    add(new Event(Kind.IPI_HANDLED, hart, "ipi", what, start, end, flow, -1));
  }

  @Override
  public void gracePeriod(int hart, long number, long start, long end) {
    add(
        new Event(
            Kind.GRACE_PERIOD, hart, "rcu", "grace period " + number, start, end, number, -1));
  }

  /** Every hart's events in the order it recorded them; call once the run is over. */
  public List<List<Event>> events() {
    List<List<Event>> out = new ArrayList<>();
    for (List<Event> l : harts) {
      synchronized (l) {
        out.add(List.copyOf(l));
      }
    }
    return out;
  }

  /** Events not kept because the limit was reached. */
  public long dropped() {
    return dropped.get();
  }

  public int hartCount() {
    return harts.size();
  }
}
