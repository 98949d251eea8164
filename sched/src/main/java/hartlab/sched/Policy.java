package hartlab.sched;

import java.util.Locale;

/** A scheduling policy, chosen for the whole machine. */
public enum Policy {
  /** Round robin (SCHED_RR): FIFO per hart, a fixed time slice, no wakeup preemption. */
  RR,
  /** Fair (CFS): the waiting task with the smallest weighted virtual runtime runs next. */
  FAIR;

  /** The policy named {@code s}: {@code "rr"} or {@code "fair"}, in any case. */
  public static Policy parse(String s) {
    if (s != null) {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "rr":
          return RR;
        case "fair":
          return FAIR;
        default:
          break;
      }
    }
    throw new IllegalArgumentException(
        "unknown scheduling policy '" + s + "': expected 'rr' or 'fair'");
  }
}
