package hartlab.kernel.proc;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.ProcessView;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.mm.kmem.KernelMemory;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Sleeper;
import hartlab.kernel.smp.WaitQueue;
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
  private final SignalSending signals;

  public ProcessTable(Waits waits, Ipis ipis, int maxTasks, KernelMemory kmem) {
    this.waits = waits;
    this.ipis = ipis;
    this.maxTasks = maxTasks;
    this.kmem = kmem;
    this.signals = new SignalSending(this, waits);
  }

  /** How signals are sent to the processes of this table. */
  public SignalSending signals() {
    return signals;
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
    p.pgid = parent == null ? p.pid : parent.pgid;
    p.sid = parent == null ? p.pid : parent.sid;
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

  /** The processes as /proc shows them: each one not yet reaped, zombies included. */
  public ProcessView procView() {
    return new ProcessView() {
      @Override
      public List<ProcessView.Entry> list() {
        synchronized (lock) {
          List<ProcessView.Entry> out = new ArrayList<>();
          for (GuestProcess p : processes.values()) {
            if (p.state != GuestProcess.State.REAPED) {
              out.add(new ProcessView.Entry(p.pid, p.mm, p.fs));
            }
          }
          return out;
        }
      }

      @Override
      public ProcessView.Entry find(int pid) {
        synchronized (lock) {
          GuestProcess p = processes.get(pid);
          return p == null || p.state == GuestProcess.State.REAPED
              ? null
              : new ProcessView.Entry(p.pid, p.mm, p.fs);
        }
      }
    };
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

  /** The threads of {@code p}, in creation order; empty once it has ended. */
  public List<Task> tasksOf(GuestProcess p) {
    synchronized (lock) {
      return new ArrayList<>(p.tasks);
    }
  }

  /** Whether {@code p} has threads left (a zombie has none). */
  public boolean alive(GuestProcess p) {
    synchronized (lock) {
      return p.state == GuestProcess.State.ALIVE;
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
        GuestProcess parent = p.parent;
        if (parent != null && Signals.valid(p.exitSignal)) { // clone's byte may be no signal
          // Queued before the zombie shows, under the table's lock (which comes before the
          // signal lock): a parent whose wait4 finds the zombie returns to user mode with its
          // SIGCHLD pending, so the handler has run when waitpid returns, as in Linux.
          signals.toProcess(parent, childSignal(p), p.toString());
        }
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

  /** The siginfo of {@code p}'s exit signal: how it ended (do_notify_parent). */
  private static SigInfo childSignal(GuestProcess p) {
    int sig = p.waitStatus & 0x7F;
    return new SigInfo(
        p.exitSignal,
        sig == 0 ? SigInfo.CLD_EXITED : SigInfo.CLD_KILLED,
        p.pid,
        0,
        sig == 0 ? (p.waitStatus >> 8) & 0xFF : sig);
  }

  /**
   * Whether the parent has said it will not wait for its children: SIGCHLD ignored or SA_NOCLDWAIT,
   * so an ended child is reaped at once and wait4 finds none (Linux's autoreap).
   */
  private static boolean autoReap(GuestProcess parent) {
    Sighand.Action a = parent.sighand.action(Signals.SIGCHLD);
    return a.handler() == Signals.SIG_IGN || (a.flags() & Sighand.SA_NOCLDWAIT) != 0;
  }

  private void exitProcess(GuestProcess p) {
    GuestProcess adopter =
        init != null && init != p && init.state == GuestProcess.State.ALIVE ? init : null;
    for (GuestProcess child : p.children) {
      child.parent = adopter;
      child.exitSignal = Signals.SIGCHLD; // an orphan may not choose what its adopter is sent
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
    } else if (p.exitSignal == Signals.SIGCHLD && autoReap(p.parent)) {
      p.parent.children.remove(p);
      reap(p);
      waits.wakeAll(p.parent.childWait);
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
   * The vfork child {@code child} has exec'd or is exiting (Linux's mm_release): its parent, asleep
   * in clone since, returns the child's id.
   */
  public void releaseVfork(Task child) {
    WaitQueue done = child.vforkDone;
    if (done == null) {
      return;
    }
    synchronized (done) {
      child.vforkDone = null;
      for (Sleeper parent : done.take(Integer.MAX_VALUE)) {
        waits.wake(parent, child.tid);
      }
    }
  }

  /**
   * CLONE_VFORK: the caller sleeps until {@code child} execs or exits, and clone then returns the
   * child's id. Not interruptible by signals, as in Linux.
   */
  public long waitForVfork(Hart hart, Task child) {
    WaitQueue done = child.vforkDone;
    if (done == null) {
      return child.tid;
    }
    synchronized (done) {
      if (child.vforkDone == null) {
        return child.tid;
      }
      return waits.sleepUninterruptible(hart, done, false);
    }
  }

  /** getpgid(pid): 0 names the caller; ESRCH when there is no such process. */
  public int pgid(Task caller, long pid) {
    synchronized (lock) {
      return lookupLocked(caller, pid).pgid;
    }
  }

  /** getsid(pid). */
  public int sid(Task caller, long pid) {
    synchronized (lock) {
      return lookupLocked(caller, pid).sid;
    }
  }

  /**
   * setpgid(pid, pgid): the caller or one of its children joins group {@code pgid} (0: its own pid)
   * of the same session; EPERM for a session leader or another session's group, ESRCH for a process
   * that is neither, EINVAL for a negative group.
   */
  public void setpgid(Task caller, long pid, long pgid) {
    if (pgid < 0 || pgid > Integer.MAX_VALUE) {
      throw SyscallError.of(Errno.EINVAL);
    }
    synchronized (lock) {
      GuestProcess p = lookupLocked(caller, pid);
      if (p != caller.process && p.parent != caller.process) {
        throw SyscallError.of(Errno.ESRCH);
      }
      if (p.sid != caller.process.sid || p.sid == p.pid) {
        throw SyscallError.of(Errno.EPERM);
      }
      int group = pgid == 0 ? p.pid : (int) pgid;
      if (group != p.pid) {
        boolean exists = false;
        for (GuestProcess q : processes.values()) {
          exists |= q.pgid == group && q.sid == p.sid && q.state != GuestProcess.State.REAPED;
        }
        if (!exists) {
          throw SyscallError.of(Errno.EPERM);
        }
      }
      p.pgid = group;
    }
  }

  /** setsid(): a new session and group led by the caller; EPERM if it leads a group already. */
  public int setsid(Task caller) {
    synchronized (lock) {
      GuestProcess p = caller.process;
      for (GuestProcess q : processes.values()) {
        if (q.pgid == p.pid && q.state != GuestProcess.State.REAPED) {
          throw SyscallError.of(Errno.EPERM);
        }
      }
      p.pgid = p.pid;
      p.sid = p.pid;
      return p.pid;
    }
  }

  private GuestProcess lookupLocked(Task caller, long pid) {
    if (pid == 0) {
      return caller.process;
    }
    GuestProcess p = pid > 0 && pid <= Integer.MAX_VALUE ? processes.get((int) pid) : null;
    if (p == null || p.state == GuestProcess.State.REAPED) {
      throw SyscallError.of(Errno.ESRCH);
    }
    return p;
  }

  /** The processes of group {@code pgid} that can still be signalled, in pid order. */
  public List<GuestProcess> group(int pgid) {
    synchronized (lock) {
      List<GuestProcess> out = new ArrayList<>();
      for (GuestProcess p : processes.values()) {
        if (p.state != GuestProcess.State.REAPED && p.pgid == pgid) {
          out.add(p);
        }
      }
      return out;
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
   * wait4: reaps a zombie child matching {@code pid} (-1: any, 0: of the caller's group, &lt; -1:
   * of group -pid) and returns its pid with its status stored at {@code statusAddr}; 0 with WNOHANG
   * when none has ended; ECHILD when there is no such child; otherwise sleeps and runs again.
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
        if ((pid > 0 && c.pid != pid)
            || (pid == 0 && c.pgid != me.pgid)
            || (pid < -1 && c.pgid != -pid)) {
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
