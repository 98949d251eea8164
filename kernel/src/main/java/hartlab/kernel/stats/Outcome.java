package hartlab.kernel.stats;

/** How a run ended. */
public enum Outcome {
  /** The guest's processes all exited; the first one's status is the result. */
  EXITED,
  /** The first process was killed by a signal (a fault, or the OOM killer). */
  KILLED,
  /** --timeout passed. */
  TIMEOUT,
  /** --max-instructions were executed. */
  INSTRUCTION_LIMIT,
  /** A checker caught the kernel breaking an invariant (e.g. the unsafe lazy-TLB mode). */
  VIOLATION,
  /** hartlab itself failed; a bug, reported with the hart and the reason. */
  INTERNAL_ERROR
}
