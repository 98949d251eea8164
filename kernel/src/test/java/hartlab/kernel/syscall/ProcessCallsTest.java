package hartlab.kernel.syscall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hartlab.cpu.Hart;
import hartlab.kernel.KernelRig;
import hartlab.kernel.mm.UserMemory;
import hartlab.kernel.proc.Task;
import hartlab.kernel.uapi.Errno;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Process, scheduling and information calls through the syscall entry, with the argument checks
 * Linux makes: affinity masks and their sizes, kill's pid forms and default actions, wait4 with and
 * without children, getrandom's flags, clone3's size, uname's fields.
 */
class ProcessCallsTest {
  private static final int SIGKILL = 9, SIGCHLD = 17, WNOHANG = 1;
  private final KernelRig rig = KernelRig.of(2);
  private final Hart h = rig.hart(0);
  private final Task task = rig.runNewProcess(0);
  private final UserMemory user = rig.vm.user();
  private final long buf = rig.mmapAnon(h, task.mm, 1);

  private long call(int number, long... args) {
    h.setPc(0x10100);
    h.setReg(17, number);
    for (int i = 0; i < 6; i++) {
      h.setReg(10 + i, i < args.length ? args[i] : 0);
    }
    rig.syscalls.handle(h, task);
    return h.reg(10);
  }

  /** A child of the caller's process (init), not running anywhere. */
  private Task child() {
    return rig.newProcess(rig.newMm());
  }

  // ---- affinity ----

  @Test
  void getaffinityWantsWholeLongsAndAKnownTask() {
    assertEquals(-Errno.EINVAL, call(123, 0, 4, buf), "shorter than a long");
    assertEquals(-Errno.EINVAL, call(123, 0, 12, buf), "not a multiple of a long");
    assertEquals(-Errno.ESRCH, call(123, 4242, 8, buf));
    assertEquals(8, call(123, 0, 16, buf), "the size written, however large the buffer");
    assertEquals(-Errno.EFAULT, call(123, 0, 8, 0x10));
  }

  @Test
  void setaffinityRefusesMasksWithoutAnExistingHart() {
    user.putLong(h, task.mm, buf, 0);
    assertEquals(-Errno.EINVAL, call(122, 0, 8, buf), "empty");
    user.putLong(h, task.mm, buf, 1L << 5);
    assertEquals(-Errno.EINVAL, call(122, 0, 8, buf), "only a hart this machine lacks");
    assertEquals(-Errno.EINVAL, call(122, 0, 0, buf), "no bytes");
    assertEquals(1, task.sched.affinity(), "unchanged");
  }

  @Test
  void settingTheCallersAffinityAwayFromItsHartMovesItNow() {
    user.putLong(h, task.mm, buf, 0b10);
    call(122, 0, 8, buf);
    assertEquals(0b10, task.sched.affinity());
    assertNotSame(task, rig.schedule.current(h), "it left hart 0");
    assertEquals(Task.State.RUNNABLE, task.state);
    rig.actAs(rig.hart(1));
    rig.schedule.schedule(rig.hart(1));
    assertSame(task, rig.schedule.current(rig.hart(1)), "and runs on hart 1");
    assertEquals(0, task.regs[10], "with the call's result");
  }

  @Test
  void aMaskLongerThanALongIsReadForItsFirstBytes() {
    user.putLong(h, task.mm, buf, 0b11);
    user.putLong(h, task.mm, buf + 8, -1L);
    assertEquals(0, call(122, 0, 16, buf));
    assertEquals(0b11, task.sched.affinity());
  }

  // ---- kill ----

  @Test
  void killSendsAFatalSignalToTheWholeTargetGroup() {
    Task c = child();
    assertEquals(0, call(129, c.process.pid, SIGKILL));
    assertTrue(c.killPending, "it dies at its next kernel boundary");
    assertFalse(task.killPending, "the sender lives on");
    assertTrue(rig.halt.ending() == null, "the machine runs on");
  }

  @Test
  void signalsIgnoredByDefaultChangeNothing() {
    Task c = child();
    assertEquals(0, call(129, c.process.pid, SIGCHLD));
    assertFalse(c.killPending);
  }

  @Test
  void killsPidFormsAreCheckedAsLinuxDoes() {
    assertEquals(-Errno.ESRCH, call(129, -1, SIGKILL), "-1 with nobody but init and the caller");
    assertEquals(-Errno.ESRCH, call(129, -7, SIGKILL), "no process group 7");
    assertEquals(-Errno.EINVAL, call(129, task.process.pid, -1));
    Task c = child();
    assertEquals(0, call(129, -1, 0), "-1 reaches the child now; signal 0 only probes");
    assertFalse(c.killPending);
  }

  // ---- wait4 ----

  @Test
  void wait4WithoutChildrenIsEchildAndWnohangDoesNotSleep() {
    assertEquals(-Errno.ECHILD, call(260, -1, 0, 0, 0));
    Task c = child();
    assertEquals(0, call(260, -1, buf, WNOHANG, 0), "a child lives: nothing to report yet");
    assertSame(task, rig.schedule.current(h), "and the caller did not sleep");
    assertEquals(-Errno.ECHILD, call(260, c.process.pid + 1, 0, WNOHANG, 0), "not a child");
    assertEquals(-Errno.EINVAL, call(260, -1, 0, 0x40, 0), "an unknown option");
  }

  // ---- clone3, getrandom, uname ----

  @Test
  void clone3WantsAtLeastTheFirstVersionOfItsStruct() {
    assertEquals(-Errno.EINVAL, call(435, buf, 63));
    assertEquals(-Errno.EINVAL, call(435, buf, 0));
  }

  @Test
  void getrandomRefusesUnknownAndContradictoryFlags() {
    assertEquals(-Errno.EINVAL, call(278, buf, 8, 8));
    assertEquals(-Errno.EINVAL, call(278, buf, 8, 2 | 4), "GRND_RANDOM with GRND_INSECURE");
    assertEquals(0, call(278, buf, 0, 0), "nothing asked, nothing given");
    assertEquals(16, call(278, buf, 16, 1));
    assertEquals(-Errno.EFAULT, call(278, 0x10, 16, 0));
  }

  @Test
  void unameFillsEverySixtyFiveByteField() {
    assertEquals(0, call(160, buf));
    String[] expected = {"Linux", "hartlab", "6.6.0-hartlab", "#1 SMP hartlab", "riscv64"};
    for (int i = 0; i < expected.length; i++) {
      byte[] f = new byte[65];
      user.copyFromUser(h, task.mm, buf + 65L * i, f, 0, 65);
      int n = 0;
      while (f[n] != 0) {
        n++;
      }
      assertEquals(expected[i], new String(f, 0, n, StandardCharsets.US_ASCII), "field " + i);
    }
  }
}
