package hartlab.kernel.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.stats.Counters;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LockstepTurnsTest {
  private static final long LOOKAHEAD = 1_000;
  private static final long TIMER = 5_000;

  private final PhysicalMemory memory = new PhysicalMemory(1 << 20);

  private Hart hart(int id) {
    return new Hart(
        id, new Mmu(memory, new Tlb(16, 4), 25), new CodeCache(memory), CostModel.DEFAULT);
  }

  /**
   * An idle hart whose only event is a sleeping task's timer gets the turn at that timer, even
   * while another idle hart keeps taking turns for its speculative walks: the walker's clock never
   * runs past the timer (before the timer was an event, the walker took turns forever and a hart
   * woken by the timer could be left behind by whole seconds of virtual time).
   */
  @Test
  void anIdleHartGetsTheTurnAtTheNextTimer() throws InterruptedException {
    Hart sleeper = hart(0);
    Hart walker = hart(1);
    AtomicLong timer = new AtomicLong(TIMER);
    LockstepTurns turns =
        new LockstepTurns(
            new Hart[] {sleeper, walker},
            LOOKAHEAD,
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
    t0.join(10_000);
    t1.join(10_000);
    assertEquals(TIMER, seen[0], "the sleeper's hart resumes at its timer");
    assertTrue(seen[1] <= TIMER, "the walker did not run past the timer: " + seen[1]);
  }
}
