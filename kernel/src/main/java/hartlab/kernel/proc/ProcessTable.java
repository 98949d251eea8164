package hartlab.kernel.proc;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Every process and thread of the machine: ids, the process tree, wait4, signals and exit (Linux's
 * pid table and tasklist_lock). Orphans are adopted by the first process, which plays the init of a
 * PID namespace: when it ends, every other process is killed (zap_pid_ns_processes), and the run
 * ends with its status once they are gone.
 *
 * <p>Every task is charged to kernel memory ({@link KernelMemory.Kind#TASK}) while it lives, and
 * every process ({@link KernelMemory.Kind#PROCESS}) until it is reaped, so neither threads nor
 * zombies can grow without bound: clone is EAGAIN over {@code --max-tasks}, ENOMEM when kernel
 * memory is exhausted, as in Linux's copy_process.
 *
 * <p>Thread-safe: tree changes happen under {@link #lock}, a short lock that is taken before any
 * wait-queue or scheduler lock and is never held across a wait.
 */
public final class ProcessTable {
  static final int WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8;
  private static final int WALL_FLAGS = 0x40000000 | 0x80000000 | 0x20000000;

  private final Waits waits;
  private final Ipis ipis;
  private final int maxTasks;
  private final KernelMemory kmem;
  private final Object lock = new Object();
  private final TreeMap<Integer, GuestProcess> processes = new TreeMap<>(); // guarded by lock
  private int nextId = 1; // guarded by lock
  private int liveTasks; // guarded by lock
  private long tasksCreated; // guarded by lock
  private GuestProcess init;

  public ProcessTable(Waits waits, Ipis ipis, int maxTasks, KernelMemory kmem) {
    this.waits = waits;
    this.ipis = ipis;
    this.maxTasks = maxTasks;
    this.kmem = kmem;
  }

  /**
   * A table whose tasks are counted but never refused by memory, for code that builds one alone.
   */
  public ProcessTable(Waits waits, Ipis ipis, int maxTasks) {
    this(waits, ipis, maxTasks, KernelMemory.unaccounted());
  }

  /** The first process; ENOMEM when kernel memory cannot hold even it. */
  public Task createInit(String name, Mm mm, FileTable files) {
    synchronized (lock) {
      chargeNew(true);
      init = newProcess(null, name, mm, files);
      return newTask(init, mm);
    }
  }

  public GuestProcess init() {
    return init;
  }

  /** A new thread in {@code process}; EAGAIN over the machine's task limit, ENOMEM over memory. */
  public Task newThread(GuestProcess process, Mm mm) {
    synchronized (lock) {
      checkLimitLocked();
      chargeNew(false);
      return newTask(process, mm);
    }
  }

  /**
   * A new process with one task, child of {@code parent}; EAGAIN over the task limit, ENOMEM when
   * kernel memory cannot hold it.
   */
  public Task newProcessTask(GuestProcess parent, String name, Mm mm, FileTable files) {
    synchronized (lock) {
      checkLimitLocked();
      chargeNew(true);
      GuestProcess p = newProcess(parent, name, mm, files);
      return newTask(p, mm);
    }
  }

  /** Charges a task, and a process with it: all or nothing, ENOMEM. */
  private void chargeNew(boolean process) {
    kmem.charge(KernelMemory.Kind.TASK, Errno.ENOMEM);
    if (process && !kmem.tryCharge(KernelMemory.Kind.PROCESS)) {
      kmem.uncharge(KernelMemory.Kind.TASK);
      throw SyscallError.of(Errno.ENOMEM);
    }
  }

  /** EAGAIN when the machine has as many tasks as --max-tasks allows. */
  public void checkLimit() {
    synchronized (lock) {
      checkLimitLocked();
    }
  }

  private void checkLimitLocked() {
    if (liveTasks >= maxTasks) {
      throw SyscallError.of(Errno.EAGAIN);
    }
  }

  private GuestProcess newProcess(GuestProcess parent, String name, Mm mm, FileTable files) {
    GuestProcess p = new GuestProcess(nextId, name, mm, files);
    p.parent = parent;
    if (parent != null) {
      parent.children.add(p);
    }
    processes.put(p.pid, p);
    return p;
  }

  private Task newTask(GuestProcess p, Mm mm) {
    Task t = new Task(nextId++, p, mm, 0);
    p.tasks.add(t);
    liveTasks++;
    tasksCreated++;
    return t;
  }

  public GuestProcess find(long pid) {
    synchronized (lock) {
      return pid > 0 && pid <= Integer.MAX_VALUE ? processes.get((int) pid) : null;
    }
  }

  public long parentPid(GuestProcess p) {
    synchronized (lock) {
      return p.parent == null ? 0 : p.parent.pid;
    }
  }

  public Task findTask(long tid) {
    synchronized (lock) {
      for (GuestProcess p : processes.values()) {
        for (Task t : p.tasks) {
          if (t.tid == tid) {
            return t;
          }
        }
      }
      return null;
    }
  }

  public long tasksCreated() {
    synchronized (lock) {
      return tasksCreated;
    }
  }

  /**
   * Ends the whole thread group with wait status {@code status} (exit_group, or a fatal signal when
   * {@code report} says why): every thread exits at its next kernel boundary. The first ending
   * wins.
   */
  public void endGroup(GuestProcess p, int status, String report) {
    List<Task> sleepers = new ArrayList<>();
    synchronized (lock) {
      if (p.groupExiting || p.state != GuestProcess.State.ALIVE) {
        return;
      }
      p.groupExiting = true;
      p.waitStatus = status;
      p.killReport = report;
      for (Task t : p.tasks) {
        t.killPending = true;
        if (t.state == Task.State.SLEEPING) {
          sleepers.add(t);
        }
      }
    }
    sleepers.forEach(t -> waits.wake(t, Waits.RESTART));
    ipis.kickAll();
  }

  /**
   * Other threads of an execve-ing process must go: they exit at their next kernel boundary, while
   * the caller carries on in its new image.
   */
  public void killOtherThreads(Task survivor) {
    List<Task> sleepers = new ArrayList<>();
    synchronized (lock) {
      for (Task t : survivor.process.tasks) {
        if (t != survivor) {
          t.killPending = true;
          if (t.state == Task.State.SLEEPING) {
            sleepers.add(t);
          }
        }
      }
    }
    sleepers.forEach(t -> waits.wake(t, Waits.RESTART));
    ipis.kickAll();
  }

  /**
   * Records that {@code task} (exit code {@code code} if it ended by exit()) is gone. The last
   * thread ends its process: descriptors closed, children re-parented, the parent told. Returns
   * true when no task is left on the machine.
   */
  public boolean taskExited(Task task, int code) {
    FileTable files = null;
    boolean last;
    List<GuestProcess> orphanedNamespace = List.of();
    synchronized (lock) {
      GuestProcess p = task.process;
      p.tasks.remove(task);
      liveTasks--;
      kmem.uncharge(KernelMemory.Kind.TASK);
      if (p.tasks.isEmpty()) {
        if (!p.groupExiting) {
          p.waitStatus = (code & 0xFF) << 8;
        }
        files = p.files;
        p.files = null;
        exitProcess(p);
        if (p == init) {
          orphanedNamespace = new ArrayList<>();
          for (GuestProcess other : processes.values()) {
            if (other != p && other.state == GuestProcess.State.ALIVE) {
              orphanedNamespace.add(other);
            }
          }
        }
      }
      last = liveTasks == 0;
    }
    if (files != null) {
      files.drop();
    }
    // init is gone: as in a PID namespace, the kernel kills everything else in it.
    for (GuestProcess other : orphanedNamespace) {
      endGroup(other, Signals.SIGKILL, null);
    }
    return last;
  }

  private void exitProcess(GuestProcess p) {
    GuestProcess adopter =
        init != null && init != p && init.state == GuestProcess.State.ALIVE ? init : null;
    for (GuestProcess child : p.children) {
      child.parent = adopter;
      if (adopter != null) {
        adopter.children.add(child);
      } else if (child.state == GuestProcess.State.ZOMBIE) {
        reap(child);
      }
    }
    p.children.clear();
    p.state = GuestProcess.State.ZOMBIE;
    if (p.parent == null) {
      reap(p);
    } else {
      waits.wakeAll(p.parent.childWait);
    }
    if (adopter != null) {
      waits.wakeAll(adopter.childWait);
    }
  }

  private void reap(GuestProcess p) {
    p.state = GuestProcess.State.REAPED;
    kmem.uncharge(KernelMemory.Kind.PROCESS);
    if (p != init) {
      processes.remove(p.pid);
    }
  }

  /**
   * Every process that can still be signalled (alive, or a zombie not yet reaped), in pid order,
   * for kill(-1) and kill(0).
   */
  public List<GuestProcess> signallable() {
    synchronized (lock) {
      List<GuestProcess> out = new ArrayList<>();
      for (GuestProcess p : processes.values()) {
        if (p.state != GuestProcess.State.REAPED) {
          out.add(p);
        }
      }
      return out;
    }
  }

  /**
   * wait4: reaps a zombie child matching {@code pid} (-1, 0 and &lt; -1: any; there are no process
   * groups) and returns its pid with its status stored at {@code statusAddr}; 0 with WNOHANG when
   * none has ended; ECHILD when there is no such child; otherwise sleeps and runs again.
   */
  public long wait4(
      Hart hart, Task task, UserMemory user, long pid, long statusAddr, long options) {
    if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS)) != 0) {
      throw SyscallError.of(Errno.EINVAL);
    }
    GuestProcess zombie = null;
    synchronized (lock) {
      GuestProcess me = task.process;
      boolean any = false;
      for (GuestProcess c : me.children) {
        if (pid > 0 && c.pid != pid) {
          continue;
        }
        any = true;
        if (c.state == GuestProcess.State.ZOMBIE) {
          zombie = c;
          break;
        }
      }
      if (!any) {
        throw SyscallError.of(Errno.ECHILD);
      }
      if (zombie == null) {
        if ((options & WNOHANG) != 0) {
          return 0;
        }
        return waits.sleep(hart, me.childWait, true, Long.MAX_VALUE, 0);
      }
      me.children.remove(zombie);
      reap(zombie);
    }
    if (statusAddr != 0) {
      user.putInt(hart, task.mm, statusAddr, zombie.waitStatus);
    }
    return zombie.pid;
  }
}
