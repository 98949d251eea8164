package hartlab.cpu;

import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A developer's tool, not the kernel: runs a static RISC-V Linux ELF on one bare hart (satp Bare,
 * va == pa in 64 MiB of RAM) with a handful of system calls faked — write, writev, exit, brk,
 * anonymous mmap from a bump pointer, and successes for munmap/mprotect/set_tid_address — enough
 * for the self-checking {@code isatest} and the {@code compute} benchmark of the images module, and
 * for the generated programs of {@link FpDifferentialTest}, so the hart can be checked against
 * gcc's code and qemu, and timed, without the kernel. Prints the guest's output, then its exit
 * status and MIPS. Run from /work/main after building:
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp cpu/target/classes:cpu/target/test-classes:mmu/target/classes:$HOME/.m2/repository/org/agrona/agrona/2.2.4/agrona-2.2.4.jar \
 *     hartlab.cpu.ElfRun images/src/main/resources/hartlab/images/isatest [args...]
 * </pre>
 */
public final class ElfRun {
  static final long RAM = 64L << 20;
  static final long STACK_TOP = RAM - 0x1000;
  static final long MMAP_BASE = 32L << 20;

  private final PhysicalMemory mem = new PhysicalMemory(RAM);
  private final CodeCache cc = new CodeCache(mem);
  private final Hart hart = new Hart(0, new Mmu(mem, new Tlb(64, 4), 25), cc, CostModel.DEFAULT);
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private boolean echo = true;
  private long brk;
  private long mmapNext = MMAP_BASE;
  private Integer exitStatus;

