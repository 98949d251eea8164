package hartlab.kernel.syscall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.CostModel;
import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.GuestProcess;
import hartlab.kernel.proc.Task;
import hartlab.kernel.stats.Counter;
import hartlab.kernel.stats.Outcome;
import hartlab.kernel.uapi.Errno;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The syscall entry on a stub hart: a7 picks the row, a0..a5 are the arguments, the result lands in
 * a0 and pc moves past the ecall, unless the task slept (then the call runs again and is counted
 * once) or is gone. A few handlers are checked end to end through it.
 */
class SyscallsTest {
  private static final long PC = 0x10100;
  private final KernelRig rig = KernelRig.of(2);
  private final Hart h = rig.hart(0);
  private final Task task = rig.runNewProcess(0);
  private final UserMemory user = rig.vm.user();
  private final long buf = rig.mmapAnon(h, task.mm, 4);

  private long call(int number, long... args) {
    h.setPc(PC);
    h.setReg(17, number);
    for (int i = 0; i < args.length; i++) {
      h.setReg(10 + i, args[i]);
    }
    rig.syscalls.handle(h, task);
    return h.reg(10);
  }

  @Test
  void theResultGoesToA0AndPcPastTheEcall() {
    long before = h.cycles();
    assertEquals(task.process.pid, call(172));
    assertEquals(PC + 4, h.pc());
    assertEquals(CostModel.DEFAULT.syscall(), h.cycles() - before, "the syscall's own cost");
    assertEquals(task.tid, call(178));
    assertEquals(0, call(173), "init has no parent");
    assertEquals(3, rig.count(0, Counter.SYSCALLS));
    assertEquals(Map.of("getpid", 1L, "gettid", 1L, "getppid", 1L), rig.syscalls.counts());
  }

  @Test
  void anUnknownNumberIsEnosysAndCountedAsUnknown() {
    assertEquals(-Errno.ENOSYS, call(999));
    assertEquals(-Errno.ENOSYS, call(-5));
    assertEquals(-Errno.ENOSYS, call(400)); // in range, but no row
    assertEquals(PC + 4, h.pc());
    assertEquals(Map.of("unknown", 3L), rig.syscalls.counts());
  }

  @Test
  void anErrorIsMinusErrno() {
    assertEquals(-Errno.EBADF, call(57, 99), "close(99)");
    assertEquals(-Errno.EINVAL, call(113, 42, buf), "clock_gettime of no such clock");
    assertEquals(-Errno.EFAULT, call(160, 0x10), "uname into nowhere");
    assertEquals(PC + 4, h.pc());
  }

  @Test
  void aCallThatSleptRunsAgainAndIsCountedOnce() {
    assertEquals(0, call(59, buf, 0), "pipe2");
    int readFd = user.getInt(h, task.mm, buf);
    int writeFd = user.getInt(h, task.mm, buf + 4);
    call(63, readFd, buf + 64, 16); // read blocks: the pipe is empty
    assertNull(rig.schedule.current(h));
    assertEquals(PC, task.pc, "the ecall will run again");
    assertEquals(readFd, task.regs[10], "a0 still holds the first argument");
    Task writer = rig.runOn(1, rig.newThread(task));
    Hart h1 = rig.hart(1);
    user.copyToUser(h1, task.mm, buf + 128, "ping".getBytes(StandardCharsets.UTF_8), 0, 4);
    h1.setPc(PC);
    h1.setReg(17, 64);
    h1.setReg(10, writeFd);
    h1.setReg(11, buf + 128);
    h1.setReg(12, 4);
    rig.syscalls.handle(h1, writer);
    assertEquals(4, h1.reg(10));
    assertEquals(Task.State.RUNNABLE, task.state, "the write woke the reader");
    rig.schedule.schedule(h);
    assertSame(task, rig.schedule.current(h));
    assertEquals(PC, h.pc());
    rig.syscalls.handle(h, task); // the same ecall again
    assertEquals(4, h.reg(10));
    assertEquals(PC + 4, h.pc());
    assertEquals(1, rig.count(0, Counter.SYSCALL_RESTARTS));
    assertEquals(2, rig.count(0, Counter.SYSCALLS), "pipe2 and read, the read once");
    assertEquals(1L, rig.syscalls.counts().get("read"));
    byte[] got = new byte[4];
    user.copyFromUser(h, task.mm, buf + 64, got, 0, 4);
    assertArrayEquals("ping".getBytes(StandardCharsets.UTF_8), got);
  }

  @Test
  void exitGroupLeavesTheRegistersAloneAndEndsTheRun() {
    h.setReg(11, 5);
    call(94, 0x1_07);
    assertNull(rig.schedule.current(h));
    assertEquals(Outcome.EXITED, rig.halt.ending().outcome());
    assertEquals(7, rig.halt.ending().exitCode(), "the low byte of the status");
    assertEquals(GuestProcess.State.REAPED, task.process.state);
  }

