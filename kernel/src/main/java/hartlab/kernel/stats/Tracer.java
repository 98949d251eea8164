package hartlab.kernel.stats;

/**
 * Where the kernel reports timeline events for a trace (who runs where, traps, IPIs, shootdowns,
 * grace periods), every time a hart's virtual clock in cycles. Called on the thread of the hart
 * named first. {@link #OFF}, the default, does nothing: a run without {@code --trace} pays one call
 * of an empty method at each event, never an allocation.
 */
public interface Tracer {
  /** Records nothing. */
  Tracer OFF =
      new Tracer() {
        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public void running(int hart, long cycles, int tid, String name) {}

        @Override
        public void slice(int hart, String category, String name, long start, long end) {}

        @Override
        public long ipiSent(int hart, int target, long cycles) {
          return 0;
        }

        @Override
        public void ipiHandled(int hart, long flow, String what, long start, long end) {}

        @Override
        public void gracePeriod(int hart, long number, long start, long end) {}
      };

  /** Whether events are recorded: callers skip building names when not. */
  boolean enabled();

  /** From {@code cycles} on, {@code hart} runs task {@code tid} ({@code 0}: idle). */
  void running(int hart, long cycles, int tid, String name);

  /** Kernel work on {@code hart} from {@code start} to {@code end}: a trap, a shootdown. */
  void slice(int hart, String category, String name, long start, long end);

  /** {@code hart} sends an IPI to {@code target}; returns the flow id its handling will name. */
  long ipiSent(int hart, int target, long cycles);

  /** {@code hart} handles the IPI of {@code flow} from {@code start} to {@code end}. */
  void ipiHandled(int hart, long flow, String what, long start, long end);

  /**
   * The hook for the RCU engine: grace period {@code number}, started by {@code hart} at {@code
   * start}, ended at {@code end} (the latest quiescent state it waited for).
   */
  void gracePeriod(int hart, long number, long start, long end);
}
