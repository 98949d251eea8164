package hartlab.kernel.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The one syscall table against Linux's numbering: riscv64 uses the generic table of
 * include/uapi/asm-generic/unistd.h, so every row's number must be the one that header gives its
 * name. The reference below lists those numbers for exactly the calls hartlab implements, copied by
 * hand from the header.
 */
class SyscallTableTest {
  /** __NR_* of include/uapi/asm-generic/unistd.h (mmap is __NR3264_mmap on 64-bit). */
  private static final Map<Integer, String> LINUX =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry(17, "getcwd"),
              Map.entry(23, "dup"),
              Map.entry(24, "dup3"),
              Map.entry(25, "fcntl"),
              Map.entry(29, "ioctl"),
              Map.entry(34, "mkdirat"),
              Map.entry(35, "unlinkat"),
              Map.entry(36, "symlinkat"),
              Map.entry(45, "truncate"),
              Map.entry(52, "fchmod"),
              Map.entry(53, "fchmodat"),
              Map.entry(54, "fchownat"),
              Map.entry(55, "fchown"),
              Map.entry(82, "fsync"),
              Map.entry(83, "fdatasync"),
              Map.entry(88, "utimensat"),
              Map.entry(46, "ftruncate"),
              Map.entry(48, "faccessat"),
              Map.entry(49, "chdir"),
              Map.entry(50, "fchdir"),
              Map.entry(56, "openat"),
              Map.entry(57, "close"),
              Map.entry(59, "pipe2"),
              Map.entry(61, "getdents64"),
              Map.entry(62, "lseek"),
              Map.entry(63, "read"),
              Map.entry(64, "write"),
              Map.entry(65, "readv"),
              Map.entry(66, "writev"),
              Map.entry(67, "pread64"),
              Map.entry(68, "pwrite64"),
              Map.entry(72, "pselect6"),
              Map.entry(73, "ppoll"),
              Map.entry(78, "readlinkat"),
              Map.entry(79, "newfstatat"),
              Map.entry(80, "fstat"),
              Map.entry(93, "exit"),
              Map.entry(94, "exit_group"),
              Map.entry(96, "set_tid_address"),
              Map.entry(98, "futex"),
              Map.entry(99, "set_robust_list"),
              Map.entry(101, "nanosleep"),
              Map.entry(102, "getitimer"),
              Map.entry(103, "setitimer"),
              Map.entry(113, "clock_gettime"),
              Map.entry(114, "clock_getres"),
              Map.entry(115, "clock_nanosleep"),
              Map.entry(122, "sched_setaffinity"),
              Map.entry(123, "sched_getaffinity"),
              Map.entry(124, "sched_yield"),
              Map.entry(129, "kill"),
              Map.entry(130, "tkill"),
              Map.entry(131, "tgkill"),
              Map.entry(132, "sigaltstack"),
              Map.entry(133, "rt_sigsuspend"),
              Map.entry(134, "rt_sigaction"),
              Map.entry(135, "rt_sigprocmask"),
              Map.entry(136, "rt_sigpending"),
              Map.entry(139, "rt_sigreturn"),
              Map.entry(143, "setregid"),
              Map.entry(144, "setgid"),
              Map.entry(145, "setreuid"),
              Map.entry(146, "setuid"),
              Map.entry(147, "setresuid"),
              Map.entry(148, "getresuid"),
              Map.entry(149, "setresgid"),
              Map.entry(150, "getresgid"),
              Map.entry(151, "setfsuid"),
              Map.entry(152, "setfsgid"),
              Map.entry(153, "times"),
              Map.entry(154, "setpgid"),
              Map.entry(155, "getpgid"),
              Map.entry(156, "getsid"),
              Map.entry(157, "setsid"),
              Map.entry(158, "getgroups"),
              Map.entry(159, "setgroups"),
              Map.entry(160, "uname"),
              Map.entry(163, "getrlimit"),
              Map.entry(164, "setrlimit"),
              Map.entry(165, "getrusage"),
              Map.entry(166, "umask"),
              Map.entry(167, "prctl"),
              Map.entry(168, "getcpu"),
              Map.entry(169, "gettimeofday"),
              Map.entry(172, "getpid"),
              Map.entry(173, "getppid"),
              Map.entry(174, "getuid"),
              Map.entry(175, "geteuid"),
              Map.entry(176, "getgid"),
              Map.entry(177, "getegid"),
              Map.entry(178, "gettid"),
              Map.entry(179, "sysinfo"),
              Map.entry(214, "brk"),
              Map.entry(215, "munmap"),
              Map.entry(216, "mremap"),
              Map.entry(220, "clone"),
              Map.entry(221, "execve"),
              Map.entry(222, "mmap"),
              Map.entry(226, "mprotect"),
              Map.entry(233, "madvise"),
              Map.entry(258, "riscv_hwprobe"),
              Map.entry(260, "wait4"),
              Map.entry(261, "prlimit64"),
              Map.entry(276, "renameat2"),
              Map.entry(278, "getrandom"),
              Map.entry(291, "statx"),
              Map.entry(293, "rseq"),
              Map.entry(435, "clone3"),
              Map.entry(439, "faccessat2")));

  /** The table with handlers bound to nothing: only its rows are looked at. */
  private static SyscallTable table() {
    TimeCalls time = new TimeCalls(null, null);
    return new SyscallTable(
        new FileCalls(null, null, null, null),
        new MemoryCalls(null, null, null, null, null),
        new ProcessCalls(null, null, null, null, null),
        time,
        new FutexCalls(null, time),
        new InfoCalls(null, null),
        new PathCalls(null, null),
        new PollCalls(null, null, null, time),
        new SignalCalls(null, null, null, null, null),
        new IdentityCalls(null, null),
        new ResourceCalls(null, null, null, 0));
  }

  @Test
  void everyRowHasTheNumberLinuxGivesItsName() {
    Map<Integer, String> rows = new TreeMap<>();
    for (Syscall s : table().rows()) {
      rows.put(s.number(), s.name());
    }
    assertEquals(LINUX, rows);
  }

  @Test
  void numbersAndNamesAreUniqueAndEveryRowIsFoundByItsNumber() {
    SyscallTable t = table();
    Set<Integer> numbers = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (Syscall s : t.rows()) {
      assertTrue(numbers.add(s.number()), "number " + s.number() + " twice");
      assertTrue(names.add(s.name()), "name " + s.name() + " twice");
      assertSame(s, t.lookup(s.number()));
      assertTrue(s.args().size() <= 6, s.name() + ": riscv64 passes at most six arguments");
    }
    assertNull(t.lookup(-1));
    assertNull(t.lookup(0));
    assertNull(t.lookup(511));
    assertNull(t.lookup(1L << 40));
  }

  @Test
  void rowsAreInNumberOrder() {
    int last = -1;
    for (Syscall s : table().rows()) {
      assertTrue(s.number() > last, s.name());
      last = s.number();
    }
  }

  @Test
  void argumentShapesMatchTheCallsCSignatures() {
    SyscallTable t = table();
    assertEquals(java.util.List.of(Arg.FD, Arg.PTR, Arg.SIZE), t.lookup(64).args(), "write");
    assertEquals(
        java.util.List.of(Arg.PTR, Arg.SIZE, Arg.FLAGS, Arg.FLAGS, Arg.FD, Arg.SIZE),
        t.lookup(222).args(),
        "mmap");
    assertEquals(java.util.List.of(), t.lookup(172).args(), "getpid");
    assertEquals(java.util.List.of(Arg.PID, Arg.SIG), t.lookup(129).args(), "kill");
  }
}
