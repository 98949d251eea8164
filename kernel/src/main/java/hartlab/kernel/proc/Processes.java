package hartlab.kernel.proc;

import hartlab.kernel.fs.OpenFiles;
import hartlab.kernel.fs.RandomSource;
import hartlab.kernel.fs.Vfs;
import hartlab.kernel.mm.MemoryManagement;
import hartlab.kernel.smp.Ipis;
import hartlab.kernel.smp.Waits;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.mmu.PhysicalMemory;

/** The process subsystem's parts, built together. */
public record Processes(
    ProcessTable table,
    Futexes futexes,
    Fork fork,
    Exit exit,
    Execve execve,
    SignalDelivery signals) {

  /** As the full {@code create}, for one hart and unaccounted open files. */
  public static Processes create(
      MemoryManagement mm,
      MmSwitch mmSwitch,
      Vfs vfs,
      RandomSource random,
      PhysicalMemory memory,
      Waits waits,
      Ipis ipis,
      int maxTasks) {
    return create(
        mm, mmSwitch, vfs, random, memory, waits, ipis, maxTasks, 1, OpenFiles.unaccounted());
  }

  public static Processes create(
      MemoryManagement mm,
      MmSwitch mmSwitch,
      Vfs vfs,
      RandomSource random,
      PhysicalMemory memory,
      Waits waits,
      Ipis ipis,
      int maxTasks,
      int harts,
      OpenFiles openFiles) {
    ProcessTable table = new ProcessTable(waits, ipis, maxTasks, mm.kmem());
    Futexes futexes = new Futexes(waits, mm.locking(), mm.user(), memory, harts);
    return new Processes(
        table,
        futexes,
        new Fork(table, mm.dupMmap(), mm.locking(), mmSwitch, mm.user(), vfs),
        new Exit(mm.user(), futexes, mmSwitch, table),
        new Execve(vfs, mm.binfmt(), mmSwitch, table, random, openFiles),
        new SignalDelivery(table, mm.user(), waits));
  }
}
