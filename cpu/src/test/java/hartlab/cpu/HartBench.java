package hartlab.cpu;

import static hartlab.cpu.Asm.*;

import hartlab.mmu.FrameAllocator;
import hartlab.mmu.Mmu;
import hartlab.mmu.PageTable;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Pte;
import hartlab.mmu.Tlb;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Interpreter throughput, in guest MIPS, on hand-assembled compute loops. A main class, not a test:
 * timings on a shared machine are noisy, so compare numbers from one run, before and after a
 * change. Run (after {@code ./mvnw -B -q -o -pl cpu install -DskipTests}) from /work/main:
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp cpu/target/classes:cpu/target/test-classes:mmu/target/classes:$HOME/.m2/repository/org/agrona/agrona/2.2.4/agrona-2.2.4.jar \
 *     hartlab.cpu.HartBench [millions-of-instructions-per-run (200)] [runs (5)] [kernel (all)]
 * </pre>
 *
 * Kernels (the optional third argument picks one): {@code alu-mem}, an 11-instruction loop of ALU
 * ops, a load, a store and a branch over a 2 KiB array; {@code call-mix}, compressed code with a
 * call and return, a multiply and a word op per iteration; {@code far-call}, the same with the
 * function on the next page (every call and return changes page); {@code two-pages}, loads and
 * stores alternating between a heap and a stack page, and {@code two-pages/sv39} the same under
 * Sv39 page tables; {@code alu-mem/q}, alu-mem again in {@code run} quanta of {@code -Dquantum=}
 * cycles (default 1M) as the scheduler tick makes them; {@code far-call/q} likewise; {@code
 * fp-mix}, a loop of double-precision loads, arithmetic, a store, a conversion and a compare.
 *
 * <p>MIPS are per second of the benchmark thread's CPU time, so other load on the machine counts
 * less. Kernels run one after another in one JVM share {@code Hart.run}'s profile, as a real mix of
 * guest code does; a kernel run alone gets a compilation tuned to it alone (alu-mem: ~270 MIPS
 * alone, ~185 after the others).
 */
public final class HartBench {
  static final long CODE = 0x1000;
  static final long DATA = 0x20000;

  /**
   * MIPS are per second of this thread's CPU time: on a shared machine wall time mostly measures
   * the neighbours.
   */
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private HartBench() {}

  /** 11 instructions per iteration. */
  static Program aluMem() {
    return new Program(CODE)
        .li(A0, DATA)
        .i(addi(A2, ZERO, 0))
        .label("loop")
        .i(andi(T0, A1, 255))
        .i(slli(T0, T0, 3))
        .i(add(T1, A0, T0))
        .i(ld(T2, T1, 0))
        .i(add(A2, A2, T2))
        .i(xor(A2, A2, A1))
        .i(srli(T3, A2, 3))
        .i(add(A2, A2, T3))
        .i(sd(A2, T1, 0))
        .i(addi(A1, A1, -1))
        .to("loop", off -> bne(A1, ZERO, off))
        .ecall();
  }

  /** 12 instructions per iteration: 8 in the loop, 4 in the called function. */
  static Program callMix() {
    // c.jal does not exist in RV64C: use a 32-bit jal for the call.
    return new Program(CODE)
        .li(S0, DATA)
        .c(cLi(A2, 1))
        .label("loop")
        .to("f", off -> jal(RA, off))
        .c(cAddw(A2, A3))
        .c(cSd(A2, S0, 8))
        .c(cLd(A4, S0, 8))
        .i(mul(A4, A4, A1))
        .c(cXor(A2, A4))
        .c(cAddi(A1, -1))
        .cTo("loop", off -> cBnez(A1, off))
        .ecall()
        .label("f")
        .c(cMv(A3, A2))
        .c(cSrli(A3, 1))
        .c(cAndi(A3, 31))
        .c(cJr(RA));
  }

