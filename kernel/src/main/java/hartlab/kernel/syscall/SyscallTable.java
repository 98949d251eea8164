package hartlab.kernel.syscall;

import static hartlab.kernel.syscall.Arg.CLOCK;
import static hartlab.kernel.syscall.Arg.FD;
import static hartlab.kernel.syscall.Arg.FLAGS;
import static hartlab.kernel.syscall.Arg.INT;
import static hartlab.kernel.syscall.Arg.PID;
import static hartlab.kernel.syscall.Arg.PTR;
import static hartlab.kernel.syscall.Arg.SIG;
import static hartlab.kernel.syscall.Arg.SIZE;
import static hartlab.kernel.syscall.Arg.STR;

import hartlab.cpu.Hart;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every system call hartlab implements, one row each: the riscv64 number (asm-generic unistd.h),
 * the name, the arguments' shape and the method that runs it. Adding a system call is adding a row
 * here and its method in the class of its area.
 */
final class SyscallTable {
  /** munmap's number, whose latency the statistics keep. */
  static final int NR_MUNMAP = 215;

  /** A handler's return value meaning "the task is gone or its registers are already set". */
  static final long NO_RETURN = Long.MIN_VALUE;

  private final Syscall[] byNumber = new Syscall[512];
  private final List<Syscall> rows = new ArrayList<>();

  SyscallTable(
      FileCalls files,
      MemoryCalls memory,
      ProcessCalls process,
      TimeCalls time,
      FutexCalls futex,
      InfoCalls info) {
    row(23, "dup", files::dup, FD);
    row(24, "dup3", files::dup3, FD, FD, FLAGS);
    row(56, "openat", files::openat, FD, STR, FLAGS, INT);
    row(57, "close", files::close, FD);
    row(59, "pipe2", files::pipe2, PTR, FLAGS);
    row(63, "read", files::read, FD, PTR, SIZE);
    row(64, "write", files::write, FD, PTR, SIZE);
    row(66, "writev", files::writev, FD, PTR, INT);
    row(93, "exit", process::exit, INT);
    row(94, "exit_group", process::exitGroup, INT);
    row(96, "set_tid_address", process::setTidAddress, PTR);
    row(98, "futex", futex::futex, PTR, INT, INT, PTR, PTR, INT);
    row(101, "nanosleep", time::nanosleep, PTR, PTR);
    row(113, "clock_gettime", time::clockGettime, CLOCK, PTR);
    row(115, "clock_nanosleep", time::clockNanosleep, CLOCK, FLAGS, PTR, PTR);
    row(122, "sched_setaffinity", process::setAffinity, PID, SIZE, PTR);
    row(123, "sched_getaffinity", process::getAffinity, PID, SIZE, PTR);
    row(124, "sched_yield", process::schedYield);
    row(129, "kill", process::kill, PID, SIG);
    row(160, "uname", info::uname, PTR);
    row(168, "getcpu", process::getcpu, PTR, PTR, PTR);
    row(172, "getpid", process::getpid);
    row(173, "getppid", process::getppid);
    row(178, "gettid", process::gettid);
    row(214, "brk", memory::brk, PTR);
    row(NR_MUNMAP, "munmap", memory::munmap, PTR, SIZE);
    row(216, "mremap", memory::mremap, PTR, SIZE, SIZE, FLAGS, PTR);
    row(220, "clone", process::clone, FLAGS, PTR, PTR, PTR, PTR);
    row(221, "execve", process::execve, STR, PTR, PTR);
    row(222, "mmap", memory::mmap, PTR, SIZE, FLAGS, FLAGS, FD, SIZE);
    row(226, "mprotect", memory::mprotect, PTR, SIZE, FLAGS);
    row(233, "madvise", memory::madvise, PTR, SIZE, INT);
    row(260, "wait4", process::wait4, PID, PTR, FLAGS, PTR);
    row(278, "getrandom", info::getrandom, PTR, SIZE, FLAGS);
    row(435, "clone3", process::clone3, PTR, SIZE);
  }

  private void row(int number, String name, Syscall.Handler handler, Arg... args) {
    if (byNumber[number] != null) {
      throw new IllegalStateException("SyscallTable: number " + number + " registered twice");
    }
    Syscall s = new Syscall(number, name, List.of(args), handler);
    byNumber[number] = s;
    rows.add(s);
  }

  /** The call with {@code number}, or null for one hartlab does not implement. */
  Syscall lookup(long number) {
    return number >= 0 && number < byNumber.length ? byNumber[(int) number] : null;
  }

  /** Every row, by number. */
  List<Syscall> rows() {
    return Collections.unmodifiableList(rows);
  }

  /** Argument {@code i} (a0..a5) of the call the hart trapped with. */
  static long arg(Hart hart, int i) {
    return hart.reg(10 + i);
  }
}
