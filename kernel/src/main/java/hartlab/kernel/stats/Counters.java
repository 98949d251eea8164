package hartlab.kernel.stats;

import org.HdrHistogram.Histogram;

/** Every hart's {@link HartCounters}, and their sums once the run is over. */
public final class Counters {
  private final HartCounters[] harts;

  public Counters(int harts) {
    this.harts = new HartCounters[harts];
    for (int i = 0; i < harts; i++) {
      this.harts[i] = new HartCounters();
    }
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
