package hartlab.kernel.mm.kmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

class KernelMemoryTest {
  private final FrameAllocator frames = new FrameAllocator(new PhysicalMemory(4 << 20), 1, true);
  private final KernelMemory kmem = KernelMemory.of(frames);

  @Test
  void chargesTakeWholeFramesAndGiveThemBack() {
    int free = frames.freeFrames();
    assertTrue(kmem.tryCharge(KernelMemory.Kind.VMA, 16)); // 4 KiB: one frame
    assertEquals(free - 1, frames.freeFrames());
    assertTrue(kmem.tryCharge(KernelMemory.Kind.TASK)); // 16 KiB more: four frames
    assertEquals(free - 5, frames.freeFrames());
    kmem.uncharge(KernelMemory.Kind.TASK);
    kmem.uncharge(KernelMemory.Kind.VMA, 16);
    assertEquals(0, kmem.used());
    assertEquals(1, kmem.slabFrames(), "one spare frame is kept, as a slab keeps one");
    assertEquals(free - 1, frames.freeFrames());
    assertEquals(16 * 256 + 16384, kmem.peak());
  }

  @Test
  void theSlabKeepsOneSpareFrameAndGivesBackTheRest() {
    assertEquals(0, kmem.slabFrames(), "nothing charged, nothing held");
    assertTrue(kmem.tryCharge(KernelMemory.Kind.TASK, 2)); // 32 KiB: eight frames
    assertEquals(8, kmem.slabFrames());
    kmem.uncharge(KernelMemory.Kind.TASK);
    assertEquals(5, kmem.slabFrames(), "four frames of objects and a spare");
    assertTrue(kmem.tryCharge(KernelMemory.Kind.VMA, 16));
    assertEquals(5, kmem.slabFrames(), "the spare took them");
    assertTrue(kmem.tryCharge(KernelMemory.Kind.VMA));
    assertEquals(6, kmem.slabFrames(), "a frame more for one byte past it");
  }

  @Test
  void anUnaccountedInstanceCountsButNeverRefusesNorTakesFrames() {
    KernelMemory free = KernelMemory.unaccounted();
    assertTrue(free.tryCharge(KernelMemory.Kind.TASK, 1000));
    assertEquals(1000L * KernelMemory.Kind.TASK.bytes(), free.used());
    assertEquals(0, free.refusals());
    free.uncharge(KernelMemory.Kind.TASK, 1000);
    assertEquals(0, free.used());
  }

  @Test
  void unchargingWhatWasNeverChargedIsAKernelBug() {
    assertTrue(kmem.tryCharge(KernelMemory.Kind.VMA));
    IllegalStateException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> kmem.uncharge(KernelMemory.Kind.TASK));
    assertTrue(e.getMessage().contains("never charged"), e.getMessage());
    assertEquals(KernelMemory.Kind.VMA.bytes(), kmem.used(), "and changed nothing");
  }

  @Test
  void theReserveIsLeftToUserPagesAndRefusalsAreCounted() {
    while (kmem.tryCharge(KernelMemory.Kind.PROCESS)) {
      // fill up
    }
    assertEquals(kmem.reserveFrames(), frames.freeFrames());
    assertEquals(-1, kmem.allocPage());
    assertFalse(kmem.tryCharge(KernelMemory.Kind.FILE, 1000));
    assertEquals(3, kmem.refusals());
    assertTrue(frames.alloc() >= 0, "a user page can still be had");
  }

  @Test
  void theReserveIsLinuxsMinFreeKbytes() {
    assertEquals(256, KernelMemory.reserveFor(16384)); // 64 MiB: 1 MiB
    assertEquals(512, KernelMemory.reserveFor(65536)); // 256 MiB: 2 MiB
    assertEquals(1024, KernelMemory.reserveFor(262144)); // 1 GiB: 4 MiB
  }
}