  /**
   * Runs {@code prog} {@code runs} times to its ECALL and returns the best MIPS. With {@code
   * quantum > 0} each run is cut into {@code run(deadline)} calls of that many cycles, as the
   * kernel's scheduler tick does, so {@code run} is entered and left often.
   */
  /** 12 instructions per iteration, as call-mix, but the function is on another page. */
  static Program farCall() {
    Program p =
        new Program(CODE)
            .li(S0, DATA)
            .c(cLi(A2, 1))
            .label("loop")
            .to("f", off -> jal(RA, off))
            .c(cAddw(A2, A3))
            .c(cSd(A2, S0, 8))
            .c(cLd(A4, S0, 8))
            .i(mul(A4, A4, A1))
            .c(cXor(A2, A4))
            .c(cAddi(A1, -1))
            .cTo("loop", off -> cBnez(A1, off))
            .ecall();
    while (p.here() < CODE + 0x1800) {
      p.c(cNop());
    }
    return p.label("f").c(cMv(A3, A2)).c(cSrli(A3, 1)).c(cAndi(A3, 31)).c(cJr(RA));
  }

  /**
   * 12 instructions per iteration touching two data pages in turn (a heap word and a stack slot),
   * as compiled C does; with {@code sv39} run under Sv39 page tables, where every switch between
   * the two pages misses the MMU's one-entry load/store caches and looks the TLB up.
   */
  static Program twoPages() {
    return new Program(CODE)
        .li(S0, DATA)
        .li(SP, DATA + 0x3000)
        .c(cLi(A2, 1))
        .label("loop")
        .c(cLd(A3, S0, 0))
        .c(cSdsp(A3, 8))
        .c(cAdd(A2, A3))
        .c(cLdsp(A4, 16))
        .c(cXor(A2, A4))
        .c(cSd(A2, S0, 0))
        .c(cSdsp(A2, 16))
        .i(srli(A5, A2, 7))
        .c(cAdd(A2, A5))
        .c(cLd(A4, S0, 8))
        .c(cAddi(A1, -1))
        .cTo("loop", off -> cBnez(A1, off))
        .ecall();
  }

  /**
   * 11 instructions per iteration, 9 of them F/D: a load, a fused multiply-add into an accumulator,
   * multiply, add, subtract, divide, a store, a conversion to an integer and a compare, all in
   * round-to-nearest on ordinary values (the common path of {@link SoftFloat}), then the loop's
   * addi and bne.
   */
  static Program fpMix() {
    return new Program(CODE)
        .li(A0, DATA)
        .li(T0, Double.doubleToRawLongBits(1.0001))
        .i(fmvF(1, 1, T0))
        .i(sd(T0, A0, 0))
        .li(T0, Double.doubleToRawLongBits(0.5))
        .i(fmvF(1, 2, T0))
        .li(T0, Double.doubleToRawLongBits(0.9999))
        .i(fmvF(1, 6, T0))
        .i(fmvF(1, 3, ZERO))
        .label("loop")
        .i(fld(4, A0, 0))
        .i(fmadd(1, 3, 4, 1, 3, RNE))
        .i(fmul(1, 5, 4, 6, RNE))
        .i(fadd(1, 4, 5, 2, RNE))
        .i(fsub(1, 4, 4, 2, RNE))
        .i(fdiv(1, 7, 5, 1, RNE))
        .i(fsd(7, A0, 8))
        .i(fcvtToInt(1, 0, T1, 3, RTZ))
        .i(feq(1, T2, 4, 5))
        .i(addi(A1, A1, -1))
        .to("loop", off -> bne(A1, ZERO, off))
        .ecall();
  }

  static double mips(
      String name, Program prog, long iterations, int perIteration, int runs, long quantum) {
    return mips(name, prog, iterations, perIteration, runs, quantum, false);
  }

