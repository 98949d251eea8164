package hartlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CodeCache;
import hartlab.cpu.Hart;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IPI mailboxes under fire: every hart thread sends synchronous IPIs to random sets of the
 * others, all at once, so each is at the same time an initiator spinning for acknowledgements and a
 * target that must keep serving its mailbox. Every call must run exactly once, on the hart it was
 * sent to, and nobody may deadlock, including when mailboxes fill up.
 */
class IpiStressTest {
  private static Kernel kernelWith(
      Hart[] harts, PhysicalMemory memory, FrameAllocator frames, CodeCache code) {
    MachineConfig config =
        MachineConfig.builder().cores(harts.length).memoryBytes(memory.size()).build();
    Console console =
        new Console(
            new ByteArrayOutputStream(),
            new ByteArrayOutputStream(),
            new ByteArrayInputStream(new byte[0]));
    return new Kernel(config, memory, frames, code, harts, console, RootFs.empty());
  }

  @ParameterizedTest(name = "{0} harts")
  @ValueSource(ints = {2, 4, 8, 16})
  void everyHartShootsDownEveryOtherAtOnce(int n) throws Exception {
    PhysicalMemory memory = new PhysicalMemory(1 << 20);
    FrameAllocator frames = new FrameAllocator(memory, 1, false);
    CodeCache code = new CodeCache(memory);
    Hart[] harts = new Hart[n];
    for (int i = 0; i < n; i++) {
      harts[i] =
          new Hart(i, new Mmu(memory, new Tlb(16, 4), 1), code, hartlab.cpu.CostModel.DEFAULT);
    }
    Kernel kernel = kernelWith(harts, memory, frames, code);
    int rounds = 3_000;
    AtomicLongArray sentTo = new AtomicLongArray(n);
    AtomicLongArray ranOn = new AtomicLongArray(n);
    AtomicReference<String> wrongHart = new AtomicReference<>();
    AtomicLong inFlight = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(n);
    Thread[] threads = new Thread[n];
    for (int i = 0; i < n; i++) {
      Hart me = harts[i];
      threads[i] =
          new Thread(
              () -> {
                kernel.hartStarted(me);
                SplittableRandom random = new SplittableRandom(me.id() * 7919L);
                try {
                  start.await();
                  for (int r = 0; r < rounds; r++) {
                    long mask = random.nextLong() & ((1L << n) - 1) & ~(1L << me.id());
                    if (mask == 0) {
                      mask = 1L << ((me.id() + 1) % n);
                    }
                    for (long m = mask; m != 0; m &= m - 1) {
                      sentTo.incrementAndGet(Long.numberOfTrailingZeros(m));
                    }
                    final long expected = mask;
                    inFlight.incrementAndGet();
                    kernel.sendIpi(
                        me,
                        mask,
                        target -> {
                          if ((expected & (1L << target.id())) == 0) {
                            wrongHart.set(
                                "a call for "
                                    + Long.toBinaryString(expected)
                                    + " ran on hart "
                                    + target.id());
                          }
                          ranOn.incrementAndGet(target.id());
                        },
                        "stress",
                        true);
                    inFlight.decrementAndGet();
                  }
                  // Keep serving the others until everybody is through.
                  done.countDown();
                  while (done.getCount() > 0) {
                    kernel.handleIpis(me);
                    Thread.onSpinWait();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "hart-" + i);
      kernel.attachThread(i, threads[i]);
      threads[i].start();
    }
    start.countDown();
    assertTrue(
        done.await(120, TimeUnit.SECONDS), "deadlock: " + inFlight.get() + " IPIs still waiting");
    for (Thread t : threads) {
      t.join(10_000);
      assertFalse(t.isAlive());
    }
    assertEquals(null, wrongHart.get());
    for (int i = 0; i < n; i++) {
      assertEquals(sentTo.get(i), ranOn.get(i), "calls sent to hart " + i + " vs run there");
    }
  }
}
