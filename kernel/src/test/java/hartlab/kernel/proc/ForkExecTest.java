package hartlab.kernel.proc;

import static hartlab.kernel.Errnos.errno;
import static hartlab.kernel.Errnos.errnoOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.TinyElf;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.MmFixtures;
import hartlab.kernel.uapi.Errno;
import hartlab.mmu.Mmu;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** clone in its thread, process and vfork-like shapes, and execve from the root file system. */
class ForkExecTest {
  private static final long SIGCHLD = 17;
  private static final long THREAD_FLAGS =
      Fork.CLONE_VM
          | Fork.CLONE_FS
          | Fork.CLONE_FILES
          | Fork.CLONE_SIGHAND
          | Fork.CLONE_THREAD
          | Fork.CLONE_SYSVSEM;

  private static final byte[] PROGRAM =
      TinyElf.bytes(
          TinyElf.ET_EXEC,
          0x10000,
          List.of(
              new TinyElf.Segment(
                  TinyElf.PF_R | TinyElf.PF_X, 0x10000, TinyElf.EXIT_0, TinyElf.EXIT_0.length)));

  private final KernelRig rig =
      KernelRig.builder()
          .harts(2)
          .maxTasks(4)
          .rootFs(RootFs.withPrograms(Map.of("prog", PROGRAM, "junk", new byte[100])))
          .build();
  private final Hart h0 = rig.hart(0);
  private final Task parent = rig.runNewProcess(0);
  private final long scratch = rig.mmapAnon(h0, parent.mm, 1);

  private Task clone(long flags, long stack, long tls, long childTid) {
    h0.setPc(0x10100);
    h0.setReg(10, 123);
    h0.setReg(9, 99);
    return rig.proc.fork().copyProcess(h0, parent, flags, stack, scratch, tls, childTid);
  }

  @Test
  void impossibleFlagCombinationsAreEinval() {
    assertEquals(
        Errno.EINVAL,
        errno(() -> clone(Fork.CLONE_THREAD | Fork.CLONE_VM, 0, 0, 0).tid),
        "a thread must share signal handlers");
    assertEquals(
        Errno.EINVAL,
        errno(() -> clone(Fork.CLONE_SIGHAND, 0, 0, 0).tid),
        "shared handlers need a shared mm");
    assertEquals(Errno.EINVAL, errno(() -> clone(0x2000 /* CLONE_PTRACE */, 0, 0, 0).tid));
    assertEquals(1, rig.proc.table().tasksCreated(), "nothing was created");
  }

  @Test
  void aThreadSharesTheMmAndStartsWhereItsCreatorCalledClone() {
    long flags =
        THREAD_FLAGS
            | Fork.CLONE_SETTLS
            | Fork.CLONE_PARENT_SETTID
            | Fork.CLONE_CHILD_CLEARTID
            | Fork.CLONE_CHILD_SETTID;
    Task t = clone(flags, 0x7000_0000L, 0xABCD, scratch + 8);
    assertSame(parent.process, t.process);
    assertSame(parent.mm, t.mm);
    assertEquals(2, parent.mm.users.get(), "mmget");
    assertEquals(0, t.regs[10], "clone returns 0 in the child");
    assertEquals(99, t.regs[9], "the rest of the registers are the creator's");
    assertEquals(0x10104, t.pc, "after the ecall");
    assertEquals(0x7000_0000L, t.regs[2], "its own stack");
    assertEquals(0xABCD, t.regs[4], "CLONE_SETTLS: tp");
    assertEquals(scratch + 8, t.clearChildTid);
    assertEquals(scratch + 8, t.setChildTid);
    assertEquals(t.tid, rig.vm.user().getInt(h0, parent.mm, scratch), "CLONE_PARENT_SETTID");
    assertEquals(parent.sched.affinity(), t.sched.affinity());
  }

  @Test
  void aForkedProcessGetsACopyOfTheMmAndOfTheDescriptorTable() {
    rig.poke(h0, parent.mm, scratch + 64, 5);
    Task child = clone(SIGCHLD, 0, 0, 0);
    assertNotSame(parent.process, child.process);
    assertNotSame(parent.mm, child.mm);
    assertEquals(1, parent.mm.users.get());
    assertEquals(parent.process.pid, rig.proc.table().parentPid(child.process));
    assertNotSame(parent.process.files, child.process.files);
    assertSame(parent.process.files.get(1), child.process.files.get(1), "same description");
    assertEquals(
        MmFixtures.areas(parent.mm).size(), MmFixtures.areas(child.mm).size(), "same layout");
    rig.runOn(1, child);
    assertEquals(5, rig.peek(rig.hart(1), child.mm, scratch + 64), "the data came along");
    assertEquals(0x10104, rig.hart(1).pc());
    assertEquals(0, rig.hart(1).reg(10));
  }

