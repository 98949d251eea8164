package hartlab.kernel;

import hartlab.cpu.CodeCache;
import hartlab.cpu.Hart;
import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;

/**
 * The hardware a kernel runs on: RAM with its frame allocator, the decoded-code cache over it, and
 * the harts with their MMUs and TLBs, shaped as the configuration says. No threads yet.
 */
record Board(PhysicalMemory memory, FrameAllocator frames, CodeCache codeCache, Hart[] harts) {

  static Board of(MachineConfig config) {
    PhysicalMemory memory = new PhysicalMemory(config.memoryBytes());
    FrameAllocator frames = new FrameAllocator(memory, 1, true);
    CodeCache codeCache = new CodeCache(memory);
    // A freed frame may come back as someone else's code: its decoded instructions must go.
    frames.addFreeListener(codeCache::invalidate);
    Hart[] harts = new Hart[config.cores()];
    for (int i = 0; i < harts.length; i++) {
      Mmu mmu =
          new Mmu(
              memory, new Tlb(config.tlbEntries(), config.tlbWays()), config.cost().walkLevel());
      harts[i] = new Hart(i, mmu, codeCache, config.cost());
    }
    return new Board(memory, frames, codeCache, harts);
  }
}
