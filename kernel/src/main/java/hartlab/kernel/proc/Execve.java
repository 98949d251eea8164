package hartlab.kernel.proc;

import hartlab.cpu.Hart;
import hartlab.kernel.fs.FileTable;
import hartlab.kernel.fs.FsContext;
import hartlab.kernel.fs.OpenFiles;
import hartlab.kernel.fs.RandomSource;
import hartlab.kernel.fs.Vfs;
import hartlab.kernel.mm.BinfmtElf;
import hartlab.kernel.mm.Mm;
import hartlab.kernel.tlb.MmSwitch;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.loader.ElfFormatException;
import hartlab.loader.ElfImage;
import hartlab.loader.ElfParser;
import hartlab.loader.ImageFiles;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * execve (Linux's fs/exec.c and fs/binfmt_script.c): everything that can fail happens before the
 * point of no return; after it the other threads are told to exit, the descriptors marked
 * close-on-exec are closed, and the task continues in the new image. A file starting with {@code
 * #!} runs its interpreter instead, with the script's path as an argument; an interpreter may
 * itself be a script, {@link #MAX_INTERPRETERS} deep.
 */
public final class Execve {
  /** Linux's BINPRM_MAX_RECURSION: scripts whose interpreter is a script, at most this deep. */
  static final int MAX_INTERPRETERS = 4;

  /** BINPRM_BUF_SIZE: the bytes of a file execve looks at for "#!" and its line. */
  private static final int BINPRM_BUF_SIZE = 256;

  private final Vfs vfs;
  private final BinfmtElf binfmt;
  private final MmSwitch mmSwitch;
  private final ProcessTable processes;
  private final RandomSource random;
  private final OpenFiles openFiles;

  public Execve(
      Vfs vfs,
      BinfmtElf binfmt,
      MmSwitch mmSwitch,
      ProcessTable processes,
      RandomSource random,
      OpenFiles openFiles) {
    this.vfs = vfs;
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
    task.process.fs = vfs.initContext(execFn, task.process.pid);
    task.pc = started.entry();
    task.regs[2] = started.sp();
    return task;
  }

  /**
   * Replaces {@code task}'s image with the program at {@code path} (resolved from its working
   * directory); the task runs it on return.
   */
  public void execve(Hart hart, Task task, String path, List<String> argv, List<String> envp) {
    FsContext fs = task.process.fs;
    List<String> args = argv;
    String file = path;
    Vfs.Executable exe;
    for (int depth = 0; ; depth++) {
      exe = vfs.readExecutable(fs, file, ImageFiles.MAX_IMAGE_SIZE);
      String[] interpreter = interpreter(exe.bytes());
      if (interpreter == null) {
        break;
      }
      if (depth == MAX_INTERPRETERS) {
        throw SyscallError.of(Errno.ELOOP);
      }
      List<String> next = new ArrayList<>(List.of(interpreter));
      next.add(file);
      next.addAll(args.subList(Math.min(1, args.size()), args.size()));
      args = next;
      file = interpreter[0];
    }
    ElfImage image;
    try {
      image = ElfParser.parse(exe.bytes());
    } catch (ElfFormatException e) {
      throw SyscallError.of(Errno.ENOEXEC);
    }
    BinfmtElf.Started started;
    try {
      started = binfmt.load(image, args, envp, path, random.atRandom());
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
    p.name = exe.path().substring(exe.path().lastIndexOf('/') + 1);
    fs.setExe(exe.path());
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

  /**
   * A script's interpreter and its optional argument from the "#!" line, or null when the file is
   * no script. ENOEXEC for a line naming no interpreter, or one cut off by the buffer's end.
   */
  static String[] interpreter(byte[] file) {
    if (file.length < 2 || file[0] != '#' || file[1] != '!') {
      return null;
    }
    int end = 2;
    int limit = Math.min(file.length, BINPRM_BUF_SIZE);
    while (end < limit && file[end] != '\n') {
      end++;
    }
    String line = new String(file, 2, end - 2, StandardCharsets.UTF_8);
    String trimmed = line.strip();
    int space = indexOfBlank(trimmed);
    String interp = space < 0 ? trimmed : trimmed.substring(0, space);
    if (interp.isEmpty() || (end == limit && limit < file.length && space < 0)) {
      throw SyscallError.of(Errno.ENOEXEC);
    }
    if (space < 0) {
      return new String[] {interp};
    }
    String arg = trimmed.substring(space).strip();
    return arg.isEmpty() ? new String[] {interp} : new String[] {interp, arg};
  }

  private static int indexOfBlank(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
        return i;
      }
    }
    return -1;
  }
}
