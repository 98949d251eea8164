package hartlab.kernel.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.proc.Task;
import hartlab.kernel.stats.Counter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The mmap lock: readers share it, a writer excludes everyone, a task that cannot take it sleeps
 * and is woken to try again when it becomes free, and a wrong release is a kernel bug.
 */
class MmapLockTest {
  @Test
  void readersShareAndAWriterExcludes() {
    MmapLock lock = new MmapLock();
    assertTrue(lock.tryRead());
    assertTrue(lock.tryRead());
    assertFalse(lock.tryWrite(), "readers hold it");
    assertEquals(List.of(), lock.release(false, 0));
    assertFalse(lock.tryWrite(), "one reader left");
    lock.release(false, 0);
    assertTrue(lock.tryWrite());
    assertTrue(lock.isWriteLocked());
    assertFalse(lock.tryRead(), "the writer holds it");
    assertFalse(lock.tryLock(true));
    lock.release(true, 0);
    assertFalse(lock.isWriteLocked());
    assertTrue(lock.tryLock(false));
  }

  @Test
  void releasingWhatIsNotHeldIsAKernelBug() {
    MmapLock lock = new MmapLock();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> lock.release(true, 0));
    assertTrue(e.getMessage().startsWith("MmapLock.release"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> lock.release(false, 0));
    assertTrue(lock.tryWrite(), "a refused release left the lock free");
    assertThrows(IllegalStateException.class, () -> lock.release(false, 0), "write-held");
    assertTrue(lock.isWriteLocked(), "and the writer's hold intact");
    lock.release(true, 0);
    lock.tryRead();
    assertThrows(IllegalStateException.class, () -> lock.release(true, 0), "read-held");
  }

  @Test
  void aTaskThatFindsItTakenSleepsAndEveryWaiterWakesOnlyWhenItIsFree() {
    KernelRig rig = KernelRig.of(3);
    Mm mm = rig.newMm();
    Task a = rig.runOn(0, rig.newProcess(mm));
    Task b = rig.runOn(1, rig.newThread(a));
    MmapLocking locking = rig.vm.locking();
    assertTrue(locking.lockOrSleep(rig.hart(2), mm, false), "a reader on hart 2");
    assertTrue(locking.lockOrSleep(rig.hart(2), mm, false), "and another");
    rig.hart(0).setReg(10, 11);
    assertFalse(locking.lockOrSleep(rig.hart(0), mm, true), "a writer must wait");
    assertFalse(locking.lockOrSleep(rig.hart(1), mm, true), "so must a second one");
    assertEquals(Task.State.SLEEPING, a.state);
    assertEquals(Task.State.SLEEPING, b.state);
    assertNull(rig.schedule.current(rig.hart(0)));
    assertSame(mm.mmapLock.waiters(), a.sleepingOn);
    locking.unlock(rig.hart(2), mm, false);
    assertEquals(Task.State.SLEEPING, a.state, "one reader still holds it: nobody is woken");
    locking.unlock(rig.hart(2), mm, false);
    assertEquals(Task.State.RUNNABLE, a.state, "free: every waiter tries again");
    assertEquals(Task.State.RUNNABLE, b.state);
    assertTrue(mm.mmapLock.waiters().isEmpty());
    assertEquals(11, a.regs[10], "they run the call again rather than get a result");
  }

  @Test
  void spinningTakesTheLockWithoutSleeping() {
    KernelRig rig = KernelRig.of(1);
    Mm mm = rig.newMm();
    Task t = rig.runOn(0, rig.newProcess(mm));
    rig.vm.locking().lockSpinning(rig.hart(0), mm, true);
    assertTrue(MmFixtures.writeLocked(mm));
    assertSame(t, rig.schedule.current(rig.hart(0)));
    rig.vm.locking().unlock(rig.hart(0), mm, true);
    assertFalse(MmFixtures.writeLocked(mm));
  }

  @Test
  void aReleaseStampsWhenTheNextTakerMayStartAndTimeNeverGoesBack() {
    MmapLock lock = new MmapLock();
    assertTrue(lock.tryWrite());
    lock.release(true, 500);
    assertEquals(500, lock.freeAt(true));
    assertEquals(500, lock.freeAt(false));
    assertTrue(lock.tryRead());
    lock.release(false, 700);
    assertEquals(700, lock.freeAt(true), "a writer waits for the last reader too");
    assertEquals(500, lock.freeAt(false), "a reader only for the last writer");
    assertTrue(lock.tryRead());
    lock.release(false, 600);
    assertEquals(700, lock.freeAt(true), "an earlier release does not move it back");
  }

  @Test
  void aTakerWhoseClockIsBehindTheReleaseWaitedUntilItAndFetchesTheLine() {
    KernelRig rig = KernelRig.of(2);
    Mm mm = rig.newMm();
    Hart h0 = rig.hart(0), h1 = rig.hart(1);
    h1.setCycles(10_000);
    rig.vm.locking().lockSpinning(h1, mm, true);
    rig.vm.locking().unlock(h1, mm, true);
    long releasedAt = h1.cycles();
    long remote = rig.count(0, Counter.REMOTE_ATOMICS);
    rig.vm.locking().lockSpinning(h0, mm, false);
    assertEquals(
        releasedAt + CostModel.DEFAULT.remoteAtomic(),
        h0.cycles(),
        "hart 0 spun until hart 1 let go, then took the lock's line from it");
    assertEquals(remote + 1, rig.count(0, Counter.REMOTE_ATOMICS));
    long before = h0.cycles();
    rig.vm.locking().unlock(h0, mm, false);
    assertEquals(before + CostModel.DEFAULT.atomic(), h0.cycles(), "its own line now");
  }

  @Test
  void aTakerAheadOfTheReleaseDoesNotGoBackInTime() {
    KernelRig rig = KernelRig.of(2);
    Mm mm = rig.newMm();
    Hart h0 = rig.hart(0), h1 = rig.hart(1);
    rig.vm.locking().lockSpinning(h1, mm, true);
    rig.vm.locking().unlock(h1, mm, true);
    h0.setCycles(1_000_000);
    assertTrue(rig.vm.locking().lockOrSleep(h0, mm, true));
    assertEquals(1_000_000 + CostModel.DEFAULT.remoteAtomic(), h0.cycles());
  }
}
