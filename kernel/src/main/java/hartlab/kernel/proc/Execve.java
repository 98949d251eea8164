package hartlab.kernel.proc;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.OpenFiles;
import hartlab.kernel.fs.RandomSource;
import hartlab.kernel.fs.RootFs;
import hartlab.kernel.mm.BinfmtElf;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.loader.ElfFormatException;
import hartlab.loader.ElfImage;
import hartlab.loader.ElfParser;
import java.util.List;

/**
 * execve (Linux's fs/exec.c): everything that can fail happens before the point of no return; after
 * it the other threads are told to exit, the descriptors marked close-on-exec are closed, and the
 * task continues in the new image.
 */
public final class Execve {
  private final RootFs rootFs;
  private final BinfmtElf binfmt;
  private final MmSwitch mmSwitch;
  private final ProcessTable processes;
  private final RandomSource random;
  private final OpenFiles openFiles;

  public Execve(
      RootFs rootFs,
      BinfmtElf binfmt,
      MmSwitch mmSwitch,
      ProcessTable processes,
      RandomSource random,
      OpenFiles openFiles) {
    this.rootFs = rootFs;
    this.binfmt = binfmt;
    this.mmSwitch = mmSwitch;
    this.processes = processes;
    this.random = random;
    this.openFiles = openFiles;
  }

  /**
   * Makes the first process (pid 1) from {@code image}, its descriptors 0-2 on the console; returns
   * its task, not yet runnable. Called before the harts start.
   */
  public Task startInit(ElfImage image, String name, List<String> argv, List<String> envp)
      throws BinfmtElf.ExecFailure {
    String execFn = argv.isEmpty() ? name : argv.get(0);
    BinfmtElf.Started started = binfmt.load(image, argv, envp, execFn, random.atRandom());
    Task task;
    try {
      task = processes.createInit(name, started.mm(), FileTable.withConsole(openFiles));
    } catch (SyscallError e) {
      throw new BinfmtElf.ExecFailure(e.errno(), "out of kernel memory for the first process");
    }
    task.pc = started.entry();
    task.regs[2] = started.sp();
    return task;
  }

  /** Replaces {@code task}'s image with the program at {@code path}; the task runs it on return. */
  public void execve(Hart hart, Task task, String path, List<String> argv, List<String> envp) {
    byte[] bytes = rootFs.read(path);
    ElfImage image;
    try {
      image = ElfParser.parse(bytes);
    } catch (ElfFormatException e) {
      throw SyscallError.of(Errno.ENOEXEC);
    }
    BinfmtElf.Started started;
    try {
      started = binfmt.load(image, argv, envp, path, random.atRandom());
    } catch (BinfmtElf.ExecFailure e) {
      throw SyscallError.of(e.errno());
    }
    // Point of no return.
    processes.killOtherThreads(task);
    GuestProcess p = task.process;
    p.files.closeOnExec();
    p.sighand.flushHandlers();
    task.altStackSet = false;
    processes.releaseVfork(task);
    p.name = rootFs.name(path).orElse(path);
    Mm old = task.mm;
    p.mm = started.mm();
    task.mm = started.mm();
    mmSwitch.switchTo(hart, started.mm());
    mmSwitch.mmput(hart, old);
    hart.loadRegisters(new long[32]);
    hart.loadFpRegisters(new long[32]);
    hart.setFcsr(0);
    hart.setReg(2, started.sp());
    hart.setPc(started.entry());
  }
}
