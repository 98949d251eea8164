package hartlab.mmu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FrameAllocatorTest {
  @Test
  void handsOutDistinctZeroedFramesUntilExhausted() {
    PhysicalMemory memory = new PhysicalMemory(64 * 4096);
    FrameAllocator frames = new FrameAllocator(memory, 4, false);
    Set<Long> seen = new HashSet<>();
    for (long pa; (pa = frames.alloc()) >= 0; ) {
      assertTrue(pa >= 4 * 4096, "reserved frames are never handed out");
      assertTrue(seen.add(pa));
      assertEquals(0, memory.getLong(pa + 4088));
      memory.putLong(pa + 4088, -1);
    }
    assertEquals(60, seen.size());
    long back = seen.iterator().next();
    frames.free(back);
    assertEquals(back, frames.alloc());
    assertEquals(0, memory.getLong(back + 4088), "reused frames are zeroed again");
  }

  @Test
  void freedFramesArePoisonedAndReported() {
    PhysicalMemory memory = new PhysicalMemory(64 * 4096);
    FrameAllocator frames = new FrameAllocator(memory, 1, true);
    List<Long> told = new ArrayList<>();
    frames.addFreeListener(told::add);
    long pa = frames.alloc();
    frames.free(pa);
    assertEquals(FrameAllocator.POISON, memory.getLong(pa + 64));
    assertFalse(frames.isAllocated(pa));
    assertEquals(List.of(pa), told);
    assertThrows(IllegalStateException.class, () -> frames.free(pa), "double free");
    assertThrows(IllegalArgumentException.class, () -> frames.free(pa + 8));
  }

  /** Four threads allocate and free at once; together they keep at most 4,000 of 4,095 frames. */
  @Test
  void concurrentAllocationNeverHandsAFrameOutTwice() throws Exception {
    PhysicalMemory memory = new PhysicalMemory(4096 * 4096);
    FrameAllocator frames = new FrameAllocator(memory, 1, false);
    Set<Long> owned = ConcurrentHashMap.newKeySet();
    AtomicReference<String> failure = new AtomicReference<>();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 2_000 && failure.get() == null; i++) {
                  long pa = frames.alloc();
                  if (pa < 0) {
                    failure.set("ran out of frames while fewer than 4,000 were held");
                  } else if (!owned.add(pa)) {
                    failure.set(String.format("frame 0x%x handed out twice", pa));
                  } else if (i % 2 == 0) {
                    owned.remove(pa);
                    frames.free(pa);
                  }
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(null, failure.get());
    assertEquals(4 * 1_000, owned.size());
    assertEquals(frames.totalFrames() - 1 - owned.size(), frames.freeFrames());
  }
}
