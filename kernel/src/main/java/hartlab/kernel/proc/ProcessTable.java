package hartlab.kernel.proc;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Every process and thread of the machine: ids, the process tree, wait4, signals and exit (Linux's
 * pid table and tasklist_lock). Orphans are adopted by the first process; once that is gone they
 * are reaped as they exit.
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
  private final Object lock = new Object();
  private final TreeMap<Integer, GuestProcess> processes = new TreeMap<>(); // guarded by lock
  private int nextId = 1; // guarded by lock
  private int liveTasks; // guarded by lock
  private long tasksCreated; // guarded by lock
  private GuestProcess init;

  public ProcessTable(Waits waits, Ipis ipis, int maxTasks) {
    this.waits = waits;
    this.ipis = ipis;
    this.maxTasks = maxTasks;
  }

  public Task createInit(String name, Mm mm, FileTable files) {
    synchronized (lock) {
      init = newProcess(null, name, mm, files);
      return newTask(init, mm);
    }
  }

  public GuestProcess init() {
    return init;
  }

  /** A new thread in {@code process}; EAGAIN over the machine's task limit. */
  public Task newThread(GuestProcess process, Mm mm) {
    synchronized (lock) {
      checkLimitLocked();
      return newTask(process, mm);
    }
  }

  /** A new process with one task, child of {@code parent}; EAGAIN over the task limit. */
  public Task newProcessTask(GuestProcess parent, String name, Mm mm, FileTable files) {
    synchronized (lock) {
      checkLimitLocked();
      GuestProcess p = newProcess(parent, name, mm, files);
      return newTask(p, mm);
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
    synchronized (lock) {
      GuestProcess p = task.process;
      p.tasks.remove(task);
      liveTasks--;
      if (p.tasks.isEmpty()) {
        if (!p.groupExiting) {
          p.waitStatus = (code & 0xFF) << 8;
        }
        files = p.files;
        p.files = null;
        exitProcess(p);
      }
      last = liveTasks == 0;
    }
    if (files != null) {
      files.drop();
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
    if (p != init) {
      processes.remove(p.pid);
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
