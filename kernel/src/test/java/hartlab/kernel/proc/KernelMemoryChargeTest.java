package hartlab.kernel.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.fs.FileTable;
import hartlab.kernel.mm.kmem.HeapMeter;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PhysicalMemory;
import org.junit.jupiter.api.Test;

/** What tasks and processes cost on the host heap, against what kernel memory charges for them. */
class KernelMemoryChargeTest {
  /** A task's charge also covers an mm_struct (measured in the mm package) and a timer entry. */
  private static final int MM_AND_TIMER = 4096 + 256;

  @Test
  void aThreadCostsNoMoreHeapThanItsCharge() {
    ProcessTable table = new ProcessTable(null, null, Integer.MAX_VALUE);
    Task first = table.createInit("init", null, FileTable.withConsole());
    double perTask =
        HeapMeter.bytesPerObject(
            20_000,
            n -> {
              Task[] tasks = new Task[n];
              for (int i = 0; i < n; i++) {
                tasks[i] = table.newThread(first.process, null);
              }
              return tasks;
            });
    int room = KernelMemory.Kind.TASK.bytes() - MM_AND_TIMER;
    assertTrue(perTask <= room, "a thread takes " + perTask + " bytes, its share " + room);
  }

  @Test
  void aProcessCostsNoMoreHeapThanItsCharges() {
    ProcessTable table = new ProcessTable(null, null, Integer.MAX_VALUE);
    Task first = table.createInit("init", null, FileTable.withConsole());
    double perProcess =
        HeapMeter.bytesPerObject(
            20_000,
            n -> {
              Task[] tasks = new Task[n];
              for (int i = 0; i < n; i++) {
                tasks[i] = table.newProcessTask(first.process, "child", null, null);
              }
              return tasks;
            });
    int room = KernelMemory.Kind.TASK.bytes() - MM_AND_TIMER + KernelMemory.Kind.PROCESS.bytes();
    assertTrue(perProcess <= room, "a process takes " + perProcess + " bytes, charged " + room);
  }

  @Test
  void cloneBeyondKernelMemoryIsEnomemAndBeyondTheTaskLimitEagain() {
    FrameAllocator frames = new FrameAllocator(new PhysicalMemory(1 << 20), 1, true);
    KernelMemory kmem = KernelMemory.of(frames);
    ProcessTable table = new ProcessTable(null, null, 4, kmem);
    Task first = table.createInit("init", null, FileTable.withConsole());
    table.newThread(first.process, null);
    while (kmem.tryCharge(KernelMemory.Kind.FILE)) {
      // exhaust kernel memory
    }
    assertEquals(
        Errno.ENOMEM,
        assertThrows(SyscallError.class, () -> table.newThread(first.process, null)).errno());
    kmem.uncharge(KernelMemory.Kind.FILE, 2000);
    table.newThread(first.process, null);
    table.newProcessTask(first.process, "child", null, null);
    assertEquals(
        Errno.EAGAIN,
        assertThrows(SyscallError.class, () -> table.newThread(first.process, null)).errno());
  }
}
