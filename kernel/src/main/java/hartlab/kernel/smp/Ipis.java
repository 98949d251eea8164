package hartlab.kernel.smp;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.HartCounters;
import hartlab.kernel.stats.Latency;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Inter-processor interrupts: per-hart mailboxes of {@link Ipi} calls (Agrona MPSC queues), the
 * sender's side (post, wait for acknowledgements) and the target's (handle at the next kernel
 * entry), and the spinning wait every hart-to-hart wait goes through.
 *
 * <p>A hart that waits for other harts keeps serving the IPIs addressed to itself, so two harts
 * shooting each other down cannot deadlock, and in lockstep hands its turn on, so the hart it waits
 * for gets to run. No host lock is held across a wait.
 */
public final class Ipis {
  /** Interrupt bits a hart is woken with. */
  public static final int IRQ_STOP = 1, IRQ_IPI = 2, IRQ_KICK = 4;

  private static final int MAILBOX_CAPACITY = 1024;

  /** One IPI on its way to one target: delivered, and handled, from virtual time {@code at}. */
  /** An IPI on its way to one target; {@code flow} names it in a trace. */
  private record Delivery(Ipi ipi, long at, long flow) {}

  private final Hart[] harts;
  private final ManyToOneConcurrentArrayQueue<Delivery>[] mailboxes;
  private final Turns turns;
  private final CostModel cost;
  private final Counters counters;
  private final Halt halt;

  /** Set while wiring, before the harts start. */
  private SpinObserver spinObserver = hart -> {};

  /**
   * Lockstep: an IPI is handled when its target's clock reaches its delivery time. Parallel: as
   * soon as the target notices it, whatever the clocks say (they run free).
   */
  private final boolean timed;

  @SuppressWarnings({"unchecked", "rawtypes"})
  public Ipis(
      Hart[] harts, Turns turns, CostModel cost, Counters counters, Halt halt, boolean timed) {
    this.harts = harts;
    this.timed = timed;
    this.turns = turns;
    this.cost = cost;
    this.counters = counters;
    this.halt = halt;
    this.mailboxes = new ManyToOneConcurrentArrayQueue[harts.length];
    for (int i = 0; i < harts.length; i++) {
      mailboxes[i] = new ManyToOneConcurrentArrayQueue<>(MAILBOX_CAPACITY);
    }
  }

  /**
   * Runs {@code call} on every hart in {@code mask} (never this one) by IPI and, with {@code wait},
   * returns once all have run it. Returns the IPI (null if there was no target). Runs on {@code
   * from}'s thread.
   */
  public Ipi send(Hart from, long mask, Ipi.Call call, String what, boolean wait) {
    Ipi ipi = post(from, mask, call, what, false);
    if (ipi != null && wait) {
      await(from, ipi);
    }
    return ipi;
  }

  /** Tells {@code observer} of every round of a spinning wait; while wiring. */
  public void observeSpins(SpinObserver observer) {
    this.spinObserver = observer;
  }

  /**
   * Hardware broadcast invalidation: each target runs {@code call} at its next instruction
   * boundary; nobody pays IPI costs. Returns once all have.
   */
  public void broadcast(Hart from, long mask, Ipi.Call call) {
    counters.hart(from.id()).add(Counter.BROADCASTS);
    Ipi ipi = post(from, mask, call, "broadcast invalidation", true);
    await(from, ipi);
  }

  private Ipi post(Hart from, long mask, Ipi.Call call, String what, boolean hardware) {
    mask &= ~(1L << from.id());
    if (mask == 0) {
      return null;
    }
    Ipi ipi = new Ipi(call, what, Long.bitCount(mask), hardware, from.cycles());
    for (long m = mask; m != 0; m &= m - 1) {
      int target = Long.numberOfTrailingZeros(m);
      if (!hardware) {
        // Sends go out one after another; each is on its way while the next is sent.
        from.addCycles(cost.ipiSend());
        counters.hart(from.id()).add(Counter.IPIS_SENT);
      }
      long flow = hardware ? 0 : counters.tracer().ipiSent(from.id(), target, from.cycles());
      Delivery d = new Delivery(ipi, from.cycles() + (hardware ? 0 : cost.ipiDeliver()), flow);
      ManyToOneConcurrentArrayQueue<Delivery> box = mailboxes[target];
      while (!box.offer(d)) {
        handle(from);
        turns.pause(from, () -> box.size() < MAILBOX_CAPACITY, Turns.NO_TIME);
      }
      harts[target].raiseInterrupt(IRQ_IPI);
      turns.kick(target);
    }
    return ipi;
  }

  /**
   * Waits for every target of {@code ipi}; the sender's clock then stands at the latest time a
   * target finished, or later (in lockstep a waiting hart's clock does not run on while others take
   * their turns).
   */
  public void await(Hart from, Ipi ipi) {
    if (ipi == null) {
      return;
    }
    spinUntil(from, ipi::done, ipi::doneCycles);
  }

