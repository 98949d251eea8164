package hartlab.kernel.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lockstep as a discrete-event schedule, with real threads: the turn goes to the hart whose next
 * event comes first in virtual time (ties to the lowest id); a hart runs until it is the lookahead
 * ahead of everyone else; entering the kernel lets earlier harts go first; an idle hart is skipped
 * until work arrives and then resumes at the time it was sent, or at a sleeping task's timer; a
 * waiting hart resumes when its condition holds, at the condition's time; the stop releases
 * everyone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockstepTurnsTest {
  private static final long LOOKAHEAD = 100;
  private static final long TIMER_LOOKAHEAD = 1_000;
  private static final long TIMER = 5_000;

  /** What the kernel would answer for parked harts: {@code work[h]}, no IPIs, no walks. */
  private static LockstepTurns.Work work(boolean[] work) {
    return new LockstepTurns.Work() {
      @Override
      public boolean hasWork(int hart) {
        return work[hart];
      }

      @Override
      public long nextIpi(int hart) {
        return Long.MAX_VALUE;
      }

      @Override
      public long nextTimer() {
        return Long.MAX_VALUE;
      }

      @Override
      public boolean walksWhileIdle(int hart) {
        return false;
      }
    };
  }

  private final List<String> log = new CopyOnWriteArrayList<>();

  private static Hart[] harts(int n) {
    PhysicalMemory memory = new PhysicalMemory(1 << 20);
    CodeCache code = new CodeCache(memory);
    Hart[] harts = new Hart[n];
    for (int i = 0; i < n; i++) {
      harts[i] = new Hart(i, new Mmu(memory, new Tlb(16, 4), 1), code, CostModel.DEFAULT);
    }
    return harts;
  }

  @FunctionalInterface
  private interface HartLoop {
    void run(Hart h);
  }

  /** Runs {@code loop} on one thread per hart until every thread ends. */
  private static void run(LockstepTurns turns, Hart[] harts, HartLoop loop) throws Exception {
    List<Thread> threads = new ArrayList<>();
    for (Hart h : harts) {
      Thread t = new Thread(() -> loop.run(h), "hart-" + h.id());
      t.setDaemon(true);
      turns.attach(h.id(), t);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
  }

  @Test
  void theTurnGoesToTheHartWhoseClockIsEarliest() throws Exception {
    Hart[] harts = harts(3);
    long[] step = {100, 30, 70};
    int rounds = 6;
    LockstepTurns turns =
        new LockstepTurns(harts, LOOKAHEAD, work(new boolean[3]), new Counters(3));
    run(
        turns,
        harts,
        h -> {
          for (int k = 0; k < rounds; k++) {
            turns.awaitTurn(h);
            log.add(h.id() + "@" + h.cycles());
            h.addCycles(step[h.id()]);
            turns.yieldTurn(h);
          }
          turns.idle(h); // done: nothing more to do, never holds anyone back
        });
    assertEquals(reference(step, rounds), log);
  }

  /** The order a discrete-event schedule gives: earliest clock first, ties to the lowest id. */
  private static List<String> reference(long[] step, int rounds) {
    long[] clock = new long[step.length];
    int[] done = new int[step.length];
    List<String> order = new ArrayList<>();
    for (int left = step.length * rounds; left > 0; left--) {
      int next = -1;
      for (int h = 0; h < step.length; h++) {
        if (done[h] < rounds && (next < 0 || clock[h] < clock[next])) {
          next = h;
        }
      }
      order.add(next + "@" + clock[next]);
      clock[next] += step[next];
      done[next]++;
    }
    return order;
  }

  @Test
  void theHolderRunsUntilItIsTheLookaheadAheadOfTheEarliestOther() {
    Hart[] harts = harts(3);
    LockstepTurns turns =
        new LockstepTurns(harts, LOOKAHEAD, work(new boolean[3]), new Counters(3));
    harts[1].setCycles(250);
    harts[2].setCycles(40);
    turns.awaitTurn(harts[0]); // hart 0 holds the first turn
    assertEquals(40 + LOOKAHEAD, turns.runUntil(harts[0]));
    Hart[] one = harts(1);
    LockstepTurns alone = new LockstepTurns(one, LOOKAHEAD, work(new boolean[1]), new Counters(1));
    assertEquals(Long.MAX_VALUE, alone.runUntil(one[0]), "nobody to wait for");
  }

  @Test
  void enteringTheKernelLetsEarlierHartsGoFirst() throws Exception {
    Hart[] harts = harts(2);
    LockstepTurns turns =
        new LockstepTurns(harts, LOOKAHEAD, work(new boolean[2]), new Counters(2));
    run(
        turns,
        harts,
        h -> {
          turns.awaitTurn(h);
          if (h.id() == 0) {
            h.addCycles(60); // user code within the lookahead, then a trap
            turns.sync(h);
            log.add("kernel 0@" + h.cycles());
          } else {
            log.add("kernel 1@" + h.cycles());
            h.addCycles(500);
          }
          turns.idle(h);
        });
    assertEquals(List.of("kernel 1@0", "kernel 0@60"), log);
  }

  @Test
  void anIdleHartIsSkippedUntilKickedThenResumesWhenTheWorkWasSent() throws Exception {
    Hart[] harts = harts(2);
    Counters counters = new Counters(2);
    boolean[] work = new boolean[2];
    LockstepTurns turns = new LockstepTurns(harts, LOOKAHEAD, work(work), counters);
    run(
        turns,
        harts,
        h -> {
          turns.awaitTurn(h);
          if (h.id() == 1) {
            turns.idle(h); // nothing to run
            turns.awaitTurn(h);
            log.add("1 woke @" + h.cycles());
            turns.idle(h);
            return;
          }
          h.addCycles(100);
          turns.yieldTurn(h);
          log.add("0 @" + h.cycles());
          h.addCycles(400);
          turns.yieldTurn(h); // hart 1 is idle: still hart 0's turn
          log.add("0 @" + h.cycles());
          turns.kick(1); // a task woken for hart 1, as of now
          turns.idle(h);
        });
    assertEquals(List.of("0 @100", "0 @500", "1 woke @500"), log);
    assertEquals(500, counters.hart(1).get(Counter.IDLE_CYCLES), "its clock moved as idle time");
    assertEquals(0, counters.hart(0).get(Counter.IDLE_CYCLES));
  }

  @Test
  void anIdleHartWithWorkButNoTimeForItRunsAtTheAskersTime() throws Exception {
    Hart[] harts = harts(2);
    Counters counters = new Counters(2);
    boolean[] work = new boolean[2];
    LockstepTurns turns = new LockstepTurns(harts, LOOKAHEAD, work(work), counters);
    run(
        turns,
        harts,
        h -> {
          turns.awaitTurn(h);
          if (h.id() == 1) {
            turns.idle(h); // nothing to do yet
            turns.awaitTurn(h);
            log.add("1 @" + h.cycles());
            work[1] = false;
            turns.idle(h);
            return;
          }
          h.addCycles(100);
          turns.yieldTurn(h); // hart 1 (at 0) goes first, and parks idle
          h.addCycles(200);
          work[1] = true; // say, a deferred flush left for it without a kick
          turns.idle(h);
        });
    assertEquals(List.of("1 @300"), log);
    assertEquals(300, counters.hart(1).get(Counter.IDLE_CYCLES));
  }

  @Test
  void aWaitingHartResumesWhenItsConditionHoldsAtTheConditionsTimeAndWasNotIdle() throws Exception {
    Hart[] harts = harts(2);
    Counters counters = new Counters(2);
    LockstepTurns turns = new LockstepTurns(harts, LOOKAHEAD, work(new boolean[2]), counters);
    AtomicBoolean released = new AtomicBoolean();
    AtomicLong releasedAt = new AtomicLong();
    run(
        turns,
        harts,
        h -> {
          turns.awaitTurn(h);
          if (h.id() == 0) {
            int rounds = 0;
            while (!released.get()) {
              rounds++;
              turns.pause(h, released::get, releasedAt::get);
            }
            log.add("0 got it @" + h.cycles() + " after " + rounds + " round");
          } else {
            h.addCycles(300);
            releasedAt.set(h.cycles()); // the holder lets go at its time
            released.set(true);
            log.add("1 released @" + h.cycles());
          }
          turns.idle(h);
        });
    assertEquals(List.of("1 released @300", "0 got it @300 after 1 round"), log);
    assertEquals(0, counters.hart(0).get(Counter.IDLE_CYCLES), "spinning is busy time");
  }

  @Test
  void theStopReleasesEveryParkedHart() throws Exception {
    Hart[] harts = harts(3);
    LockstepTurns turns =
        new LockstepTurns(harts, LOOKAHEAD, work(new boolean[3]), new Counters(3));
    run(
        turns,
        harts,
        h -> {
          turns.awaitTurn(h);
          if (h.id() == 0) {
            h.addCycles(10);
            turns.yieldTurn(h); // 1 and 2 are earlier: hart 1 runs
            return;
          }
          if (h.id() == 1) {
            turns.stopAll();
          }
          turns.awaitTurn(h); // returns at once: the machine stops
          log.add(h.id() + " left");
        });
    assertEquals(Set.of("1 left", "2 left"), new HashSet<>(log));
  }

  /**
   * An idle hart whose only event is a sleeping task's timer gets the turn at that timer, even
   * while another idle hart keeps taking turns for its speculative walks: the walker's clock never
   * runs past the timer (before the timer was an event, the walker took turns forever and a hart
   * woken by the timer could be left behind by whole seconds of virtual time).
   */
  @Test
  void anIdleHartGetsTheTurnAtTheNextTimer() throws InterruptedException {
    Hart[] pair = harts(2);
    Hart sleeper = pair[0];
    Hart walker = pair[1];
    AtomicLong timer = new AtomicLong(TIMER);
    LockstepTurns turns =
        new LockstepTurns(
            pair,
            TIMER_LOOKAHEAD,
            new LockstepTurns.Work() {
              @Override
              public boolean hasWork(int hart) {
                return false;
              }

              @Override
              public long nextIpi(int hart) {
                return Long.MAX_VALUE;
              }

              @Override
              public long nextTimer() {
                return timer.get();
              }

              @Override
              public boolean walksWhileIdle(int hart) {
                return hart == 1;
              }
            },
            new Counters(2));
    long[] seen = new long[2];
    Thread t0 =
        new Thread(
            () -> {
              turns.awaitTurn(sleeper);
              turns.idle(sleeper);
              turns.awaitTurn(sleeper);
              seen[0] = sleeper.cycles();
              seen[1] = walker.cycles();
              timer.set(Long.MAX_VALUE); // the timer fired
              turns.stopAll();
            });
    Thread t1 =
        new Thread(
            () -> {
              turns.awaitTurn(walker);
              while (walker.cycles() < 100 * TIMER) {
                turns.idle(walker);
                turns.awaitTurn(walker);
                if (timer.get() == Long.MAX_VALUE) {
                  return;
                }
              }
              turns.stopAll(); // the sleeper never got its turn
            });
    turns.attach(0, t0);
    turns.attach(1, t1);
    t0.start();
    t1.start();
    t0.join();
    t1.join();
    assertEquals(TIMER, seen[0], "the sleeper's hart resumes at its timer");
    assertTrue(seen[1] <= TIMER, "the walker did not run past the timer: " + seen[1]);
  }
}
