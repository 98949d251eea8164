package hartlab.kernel.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lockstep turn-taking with real threads: one hart at a time, in ring order, quanta following the
 * clock, parked idle harts skipped unless they have work, and everyone released at the stop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LockstepTurnsTest {
  private static Hart[] harts(int n) {
    PhysicalMemory memory = new PhysicalMemory(1 << 20);
    CodeCache code = new CodeCache(memory);
    Hart[] harts = new Hart[n];
    for (int i = 0; i < n; i++) {
      harts[i] = new Hart(i, new Mmu(memory, new Tlb(16, 4), 1), code, CostModel.DEFAULT);
    }
    return harts;
  }

  private static List<Thread> run(LockstepTurns turns, Hart[] harts, HartLoop loop) {
    List<Thread> threads = new ArrayList<>();
    for (Hart h : harts) {
      Thread t = new Thread(() -> loop.run(h), "hart-" + h.id());
      t.setDaemon(true);
      turns.attach(h.id(), t);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    return threads;
  }

  @FunctionalInterface
  private interface HartLoop {
    void run(Hart h);
  }

  @Test
  void hartsTakeTurnsInRingOrderOneQuantumEach() throws Exception {
    Hart[] harts = harts(3);
    LockstepTurns turns = new LockstepTurns(harts, 100, h -> true);
    List<Integer> order = new CopyOnWriteArrayList<>();
    List<Long> quantumEnds = new CopyOnWriteArrayList<>();
    List<Thread> threads =
        run(
            turns,
            harts,
            h -> {
              for (int k = 0; k < 5; k++) {
                turns.awaitTurn(h);
                order.add(h.id());
                quantumEnds.add(turns.quantumEnd(h));
                h.addCycles(100);
                turns.endQuantum(h);
              }
            });
    for (Thread t : threads) {
      t.join();
    }
    List<Integer> expected = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      expected.addAll(List.of(0, 1, 2));
    }
    assertEquals(expected, order);
    assertEquals(List.of(100L, 100L, 100L, 200L, 200L, 200L), quantumEnds.subList(0, 6));
  }

  @Test
  void aHartThatOverrunsItsQuantumStartsTheNextAtTheFollowingBoundary() throws Exception {
    Hart[] harts = harts(1);
    LockstepTurns turns = new LockstepTurns(harts, 100, h -> true);
    Hart h = harts[0];
    turns.attach(0, Thread.currentThread());
    turns.awaitTurn(h);
    h.addCycles(350);
    turns.endQuantum(h);
    assertEquals(400, turns.quantumEnd(h));
  }

  @Test
  void parkedIdleHartsWithNothingToDoAreSkipped() throws Exception {
    Hart[] harts = harts(3);
    boolean[] work = new boolean[3];
    LockstepTurns turns = new LockstepTurns(harts, 100, id -> work[id]);
    List<Integer> order = new CopyOnWriteArrayList<>();
    List<Thread> threads =
        run(
            turns,
            harts,
            h -> {
              if (h.id() == 1) {
                turns.awaitTurn(h);
                order.add(1);
                turns.idle(h); // parks idle: hart 1 will be skipped from now on
                turns.awaitTurn(h); // released only by the stop
                order.add(-1);
                return;
              }
              for (int k = 0; k < 4; k++) {
                turns.awaitTurn(h);
                order.add(h.id());
                h.addCycles(100);
                turns.endQuantum(h);
              }
              if (h.id() == 2) {
                turns.stopAll();
              }
            });
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(List.of(0, 1, 2, 0, 2, 0, 2, 0, 2, -1), order);
    assertTrue(harts[1].cycles() == 0, "an idle hart's clock does not run on");
  }
}
