package hartlab.kernel.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.kernel.KernelRig;
import hartlab.kernel.proc.Task;
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
}
