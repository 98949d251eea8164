package hartlab.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scheduler-owned state of one task (Linux's {@code sched_entity} plus the bits of {@code
 * task_struct} the scheduler reads: affinity, last CPU, run state).
 *
 * <p>The kernel creates one per task and only reads it, except for {@link #setAffinity}.
 *
 * <h2>Run state</h2>
 *
 * One word, {@link #state}, says where the task is: blocked (not runnable), queued on hart h,
 * running on hart h, running on hart h with a wake-up already pending, or exited (final). Every
 * change of it is a volatile write or a compare-and-set, and it is the publication point for the
 * plain fields below: whoever moves the task out of a state has seen everything written before it
 * moved in. Who may change it:
 *
 * <ul>
 *   <li>blocked -> queued(h): {@code wake} (any thread), by CAS while holding h's queue lock, so
 *       two racing wakers enqueue the task once;
 *   <li>queued(h) -> anything: only while holding h's queue lock;
 *   <li>running(h) -> running-wake-pending(h): {@code wake} by CAS (a wake-up that arrives before
 *       the hart has finished blocking the task, Linux's {@code ttwu_runnable});
 *   <li>running(h) or running-wake-pending(h) -> anything else: only hart h's thread.
 *   <li>exited: never left.
 * </ul>
 */
public final class SchedEntity {
  // Linux kernel/sched/core.c sched_prio_to_weight: nice -20..19. One nice step is about a 10%
  // change in CPU share, i.e. a weight ratio of about 1.25; nice 0 is 1024.
  private static final int[] PRIO_TO_WEIGHT = {
    /* -20 */ 88761, 71755, 56483, 46273, 36291,
    /* -15 */ 29154, 23254, 18705, 14949, 11916,
    /* -10 */ 9548, 7620, 6100, 4904, 3906,
    /*  -5 */ 3121, 2501, 1991, 1586, 1277,
    /*   0 */ 1024, 820, 655, 526, 423,
    /*   5 */ 335, 272, 215, 172, 137,
    /*  10 */ 110, 87, 70, 56, 45,
    /*  15 */ 36, 29, 23, 18, 15,
  };

  static final int NICE_0_WEIGHT = 1024;

  // State word: kind in the low three bits, hart index above.
  static final int BLOCKED = 0;
  static final int QUEUED = 1;
  static final int RUNNING = 2;
  static final int RUNNING_WAKE_PENDING = 3;

  /** Exited ({@code Scheduler.exit}): never runnable again. */
  static final int DEAD = 4;

  private static final VarHandle STATE;
  private static final VarHandle OWNER;
  private static final VarHandle SCHEDULER;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATE = l.findVarHandle(SchedEntity.class, "state", int.class);
      OWNER = l.findVarHandle(SchedEntity.class, "owner", Object.class);
      SCHEDULER = l.findVarHandle(SchedEntity.class, "scheduler", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final AtomicLong SERIALS = new AtomicLong();

  private final int id;
  private final int nice;
  final int weight;

  /** Creation order: the last tie-breaker of the FAIR order, should two tasks share an id. */
  final long serial = SERIALS.getAndIncrement();

  /** Written by the kernel (sched_setaffinity), read by any hart. */
  private volatile long affinity = -1L;

  /** See the class comment. Changed only through {@link #setState} and {@link #casState}. */
  private volatile int state = BLOCKED;

  /** The hart it last ran on, -1 before it first runs; written by the hart that picks it. */
  private volatile int lastHart = -1;

  /**
   * Weighted virtual runtime, relative to the min_vruntime of queue {@link #baseHart}. Changed only
   * while the task is in no queue's ordered set (it is the FAIR sort key).
   */
  volatile long vruntime;

  /** The task and the scheduler this entity is bound to, set once by CAS on first use. */
  private volatile Object owner;

  private volatile Object scheduler;

  // Guarded by the queue lock of the hart holding the task, or owned by the hart running it;
  // handed between threads through the state word.
  /** Queue whose min_vruntime {@link #vruntime} is relative to; -1 before first enqueue. */
  int baseHart = -1;

  /** Has been enqueued at least once (a first wake is the placement of a new task). */
  boolean started;

  /** Clock of the enqueuing hart when it was last enqueued (run-queue wait start). */
  long enqueuedAt;

  /** Clock of its hart when it last started running. */
  long startedAt;

  /** startedAt + ran when it last stopped running; meaningful once lastHart >= 0. */
  long lastRanEnd;

  /** RR: part of the current time slice already used in earlier runs. */
  long rrSliceUsed;

  /**
   * A new entity for task {@code id} (the tid: used in reports and to break vruntime ties) at nice
   * {@code nice}, -20..19. It starts blocked; {@code Scheduler.wake} makes it runnable.
   */
  public SchedEntity(int id, int nice) {
    if (nice < -20 || nice > 19) {
      throw new IllegalArgumentException(
          "SchedEntity: nice must be in -20..19, got " + nice + " for task " + id);
    }
    this.id = id;
    this.nice = nice;
    this.weight = PRIO_TO_WEIGHT[nice + 20];
  }

  public int id() {
    return id;
  }

  public int nice() {
    return nice;
  }

  /** Load weight for {@link #nice()} (nice 0 is 1024), as in Linux's sched_prio_to_weight. */
  public int weight() {
    return weight;
  }

  /** Bit i set: hart i may run this task. All ones by default. */
  public long affinity() {
    return affinity;
  }

  /**
   * Restrict the task to the harts in {@code mask}. The kernel checks the mask against the machine
   * first (EINVAL if it has no existing hart). The scheduler honours the new mask from its next
   * placement decision on; to move a task that is queued on a hart now outside the mask, call
   * {@code Scheduler.dequeue} then {@code Scheduler.wake}; a running one is moved by its next
   * {@code requeue}. A stale placement is never run: {@code pickNext} moves such a task on.
   */
  public void setAffinity(long mask) {
    if (mask == 0) {
      throw new IllegalArgumentException("setAffinity: empty mask for task " + id);
    }
    affinity = mask;
  }

  /** The hart this task last ran on, or -1 if it never ran. */
  public int lastHart() {
    return lastHart;
  }

  /**
   * Weighted virtual runtime in cycles (ran * 1024 / weight, summed), relative to the min_vruntime
   * of the queue it belongs to; charged when it stops running.
   */
  public long vruntime() {
    return vruntime;
  }

  /** Whether it is waiting in a run queue (runnable, not running). */
  public boolean isQueued() {
    return kindOf(state) == QUEUED;
  }

  @Override
  public String toString() {
    return "task " + id;
  }

  // ---- package-private machinery

  int state() {
    return state;
  }

  void setState(int s) {
    state = s;
  }

  boolean casState(int expected, int s) {
    return STATE.compareAndSet(this, expected, s);
  }

  void setLastHart(int hart) {
    lastHart = hart;
  }

  Object owner() {
    return owner;
  }

  boolean isBoundTo(Object task, Object sched) {
    return owner == task && scheduler == sched;
  }

  /** Bind to {@code task} and {@code sched} on first use; false if bound to others already. */
  boolean bind(Object task, Object sched) {
    if (owner == null) {
      OWNER.compareAndSet(this, null, task);
    }
    if (scheduler == null) {
      SCHEDULER.compareAndSet(this, null, sched);
    }
    return isBoundTo(task, sched);
  }

  static int stateOf(int kind, int hart) {
    return hart << 3 | kind;
  }

  static int kindOf(int s) {
    return s & 7;
  }

  static int hartOf(int s) {
    return s >>> 3;
  }

  static String describe(int s) {
    switch (kindOf(s)) {
      case QUEUED:
        return "queued on hart " + hartOf(s);
      case RUNNING:
        return "running on hart " + hartOf(s);
      case RUNNING_WAKE_PENDING:
        return "running on hart " + hartOf(s) + " with a wake-up pending";
      case DEAD:
        return "exited";
      default:
        return "blocked";
    }
  }

  /** delta * 1024 / weight without overflow for any delta >= 0 (Linux's calc_delta_fair). */
  static long calcDeltaFair(long delta, int weight) {
    if (weight == NICE_0_WEIGHT) {
      return delta;
    }
    return mulDiv(delta, NICE_0_WEIGHT, weight);
  }

  /** floor(a * b / c) for a >= 0, 0 < b, 0 < c, without overflowing on a * b. */
  static long mulDiv(long a, long b, long c) {
    return a / c * b + a % c * b / c;
  }
}
