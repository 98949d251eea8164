package hartlab.kernel.proc;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.Vfs;
import hartlab.kernel.mm.DupMmap;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.MmapLocking;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.smp.WaitQueue;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;

/**
 * copy_process (Linux's kernel/fork.c): a new thread shares the mm and descriptors; a new process
 * gets a copy-on-write copy of the mm (unless CLONE_VM) and of the descriptor table (unless
 * CLONE_FILES). The child returns 0 from the same ecall; the caller makes it runnable.
 */
public final class Fork {
  public static final long CLONE_VM = 0x100,
      CLONE_FS = 0x200,
      CLONE_FILES = 0x400,
      CLONE_SIGHAND = 0x800,
      CLONE_VFORK = 0x4000,
      CLONE_PARENT = 0x8000,
      CLONE_THREAD = 0x10000,
      CLONE_SYSVSEM = 0x40000,
      CLONE_SETTLS = 0x80000,
      CLONE_PARENT_SETTID = 0x100000,
      CLONE_CHILD_CLEARTID = 0x200000,
      CLONE_DETACHED = 0x400000,
      CLONE_CHILD_SETTID = 0x1000000;
  private static final long SUPPORTED =
      CLONE_VM
          | CLONE_FS
          | CLONE_FILES
          | CLONE_SIGHAND
          | CLONE_VFORK
          | CLONE_PARENT
          | CLONE_THREAD
          | CLONE_SYSVSEM
          | CLONE_SETTLS
          | CLONE_PARENT_SETTID
          | CLONE_CHILD_CLEARTID
          | CLONE_DETACHED
          | CLONE_CHILD_SETTID;

  private final ProcessTable processes;
  private final DupMmap dupMmap;
  private final MmapLocking locking;
  private final MmSwitch mmSwitch;
  private final UserMemory user;
  private final Vfs vfs;

  public Fork(
      ProcessTable processes,
      DupMmap dupMmap,
      MmapLocking locking,
      MmSwitch mmSwitch,
      UserMemory user,
      Vfs vfs) {
    this.processes = processes;
    this.dupMmap = dupMmap;
    this.locking = locking;
    this.mmSwitch = mmSwitch;
    this.user = user;
    this.vfs = vfs;
  }

  /**
   * clone(flags, stack, parent_tid, tls, child_tid) on riscv64, up to the point where the child may
   * run: returns the child, or null when the calling task sleeps for its mmap lock (the call then
   * runs again).
   */
  public Task copyProcess(
      Hart hart, Task task, long flags, long stack, long parentTid, long tls, long childTid) {
    long cloneFlags = flags & ~0xFFL;
    if ((cloneFlags & ~SUPPORTED) != 0
        || ((cloneFlags & CLONE_THREAD) != 0 && (cloneFlags & CLONE_SIGHAND) == 0)
        || ((cloneFlags & CLONE_SIGHAND) != 0 && (cloneFlags & CLONE_VM) == 0)) {
      throw SyscallError.of(Errno.EINVAL);
    }
    GuestProcess me = task.process;
    Task child;
    if ((cloneFlags & CLONE_THREAD) != 0) {
      child = processes.newThread(me, task.mm);
      mmSwitch.mmget(hart, task.mm);
    } else {
      processes.checkLimit();
      Mm mm;
      if ((cloneFlags & CLONE_VM) != 0) {
        mm = task.mm;
        mmSwitch.mmget(hart, mm);
      } else {
        if (!locking.lockOrSleep(hart, task.mm, true)) {
          return null;
        }
        try {
          mm = dupMmap.dupMmap(hart, task.mm);
        } finally {
          locking.unlock(hart, task.mm, true);
        }
      }
      FileTable files;
      try {
        files = (cloneFlags & CLONE_FILES) != 0 ? me.files.share() : me.files.copy();
      } catch (SyscallError e) {
        mmSwitch.mmput(hart, mm); // no memory for the descriptor table: ENOMEM
        throw e;
      }
      GuestProcess parent = (cloneFlags & CLONE_PARENT) != 0 && me.parent != null ? me.parent : me;
      try {
        child = processes.newProcessTask(parent, me.name, mm, files);
        child.process.fs = vfs.copy(me.fs, child.process.pid);
      } catch (SyscallError e) {
        files.drop();
        mmSwitch.mmput(hart, mm);
        throw e;
      }
      child.process.sighand.copyFrom(me.sighand);
      // With CLONE_PARENT the child is its parent's sibling and ends with the caller's own exit
      // signal, as in Linux: a child cannot choose what its grandparent is sent.
      child.process.exitSignal =
          (cloneFlags & CLONE_PARENT) != 0 ? me.exitSignal : (int) (flags & 0xFF);
    }
    child.blocked = task.blocked;
    child.altStackSp = task.altStackSp;
    child.altStackSize = task.altStackSize;
    child.altStackSet = task.altStackSet && (cloneFlags & CLONE_VM) == 0;
    if ((cloneFlags & CLONE_VFORK) != 0) {
      child.vforkDone = new WaitQueue();
    }
    hart.saveRegisters(child.regs);
    hart.saveFpRegisters(child.fpRegs);
    child.fcsr = hart.fcsr();
    child.regs[10] = 0;
    child.pc = hart.pc() + 4;
    if (stack != 0) {
      child.regs[2] = stack;
    }
    if ((cloneFlags & CLONE_SETTLS) != 0) {
      child.regs[4] = tls;
    }
    if ((cloneFlags & CLONE_CHILD_SETTID) != 0) {
      child.setChildTid = childTid;
    }
    if ((cloneFlags & CLONE_CHILD_CLEARTID) != 0) {
      child.clearChildTid = childTid;
    }
    child.sched.setAffinity(task.sched.affinity());
    if ((cloneFlags & CLONE_PARENT_SETTID) != 0) {
      try {
        user.putInt(hart, task.mm, parentTid, child.tid);
      } catch (SyscallError e) {
        // The child exists already; Linux does not undo it for a bad parent_tid either.
      }
    }
    return child;
  }
}
