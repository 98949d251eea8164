package hartlab.kernel.smp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IPI mailboxes under fire, each hart in a thread of its own as on the machine: every hart
 * sends synchronous IPIs to random sets of the others, all at once, so each is at the same time an
 * initiator spinning for acknowledgements and a target that must keep serving its mailbox. Every
 * call must run exactly once, on the hart it was sent to, and nobody may deadlock, including when
 * mailboxes fill up. Waits are on conditions only; the JUnit timeout is the one limit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IpiStressTest {
  private static final class Machine {
    final Hart[] harts;
    final Counters counters;
    final Ipis ipis;

    Machine(int n) {
      PhysicalMemory memory = new PhysicalMemory(1 << 20);
      CodeCache code = new CodeCache(memory);
      harts = new Hart[n];
      for (int i = 0; i < n; i++) {
        harts[i] = new Hart(i, new Mmu(memory, new Tlb(16, 4), 1), code, CostModel.DEFAULT);
      }
      ParallelTurns turns = new ParallelTurns(n);
      counters = new Counters(n);
      ipis = new Ipis(harts, turns, CostModel.DEFAULT, counters, new Halt(harts, turns), false);
    }

    /** Starts one thread per hart running {@code body}, and returns them. */
    List<Thread> start(HartBody body) {
      List<Thread> threads = new ArrayList<>();
      for (Hart h : harts) {
        Thread t = new Thread(() -> body.run(h), "hart-" + h.id());
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      return threads;
    }
  }

  @FunctionalInterface
  private interface HartBody {
    void run(Hart me);
  }

  private static void joinAll(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join();
    }
  }

  /** Serves {@code me}'s mailbox until {@code others} have all arrived. */
  private static void serveUntil(Ipis ipis, Hart me, CountDownLatch others) {
    while (others.getCount() > 0) {
      ipis.handle(me);
      Thread.onSpinWait();
    }
    ipis.handle(me);
  }

  @ParameterizedTest(name = "{0} harts")
  @ValueSource(ints = {2, 4, 8, 16})
  void everyHartShootsDownEveryOtherAtOnce(int n) throws Exception {
    Machine m = new Machine(n);
    int rounds = 8_000 / n;
    AtomicLongArray sentTo = new AtomicLongArray(n);
    AtomicLongArray ranOn = new AtomicLongArray(n);
    AtomicReference<String> wrongHart = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(n);
    List<Thread> threads =
        m.start(
            me -> {
              SplittableRandom random = new SplittableRandom(me.id() * 7919L);
              try {
                start.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
              for (int r = 0; r < rounds; r++) {
                long mask = random.nextLong() & ((1L << n) - 1) & ~(1L << me.id());
                if (mask == 0) {
                  mask = 1L << ((me.id() + 1) % n);
                }
                for (long b = mask; b != 0; b &= b - 1) {
                  sentTo.incrementAndGet(Long.numberOfTrailingZeros(b));
                }
                final long expected = mask;
                Ipi ipi =
                    m.ipis.send(
                        me,
                        mask,
                        target -> {
                          if ((expected & (1L << target.id())) == 0) {
                            wrongHart.set("a call for " + expected + " ran on hart " + target.id());
                          }
                          ranOn.incrementAndGet(target.id());
                        },
                        "stress",
                        true);
                if (!ipi.done()) {
                  wrongHart.set("send returned before every target had run the call");
                }
              }
              done.countDown();
              serveUntil(m.ipis, me, done); // keep serving the others until everybody is through
            });
    start.countDown();
    joinAll(threads);
    assertNull(wrongHart.get());
    long sent = 0;
    for (int i = 0; i < n; i++) {
      assertEquals(sentTo.get(i), ranOn.get(i), "calls sent to hart " + i + " vs run there");
      assertEquals(sentTo.get(i), m.counters.hart(i).get(Counter.IPIS_RECEIVED));
      sent += m.counters.hart(i).get(Counter.IPIS_SENT);
    }
    assertEquals(m.counters.total(Counter.IPIS_RECEIVED), sent, "one IPI per target, counted");
  }

  @Test
  void aSenderFacingAFullMailboxWaitsForSpaceWithoutLosingACall() throws Exception {
    Machine m = new Machine(2);
    int calls = 3 * 1024 + 17;
    AtomicInteger posted = new AtomicInteger();
    AtomicInteger ran = new AtomicInteger();
    List<Ipi> ipis = new ArrayList<>();
    CountDownLatch finished = new CountDownLatch(2);
    List<Thread> threads =
        m.start(
            me -> {
              if (me.id() == 0) {
                for (int i = 0; i < calls; i++) {
                  ipis.add(m.ipis.send(me, 0b10, t -> ran.incrementAndGet(), "fill", false));
                  posted.incrementAndGet();
                }
                for (Ipi ipi : ipis) {
                  m.ipis.await(me, ipi);
                }
                finished.countDown();
                serveUntil(m.ipis, me, finished);
              } else {
                while (posted.get() < 1024) {
                  Thread.onSpinWait(); // let the mailbox fill up before serving it
                }
                finished.countDown();
                serveUntil(m.ipis, me, finished);
              }
            });
    joinAll(threads);
    assertEquals(calls, posted.get());
    assertEquals(calls, ran.get(), "every call ran exactly once");
    assertEquals(calls, m.counters.hart(1).get(Counter.IPIS_RECEIVED));
    assertTrue(ipis.stream().allMatch(Ipi::done));
  }

  @Test
  void twoHartsFillingEachOthersMailboxesDoNotDeadlock() throws Exception {
    Machine m = new Machine(2);
    int calls = 4 * 1024;
    AtomicLongArray ran = new AtomicLongArray(2);
    CountDownLatch finished = new CountDownLatch(2);
    List<Thread> threads =
        m.start(
            me -> {
              long other = 1L << (1 - me.id());
              List<Ipi> mine = new ArrayList<>();
              for (int i = 0; i < calls; i++) {
                // Never serving its own mailbox but while blocked on the other's: both fill up.
                mine.add(m.ipis.send(me, other, t -> ran.incrementAndGet(t.id()), "fill", false));
              }
              for (Ipi ipi : mine) {
                m.ipis.await(me, ipi);
              }
              finished.countDown();
              serveUntil(m.ipis, me, finished);
            });
    joinAll(threads);
    assertEquals(calls, ran.get(0));
    assertEquals(calls, ran.get(1));
  }
}
