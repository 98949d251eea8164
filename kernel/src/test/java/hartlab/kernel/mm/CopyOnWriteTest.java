package hartlab.kernel.mm;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.KernelRig.PAGE;
import static hartlab.kernel.KernelRig.RW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.proc.Task;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.uapi.Errno;
import hartlab.mmu.Mmu;
import hartlab.mmu.Pte;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * fork's dup_mmap and copy-on-write: the parent (hart 0) forks; the child runs on hart 1 and a
 * second thread of it on hart 2. Private pages are shared read-only until the first store copies
 * them; the last sharer takes its frame over; shared mappings stay shared.
 */
class CopyOnWriteTest {
  private final KernelRig rig = KernelRig.of(3);
  private final Hart h0 = rig.hart(0), h1 = rig.hart(1), h2 = rig.hart(2);
  private final Mm parent = rig.newMm();
  private final Task parentTask = rig.runOn(0, rig.newProcess(parent));
  private final long data = rig.mmapAnon(h0, parent, 2);
  private final long shared =
      rig.mmap(h0, parent, 0, PAGE, RW, Mmap.MAP_SHARED | Mmap.MAP_ANONYMOUS);

  private Mm fork() {
    rig.poke(h0, parent, data, 42);
    rig.poke(h0, parent, shared, 5);
    return dupMmap();
  }

  private Mm dupMmap() {
    long before = rig.count(0, Counter.SHOOTDOWNS);
    Mm child;
    rig.vm.locking().lockSpinning(h0, parent, true); // fork holds the parent's lock for writing
    try {
      child = rig.vm.dupMmap().dupMmap(h0, parent);
    } finally {
      rig.vm.locking().unlock(h0, parent, true);
    }
    assertEquals(before + 1, rig.count(0, Counter.SHOOTDOWNS), "fork write-protects by shootdown");
    return child;
  }

  private long frameOf(Mm mm, long va) {
    return Pte.pa(rig.pageTable.lookup(mm.root, va));
  }

  private int refs(long pa) {
    return MmFixtures.refCount(rig.vm.refs(), pa);
  }

  /** The child as a process of its own on hart 1, with a second thread on hart 2. */
  private Task runChild(Mm child) {
    Task c = rig.runOn(1, rig.newProcess(child));
    rig.runOn(2, rig.newThread(c));
    return c;
  }

  @Test
  void forkSharesEveryPrivatePageReadOnlyAndFlushesTheParentsWritableEntry() {
    assertTrue(rig.touch(h0, parent, data, Mmu.STORE) >= 0);
    Mm child = fork();
    long pa = frameOf(parent, data);
    assertEquals(pa, frameOf(child, data), "one frame, two page tables");
    assertEquals(2, refs(pa));
    assertEquals(0, rig.pageTable.lookup(parent.root, data) & Pte.W, "parent read-only");
    assertEquals(0, rig.pageTable.lookup(child.root, data) & Pte.W, "child read-only");
    assertEquals(Mmu.PAGE_FAULT, h0.mmu().translate(data, Mmu.STORE), "stale W entry survived");
    assertEquals(pa, h0.mmu().translate(data, Mmu.LOAD), "reading needs no copy");
    assertEquals(0, rig.pageTable.lookup(child.root, data + PAGE), "never touched: not copied");
    assertEquals(1, rig.count(0, Counter.FULL_SHOOTDOWNS), "the whole address space at once");
    rig.assertNoViolations();
  }

  @Test
  void forkCopiesTheLayoutAndTheBreakIntoNewAreas() {
    MmFixtures.setBrk(parent, 0x100000);
    Mm child = fork();
    List<Vma> p = MmFixtures.areas(parent), c = MmFixtures.areas(child);
    assertEquals(p.size(), c.size());
    for (int i = 0; i < p.size(); i++) {
      assertNotSame(p.get(i), c.get(i));
      assertEquals(p.get(i).toString(), c.get(i).toString());
    }
    assertEquals(MmFixtures.brk(parent), MmFixtures.brk(child));
    assertNotEquals(parent.root, child.root);
    assertEquals(1, child.users.get());
  }

  @Test
  void theFirstStoreCopiesTheFrameAndShootsTheOldTranslationDown() {
    Mm child = fork();
    runChild(child);
    long old = frameOf(parent, data);
    assertEquals(old, rig.touch(h2, child, data, Mmu.LOAD), "hart 2 caches the shared frame");
    int free = rig.freeFrames();
    assertEquals(
        PageFaults.Result.FIXED, rig.vm.faults().fault(h1, child, data, Mmu.STORE, true).result());
    long copy = frameOf(child, data);
    assertNotEquals(old, copy);
    assertEquals(free - 1, rig.freeFrames(), "one new frame");
    assertEquals(42, rig.memory.getLong(copy), "with the data copied");
    assertEquals(1, refs(old));
    assertEquals(1, refs(copy));
    assertTrue((rig.pageTable.lookup(child.root, data) & Pte.W) != 0);
    assertFalse(rig.cached(h2, child, data), "hart 2's old translation was shot down");
    assertEquals(copy, rig.touch(h2, child, data, Mmu.LOAD), "hart 2 now reads the copy");
    rig.poke(h1, child, data, 7);
    assertEquals(42, rig.peek(h0, parent, data), "the parent never sees the child's store");
    rig.assertNoViolations();
  }

