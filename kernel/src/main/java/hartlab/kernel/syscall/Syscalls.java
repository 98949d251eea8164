package hartlab.kernel.syscall;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileIo;
import hartlab.kernel.fs.RandomSource;
import hartlab.kernel.fs.Vfs;
import hartlab.kernel.mm.MemoryManagement;
import hartlab.kernel.proc.Processes;
import hartlab.kernel.proc.Task;
import hartlab.kernel.sched.Schedule;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Counters;
import hartlab.kernel.stats.HartCounters;
import hartlab.kernel.stats.Latency;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * System-call entry: looks the call up in the {@link SyscallTable}, runs it, and sets the result
 * register; an unknown number is ENOSYS (logged once per number below 512, once for all above). A
 * call that slept and runs again is counted once, as Linux would have resumed it in the kernel.
 */
public final class Syscalls {
  private static final Logger log = LoggerFactory.getLogger(Syscalls.class);

  private final SyscallTable table;
  private final Counters counters;
  private final Set<Long> unknownSeen = ConcurrentHashMap.newKeySet();

  public Syscalls(
      MemoryManagement mm,
      Processes proc,
      Schedule schedule,
      FileIo io,
      Vfs vfs,
      Waits waits,
      RandomSource random,
      Counters counters,
      int maxTasks) {
    TimeCalls time = new TimeCalls(mm.user(), waits);
    this.table =
        new SyscallTable(
            new FileCalls(io, proc.table(), vfs, mm.user()),
            new MemoryCalls(mm.locking(), mm.mmap(), mm.mprotect(), mm.mremap(), mm.madvise()),
            new ProcessCalls(schedule, proc.table(), proc.fork(), proc.execve(), mm.user()),
            time,
            new FutexCalls(proc.futexes(), time),
            new InfoCalls(mm.user(), random),
            new PathCalls(vfs, mm.user()),
            new PollCalls(io, mm.user(), waits, time),
            new SignalCalls(
                proc.table(), proc.table().signals(), proc.signals(), schedule, mm.user()),
            new IdentityCalls(proc.table(), mm.user()),
            new ResourceCalls(proc.table(), mm.user(), mm.kmem(), maxTasks));
    this.counters = counters;
  }

  /** The ecall of {@code task} on {@code hart}: a7 holds the number, a0..a5 the arguments. */
  public void handle(Hart hart, Task task) {
    long number = hart.reg(17);
    HartCounters stats = counters.hart(hart.id());
    if (task.restartPc == hart.pc()) {
      // The same call again after a sleep: Linux would have resumed it in the kernel, so it is
      // not counted twice.
      task.restartPc = -1;
      stats.add(Counter.SYSCALL_RESTARTS);
      dispatch(hart, task, number, null);
      return;
    }
    stats.add(Counter.SYSCALLS);
    task.syscallStartCycles = hart.cycles();
    task.setSyscallProgress(0);
    task.sleepRemAddr = 0;
    task.setAwaited(0, 0);
    dispatch(hart, task, number, stats);
  }

  private void dispatch(Hart hart, Task task, long number, HartCounters count) {
    hart.addCycles(hart.cost().syscall());
    Syscall call = table.lookup(number);
    if (count != null) {
      count.countSyscall(call == null ? -1 : number);
    }
    long result;
    if (call == null) {
      // Remembered per number up to the table's size, and once for any number beyond it, so a
      // guest trying every number cannot grow the set.
      if (unknownSeen.add(number >= 0 && number < HartCounters.SYSCALL_SLOTS ? number : -1L)) {
        log.debug(
            "unknown syscall {} at pc 0x{} in {}: returning -ENOSYS",
            number,
            Long.toHexString(hart.pc()),
            task);
      }
      result = -Errno.ENOSYS;
    } else {
      try {
        result = call.handler().call(hart, task);
      } catch (SyscallError e) {
        result = -e.errno();
      }
    }
    if (result != SyscallTable.NO_RETURN && result != Waits.BLOCKED) {
      hart.setReg(10, result);
      hart.setPc(hart.pc() + 4);
      if (number == SyscallTable.NR_MUNMAP) {
        // From the first trap: a munmap that slept (mmap_lock, sync-rcu's grace period) waited too.
        counters
            .hart(hart.id())
            .record(Latency.MUNMAP_CYCLES, hart.cycles() - task.syscallStartCycles);
      }
    }
  }

  /** Calls per name over all harts ({@code unknown} for numbers without a row); after the run. */
  public Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    for (Syscall s : table.rows()) {
      long n = counters.syscallTotal(s.number());
      if (n > 0) {
        out.put(s.name(), n);
      }
    }
    long unknown = counters.syscallTotal(HartCounters.SYSCALL_SLOTS);
    if (unknown > 0) {
      out.put("unknown", unknown);
    }
    return out;
  }
}