  static double mips(
      String name,
      Program prog,
      long iterations,
      int perIteration,
      int runs,
      long quantum,
      boolean sv39) {
    PhysicalMemory mem = new PhysicalMemory(1 << 20);
    CodeCache cc = new CodeCache(mem);
    Mmu mmu = new Mmu(mem, new Tlb(64, 4), CostModel.DEFAULT.walkLevel());
    Hart hart = new Hart(0, mmu, cc, CostModel.DEFAULT);
    byte[] code = prog.bytes();
    mem.putBytes(CODE, code, 0, code.length);
    if (sv39) {
      // Identity-map the low 256 KiB (code, data, stack) in a table placed above it.
      FrameAllocator frames = new FrameAllocator(mem, 64, false);
      PageTable pt = new PageTable(mem, frames);
      long root = pt.createRoot();
      for (long va = 0x1000; va < 0x40000; va += 0x1000) {
        pt.set(
            pt.leafSlot(root, va, true),
            Pte.make(va, Pte.V | Pte.R | Pte.W | Pte.X | Pte.U | Pte.A | Pte.D));
      }
      mmu.setSatp(Mmu.makeSatp(root, 1));
    }
    double best = 0;
    for (int r = 0; r < runs; r++) {
      hart.setPc(CODE);
      hart.setReg(A1, iterations);
      long i0 = hart.instret();
      long c0 = CPU.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      int exit;
      if (quantum > 0) {
        while ((exit = hart.run(hart.cycles() + quantum)) == Hart.EXIT_DEADLINE) {
          // next quantum
        }
      } else {
        exit = hart.run(Long.MAX_VALUE);
      }
      long ns = System.nanoTime() - t0;
      long cpuNs = CPU.getCurrentThreadCpuTime() - c0;
      long n = hart.instret() - i0;
      if (exit != Hart.EXIT_TRAP || hart.trapCause() != Cause.ECALL_FROM_U) {
        throw new IllegalStateException(
            name + ": stopped by " + Cause.name(hart.trapCause()) + " at " + hart);
      }
      if (n < iterations * perIteration) {
        throw new IllegalStateException(name + ": retired only " + n);
      }
      double m = n * 1e3 / cpuNs;
      best = Math.max(best, m);
      System.out.printf(
          "%-14s run %d: %,d instructions in %.3f s CPU (%.3f s wall) = %.1f MIPS%n",
          name, r, n, cpuNs / 1e9, ns / 1e9, m);
    }
    return best;
  }

  public static void main(String[] args) {
    long millions = args.length > 0 ? Long.parseLong(args[0]) : 200;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String only = args.length > 2 ? args[2] : "";
    long n = millions * 1_000_000;
    double a =
        only.isEmpty() || only.equals("alu-mem")
            ? mips("alu-mem", aluMem(), n / 11, 11, runs, 0)
            : 0;
    double c =
        only.isEmpty() || only.equals("call-mix")
            ? mips("call-mix", callMix(), n / 12, 12, runs, 0)
            : 0;
    double f =
        only.isEmpty() || only.equals("far-call")
            ? mips("far-call", farCall(), n / 12, 12, runs, 0)
            : 0;
    double t =
        only.isEmpty() || only.equals("two-pages")
            ? mips("two-pages", twoPages(), n / 12, 12, runs, 0)
            : 0;
    double v =
        only.isEmpty() || only.equals("two-pages/sv39")
            ? mips("two-pages/sv39", twoPages(), n / 12, 12, runs, 0, true)
            : 0;
    if (only.equals("far-call/q")) {
      mips("far-call/q", farCall(), n / 12, 12, runs, Long.getLong("quantum", 1_000_000));
    }
    double q =
        only.isEmpty() || only.equals("alu-mem/q")
            ? mips("alu-mem/q", aluMem(), n / 11, 11, runs, Long.getLong("quantum", 1_000_000))
            : 0;
    double fp =
        only.isEmpty() || only.equals("fp-mix") ? mips("fp-mix", fpMix(), n / 11, 11, runs, 0) : 0;
    System.out.printf(
        "best MIPS: alu-mem %.1f, call-mix %.1f, far-call %.1f, two-pages %.1f, two-pages/sv39 %.1f,"
            + " alu-mem/q %.1f, fp-mix %.1f%n",
        a, c, f, t, v, q, fp);
  }
}
