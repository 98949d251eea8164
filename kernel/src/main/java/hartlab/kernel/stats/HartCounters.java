package hartlab.kernel.stats;

import org.HdrHistogram.Histogram;

/**
 * One hart's counters and latency histograms. Hart-local: only that hart's thread (kernel code, IPI
 * handlers running there) writes them; they are read after the hart threads ended.
 */
public final class HartCounters {
  /** Syscall numbers counted individually; anything else counts as unknown. */
  public static final int SYSCALL_SLOTS = 512;

  private final long[] counts = new long[Counter.ALL.length];
  private final Histogram[] latencies = new Histogram[Latency.ALL.length];
  private final long[] syscalls = new long[SYSCALL_SLOTS + 1];

  public HartCounters() {
    for (int i = 0; i < latencies.length; i++) {
      latencies[i] = new Histogram(3);
    }
  }

  public void add(Counter c) {
    counts[c.ordinal()]++;
  }

  public void add(Counter c, long n) {
    counts[c.ordinal()] += n;
  }

  /** Sets a figure read off the hardware when the run is over. */
  public void set(Counter c, long value) {
    counts[c.ordinal()] = value;
  }

  public long get(Counter c) {
    return counts[c.ordinal()];
  }

  /** Records a latency; negative values (clock skew between harts) count as zero. */
  public void record(Latency l, long value) {
    latencies[l.ordinal()].recordValue(Math.max(0, value));
  }

  public Histogram histogram(Latency l) {
    return latencies[l.ordinal()];
  }

  /** Counts one call of syscall {@code number}; out of range numbers count as unknown. */
  public void countSyscall(long number) {
    syscalls[number >= 0 && number < SYSCALL_SLOTS ? (int) number : SYSCALL_SLOTS]++;
  }

  /** Calls of syscall {@code number}, or of unknown numbers for {@link #SYSCALL_SLOTS}. */
  public long syscallCount(int number) {
    return syscalls[number];
  }
}