  /**
   * Runs the IPI calls delivered to {@code hart}, in arrival order. The target pays for handling.
   * It is stamped done at its delivery time plus the target's work for it. In lockstep it is
   * handled once the target's clock has reached its delivery time: a busy target runs user code no
   * further than {@link #nextIpi}, and an idle or waiting one gets the turn at that time. In
   * parallel mode the clocks run free, so it is handled as soon as the target notices it.
   */
  public void handle(Hart hart) {
    ManyToOneConcurrentArrayQueue<Delivery> box = mailboxes[hart.id()];
    HartCounters stats = counters.hart(hart.id());
    for (Delivery d; (d = box.peek()) != null && (!timed || d.at() <= hart.cycles()); ) {
      box.poll();
      Ipi ipi = d.ipi();
      long before = hart.cycles();
      if (!ipi.hardware) {
        hart.addCycles(cost.ipiHandle());
        stats.add(Counter.IPIS_RECEIVED);
      }
      ipi.call.run(hart);
      // Handled as if at its delivery: a target that ran past it within the lookahead is not
      // charged to the sender (the work itself lands on the target's own clock).
      long done = d.at() + (hart.cycles() - before);
      if (!ipi.hardware) {
        stats.record(Latency.IPI_CYCLES, done - ipi.sentCycles);
        stats.record(Latency.IPI_HOST_NANOS, System.nanoTime() - ipi.sentNanos);
        counters.tracer().ipiHandled(hart.id(), d.flow(), ipi.what, before, hart.cycles());
      }
      ipi.acknowledge(done);
    }
  }

  /** Whether IPIs wait in {@code hart}'s mailbox. */
  public boolean pending(int hart) {
    return !mailboxes[hart].isEmpty();
  }

  /**
   * Virtual time the first IPI in {@code hart}'s mailbox is delivered, MAX_VALUE if none. In
   * parallel mode, MAX_VALUE always: free-running harts take IPIs as they notice them.
   */
  public long nextIpi(int hart) {
    if (!timed) {
      return Long.MAX_VALUE;
    }
    Delivery d = mailboxes[hart].peek();
    return d == null ? Long.MAX_VALUE : d.at();
  }

  /**
   * A spinning wait: serves this hart's IPIs and, in lockstep, hands the turn on while it waits.
   * Returns early when the machine stops. {@code condition} is also asked from other harts'
   * threads: it must be cheap and free of side effects.
   */
  public void spinUntil(Hart hart, BooleanSupplier condition) {
    spinUntil(hart, condition, Turns.NO_TIME);
  }

  /**
   * As {@link #spinUntil(Hart, BooleanSupplier)}, where {@code readyAt} is the virtual time the
   * condition came true (a lock's release, the last acknowledgement): the waiting hart's clock
   * moves there, as it spun until then.
   */
  public void spinUntil(Hart hart, BooleanSupplier condition, LongSupplier readyAt) {
    while (!condition.getAsBoolean()) {
      handle(hart);
      spinObserver.spinning(hart);
      if (halt.stopping()) {
        return;
      }
      turns.pause(hart, condition, readyAt);
    }
    long at = readyAt.getAsLong();
    if (hart.cycles() < at) {
      hart.setCycles(at);
    }
  }

  /**
   * Lets {@code cycles} of virtual time pass on {@code hart} as if it stalled there, serving its
   * IPIs: in lockstep every hart whose next event comes earlier runs first; in parallel mode the
   * hart's thread yields the host CPU for as many nanoseconds of host time (a cycle is a nanosecond
   * of guest time), so the window is as wide on a host with a core per hart, where a yield returns
   * at once, as on a crowded one. A test's way to widen a race window; it waits for no other hart.
   */
  public void delay(Hart hart, long cycles) {
    long until = hart.cycles() + cycles;
    if (timed) {
      handle(hart);
      turns.pause(hart, () -> true, () -> until);
    } else {
      long end = System.nanoTime() + cycles;
      do {
        handle(hart);
        Thread.yield();
      } while (System.nanoTime() - end < 0 && !halt.stopping());
    }
    if (hart.cycles() < until) {
      hart.setCycles(until);
    }
  }

  /** Interrupts {@code target} so it reaches a kernel boundary, waking it if parked. */
  public void kick(int target) {
    harts[target].raiseInterrupt(IRQ_KICK);
    turns.kick(target);
  }

  /**
   * Interrupts every hart, so that a task marked for death (exit_group, a fatal signal) running in
   * user mode somewhere reaches its next kernel boundary now.
   */
  public void kickAll() {
    for (int i = 0; i < harts.length; i++) {
      kick(i);
    }
  }

  /** Wakes {@code target} if it is parked, without an interrupt: work waits for its next entry. */
  public void nudge(int target) {
    turns.kick(target);
  }
}
