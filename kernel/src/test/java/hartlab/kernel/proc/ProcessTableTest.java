package hartlab.kernel.proc;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.Errnos.errnoOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import org.junit.jupiter.api.Test;

/**
 * The process table: ids, the tree, ending thread groups, exit statuses as wait4 reports them,
 * orphans and the task limit.
 */
class ProcessTableTest {
  private final KernelRig rig = KernelRig.builder().harts(2).maxTasks(6).build();
  private final ProcessTable table = rig.proc.table();
  private final Hart h0 = rig.hart(0);

  /** init running on hart 0 with a page for wait4's status; returns the page's address. */
  private Task init;

  private long status;

  private void startInit() {
    init = rig.runNewProcess(0);
    status = rig.mmapAnon(h0, init.mm, 1);
  }

  private Task child(GuestProcess parent) {
    return table.newProcessTask(parent, "child", rig.newMm(), FileTable.withConsole());
  }

  private long wait4(long pid, long options) {
    return table.wait4(h0, init, rig.vm.user(), pid, status, options);
  }

  private int statusWord() {
    return rig.vm.user().getInt(h0, init.mm, status);
  }

  @Test
  void idsTheTreeAndLookups() {
    startInit();
    assertSame(init.process, table.init());
    assertEquals(1, init.process.pid);
    assertEquals(1, init.tid, "a process's first task has its pid");
    Task c = child(init.process);
    Task t = table.newThread(c.process, c.mm);
    assertEquals(c.process.pid, c.tid);
    assertEquals(c.tid + 1, t.tid);
    assertSame(c.process, t.process);
    assertSame(c.process, table.find(c.process.pid));
    assertNull(table.find(t.tid), "a thread's id names no process");
    assertNull(table.find(-1));
    assertNull(table.find(1L << 40));
    assertSame(t, table.findTask(t.tid));
    assertNull(table.findTask(999));
    assertEquals(1, table.parentPid(c.process));
    assertEquals(0, table.parentPid(init.process));
    assertEquals(3, table.tasksCreated());
  }

  @Test
  void theTaskLimitIsEagainAndExitsMakeRoom() {
    startInit();
    Task c = child(init.process);
    for (int i = 0; i < 4; i++) {
      table.newThread(c.process, c.mm);
    }
    assertEquals(Errno.EAGAIN, errnoOf(table::checkLimit));
    assertEquals(Errno.EAGAIN, errno(() -> table.newThread(c.process, c.mm).tid));
    assertEquals(Errno.EAGAIN, errno(() -> child(init.process).tid));
    assertEquals(6, table.tasksCreated(), "failed attempts create nothing");
    table.taskExited(c, 0);
    table.checkLimit();
    assertTrue(table.newThread(init.process, init.mm).tid > 0);
  }

  @Test
  void exitStatusesAreReportedByWait4AsLinuxEncodesThem() {
    startInit();
    Task exited = child(init.process);
    Task killed = child(init.process);
    table.taskExited(exited, 0x1_2A); // exit(0x12A): only the low byte counts
    assertEquals(GuestProcess.State.ZOMBIE, exited.process.state);
    assertEquals(exited.process.pid, wait4(exited.process.pid, 0));
    assertEquals(0x2A << 8, statusWord(), "WIFEXITED, WEXITSTATUS 42");
    assertEquals(GuestProcess.State.REAPED, exited.process.state);
    assertNull(table.find(exited.process.pid), "reaped: its pid is gone");
    table.endGroup(killed.process, 9, "killed by SIGKILL");
    table.taskExited(killed, 0);
    assertEquals(killed.process.pid, wait4(-1, 0));
    assertEquals(9, statusWord(), "WIFSIGNALED, WTERMSIG 9");
    assertEquals(128 + 9, killed.process.shellStatus());
    assertEquals(42, exited.process.shellStatus());
  }

  @Test
  void wait4WithoutAnEndedChildSleepsOrSaysSo() {
    startInit();
    assertEquals(Errno.ECHILD, errno(() -> wait4(-1, 0)), "no children at all");
    Task c = child(init.process);
    assertEquals(Errno.ECHILD, errno(() -> wait4(c.process.pid + 100, 0)), "not my child");
    assertEquals(Errno.EINVAL, errno(() -> wait4(-1, 0x100)), "unknown option");
    assertEquals(0, wait4(-1, ProcessTable.WNOHANG), "WNOHANG: nobody has ended");
    assertEquals(Waits.BLOCKED, wait4(-1, 0));
    assertEquals(Task.State.SLEEPING, init.state);
    assertSame(init.process.childWait, init.sleepingOn);
    table.taskExited(c, 3);
    assertEquals(Task.State.RUNNABLE, init.state, "the child's exit woke its parent");
    rig.schedule.schedule(h0);
    assertEquals(c.process.pid, wait4(0, 0), "run again, it reaps the child");
    assertEquals(3 << 8, statusWord());
  }

