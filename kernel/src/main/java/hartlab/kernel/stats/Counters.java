package hartlab.kernel.stats;

import hartlab.cpu.Hart;
import hartlab.mmu.TlbStats;
import org.HdrHistogram.Histogram;

/** Every hart's {@link HartCounters}, and their sums once the run is over. */
public final class Counters {
  private final HartCounters[] harts;
  private final Tracer tracer;

  public Counters(int harts) {
    this(harts, Tracer.OFF);
  }

  /** Counters whose kernel code also reports timeline events to {@code tracer}. */
  public Counters(int harts, Tracer tracer) {
    this.tracer = tracer;
    this.harts = new HartCounters[harts];
    for (int i = 0; i < harts; i++) {
      this.harts[i] = new HartCounters();
    }
  }

  /**
   * Sets each hart's hardware figures (instructions, clock, TLB, walks) as the harts show them now;
   * the run is over, or stopped with every other hart parked.
   */
  public void readHardware(Hart[] harts) {
    for (Hart h : harts) {
      HartCounters c = hart(h.id());
      TlbStats tlb = h.mmu().tlbStats();
      c.set(Counter.INSTRUCTIONS, h.instret());
      c.set(Counter.CYCLES, h.cycles());
      c.set(Counter.BUSY_CYCLES, h.cycles() - c.get(Counter.IDLE_CYCLES));
      c.set(Counter.TLB_HITS, tlb.hits());
      c.set(Counter.TLB_MISSES, tlb.misses());
      c.set(Counter.TLB_FLUSHES_ALL, tlb.flushesAll());
      c.set(Counter.TLB_FLUSHES_ASID, tlb.flushesAsid());
      c.set(Counter.TLB_FLUSHES_PAGE, tlb.flushesPage());
      c.set(Counter.TLB_FLUSHES_RANGE, tlb.flushesRange());
      c.set(Counter.TLB_ENTRIES_INVALIDATED, tlb.entriesInvalidated());
      c.set(Counter.PAGE_WALKS, h.mmu().walks());
      c.set(Counter.WALK_CYCLES, h.mmu().walkCycles());
    }
  }

  /** Where timeline events go; {@link Tracer#OFF} unless the run is traced. */
  public Tracer tracer() {
    return tracer;
  }

  public HartCounters hart(int id) {
    return harts[id];
  }

  public int harts() {
    return harts.length;
  }

  public long total(Counter c) {
    long n = 0;
    for (HartCounters h : harts) {
      n += h.get(c);
    }
    return n;
  }

  /** All harts' histograms of {@code l} merged. */
  public Histogram merged(Latency l) {
    Histogram all = new Histogram(3);
    for (HartCounters h : harts) {
      all.add(h.histogram(l));
    }
    return all;
  }

  public long syscallTotal(int number) {
    long n = 0;
    for (HartCounters h : harts) {
      n += h.syscallCount(number);
    }
    return n;
  }
}
