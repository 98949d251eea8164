package hartlab.kernel.proc;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.KernelRig.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * futex WAIT and WAKE: the word is compared under the queue's lock, wakes are counted, private
 * futexes are per mm and shared ones per object, so a parent and its forked child meet on a
 * MAP_SHARED word but not on a private one; and exit's clear_child_tid wakes a joiner.
 */
class FutexesTest {
  private final KernelRig rig = KernelRig.of(3);
  private final Futexes futexes = rig.proc.futexes();
  private final Hart h0 = rig.hart(0), h1 = rig.hart(1), h2 = rig.hart(2);
  private final Task a = rig.runNewProcess(0);
  private final Mm mm = a.mm;
  private final Task b = rig.runOn(1, rig.newThread(a));
  private final Task c = rig.runOn(2, rig.newThread(a));
  private final long word = rig.mmapAnon(h0, mm, 1);

  private void set(int value) {
    rig.vm.user().putInt(h0, mm, word, value);
  }

  @Test
  void waitSleepsOnlyWhileTheWordHoldsTheExpectedValue() {
    set(5);
    assertEquals(Errno.EAGAIN, errno(() -> futexes.wait(h1, b, word, 4, Long.MAX_VALUE)));
    assertSame(b, rig.schedule.current(h1), "a mismatch does not sleep");
    assertEquals(Waits.BLOCKED, futexes.wait(h1, b, word, 5, Long.MAX_VALUE));
    assertEquals(Task.State.SLEEPING, b.state);
    assertEquals(1, futexes.wake(h0, mm, word, 1));
    assertEquals(Task.State.RUNNABLE, b.state);
    assertEquals(0, b.regs[10], "FUTEX_WAIT returns 0 when woken");
    assertEquals(0, futexes.wake(h0, mm, word, 1), "nobody left");
  }

  @Test
  void wakeWakesAtMostTheNumberAskedOldestFirst() {
    set(0);
    futexes.wait(h1, b, word, 0, Long.MAX_VALUE);
    futexes.wait(h2, c, word, 0, Long.MAX_VALUE);
    assertEquals(0, futexes.wake(h0, mm, word, 0), "max 0 wakes nobody");
    assertEquals(1, futexes.wake(h0, mm, word, 1));
    assertEquals(Task.State.RUNNABLE, b.state, "b waited first");
    assertEquals(Task.State.SLEEPING, c.state);
    assertEquals(1, futexes.wake(h0, mm, word, Integer.MAX_VALUE));
    assertEquals(Task.State.RUNNABLE, c.state);
  }

  @Test
  void aWaitThatTimesOutReturnsEtimedout() {
    set(0);
    futexes.wait(h1, b, word, 0, h1.cycles() + 1_000);
    h1.addCycles(2_000);
    rig.schedule.fireTimers(h1);
    assertEquals(Task.State.RUNNABLE, b.state);
    assertEquals(-Errno.ETIMEDOUT, b.regs[10]);
    assertEquals(0, futexes.wake(h0, mm, word, 1), "the timer took it off the queue");
  }

  @Test
  void misalignedAndUnmappedWordsAreRefused() {
    assertEquals(Errno.EINVAL, errno(() -> futexes.wait(h1, b, word + 2, 0, Long.MAX_VALUE)));
    assertEquals(Errno.EINVAL, errno(() -> futexes.wake(h0, mm, word + 1, 1)));
    assertEquals(Errno.EFAULT, errno(() -> futexes.wait(h1, b, 0x7000_0000L, 0, Long.MAX_VALUE)));
    assertEquals(Errno.EFAULT, errno(() -> futexes.wake(h0, mm, 0x7000_0000L, 1)));
    assertEquals(0, futexes.wake(h0, mm, word, 1), "a futex nobody waited on");
  }

  @Test
  void differentWordsAreDifferentFutexes() {
    set(0);
    rig.vm.user().putInt(h0, mm, word + 4, 0);
    futexes.wait(h1, b, word, 0, Long.MAX_VALUE);
    assertEquals(0, futexes.wake(h0, mm, word + 4, 1));
    assertEquals(Task.State.SLEEPING, b.state);
  }

