package hartlab.kernel.mm;

import hartlab.cpu.CodeCache;
import hartlab.cpu.Hart;
import hartlab.kernel.uapi.Errno;
import hartlab.kernel.uapi.SyscallError;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * copy_from_user / copy_to_user: the kernel's only way into guest user memory while running a
 * syscall. Every access goes through the current hart's MMU and TLB, as it would on hardware, and a
 * page that is not mapped yet is faulted in; an address no area allows is {@code -EFAULT} (thrown
 * as {@link SyscallError}), never a kill.
 *
 * <p>Runs on the hart's own thread with {@code mm} loaded in satp, holding no mmap lock: a fault
 * takes it for reading by spinning, since the syscall may already have done things it cannot undo.
 */
public final class UserMemory {
  private final PageFaults faults;
  private final CodeCache code;
  private final PhysicalMemory memory;

  public UserMemory(PageFaults faults, CodeCache code, PhysicalMemory memory) {
    this.faults = faults;
    this.code = code;
    this.memory = memory;
  }

  /**
   * Physical address of user {@code va} for {@code access}, faulting it in; EFAULT if impossible.
   */
  public long physical(Hart hart, Mm mm, long va, int access) {
    long pa = hart.mmu().translate(va, access);
    if (pa == Mmu.PAGE_FAULT
        && faults.fault(hart, mm, va, access, false).result() == PageFaults.Result.FIXED) {
      pa = hart.mmu().translate(va, access);
    }
    if (pa < 0) {
      throw SyscallError.of(Errno.EFAULT);
    }
    return pa;
  }

  public void copyFromUser(Hart hart, Mm mm, long va, byte[] dst, int off, int len) {
    while (len > 0) {
      int chunk = chunk(va, len);
      memory.getBytes(physical(hart, mm, va, Mmu.LOAD), dst, off, chunk);
      va += chunk;
      off += chunk;
      len -= chunk;
    }
  }

  public void copyToUser(Hart hart, Mm mm, long va, byte[] src, int off, int len) {
    while (len > 0) {
      int chunk = chunk(va, len);
      long pa = physical(hart, mm, va, Mmu.STORE);
      memory.putBytes(pa, src, off, chunk);
      code.noteStore(pa);
      va += chunk;
      off += chunk;
      len -= chunk;
    }
  }

  /** Faults in {@code [va, va+len)} for writing, or EFAULT, before anything is consumed for it. */
  public void checkWritable(Hart hart, Mm mm, long va, long len) {
    for (long p = va;
        p < va + len;
        p = (p & ~PhysicalMemory.PAGE_MASK) + PhysicalMemory.PAGE_SIZE) {
      physical(hart, mm, p, Mmu.STORE);
    }
  }

  public long getLong(Hart hart, Mm mm, long va) {
    byte[] b = new byte[8];
    copyFromUser(hart, mm, va, b, 0, 8);
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    return v;
  }

  public int getInt(Hart hart, Mm mm, long va) {
    return (int) (getLong(hart, mm, va) & 0xFFFFFFFFL);
  }

  public void putLong(Hart hart, Mm mm, long va, long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    copyToUser(hart, mm, va, b, 0, 8);
  }

  public void putInt(Hart hart, Mm mm, long va, int v) {
    byte[] b = {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    copyToUser(hart, mm, va, b, 0, 4);
  }

  /** A NUL-terminated string of fewer than {@code max} bytes; longer is {@code tooLong} errno. */
  public String getString(Hart hart, Mm mm, long va, int max, int tooLong) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] page = new byte[PhysicalMemory.PAGE_SIZE];
    while (out.size() < max) {
      int n = chunk(va, max - out.size());
      copyFromUser(hart, mm, va, page, 0, n);
      for (int i = 0; i < n; i++) {
        if (page[i] == 0) {
          out.write(page, 0, i);
          return out.toString(StandardCharsets.UTF_8);
        }
      }
      out.write(page, 0, n);
      va += n;
    }
    throw SyscallError.of(tooLong);
  }

  /** A NULL-terminated array of string pointers (argv, envp); a NULL array is empty. */
  public List<String> getStrings(Hart hart, Mm mm, long va, int maxCount, int maxTotal) {
    List<String> out = new ArrayList<>();
    if (va == 0) {
      return out;
    }
    long total = 0;
    for (long p; (p = getLong(hart, mm, va + 8L * out.size())) != 0; ) {
      if (out.size() >= maxCount) {
        throw SyscallError.of(Errno.E2BIG);
      }
      String s = getString(hart, mm, p, maxTotal, Errno.E2BIG);
      total += s.length() + 1;
      if (total > maxTotal) {
        throw SyscallError.of(Errno.E2BIG);
      }
      out.add(s);
    }
    return out;
  }

  private static int chunk(long va, int len) {
    return (int) Math.min(len, PhysicalMemory.PAGE_SIZE - (va & PhysicalMemory.PAGE_MASK));
  }
}
