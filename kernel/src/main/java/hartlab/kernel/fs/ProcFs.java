package hartlab.kernel.fs;

import hartlab.kernel.mm.MmUsers;
import hartlab.kernel.mm.VmaLocks;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.List;
import java.util.TreeSet;

/**
 * /proc (Linux's fs/proc/base.c and root.c): a directory whose entries are the processes of the
 * moment, brought up to date from the {@link ProcessView} each time a lookup or getdents reads it.
 *
 * <ul>
 *   <li>{@code self}: a link to the caller's pid, so that {@code /proc/self/X} is {@code
 *       /proc/PID/X};
 *   <li>{@code PID/}: one per process not yet reaped, zombies included, holding
 *       <ul>
 *         <li>{@code exe}: a link to the program the process runs;
 *         <li>{@code maps}: its areas, a {@link ProcMapsFile} walked under RCU.
 *       </ul>
 * </ul>
 *
 * <p>A reaped process's directory empties: /proc/PID is ENOENT, and a lookup through a descriptor
 * held open on it is ESRCH, as in Linux. Pids are never reused, so a directory always means the
 * process it was made for. A PID node's inode number comes from its pid, not from the tree's
 * counter, so the numbers the guest's own files get do not depend on how often /proc was read. The
 * nodes are not charged to kernel memory: there are a fixed few per process, and processes are
 * charged.
 *
 * <p>Everything but {@link #openMaps} runs under the {@link Vfs}'s lock.
 */
final class ProcFs {
  /** Above any number the tree's counter reaches; each pid has four from here. */
  private static final long PID_INO_BASE = 1L << 32;

  private final Inode.Dir root;
  private final long mtimeNs;

  // Set once by attach, before the harts start (which publishes them), and read ever after.
  private ProcessView processes = ProcessView.NONE;
  private MmUsers users;
  private VmaLocks vmaLocks;

  ProcFs(long rootIno, long selfIno, long mtimeNs) {
    this.mtimeNs = mtimeNs;
    this.root = new Inode.Dir(rootIno, 0555, mtimeNs, null, false, this::refreshRoot);
    Namei.link(
        root,
        "self",
        new Inode.Symlink(selfIno, mtimeNs, null, caller -> Integer.toString(caller.pid)));
  }

  Inode.Dir root() {
    return root;
  }

  void attach(ProcessView processes, MmUsers users, VmaLocks vmaLocks) {
    this.processes = processes;
    this.users = users;
    this.vmaLocks = vmaLocks;
  }

  /** /proc's entries: {@code self}, and a directory per process not yet reaped. */
  private void refreshRoot(Inode.Dir dir, String name) {
    if (name != null) {
      refreshPid(dir, name);
      return;
    }
    List<ProcessView.Entry> now = processes.list();
    TreeSet<String> pids = new TreeSet<>();
    for (ProcessView.Entry e : now) {
      pids.add(Integer.toString(e.pid()));
    }
    dir.children.keySet().removeIf(n -> !n.equals("self") && !pids.contains(n));
    for (ProcessView.Entry e : now) {
      String pid = Integer.toString(e.pid());
      if (!dir.children.containsKey(pid)) {
        Namei.link(dir, pid, pidDir(e.pid()));
      }
    }
  }

  /** Entry {@code name} of /proc alone: there if it is the pid of a process not yet reaped. */
  private void refreshPid(Inode.Dir dir, String name) {
    if (name.equals("self")) {
      return;
    }
    int pid = pidOf(name);
    if (pid > 0 && processes.find(pid) != null) {
      if (!dir.children.containsKey(name)) {
        Namei.link(dir, name, pidDir(pid));
      }
    } else {
      dir.children.remove(name);
    }
  }

  /** The pid {@code name} spells as Linux writes it (no sign, no leading zero), else 0. */
  private static int pidOf(String name) {
    if (name.isEmpty() || name.length() > 9 || name.charAt(0) == '0') {
      return 0;
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return 0;
      }
    }
    return Integer.parseInt(name);
  }

  /** /proc/PID, emptied once the process is reaped; a lookup in it is ESRCH then. */
  private Inode.Dir pidDir(int pid) {
    long ino = PID_INO_BASE + 4L * pid;
    Inode.Dir d =
        new Inode.Dir(
            ino,
            0555,
            mtimeNs,
            null,
            false,
            (dir, name) -> {
              if (processes.find(pid) == null) {
                dir.children.clear();
                if (name != null) {
                  // Linux's permission check on a dead task's directory fails before the lookup
                  throw SyscallError.of(Errno.ESRCH);
                }
              }
            });
    Namei.link(d, "exe", new Inode.Symlink(ino + 1, mtimeNs, null, caller -> exe(pid)));
    Namei.link(
        d,
        "maps",
        new Inode.ProcFile(ino + 2, mtimeNs, (owner, flags) -> openMaps(pid, owner, flags)));
    return d;
  }

  /** The program process {@code pid} runs; ENOENT once it is gone. */
  private String exe(int pid) {
    ProcessView.Entry e = processes.find(pid);
    if (e == null || e.fs() == null) {
      throw SyscallError.of(Errno.ENOENT);
    }
    return e.fs().exe();
  }

  /**
   * Opens process {@code pid}'s maps as it is when opened: a later execve's new mm is not what this
   * file shows, as Linux's proc_mem_open takes the mm at open. ENOENT once the process is reaped.
   */
  private OpenFile openMaps(int pid, OpenFiles owner, int statusFlags) {
    ProcessView.Entry e = processes.find(pid);
    if (e == null || e.mm() == null) {
      throw SyscallError.of(Errno.ENOENT);
    }
    return new ProcMapsFile(owner, e.mm(), users, vmaLocks, statusFlags);
  }
}
