package hartlab.kernel;

import hartlab.cpu.CodeCache;
import hartlab.cpu.Hart;
import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;

/**
 * copy_from_user / copy_to_user: the kernel's only way into guest user memory while running a
 * syscall. Every access goes through the current hart's MMU and TLB, as it would on hardware, and
 * a page that is not mapped yet is faulted in; an address no area allows is {@code -EFAULT}
 * (thrown as {@link SyscallError}), never a kill.
 *
 * <p>Runs on the hart's own thread with the task's mm loaded in satp.
 */
final class UserMemory {
  private final PageFaults faults;
  private final CodeCache code;
  private final PhysicalMemory memory;

  UserMemory(PageFaults faults, CodeCache code, PhysicalMemory memory) {
    this.faults = faults;
    this.code = code;
    this.memory = memory;
  }

  /** Physical address of user {@code va} for {@code access}, faulting it in; EFAULT if impossible. */
  private long physical(Hart hart, Mm mm, long va, int access) {
    long pa = hart.mmu().translate(va, access);
    if (pa == Mmu.PAGE_FAULT && faults.handle(mm, va, access) == PageFaults.Result.FIXED) {
      pa = hart.mmu().translate(va, access);
    }
    if (pa < 0) {
      throw SyscallError.of(Errno.EFAULT);
    }
    return pa;
  }

  void copyFromUser(Hart hart, Mm mm, long va, byte[] dst, int off, int len) {
    while (len > 0) {
      int chunk = chunk(va, len);
      memory.getBytes(physical(hart, mm, va, Mmu.LOAD), dst, off, chunk);
      va += chunk;
      off += chunk;
      len -= chunk;
    }
  }

  void copyToUser(Hart hart, Mm mm, long va, byte[] src, int off, int len) {
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

  long getLong(Hart hart, Mm mm, long va) {
    byte[] b = new byte[8];
    copyFromUser(hart, mm, va, b, 0, 8);
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    return v;
  }

  void putLong(Hart hart, Mm mm, long va, long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    copyToUser(hart, mm, va, b, 0, 8);
  }

  void putInt(Hart hart, Mm mm, long va, int v) {
    byte[] b = {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    copyToUser(hart, mm, va, b, 0, 4);
  }

  private static int chunk(long va, int len) {
    return (int) Math.min(len, PhysicalMemory.PAGE_SIZE - (va & PhysicalMemory.PAGE_MASK));
  }
}
