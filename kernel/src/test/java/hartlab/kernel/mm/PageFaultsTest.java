package hartlab.kernel.mm;

import static hartlab.kernel.KernelRig.PAGE;
import static hartlab.kernel.KernelRig.PRIVATE_ANON;
import static hartlab.kernel.KernelRig.RW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.proc.Task;
import hartlab.mmu.Mmu;
import hartlab.mmu.Pte;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The page-fault handler: demand-zero and shared pages, permission faults, running out of memory,
 * and how a fault waits for an mmap_lock held for writing: a fault from user mode sleeps and runs
 * the instruction again, one inside a syscall spins.
 */
class PageFaultsTest {
  private final KernelRig rig = KernelRig.of(2);
  private final PageFaults faults = rig.vm.faults();
  private final Hart hart = rig.hart(0);
  private final Mm mm = rig.newMm();

  {
    rig.load(0, mm);
  }

  private long map(int pages, int prot, int flags) {
    return rig.vm.mmap().mmap(hart, mm, 0, pages * PAGE, prot, flags, -1, 0);
  }

  /** Takes every free frame but the slab's; the caller gives them back with {@link #release}. */
  private List<Long> hogAllFrames() {
    rig.slabHeadroom(); // areas still fit: only user memory runs out
    List<Long> hog = new ArrayList<>();
    for (long pa; (pa = rig.frames.alloc()) >= 0; ) {
      hog.add(pa);
    }
    return hog;
  }

  private void release(List<Long> hog) {
    hog.forEach(rig.frames::free);
  }

  // ---- what a fault maps ----

  @Test
  void aFirstLoadMapsAZeroedFrameWithOneReferenceAndNoDirtyBit() {
    long va = map(2, RW, PRIVATE_ANON);
    int free = rig.freeFrames();
    assertEquals(PageFaults.Result.FIXED, faults.fault(hart, mm, va, Mmu.LOAD, true).result());
    long pte = rig.pageTable.lookup(mm.root, va);
    assertTrue(Pte.isValid(pte));
    assertEquals(Pte.R | Pte.W | Pte.U | Pte.A, pte & (Pte.R | Pte.W | Pte.X | Pte.U | Pte.A));
    assertEquals(0, pte & Pte.D, "a load does not dirty the page");
    assertEquals(1, MmFixtures.refCount(rig.vm.refs(), Pte.pa(pte)));
    assertEquals(free - 3, rig.freeFrames(), "the frame and two page tables");
    for (int off = 0; off < PAGE; off += 8) {
      assertEquals(0, rig.memory.getLong(Pte.pa(pte) + off), "zeroed at " + off);
    }
    assertTrue(hart.mmu().translate(va, Mmu.STORE) >= 0, "writable: the store needs no fault");
    assertTrue((rig.pageTable.lookup(mm.root, va) & Pte.D) != 0, "the walker dirtied it");
    assertEquals(Pte.pa(pte), Pte.pa(rig.pageTable.lookup(mm.root, va)), "same frame");
  }

  @Test
  void aFaultOnAPageAnotherHartMappedFirstJustBringsThePteUpToDate() {
    long va = map(1, RW, PRIVATE_ANON);
    faults.fault(hart, mm, va, Mmu.LOAD, true);
    long pa = Pte.pa(rig.pageTable.lookup(mm.root, va));
    int free = rig.freeFrames();
    assertEquals(PageFaults.Result.FIXED, faults.handle(rig.hart(1), mm, va, Mmu.LOAD));
    assertEquals(pa, Pte.pa(rig.pageTable.lookup(mm.root, va)));
    assertEquals(free, rig.freeFrames(), "nothing allocated");
  }