  @Test
  void theLastSharerTakesTheFrameOverWithoutCopying() {
    Mm child = fork();
    runChild(child);
    long old = frameOf(parent, data);
    rig.poke(h1, child, data, 7); // the child copies
    int free = rig.freeFrames();
    rig.poke(h0, parent, data, 8); // the parent is the last sharer
    assertEquals(old, frameOf(parent, data), "kept its frame");
    assertEquals(free, rig.freeFrames(), "no copy");
    assertTrue((rig.pageTable.lookup(parent.root, data) & Pte.W) != 0);
    assertEquals(7, rig.peek(h1, child, data));
  }

  @Test
  void unmappingInOneSharerLeavesTheFrameToTheOther() {
    Mm child = fork();
    runChild(child);
    long pa = frameOf(parent, data);
    rig.munmap(h0, parent, data, 2 * PAGE);
    assertEquals(1, refs(pa));
    assertTrue(rig.frames.isAllocated(pa));
    int free = rig.freeFrames();
    rig.poke(h1, child, data, 9);
    assertEquals(pa, frameOf(child, data), "the child is alone now: takes it over");
    assertEquals(free, rig.freeFrames());
    rig.munmap(h1, child, data, 2 * PAGE);
    assertFalse(rig.frames.isAllocated(pa), "freed with the last mapping");
  }

  @Test
  void sharedMappingsStaySharedAndWritable() {
    Mm child = fork();
    runChild(child);
    long pa = frameOf(parent, shared);
    assertEquals(pa, frameOf(child, shared));
    assertTrue((rig.pageTable.lookup(child.root, shared) & Pte.W) != 0, "no copy-on-write");
    assertEquals(1, refs(pa), "the object's reference only");
    rig.poke(h1, child, shared, 99);
    assertEquals(99, rig.peek(h0, parent, shared), "the parent sees the child's store");
    assertSame(parent.vmas.find(shared).sharedObject(), child.vmas.find(shared).sharedObject());
    rig.munmap(h0, parent, shared, PAGE);
    assertTrue(rig.frames.isAllocated(pa), "the child's mapping holds the object");
    rig.munmap(h1, child, shared, PAGE);
    assertFalse(rig.frames.isAllocated(pa));
  }

  @Test
  void mprotectCannotMakeACowPageWritable() {
    Mm child = fork();
    runChild(child);
    rig.mprotect(h0, parent, data, 2 * PAGE, RW); // same protection, rewritten
    assertEquals(0, rig.pageTable.lookup(parent.root, data) & Pte.W, "still shared: read-only");
    long old = frameOf(parent, data);
    rig.poke(h0, parent, data, 1);
    assertNotEquals(old, frameOf(parent, data), "the store still copies");
    assertEquals(42, rig.peek(h1, child, data));
  }

  @Test
  void forkOutOfMemoryIsEnomemLeavesTheParentWorkingAndLeaksNothing() {
    rig.poke(h0, parent, data, 42);
    rig.poke(h0, parent, data + PAGE, 43);
    List<Long> hog = new ArrayList<>();
    for (long pa; (pa = rig.frames.alloc()) >= 0; ) {
      hog.add(pa);
    }
    rig.frames.free(hog.remove(hog.size() - 1)); // room for the root, not for its tables
    int free = rig.freeFrames();
    rig.vm.locking().lockSpinning(h0, parent, true);
    try {
      assertEquals(
          Errno.ENOMEM, errno(() -> rig.vm.dupMmap().dupMmap(h0, parent).id), "fork fails");
    } finally {
      rig.vm.locking().unlock(h0, parent, true);
    }
    assertEquals(free, rig.freeFrames(), "the child's root and tables came back");
    assertEquals(1, refs(frameOf(parent, data)), "no reference left behind");
    hog.forEach(rig.frames::free);
    rig.poke(h0, parent, data, 44);
    assertEquals(44, rig.peek(h0, parent, data));
    assertEquals(43, rig.peek(h0, parent, data + PAGE));
    assertEquals(parentTask, rig.schedule.current(h0));
    rig.assertNoViolations();
  }

  @Test
  void aCopyThatFindsNoMemoryLeavesThePageSharedForALaterTry() {
    Mm child = fork();
    runChild(child);
    long old = frameOf(child, data);
    List<Long> hog = new ArrayList<>();
    for (long pa; (pa = rig.frames.alloc()) >= 0; ) {
      hog.add(pa);
    }
    assertEquals(
        PageFaults.Result.OUT_OF_MEMORY,
        rig.vm.faults().fault(h1, child, data, Mmu.STORE, true).result());
    assertEquals(old, frameOf(child, data));
    assertEquals(2, refs(old), "still shared");
    hog.forEach(rig.frames::free);
    rig.poke(h1, child, data, 3);
    assertNotEquals(old, frameOf(child, data));
  }
}