  @Test
  void cloneVmWithoutThreadSharesTheMmInANewProcessAndFilesMayBeShared() {
    Task child = clone(Fork.CLONE_VM | Fork.CLONE_FILES | SIGCHLD, 0, 0, 0);
    assertNotSame(parent.process, child.process);
    assertSame(parent.mm, child.mm);
    assertEquals(2, parent.mm.users.get());
    assertSame(parent.process.files, child.process.files, "CLONE_FILES shares the table");
  }

  @Test
  void cloneParentMakesASibling() {
    Task child = clone(SIGCHLD, 0, 0, 0);
    rig.runOn(1, child);
    Hart h1 = rig.hart(1);
    h1.setPc(0x10100);
    Task sibling = rig.proc.fork().copyProcess(h1, child, Fork.CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
    assertEquals(parent.process.pid, rig.proc.table().parentPid(sibling.process));
  }

  @Test
  void overTheTaskLimitForkFailsWithEagainAndLeavesNothingBehind() {
    clone(THREAD_FLAGS, 0, 0, 0);
    clone(THREAD_FLAGS, 0, 0, 0);
    clone(THREAD_FLAGS, 0, 0, 0); // four tasks: the limit
    int free = rig.freeFrames();
    assertEquals(Errno.EAGAIN, errno(() -> clone(SIGCHLD, 0, 0, 0).tid));
    assertEquals(Errno.EAGAIN, errno(() -> clone(THREAD_FLAGS, 0, 0, 0).tid));
    assertEquals(free, rig.freeFrames(), "no copy of the mm was left over");
    assertEquals(4, parent.mm.users.get(), "and no user taken");
  }

  @Test
  void forkSleepsWhenTheMmapLockIsTaken() {
    rig.vm.locking().lockSpinning(rig.hart(1), parent.mm, true);
    assertNull(clone(SIGCHLD, 0, 0, 0), "asleep: clone runs again when the lock is free");
    assertEquals(Task.State.SLEEPING, parent.state);
    rig.vm.locking().unlock(rig.hart(1), parent.mm, true);
    assertEquals(Task.State.RUNNABLE, parent.state);
  }

  // ---- execve ----

  @Test
  void execveReplacesTheImageAndClosesCloseOnExecDescriptors() {
    Mm old = parent.mm;
    Task other = rig.newThread(parent);
    int kept = parent.process.files.dup(1);
    int closed = parent.process.files.dup3(1, 9, hartlab.kernel.fs.FileTable.O_CLOEXEC);
    h0.setReg(5, 555);
    rig.proc.execve().execve(h0, parent, "/bin/../bin/prog", List.of("prog", "x"), List.of());
    assertNotSame(old, parent.mm);
    assertSame(parent.mm, parent.process.mm);
    assertEquals(Mmu.makeSatp(parent.mm.root, parent.mm.asid), h0.mmu().satp(), "loaded");
    assertEquals(0x10000, h0.pc(), "at the entry");
    assertEquals(0, h0.reg(5), "registers start clean");
    assertTrue(h0.reg(2) < Mm.STACK_TOP, "sp on the new stack");
    assertEquals(2, rig.peek(h0, parent.mm, h0.reg(2)), "argc");
    assertEquals("prog", parent.process.name);
    assertTrue(other.killPending, "the other threads must go");
    assertFalse(parent.killPending);
    assertEquals(Errno.EBADF, errnoOf(() -> parent.process.files.get(closed)));
    assertSame(parent.process.files.get(1), parent.process.files.get(kept));
    assertEquals(1, old.users.get(), "the other thread still holds the old mm");
  }

  @Test
  void aFailedExecveLeavesTheCallerAsItWas() {
    Mm old = parent.mm;
    assertEquals(
        Errno.ENOENT,
        errnoOf(() -> rig.proc.execve().execve(h0, parent, "/bin/none", List.of(), List.of())));
    assertEquals(
        Errno.ENOEXEC,
        errnoOf(() -> rig.proc.execve().execve(h0, parent, "/bin/junk", List.of(), List.of())));
    assertEquals(
        Errno.EACCES,
        errnoOf(() -> rig.proc.execve().execve(h0, parent, "/bin", List.of(), List.of())));
    assertSame(old, parent.mm);
    assertEquals(Mmu.makeSatp(old.root, old.asid), h0.mmu().satp());
    assertEquals("init", parent.process.name);
  }

  @Test
  void execveOfTheLastUserTearsTheOldMmDown() {
    Mm old = parent.mm;
    rig.touch(h0, old, scratch, Mmu.STORE);
    rig.proc.execve().execve(h0, parent, "/bin/prog", List.of("prog"), List.of());
    assertTrue(old.freed, "no user and no lazy holder left");
    assertFalse(rig.frames.isAllocated(old.root));
  }
}