  @Test
  void sharedPagesComeFromTheirObjectAndAreOneFrameInEveryAreaMappingIt() {
    long va = map(1, RW, Mmap.MAP_SHARED | Mmap.MAP_ANONYMOUS);
    Vma first = mm.vmas.find(va);
    long other = 0x7000_0000L; // a second mapping of the same object, as fork leaves it
    first.shared.retain();
    mm.vmas.insert(new Vma(other, other + PAGE, RW, Vma.Kind.ANON, first.shared, 0));
    assertEquals(PageFaults.Result.FIXED, faults.fault(hart, mm, va, Mmu.STORE, true).result());
    long pa = Pte.pa(rig.pageTable.lookup(mm.root, va));
    rig.memory.putLong(pa, 31);
    assertEquals(PageFaults.Result.FIXED, faults.fault(hart, mm, other, Mmu.LOAD, true).result());
    assertEquals(pa, Pte.pa(rig.pageTable.lookup(mm.root, other)), "the object's frame");
    assertEquals(31, rig.peek(hart, mm, other));
    assertEquals(1, MmFixtures.refCount(rig.vm.refs(), pa), "held by the object alone");
    assertTrue((rig.pageTable.lookup(mm.root, va) & Pte.W) != 0, "shared pages stay writable");
  }

  // ---- what a fault refuses ----

  @Test
  void noAreaAndForbiddenAccessesAreReportedWithTheirReason() {
    PageFaults.Fault none = faults.fault(hart, mm, 0x7000_0000L, Mmu.LOAD, true);
    assertEquals(PageFaults.Result.NO_AREA, none.result());
    assertEquals("no mapping at this address", none.reason());
    assertTrue(!none.resolved());
    long ro = map(1, Vma.PROT_READ, PRIVATE_ANON);
    PageFaults.Fault store = faults.fault(hart, mm, ro, Mmu.STORE, true);
    assertEquals(PageFaults.Result.FORBIDDEN, store.result());
    assertSame(mm.vmas.find(ro), store.vma());
    assertTrue(store.reason().startsWith("not permitted by mapping ["), store.reason());
    assertEquals(PageFaults.Result.FORBIDDEN, faults.fault(hart, mm, ro, Mmu.FETCH, true).result());
    long none2 = map(1, 0, PRIVATE_ANON);
    assertEquals(
        PageFaults.Result.FORBIDDEN, faults.fault(hart, mm, none2, Mmu.LOAD, true).result());
    assertEquals(0, rig.pageTable.lookup(mm.root, ro), "a refused fault maps nothing");
    assertEquals(
        PageFaults.Result.NO_AREA,
        faults.fault(hart, mm, Mm.TASK_SIZE + 0x1000, Mmu.LOAD, true).result());
  }

  // ---- running out of memory ----

  @Test
  void outOfMemoryForThePageTableOrTheFrameIsReportedAndRecovered() {
    long va = map(2, RW, PRIVATE_ANON);
    List<Long> hog = hogAllFrames();
    PageFaults.Fault noTable = faults.fault(hart, mm, va, Mmu.STORE, true);
    assertEquals(PageFaults.Result.OUT_OF_MEMORY, noTable.result());
    assertEquals("out of guest memory (raise --mem)", noTable.reason());
    release(hog.subList(0, 3)); // two page tables and one page
    hog = new ArrayList<>(hog.subList(3, hog.size()));
    assertEquals(PageFaults.Result.FIXED, faults.fault(hart, mm, va, Mmu.STORE, true).result());
    assertEquals(
        PageFaults.Result.OUT_OF_MEMORY,
        faults.fault(hart, mm, va + PAGE, Mmu.STORE, true).result(),
        "the table exists now, but no frame is left for the page");
    assertEquals(0, rig.pageTable.lookup(mm.root, va + PAGE));
    release(hog);
    assertEquals(
        PageFaults.Result.FIXED, faults.fault(hart, mm, va + PAGE, Mmu.STORE, true).result());
  }

  @Test
  void populateStopsQuietlyWhenMemoryRunsOut() {
    List<Long> hog = hogAllFrames();
    release(hog.subList(0, 4)); // the two tables and two pages
    long va = map(8, RW, PRIVATE_ANON | Mmap.MAP_POPULATE);
    assertTrue(va > 0, "MAP_POPULATE is best effort");
    assertTrue(Pte.isValid(rig.pageTable.lookup(mm.root, va + PAGE)));
    assertEquals(0, rig.pageTable.lookup(mm.root, va + 2 * PAGE));
    release(hog.subList(4, hog.size()));
  }