  /** Loads the PT_LOAD segments and builds the initial stack (argc, argv, envp, auxv). */
  ElfRun(byte[] elf, String... args) {
    ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) != 0x464C457F || b.get(4) != 2 || b.getShort(18) != 243) {
      throw new IllegalArgumentException("ElfRun: not a 64-bit RISC-V ELF");
    }
    long entry = b.getLong(24);
    long phoff = b.getLong(32);
    int phentsize = b.getShort(54) & 0xFFFF;
    int phnum = b.getShort(56) & 0xFFFF;
    long phdr = 0;
    for (int k = 0; k < phnum; k++) {
      int ph = (int) (phoff + (long) k * phentsize);
      if (b.getInt(ph) != 1) { // PT_LOAD
        continue;
      }
      long off = b.getLong(ph + 8),
          vaddr = b.getLong(ph + 16),
          filesz = b.getLong(ph + 32),
          memsz = b.getLong(ph + 40);
      if (off <= phoff && phoff < off + filesz) {
        phdr = vaddr + (phoff - off);
      }
      if (vaddr + memsz > MMAP_BASE) {
        throw new IllegalArgumentException(
            String.format("ElfRun: segment at 0x%x does not fit", vaddr));
      }
      mem.putBytes(vaddr, elf, (int) off, (int) filesz);
      brk = Math.max(brk, (vaddr + memsz + 0xFFF) & ~0xFFFL);
    }
    // Stack: strings at the top, then the vectors, 16-byte aligned.
    long sp = STACK_TOP;
    long[] argv = new long[args.length];
    for (int k = args.length - 1; k >= 0; k--) {
      byte[] s = (args[k] + "\0").getBytes(StandardCharsets.UTF_8);
      sp -= s.length;
      mem.putBytes(sp, s, 0, s.length);
      argv[k] = sp;
    }
    sp -= 16; // AT_RANDOM bytes
    long random = sp;
    long[] vec = new long[1 + args.length + 1 + 1 + 14];
    int n = 0;
    vec[n++] = args.length;
    for (long a : argv) {
      vec[n++] = a;
    }
    vec[n++] = 0; // argv NULL
    vec[n++] = 0; // envp NULL
    vec[n++] = 3; // AT_PHDR
    vec[n++] = phdr;
    vec[n++] = 4; // AT_PHENT
    vec[n++] = phentsize;
    vec[n++] = 5; // AT_PHNUM
    vec[n++] = phnum;
    vec[n++] = 9; // AT_ENTRY
    vec[n++] = entry;
    vec[n++] = 6; // AT_PAGESZ
    vec[n++] = 4096;
    vec[n++] = 25; // AT_RANDOM
    vec[n++] = random;
    vec[n++] = 0; // AT_NULL
    vec[n++] = 0;
    sp = (sp - 8L * n) & ~15L;
    for (int k = 0; k < n; k++) {
      mem.putLong(sp + 8L * k, vec[k]);
    }
    hart.setReg(2, sp);
    hart.setPc(entry);
  }

  /** Runs to exit; returns the exit status. */
  int run() {
    while (exitStatus == null) {
      int exit = hart.run(Long.MAX_VALUE);
      if (exit != Hart.EXIT_TRAP) {
        continue;
      }
      hart.clearReservation();
      if (hart.trapCause() != Cause.ECALL_FROM_U) {
        throw new IllegalStateException(
            String.format(
                "ElfRun: %s, tval 0x%x, at pc 0x%x",
                Cause.name(hart.trapCause()), hart.trapValue(), hart.pc()));
      }
      hart.setReg(
          10, syscall((int) hart.reg(17), hart.reg(10), hart.reg(11), hart.reg(12), hart.reg(13)));
      hart.setPc(hart.pc() + 4);
    }
    return exitStatus;
  }

  private long syscall(int nr, long a0, long a1, long a2, long a3) {
    switch (nr) {
      case 64: // write
        write(a1, a2);
        return a2;
      case 66:
        { // writev
          long total = 0;
          for (int k = 0; k < a2; k++) {
            long len = mem.getLong(a1 + 16L * k + 8);
            write(mem.getLong(a1 + 16L * k), len);
            total += len;
          }
          return total;
        }
      case 93:
      case 94: // exit, exit_group
        exitStatus = (int) a0;
        return 0;
      case 214: // brk
        if (a0 > brk && a0 < MMAP_BASE) {
          brk = a0;
        }
        return brk;
      case 222:
        { // mmap: anonymous only, from a bump pointer
          long len = (a1 + 0xFFF) & ~0xFFFL;
          long at = mmapNext;
          mmapNext += len;
          mem.fill(at, (int) len, (byte) 0);
          for (long p = at; p < at + len; p += 4096) {
            cc.invalidate(p);
          }
          return at;
        }
      case 96:
      case 172:
      case 178: // set_tid_address, getpid, gettid
        return 1;
      case 215:
      case 226:
      case 124: // munmap, mprotect, sched_yield
        return 0;
      case 113:
        { // clock_gettime: virtual time
          long ns = hart.cycles() * 1_000_000_000L / CostModel.CLOCK_HZ;
          mem.putLong(a1, ns / 1_000_000_000L);
          mem.putLong(a1 + 8, ns % 1_000_000_000L);
          return 0;
        }
      default:
        return -38; // ENOSYS
    }
  }

  private void write(long va, long len) {
    byte[] b = new byte[(int) len];
    mem.getBytes(va, b, 0, b.length);
    out.write(b, 0, b.length);
    if (echo) {
      System.out.print(new String(b, StandardCharsets.UTF_8));
    }
  }

  /** Keeps the guest's output to itself instead of also printing it (for binary output). */
  ElfRun quiet() {
    echo = false;
    return this;
  }

  String output() {
    return out.toString(StandardCharsets.UTF_8);
  }

  byte[] outputBytes() {
    return out.toByteArray();
  }

  Hart hart() {
    return hart;
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ElfRun ELF [args...]");
      System.exit(2);
    }
    String[] guestArgs = new String[args.length];
    guestArgs[0] = Path.of(args[0]).getFileName().toString();
    System.arraycopy(args, 1, guestArgs, 1, args.length - 1);
    ElfRun r = new ElfRun(Files.readAllBytes(Path.of(args[0])), guestArgs);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long t0 = System.nanoTime();
    long c0 = cpu.getCurrentThreadCpuTime();
    int status = r.run();
    long cpuNs = cpu.getCurrentThreadCpuTime() - c0;
    long ns = System.nanoTime() - t0;
    System.out.printf(
        "[ElfRun: exit %d, %,d instructions, %,d cycles, %.3f s CPU (%.3f s wall), %.1f MIPS]%n",
        status,
        r.hart.instret(),
        r.hart.cycles(),
        cpuNs / 1e9,
        ns / 1e9,
        r.hart.instret() * 1e3 / cpuNs);
    System.exit(status);
  }
}
