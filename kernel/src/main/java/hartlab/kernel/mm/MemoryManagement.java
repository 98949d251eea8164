package hartlab.kernel.mm;

import hartlab.cpu.CodeCache;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.rcu.Rcu;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.stats.Counters;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;

/** The memory subsystem's parts, built together over one guest RAM and page-table editor. */
public record MemoryManagement(
    PteObservers pteObservers,
    FrameRefs refs,
    MmapLocking locking,
    VmaLocks vmaLocks,
    PageFaults faults,
    Mmap mmap,
    Mprotect mprotect,
    Mremap mremap,
    Madvise madvise,
    DupMmap dupMmap,
    BinfmtElf binfmt,
    UserMemory user,
    KernelMemory kmem) {

  public static MemoryManagement create(
      PhysicalMemory memory,
      FrameAllocator frames,
      PageTable pageTable,
      CodeCache code,
      TlbFlusher tlbFlush,
      Waits waits,
      Ipis ipis,
      Counters counters,
      KernelMemory kmem,
      Rcu rcu,
      VmaBreak vmaBreak,
      long vmaLookupDelay,
      MunmapScheme munmapScheme) {
    PteObservers pteObservers = new PteObservers();
    FrameRefs refs = new FrameRefs(frames, memory);
    MmapLocking locking = new MmapLocking(waits, ipis, counters);
    VmaLocks vmaLocks = new VmaLocks(rcu, ipis, counters, vmaBreak, locking);
    if (vmaLookupDelay > 0) {
      vmaLocks.setLookupWindow((hart, mm, found) -> ipis.delay(hart, vmaLookupDelay));
    }
    PageFaults faults =
        new PageFaults(
            pageTable, refs, memory, tlbFlush, locking, vmaLocks, counters, pteObservers);
    Mmap mmap = new Mmap(pageTable, refs, frames, tlbFlush, faults, rcu, waits, munmapScheme);
    Mms mms = new Mms(pageTable, kmem, vmaLocks);
    return new MemoryManagement(
        pteObservers,
        refs,
        locking,
        vmaLocks,
        faults,
        mmap,
        new Mprotect(pageTable, refs, tlbFlush),
        new Mremap(mmap, pageTable, refs, frames, tlbFlush, pteObservers),
        new Madvise(mmap, pageTable, refs, frames, tlbFlush),
        new DupMmap(mms, mmap, pageTable, refs, frames, tlbFlush),
        new BinfmtElf(memory, refs, frames, pageTable, mms),
        new UserMemory(faults, code, memory),
        kmem);
  }
}
