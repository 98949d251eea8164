package hartlab.kernel.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.mm.kmem.HeapMeter;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

/** What the mm's objects cost on the host heap, against what kernel memory charges for them. */
class KernelMemoryChargeTest {
  /** An mm_struct is charged as part of its task: at most this much of {@code Kind.TASK}. */
  static final int MM_SHARE_OF_TASK = 4096;

  @Test
  void aVmaCostsNoMoreHeapThanItsCharge() {
    double perVma =
        HeapMeter.bytesPerObject(
            100_000,
            n -> {
              VmaTree tree = new VmaTree();
              for (int i = 0; i < n; i++) {
                long start = 0x100000L + 8192L * i;
                tree.insert(new Vma(start, start + 4096, Vma.PROT_READ, Vma.Kind.ANON, null, 0));
              }
              return tree;
            });
    assertTrue(
        perVma <= KernelMemory.Kind.VMA.bytes(),
        "a VMA in its tree takes " + perVma + " bytes, charged " + KernelMemory.Kind.VMA.bytes());
  }

  @Test
  void anMmCostsNoMoreHeapThanItsShareOfATask() {
    double perMm =
        HeapMeter.bytesPerObject(
            20_000,
            n -> {
              Mm[] mms = new Mm[n];
              for (int i = 0; i < n; i++) {
                mms[i] = new Mm(i, 4096L * i, KernelMemory.unaccounted());
              }
              return mms;
            });
    assertTrue(perMm <= MM_SHARE_OF_TASK, "an empty mm takes " + perMm + " bytes");
  }

  @Test
  void aVmaTreeRefusesWhatKernelMemoryCannotHoldAndChangesNothing() {
    FrameAllocator frames = new FrameAllocator(new PhysicalMemory(1 << 20), 1, true);
    KernelMemory kmem = KernelMemory.of(frames);
    VmaTree tree = new VmaTree(kmem, null);
    tree.insert(new Vma(0x10000, 0x11000, Vma.PROT_READ, Vma.Kind.ANON, null, 0));
    while (kmem.tryCharge(KernelMemory.Kind.VMA)) {
      // fill kernel memory to its reserve
    }
    SyscallError e =
        assertThrows(
            SyscallError.class,
            () -> tree.insert(new Vma(0x20000, 0x21000, Vma.PROT_READ, Vma.Kind.ANON, null, 0)));
    assertEquals(Errno.ENOMEM, e.errno());
    assertEquals(1, tree.size());
    assertEquals(kmem.reserveFrames(), frames.freeFrames(), "kernel memory stops at the reserve");
  }
}
