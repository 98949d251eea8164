package hartlab.sched;

/** What a scheduler needs to know about a runnable entity. */
public interface Schedulable {
  /** A stable id for reports (the tid). */
  int schedId();
}
