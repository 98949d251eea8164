package hartlab.kernel.proc;

import java.nio.ByteBuffer;

/**
 * One pending signal's siginfo_t, as much of it as hartlab fills: number, si_code, the sender (or
 * the exited child) and the union's first words. Laid out as riscv64's 128-byte siginfo_t: signo,
 * errno and code as ints at 0, 4 and 8, the union from offset 16.
 *
 * @param pid si_pid (kill, SIGCHLD); unused for faults
 * @param addr si_addr of a fault, at offset 16 where kill's si_pid and si_uid lie
 * @param status si_status of SIGCHLD: the exit code or the terminating signal
 */
public record SigInfo(int signo, int code, int pid, long addr, int status) {
  public static final int SIZE = 128;

  /** si_code values (include/uapi/asm-generic/siginfo.h). */
  public static final int SI_USER = 0,
      SI_KERNEL = 0x80,
      SI_TKILL = -6,
      CLD_EXITED = 1,
      CLD_KILLED = 2,
      CLD_DUMPED = 3,
      SEGV_MAPERR = 1,
      SEGV_ACCERR = 2;

  /** Sent by a process with kill(2) or tgkill(2). */
  public static SigInfo user(int signo, int code, int pid) {
    return new SigInfo(signo, code, pid, 0, 0);
  }

  /** Raised by the kernel itself (a timer). */
  public static SigInfo kernel(int signo) {
    return new SigInfo(signo, SI_KERNEL, 0, 0, 0);
  }

  /** A synchronous fault at {@code addr}. */
  public static SigInfo fault(int signo, int code, long addr) {
    return new SigInfo(signo, code, 0, addr, 0);
  }

  /** Writes the 128 bytes at {@code buf}'s position (little-endian), advancing it. */
  void writeTo(ByteBuffer buf) {
    int at = buf.position();
    buf.putInt(at, signo);
    buf.putInt(at + 4, 0);
    buf.putInt(at + 8, code);
    if (addr != 0) {
      buf.putLong(at + 16, addr);
    } else {
      buf.putInt(at + 16, pid);
      buf.putInt(at + 20, 0); // si_uid: everything runs as root
      buf.putInt(at + 24, status);
    }
    buf.position(at + SIZE);
  }
}