  /** A child process forked from a, running on hart 2 in a copy of a's mm. */
  private Task forkChild() {
    rig.vm.locking().lockSpinning(h0, mm, true);
    Mm childMm;
    try {
      childMm = rig.vm.dupMmap().dupMmap(h0, mm);
    } finally {
      rig.vm.locking().unlock(h0, mm, true);
    }
    rig.schedule.exit(h2, c); // make room on hart 2
    return rig.runOn(2, rig.newProcess(childMm));
  }

  @Test
  void aSharedMappingsFutexIsTheSameInParentAndChild() {
    long shared = rig.mmap(h0, mm, 0, PAGE, KernelRig.RW, KernelRig.SHARED_ANON);
    rig.vm.user().putInt(h0, mm, shared + 8, 1);
    Task child = forkChild();
    assertEquals(Waits.BLOCKED, futexes.wait(h2, child, shared + 8, 1, Long.MAX_VALUE));
    assertEquals(1, futexes.wake(h0, mm, shared + 8, 1), "the parent's wake finds the child");
    assertEquals(Task.State.RUNNABLE, child.state);
  }

  @Test
  void aPrivateWordAfterForkIsTwoFutexes() {
    set(1);
    Task child = forkChild();
    assertEquals(Waits.BLOCKED, futexes.wait(h2, child, word, 1, Long.MAX_VALUE));
    assertEquals(0, futexes.wake(h0, mm, word, 1), "the parent's copy is another word");
    assertEquals(Task.State.SLEEPING, child.state);
    assertEquals(1, futexes.wake(h2, child.mm, word, 1));
  }

  @Test
  void anExitingThreadClearsItsTidWordAndWakesAJoiner() {
    long tidWord = word + 16;
    rig.vm.user().putInt(h0, mm, tidWord, c.tid);
    c.clearChildTid = tidWord;
    assertEquals(Waits.BLOCKED, futexes.wait(h1, b, tidWord, c.tid, Long.MAX_VALUE)); // join
    rig.schedule.exit(h2, c);
    assertEquals(0, rig.vm.user().getInt(h0, mm, tidWord), "CLONE_CHILD_CLEARTID");
    assertEquals(Task.State.RUNNABLE, b.state, "the joiner was woken");
    assertEquals(Task.State.DEAD, c.state);
    assertNull(rig.schedule.current(h2));
    assertEquals(2, mm.users.get(), "a and b still use the mm");
  }

  @Test
  void waitersOfWordsSharingABucketWakeOnlyForTheirOwnWord() {
    KernelRig one = KernelRig.builder().harts(1).memoryBytes(64L << 20).maxTasks(512).build();
    Futexes f = one.proc.futexes();
    Hart h = one.hart(0);
    Task first = one.runNewProcess(0);
    long base = one.mmapAnon(h, first.mm, 1);
    int words = 300; // more words than one hart's 256 buckets: some must share one
    List<Task> waiters = new ArrayList<>();
    for (int i = 0; i < words; i++) {
      Task t = i == 0 ? first : one.runOn(0, one.newThread(first));
      assertEquals(Waits.BLOCKED, f.wait(h, t, base + 4L * i, 0, Long.MAX_VALUE));
      waiters.add(t);
    }
    for (int i = words - 1; i >= 0; i--) {
      assertEquals(1, f.wake(h, first.mm, base + 4L * i, Integer.MAX_VALUE), "word " + i);
      assertEquals(Task.State.RUNNABLE, waiters.get(i).state);
      if (i > 0) {
        assertEquals(Task.State.SLEEPING, waiters.get(i - 1).state, "word " + (i - 1));
      }
    }
    for (int i = 0; i < words; i++) {
      assertEquals(0, f.wake(h, first.mm, base + 4L * i, 1), "nobody left on word " + i);
    }
  }
}
