package hartlab.kernel.fs;

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

/** What files and pipes cost on the host heap, against what kernel memory charges for them. */
class KernelMemoryChargeTest {
  private static final int FILE = KernelMemory.Kind.FILE.bytes();

  @Test
  void aPipeWithItsTwoEndsCostsNoMoreHeapThanItsCharges() {
    PhysicalMemory memory = new PhysicalMemory(1 << 20);
    OpenFiles files = OpenFiles.unaccounted();
    double perPipe =
        HeapMeter.bytesPerObject(
            20_000,
            n -> {
              PipeEnd[] ends = new PipeEnd[2 * n];
              for (int i = 0; i < n; i++) {
                Pipe pipe = new Pipe(files.kmem(), memory);
                ends[2 * i] = new PipeEnd(files, pipe, false, false, null);
                ends[2 * i + 1] = new PipeEnd(files, pipe, true, false, null);
              }
              return ends;
            });
    int charged = KernelMemory.Kind.PIPE.bytes() + 2 * FILE;
    assertTrue(perPipe <= charged, "a pipe takes " + perPipe + " bytes, charged " + charged);
  }

  @Test
  void aDescriptorTableCostsNoMoreHeapThanItsCharge() {
    OpenFiles files = OpenFiles.unaccounted();
    double perTable =
        HeapMeter.bytesPerObject(
            5_000,
            n -> {
              FileTable[] tables = new FileTable[n];
              for (int i = 0; i < n; i++) {
                tables[i] = FileTable.withConsole(files); // with its three console files
              }
              return tables;
            });
    int charged = KernelMemory.Kind.FILE_TABLE.bytes() + 3 * FILE;
    assertTrue(perTable <= charged, "a table takes " + perTable + " bytes, charged " + charged);
  }

  @Test
  void pipeDataLivesInGuestFramesThatComeAndGoWithIt() {
    FrameAllocator frames = new FrameAllocator(new PhysicalMemory(1 << 20), 1, true);
    KernelMemory kmem = KernelMemory.of(frames);
    Pipe pipe = new Pipe(kmem, new PhysicalMemory(1 << 20));
    assertEquals(0, kmem.used(), "an empty pipe holds no page");
    byte[] data = new byte[10_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7);
    }
    assertEquals(data.length, pipe.reserve(data.length));
    pipe.write(data, 0, data.length);
    assertEquals(3 * 4096, kmem.used(), "10,000 bytes: three pages");
    byte[] first = new byte[8192];
    pipe.read(first);
    assertEquals(4096, kmem.used(), "the two pages read are gone");
    byte[] rest = new byte[data.length - first.length];
    pipe.read(rest);
    assertEquals(0, kmem.used());
    assertEquals(data[9999], rest[rest.length - 1]);
    assertEquals(data[8192], rest[0]);
  }

  @Test
  void fileMaxIsEnfile() {
    OpenFiles files = new OpenFiles(KernelMemory.unaccounted(), 0); // file-max is NR_FILE
    for (int i = 0; i < OpenFiles.NR_FILE; i++) {
      files.allocate();
    }
    SyscallError e = assertThrows(SyscallError.class, files::allocate);
    assertEquals(Errno.ENFILE, e.errno());
  }
}
