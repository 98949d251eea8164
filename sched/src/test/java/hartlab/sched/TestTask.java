package hartlab.sched;

import java.util.concurrent.atomic.AtomicBoolean;

/** A stand-in for the kernel's task. */
final class TestTask implements Schedulable {
  final SchedEntity se;

  /** Stress tests: set while some "hart" thread runs this task. */
  final AtomicBoolean owned = new AtomicBoolean();

  TestTask(int id) {
    this(id, 0);
  }

  TestTask(int id, int nice) {
    se = new SchedEntity(id, nice);
  }

  @Override
  public SchedEntity sched() {
    return se;
  }

  int id() {
    return se.id();
  }

  @Override
  public String toString() {
    return "T" + se.id();
  }
}
