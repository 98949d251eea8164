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
      InfoCalls info,
      PathCalls paths,
      PollCalls poll,
      SignalCalls signal,
      IdentityCalls id,
      ResourceCalls resource) {
    row(17, "getcwd", paths::getcwd, PTR, SIZE);
    row(23, "dup", files::dup, FD);
    row(24, "dup3", files::dup3, FD, FD, FLAGS);
    row(25, "fcntl", files::fcntl, FD, INT, INT);
    row(29, "ioctl", files::ioctl, FD, INT, PTR);
    row(34, "mkdirat", paths::mkdirat, FD, STR, FLAGS);
    row(35, "unlinkat", paths::unlinkat, FD, STR, FLAGS);
    row(36, "symlinkat", paths::symlinkat, STR, FD, STR);
    row(45, "truncate", paths::truncate, STR, SIZE);
    row(46, "ftruncate", files::ftruncate, FD, SIZE);
    row(48, "faccessat", paths::faccessat, FD, STR, FLAGS);
    row(49, "chdir", paths::chdir, STR);
    row(50, "fchdir", paths::fchdir, FD);
    row(52, "fchmod", paths::fchmod, FD, FLAGS);
    row(53, "fchmodat", paths::fchmodat, FD, STR, FLAGS);
    row(54, "fchownat", paths::fchownat, FD, STR, INT, INT, FLAGS);
    row(55, "fchown", paths::fchown, FD, INT, INT);
    row(56, "openat", paths::openat, FD, STR, FLAGS, FLAGS);
    row(57, "close", files::close, FD);
    row(59, "pipe2", files::pipe2, PTR, FLAGS);
    row(61, "getdents64", files::getdents64, FD, PTR, SIZE);
    row(62, "lseek", files::lseek, FD, INT, INT);
    row(63, "read", files::read, FD, PTR, SIZE);
    row(64, "write", files::write, FD, PTR, SIZE);
    row(65, "readv", files::readv, FD, PTR, INT);
    row(66, "writev", files::writev, FD, PTR, INT);
    row(67, "pread64", files::pread64, FD, PTR, SIZE, INT);
    row(68, "pwrite64", files::pwrite64, FD, PTR, SIZE, INT);
    row(72, "pselect6", poll::pselect6, INT, PTR, PTR, PTR, PTR, PTR);
    row(73, "ppoll", poll::ppoll, PTR, INT, PTR, PTR, SIZE);
    row(78, "readlinkat", paths::readlinkat, FD, STR, PTR, SIZE);
    row(79, "newfstatat", paths::newfstatat, FD, STR, PTR, FLAGS);
    row(80, "fstat", files::fstat, FD, PTR);
    row(82, "fsync", paths::fsync, FD);
    row(83, "fdatasync", paths::fsync, FD);
    row(88, "utimensat", paths::utimensat, FD, STR, PTR, FLAGS);
    row(93, "exit", process::exit, INT);
    row(94, "exit_group", process::exitGroup, INT);
    row(96, "set_tid_address", process::setTidAddress, PTR);
    row(98, "futex", futex::futex, PTR, INT, INT, PTR, PTR, INT);
    row(99, "set_robust_list", resource::setRobustList, PTR, SIZE);
    row(101, "nanosleep", time::nanosleep, PTR, PTR);
    row(102, "getitimer", signal::getitimer, INT, PTR);
    row(103, "setitimer", signal::setitimer, INT, PTR, PTR);
    row(113, "clock_gettime", time::clockGettime, CLOCK, PTR);
    row(114, "clock_getres", time::clockGetres, CLOCK, PTR);
    row(115, "clock_nanosleep", time::clockNanosleep, CLOCK, FLAGS, PTR, PTR);
    row(122, "sched_setaffinity", process::setAffinity, PID, SIZE, PTR);
    row(123, "sched_getaffinity", process::getAffinity, PID, SIZE, PTR);
    row(124, "sched_yield", process::schedYield);
    row(129, "kill", signal::kill, PID, SIG);
    row(130, "tkill", signal::tkill, PID, SIG);
    row(131, "tgkill", signal::tgkill, PID, PID, SIG);
    row(132, "sigaltstack", signal::sigaltstack, PTR, PTR);
    row(133, "rt_sigsuspend", signal::sigsuspend, PTR, SIZE);
    row(134, "rt_sigaction", signal::sigaction, SIG, PTR, PTR, SIZE);
    row(135, "rt_sigprocmask", signal::sigprocmask, INT, PTR, PTR, SIZE);
    row(136, "rt_sigpending", signal::sigpending, PTR, SIZE);
    row(139, "rt_sigreturn", signal::sigreturn);
    row(143, "setregid", id::setReId, INT, INT);
    row(144, "setgid", id::setId, INT);
    row(145, "setreuid", id::setReId, INT, INT);
    row(146, "setuid", id::setId, INT);
    row(147, "setresuid", id::setResId, INT, INT, INT);
    row(148, "getresuid", id::getResId, PTR, PTR, PTR);
    row(149, "setresgid", id::setResId, INT, INT, INT);
    row(150, "getresgid", id::getResId, PTR, PTR, PTR);
    row(151, "setfsuid", id::setId, INT);
    row(152, "setfsgid", id::setId, INT);
    row(153, "times", resource::times, PTR);
    row(154, "setpgid", id::setpgid, PID, PID);
    row(155, "getpgid", id::getpgid, PID);
    row(156, "getsid", id::getsid, PID);
    row(157, "setsid", id::setsid);
    row(158, "getgroups", id::getgroups, INT, PTR);
    row(159, "setgroups", id::setgroups, INT, PTR);
    row(160, "uname", info::uname, PTR);
    row(163, "getrlimit", resource::getrlimit, INT, PTR);
    row(164, "setrlimit", resource::setrlimit, INT, PTR);
    row(165, "getrusage", resource::getrusage, INT, PTR);
    row(166, "umask", paths::umask, INT);
    row(167, "prctl", resource::prctl, INT, INT, INT, INT, INT);
    row(168, "getcpu", process::getcpu, PTR, PTR, PTR);
    row(169, "gettimeofday", time::gettimeofday, PTR, PTR);
    row(172, "getpid", process::getpid);
    row(173, "getppid", process::getppid);
    row(174, "getuid", id::root);
    row(175, "geteuid", id::root);
    row(176, "getgid", id::root);
    row(177, "getegid", id::root);
    row(178, "gettid", process::gettid);
    row(179, "sysinfo", resource::sysinfo, PTR);
    row(214, "brk", memory::brk, PTR);
    row(NR_MUNMAP, "munmap", memory::munmap, PTR, SIZE);
    row(216, "mremap", memory::mremap, PTR, SIZE, SIZE, FLAGS, PTR);
    row(220, "clone", process::clone, FLAGS, PTR, PTR, PTR, PTR);
    row(221, "execve", process::execve, STR, PTR, PTR);
    row(222, "mmap", memory::mmap, PTR, SIZE, FLAGS, FLAGS, FD, SIZE);
    row(226, "mprotect", memory::mprotect, PTR, SIZE, FLAGS);
    row(233, "madvise", memory::madvise, PTR, SIZE, INT);
    row(258, "riscv_hwprobe", resource::hwprobe, PTR, SIZE, SIZE, PTR, FLAGS);
    row(260, "wait4", process::wait4, PID, PTR, FLAGS, PTR);
    row(261, "prlimit64", resource::prlimit64, PID, INT, PTR, PTR);
    row(276, "renameat2", paths::renameat2, FD, STR, FD, STR, FLAGS);
    row(278, "getrandom", info::getrandom, PTR, SIZE, FLAGS);
    row(291, "statx", paths::statx, FD, STR, FLAGS, FLAGS, PTR);
    row(293, "rseq", resource::rseq, PTR, SIZE, FLAGS, INT);
    row(435, "clone3", process::clone3, PTR, SIZE);
    row(439, "faccessat2", paths::faccessat2, FD, STR, FLAGS, FLAGS);
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