  // ---- a few handlers, end to end ----

  @Test
  void unameDescribesTheMachine() {
    assertEquals(0, call(160, buf));
    byte[] name = new byte[65];
    user.copyFromUser(h, task.mm, buf, name, 0, 65);
    assertEquals("Linux", new String(name, 0, 5, StandardCharsets.US_ASCII));
    assertEquals(0, name[5]);
    user.copyFromUser(h, task.mm, buf + 4 * 65, name, 0, 65);
    assertEquals("riscv64", new String(name, 0, 7, StandardCharsets.US_ASCII));
  }

  @Test
  void clocksReadVirtualTime() {
    h.setCycles(3_500_000_123L);
    assertEquals(0, call(113, 1, buf), "CLOCK_MONOTONIC");
    // The call's own price is paid before the clock is read; copying the result out comes after.
    long now = 3_500_000_123L + CostModel.DEFAULT.syscall();
    assertEquals(now / 1_000_000_000L, user.getLong(h, task.mm, buf));
    assertEquals(now % 1_000_000_000L, user.getLong(h, task.mm, buf + 8));
    call(113, 0, buf);
    assertTrue(user.getLong(h, task.mm, buf) > 1_700_000_000L, "CLOCK_REALTIME is an epoch");
  }

  @Test
  void nanosleepSleepsUntilTheTimerWithoutCountingTwice() {
    user.putLong(h, task.mm, buf, 0);
    user.putLong(h, task.mm, buf + 8, 50_000);
    call(101, buf, 0);
    assertEquals(Task.State.SLEEPING, task.state);
    assertEquals(PC + 4, task.pc, "it completes, it does not run again");
    h.addCycles(60_000);
    rig.schedule.fireTimers(h);
    assertEquals(Task.State.RUNNABLE, task.state);
    assertEquals(0, task.regs[10]);
    user.putLong(h, task.mm, buf + 8, 1_000_000_000L);
    rig.schedule.schedule(h);
    assertEquals(-Errno.EINVAL, call(101, buf, 0), "tv_nsec out of range");
  }

  @Test
  void getrandomRepeatsForTheSameSeed() {
    byte[] first = new byte[32];
    assertEquals(32, call(278, buf, 32, 0));
    user.copyFromUser(h, task.mm, buf, first, 0, 32);
    KernelRig again = KernelRig.of(2);
    Task t = again.runNewProcess(0);
    long b = again.mmapAnon(again.hart(0), t.mm, 1);
    Hart h2 = again.hart(0);
    h2.setPc(PC);
    h2.setReg(17, 278);
    h2.setReg(10, b);
    h2.setReg(11, 32);
    h2.setReg(12, 0);
    again.syscalls.handle(h2, t);
    byte[] second = new byte[32];
    again.vm.user().copyFromUser(h2, t.mm, b, second, 0, 32);
    assertArrayEquals(first, second);
    assertNotEquals(0, first[0] | first[1] | first[2] | first[3]);
    assertEquals(-Errno.EINVAL, call(278, buf, 8, 6), "GRND_RANDOM | GRND_INSECURE");
  }

  @Test
  void memoryCallsRunUnderTheMmapLock() {
    long base = call(222, 0, 8192, 3, 0x22, -1, 0);
    assertTrue(base > 0, "mmap");
    user.putLong(h, task.mm, base, 5);
    assertEquals(0, call(215, base, 8192), "munmap");
    assertEquals(-Errno.EFAULT, call(113, 1, base), "gone");
    assertEquals(-Errno.EINVAL, call(215, base + 1, 8192));
    assertEquals(call(214, 0), call(214, 0), "brk(0) is stable");
  }

  @Test
  void processCallsNameTheirTargets() {
    assertEquals(0, call(129, task.process.pid, 0), "kill(pid, 0) probes");
    assertEquals(-Errno.ESRCH, call(129, 4242, 9));
    assertEquals(-Errno.EINVAL, call(129, task.process.pid, 65));
    assertEquals(task.tid, call(96, buf), "set_tid_address returns the tid");
    assertEquals(buf, task.clearChildTid);
    assertEquals(8, call(123, 0, 8, buf), "sched_getaffinity");
    assertEquals(1, user.getLong(h, task.mm, buf), "pinned to hart 0 by the test");
    assertEquals(0, call(168, buf, buf + 8, 0), "getcpu");
    assertEquals(0, user.getInt(h, task.mm, buf));
    assertEquals(-Errno.EAGAIN, call(98, buf + 16, 0, 1, 0, 0, 0), "futex: the word is 0, not 1");
  }
}
