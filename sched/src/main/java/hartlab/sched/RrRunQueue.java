package hartlab.sched;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Round robin (Linux's SCHED_RR within one priority): FIFO, a task runs for a time slice, then goes
 * to the back if someone is waiting. A task forced off before its slice is used up goes back to the
 * front and keeps the rest of its slice, as {@code requeue_task_rt} does for a preempted RR task.
 */
final class RrRunQueue extends RunQueue {
  private final ArrayDeque<SchedEntity> fifo = new ArrayDeque<>();

  RrRunQueue(int hart, SchedConfig config) {
    super(hart, config);
  }

  @Override
  void enqueueNew(SchedEntity e) {
    addLast(e);
  }

  @Override
  void enqueueWoken(SchedEntity e) {
    addLast(e);
  }

  @Override
  void enqueuePreempted(SchedEntity e, long ran) {
    long used = e.rrSliceUsed + ran;
    if (used >= config.timeSliceCycles()) {
      addLast(e);
    } else {
      e.rrSliceUsed = used;
      fifo.addFirst(e);
      nrQueued = fifo.size();
    }
  }

  @Override
  void enqueueYielded(SchedEntity e) {
    addLast(e);
  }

  @Override
  void enqueueMigrated(SchedEntity e) {
    addLast(e);
  }

  /** To the back, with a fresh slice. */
  private void addLast(SchedEntity e) {
    e.rrSliceUsed = 0;
    fifo.addLast(e);
    nrQueued = fifo.size();
  }

  @Override
  boolean remove(SchedEntity e) {
    boolean removed = fifo.remove(e);
    nrQueued = fifo.size();
    return removed;
  }

  @Override
  Iterator<SchedEntity> pickOrder() {
    return fifo.iterator();
  }

  @Override
  Iterator<SchedEntity> stealOrder() {
    return fifo.descendingIterator();
  }

  @Override
  boolean checkPreemptTick(SchedEntity curr, long ran) {
    return nrQueued > 0 && curr.rrSliceUsed + ran >= config.timeSliceCycles();
  }

  @Override
  boolean checkPreemptWakeup(SchedEntity curr, SchedEntity woken) {
    return false; // same priority: a woken task waits for the slice to end
  }

  @Override
  void updateMinVruntime() {}
}
