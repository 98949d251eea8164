package hartlab.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;

/**
 * A one-hart test machine in satp mode Bare (va == pa): 1 MiB of RAM, code at {@link #CODE}, data
 * at {@link #DATA}, stack below {@link #STACK}. Programs end with ECALL; {@link #exec} runs to it
 * and checks that it was the ECALL that stopped the hart.
 */
final class Rig {
  static final long CODE = 0x1000;
  static final long DATA = 0x20000;
  static final long STACK = 0x80000;

  final PhysicalMemory mem;
  final CodeCache codeCache;
  final Mmu mmu;
  final Hart hart;

  Rig() {
    this(new PhysicalMemory(1 << 20), CostModel.DEFAULT);
  }

  Rig(PhysicalMemory mem, CostModel cost) {
    this(mem, new CodeCache(mem), cost);
  }

  /** Another hart on the same memory and code cache as {@code other}. */
  Rig(Rig other, int id) {
    this.mem = other.mem;
    this.codeCache = other.codeCache;
    this.mmu = new Mmu(mem, new Tlb(64, 4), CostModel.DEFAULT.walkLevel());
    this.hart = new Hart(id, mmu, codeCache, CostModel.DEFAULT);
    hart.setReg(Asm.SP, STACK - 0x1000L * id);
  }

  private Rig(PhysicalMemory mem, CodeCache cc, CostModel cost) {
    this.mem = mem;
    this.codeCache = cc;
    this.mmu = new Mmu(mem, new Tlb(64, 4), cost.walkLevel());
    this.hart = new Hart(0, mmu, cc, cost);
    hart.setReg(Asm.SP, STACK);
  }

  /**
   * Copies the program into RAM (as the kernel would: dropping stale decodes) and points pc at it.
   */
  Rig load(Program p) {
    write(p.origin, p.bytes());
    hart.setPc(p.origin);
    return this;
  }

  void write(long pa, byte[] b) {
    mem.putBytes(pa, b, 0, b.length);
    for (long a = pa & ~PhysicalMemory.PAGE_MASK;
        a < pa + b.length;
        a += PhysicalMemory.PAGE_SIZE) {
      codeCache.invalidate(a);
    }
  }

  /** Loads {@code p} at {@link #CODE}, runs it to its ECALL, and returns the hart. */
  Hart exec(Program p) {
    load(p);
    return runToEcall();
  }

  Hart runToEcall() {
    int exit = hart.run(Long.MAX_VALUE);
    assertEquals(Hart.EXIT_TRAP, exit, "run() exit");
    assertEquals(
        Cause.ECALL_FROM_U,
        hart.trapCause(),
        () ->
            "trap "
                + Cause.name(hart.trapCause())
                + String.format(" tval=0x%x at pc=0x%x", hart.trapValue(), hart.pc()));
    return hart;
  }

  /** Runs until a trap and returns its cause (asserting it was a trap). */
  int trap() {
    assertEquals(Hart.EXIT_TRAP, hart.run(Long.MAX_VALUE), "run() exit");
    return hart.trapCause();
  }

  long reg(int r) {
    return hart.reg(r);
  }

  static Program code() {
    return new Program(CODE);
  }
}
