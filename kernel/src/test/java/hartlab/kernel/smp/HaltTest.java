package hartlab.kernel.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.StubTurns;
import hartlab.kernel.stats.Outcome;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The end of a run: the first request wins, every hart is interrupted, parked harts released. */
class HaltTest {
  private final Hart[] harts = new Hart[4];
  private final StubTurns turns;
  private final Halt halt;

  HaltTest() {
    PhysicalMemory memory = new PhysicalMemory(1 << 20);
    CodeCache code = new CodeCache(memory);
    for (int i = 0; i < harts.length; i++) {
      harts[i] = new Hart(i, new Mmu(memory, new Tlb(16, 4), 1), code, CostModel.DEFAULT);
    }
    turns = new StubTurns(harts);
    halt = new Halt(harts, turns);
  }

  @Test
  void theFirstRequestWinsAndStopsEveryHart() {
    assertFalse(halt.stopping());
    assertNull(halt.ending());
    halt.requestStop(Outcome.EXITED, 3, "");
    halt.requestStop(Outcome.VIOLATION, 0, "too late");
    assertTrue(halt.stopping());
    assertEquals(new Halt.Ending(Outcome.EXITED, 3, ""), halt.ending());
    for (Hart h : harts) {
      assertEquals(Ipis.IRQ_STOP, h.takeInterrupts(), "hart " + h.id() + " interrupted once");
    }
    assertTrue(turns.stopped(), "parked harts released");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void racingRequestsHaveExactlyOneWinner() throws Exception {
    int n = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String message = "request " + i;
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                halt.requestStop(Outcome.INTERNAL_ERROR, 0, message);
              });
      threads.add(t);
      t.start();
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    String winner = halt.ending().message();
    assertTrue(winner.startsWith("request "), winner);
    for (Hart h : harts) {
      assertEquals(Ipis.IRQ_STOP, h.takeInterrupts());
      assertFalse(h.interruptPending());
    }
    assertEquals(Set.of(Outcome.INTERNAL_ERROR), Set.of(halt.ending().outcome()));
  }
}