  @Test
  void wait4ForOneChildLeavesTheOthers() {
    startInit();
    Task a = child(init.process);
    Task b = child(init.process);
    table.taskExited(a, 1);
    table.taskExited(b, 2);
    assertEquals(b.process.pid, wait4(b.process.pid, 0));
    assertEquals(2 << 8, statusWord());
    assertEquals(GuestProcess.State.ZOMBIE, a.process.state);
    assertEquals(a.process.pid, wait4(-1, 0));
    assertEquals(Errno.ECHILD, errno(() -> wait4(-1, 0)));
  }

  @Test
  void aProcessEndsWithItsLastThread() {
    startInit();
    Task c = child(init.process);
    Task t = table.newThread(c.process, c.mm);
    assertFalse(table.taskExited(c, 5));
    assertEquals(GuestProcess.State.ALIVE, c.process.state, "a thread is left");
    assertFalse(table.taskExited(t, 6));
    assertEquals(GuestProcess.State.ZOMBIE, c.process.state);
    assertNull(c.process.files, "its descriptors were dropped");
    assertEquals(6, c.process.shellStatus(), "the last thread's code");
  }

  @Test
  void endGroupMarksEveryThreadWakesSleepersAndTheFirstEndingWins() {
    startInit();
    Task c = rig.runOn(1, child(init.process));
    Task sleeper = table.newThread(c.process, c.mm);
    rig.sleepWake.sleep(rig.hart(1), new WaitQueue(), true, Long.MAX_VALUE, 0); // c sleeps
    assertEquals(Task.State.SLEEPING, c.state);
    rig.hart(0).takeInterrupts();
    table.endGroup(c.process, 9, "first");
    table.endGroup(c.process, 15, "second");
    assertTrue(c.killPending && sleeper.killPending);
    assertEquals(Task.State.RUNNABLE, c.state, "woken to die at its next kernel boundary");
    assertEquals("first", c.process.killReport);
    assertEquals(Ipis.IRQ_KICK, rig.hart(0).takeInterrupts(), "every hart is kicked");
    assertFalse(init.killPending);
    table.endGroup(init.process, 0, null); // exit_group: no report
    assertNull(init.process.killReport);
  }

  @Test
  void execKillsTheOtherThreadsOnly() {
    startInit();
    Task other = table.newThread(init.process, init.mm);
    table.killOtherThreads(init);
    assertTrue(other.killPending);
    assertFalse(init.killPending);
  }

  @Test
  void orphansAreAdoptedByInitAndReapedOnceInitIsGone() {
    startInit();
    Task parent = child(init.process);
    Task orphan = child(parent.process);
    Task zombieOrphan = child(parent.process);
    table.taskExited(zombieOrphan, 0);
    table.taskExited(parent, 0);
    assertEquals(1, table.parentPid(orphan.process), "adopted by init");
    assertEquals(1, table.parentPid(zombieOrphan.process));
    assertEquals(zombieOrphan.process.pid, wait4(zombieOrphan.process.pid, 0), "init reaps it");
    assertEquals(parent.process.pid, wait4(parent.process.pid, 0));
    table.taskExited(init, 0);
    assertEquals(GuestProcess.State.REAPED, init.process.state, "init has no parent to wait");
    assertSame(init.process, table.init(), "but stays the first process");
    Task late = child(orphan.process);
    table.taskExited(orphan, 0);
    assertEquals(GuestProcess.State.REAPED, orphan.process.state, "nobody to wait for it");
    assertEquals(0, table.parentPid(late.process), "and its child has no parent");
    assertTrue(table.taskExited(late, 0), "the machine's last task");
    assertEquals(GuestProcess.State.REAPED, late.process.state);
  }

  @Test
  void theProcessDescribesItself() {
    startInit();
    assertEquals("init (pid 1)", init.process.toString());
    assertEquals("task 1 (init)", init.toString());
    Mm mm = init.mm;
    assertSame(mm, init.process.mm);
  }
}
