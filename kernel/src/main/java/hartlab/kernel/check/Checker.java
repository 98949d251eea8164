package hartlab.kernel.check;

/**
 * A checker: watches one kernel invariant through the hook points it registers with, and reports
 * each violation to the run's {@link Violations}, which counts it under the checker's name and
 * stops the run with the report. On with {@code --check} (the default; always in tests).
 */
public interface Checker {
  /** The name violations are counted under, e.g. {@code tlb-coherence}. */
  String name();

  /** Registers this checker's hooks; while wiring, before the harts start. */
  void install(CheckerHooks hooks);
}