  // ---- waiting for the mmap lock ----

  @Test
  void aUserFaultSleepsOnAWriteLockedMmapLockAndRunsAgainWhenItIsReleased() {
    Task task = rig.runOn(0, rig.newProcess(mm));
    long va = map(1, RW, PRIVATE_ANON);
    hart.setPc(0x10_0000);
    hart.setReg(10, 4242);
    rig.vm.locking().lockSpinning(rig.hart(1), mm, true); // a writer on hart 1
    PageFaults.Fault f = faults.fault(hart, mm, va, Mmu.STORE, true);
    assertEquals(PageFaults.Result.SLEPT, f.result());
    assertTrue(f.resolved(), "the task lives on");
    assertEquals(Task.State.SLEEPING, task.state);
    assertNull(rig.schedule.current(hart), "its hart is free for another task");
    assertEquals(0x10_0000, task.pc, "the faulting instruction runs again");
    assertSame(mm.mmapLock.waiters(), task.sleepingOn);
    assertEquals(0, rig.pageTable.lookup(mm.root, va), "nothing was mapped");
    rig.vm.locking().unlock(rig.hart(1), mm, true);
    assertEquals(Task.State.RUNNABLE, task.state, "the writer's unlock woke it");
    assertNull(task.sleepingOn);
    assertTrue(mm.mmapLock.waiters().isEmpty());
    rig.schedule.schedule(hart);
    assertSame(task, rig.schedule.current(hart));
    assertEquals(0x10_0000, hart.pc());
    assertEquals(4242, hart.reg(10), "a restart leaves a0 alone");
    assertEquals(PageFaults.Result.FIXED, faults.fault(hart, mm, va, Mmu.STORE, true).result());
  }

  @Test
  void aReadLockedMmapLockLetsFaultsInAtOnce() {
    rig.runOn(0, rig.newProcess(mm));
    long va = map(1, RW, PRIVATE_ANON);
    rig.vm.locking().lockSpinning(rig.hart(1), mm, false); // another fault, say
    assertEquals(PageFaults.Result.FIXED, faults.fault(hart, mm, va, Mmu.LOAD, true).result());
    rig.vm.locking().unlock(rig.hart(1), mm, false);
    assertTrue(mm.mmapLock.tryWrite(), "and both read holds were released");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aFaultInsideASyscallSpinsForTheLockServingItsIpisMeanwhile() throws Exception {
    Task task = rig.runOn(0, rig.newProcess(mm));
    long va = map(1, RW, PRIVATE_ANON);
    rig.vm.locking().lockSpinning(rig.hart(1), mm, true);
    AtomicInteger ran = new AtomicInteger();
    AtomicReference<Hart> ranOn = new AtomicReference<>();
    rig.ipis.send(
        rig.hart(1),
        1L << 0,
        target -> {
          ran.incrementAndGet();
          ranOn.set(target);
        },
        "test",
        false);
    CountDownLatch spinning = new CountDownLatch(1);
    rig.turns.serveOthers(false);
    rig.turns.onPause(h -> spinning.countDown());
    Thread writer =
        new Thread(
            () -> {
              try {
                spinning.await();
                rig.vm.locking().unlock(rig.hart(1), mm, true); // the writer on hart 1 lets go
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "hart-1");
    writer.start();
    PageFaults.Fault f = faults.fault(hart, mm, va, Mmu.STORE, false);
    writer.join();
    assertEquals(PageFaults.Result.FIXED, f.result());
    assertSame(task, rig.schedule.current(hart), "it never slept");
    assertEquals(Task.State.RUNNING, task.state);
    assertEquals(1, ran.get(), "its own IPI was served while it spun");
    assertSame(hart, ranOn.get());
    assertTrue(rig.turns.pauses() > 0, "it did spin");
  }
}
