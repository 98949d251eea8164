package hartlab.cpu;

import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One RISC-V hart running user code: RV64GC (RV64IMAFDC with Zicsr and Zifencei) and Zicntr, in
 * U-mode only. The CSRs it has are the counters (read-only) and the FP ones, fflags, frm and fcsr.
 * Everything else — privileged instructions (SRET, WFI, SFENCE.VMA), other CSRs, writes to the
 * counters, reserved rounding modes — raises an illegal-instruction trap whose value is the
 * instruction's bits. FP state and semantics live in an {@link FpUnit}; {@link #saveFpRegisters},
 * {@link #fcsr} and friends are how the kernel saves and restores them.
 *
 * <p><b>Threads.</b> A hart is driven by its own host thread ({@link #runLoop}); every method is
 * hart-local (own thread only, the kernel running on that thread included) except {@link
 * #raiseInterrupt} and {@link #interruptPending}, which any thread may call.
 *
 * <p><b>Execution.</b> {@link #run} interprets decoded instructions from the {@link CodeCache}: it
 * stays inside one decoded page and leaves it on a taken branch or jump out of the page, at the
 * page's end, or when a store or FENCE.I may have changed code. Those exits and taken branches
 * inside the page are the <i>block boundaries</i> where it checks for a pending interrupt and the
 * deadline; nothing is checked per instruction. Cycles ({@link CostModel} prices per op class, plus
 * page-walk stalls from the {@link Mmu}) and retired instructions are counted in locals and written
 * back when {@code run} returns.
 *
 * <p><b>Traps.</b> {@code run} returns {@link #EXIT_TRAP} with {@link #pc()} at the trapping
 * instruction, which has not retired (no cycles, no instret). ECALL reports {@link
 * Cause#ECALL_FROM_U} with pc at the ECALL (the kernel advances it by 4); EBREAK (4 bytes) and
 * C.EBREAK (2 bytes) report {@link Cause#BREAKPOINT} with tval = pc. Faults carry the faulting
 * virtual address: for a misaligned access that spans two pages, the address of the page that
 * faulted (nothing is written then); for an instruction that spans two pages, the address of the
 * half that faulted. Misaligned loads and stores otherwise just work; misaligned LR traps as {@link
 * Cause#LOAD_MISALIGNED}, misaligned SC and AMOs as {@link Cause#STORE_MISALIGNED}. After {@link
 * #EXIT_INTERRUPT} or {@link #EXIT_DEADLINE}, pc is the next instruction to run.
 */
public final class Hart {
  public static final int EXIT_TRAP = 0, EXIT_INTERRUPT = 1, EXIT_DEADLINE = 2;

  private static final long OFFSET = PhysicalMemory.PAGE_MASK;
  private static final long NO_RESERVATION = -1;

  /** Internal result of a fetch translation for an odd pc. */
  private static final long MISALIGNED = -3;

  /** Entries of the per-run fetch-page cache, a power of two. */
  private static final int FETCH_CACHE = 16;

  private final int id;
  private final Mmu mmu;
  private final PhysicalMemory memory;
  private final CodeCache codeCache;
  private final CostModel cost;

  /** Cycles per op id (index = op), from the cost model's class prices. */
  private final int[] opCost = new int[256];

  /** What a taken conditional branch costs beyond an untaken one. */
  private final int takenExtra;

  private final int timebaseDivider;

  /** Written by other harts; padded, see {@link PendingInterrupts}. */
  private final PendingInterrupts pending = new PendingInterrupts();

  /**
   * Where an instruction that spans two pages is decoded each time it runs (see {@link Op#CROSS}).
   */
  private final long[] crossCode = DecodedPage.newScratch();

  /**
   * Fetch-page cache of one {@link #run} call: virtual page number to decoded page, direct-mapped.
   * Calls and returns between pages hit here instead of translating and looking the page up again.
   * It is emptied when {@code run} starts, because only between runs can this hart's translations
   * change (satp writes, TLB flushes and IPIs all happen on this thread, in the kernel), and
   * whenever this hart may have changed code (a store that hit decoded code, FENCE.I). A store by
   * another hart to a page cached here is seen after this hart's FENCE.I, as RISC-V requires.
   */
  private final long[] fetchVpn = new long[FETCH_CACHE];

  private final DecodedPage[] fetchPage = new DecodedPage[FETCH_CACHE];

  // Hart-local architectural state: written only by this hart's thread.
  /**
   * x0..x31; x[32] is the sink for writes to x0 ({@link Decoder#SINK}); 64 long so 6-bit indices
   * fit.
   */
  private final long[] x = new long[64];

  /** f0..f31, frm, fflags; executes the FP instructions other than loads and stores. */
  private final FpUnit fpu = new FpUnit(x);

  private long pc;
  private long cycles;
  private long instret;
  private int trapCause;
  private long trapValue;

  /** LR reservation: physical address (or {@link #NO_RESERVATION}), size in bytes, value loaded. */
  private long reservationPa = NO_RESERVATION;

  private int reservationSize;
  private long reservationValue;

  /**
   * @param mmu this hart's own MMU; its memory must be the code cache's
   * @param codeCache the machine's code cache, shared by all its harts
   */
  public Hart(int id, Mmu mmu, CodeCache codeCache, CostModel cost) {
    if (mmu.memory() != codeCache.memory()) {
      throw new IllegalArgumentException(
          "Hart: the MMU and the code cache must share one PhysicalMemory");
    }
    if (cost.timebaseDivider() <= 0) {
      throw new IllegalArgumentException(
          "Hart: cost.timebaseDivider must be positive, got " + cost.timebaseDivider());
    }
    this.id = id;
    this.mmu = mmu;
    this.memory = mmu.memory();
    this.codeCache = codeCache;
    this.cost = cost;
    this.takenExtra = cost.branchTaken() - cost.alu();
    this.timebaseDivider = cost.timebaseDivider();
    for (int op = 0; op < Op.COUNT; op++) {
      opCost[op] = price(cost, Op.costClass(op));
    }
  }

  private static int price(CostModel c, int costClass) {
    switch (costClass) {
      case Op.Cost.FREE:
        return 0;
      case Op.Cost.ALU:
        return c.alu();
      case Op.Cost.BRANCH:
        return c.alu();
      case Op.Cost.JUMP:
        return c.branchTaken();
      case Op.Cost.LOAD:
        return c.load();
      case Op.Cost.STORE:
        return c.store();
      case Op.Cost.MULTIPLY:
        return c.mul();
      case Op.Cost.DIVIDE:
        return c.div();
      case Op.Cost.ATOMIC:
        return c.atomic();
      case Op.Cost.FENCE:
        return c.fence();
      case Op.Cost.COUNTER:
        return c.csr();
      case Op.Cost.FP_ARITH:
        return c.fpArith();
      case Op.Cost.FP_DIVIDE:
        return c.fpDivide();
      default:
        throw new IllegalArgumentException("Hart.price: no cost class " + costClass);
    }
  }

  public int id() {
    return id;
  }

  public Mmu mmu() {
    return mmu;
  }

  public CostModel cost() {
    return cost;
  }

  public CodeCache codeCache() {
    return codeCache;
  }

  // ---- registers -----------------------------------------------------------------------------

  /** Register x{@code i}; x0 reads 0. */
  public long reg(int i) {
    return x[checkReg(i)];
  }

  /** Sets x{@code i}; writes to x0 are ignored. */
  public void setReg(int i, long v) {
    if (checkReg(i) != 0) {
      x[i] = v;
    }
  }

  private static int checkReg(int i) {
    if (i < 0 || i > 31) {
      throw new IllegalArgumentException("Hart: no register x" + i);
    }
    return i;
  }

  public long pc() {
    return pc;
  }

  public void setPc(long pc) {
    this.pc = pc;
  }

  /**
   * Copies x1..x31 into {@code dst32[1..31]} (and 0 into {@code dst32[0]}), for a context switch.
   */
  public void saveRegisters(long[] dst32) {
    System.arraycopy(x, 1, dst32, 1, 31);
    dst32[0] = 0;
  }

  /** Loads x1..x31 from {@code src32[1..31]}; {@code src32[0]} is ignored. */
  public void loadRegisters(long[] src32) {
    System.arraycopy(src32, 1, x, 1, 31);
  }

  // ---- F and D state, for context switches and signal frames ---------------------------------

  /**
   * Register f{@code i} as its raw 64 bits (a single is NaN-boxed: upper half all ones). For tests,
   * debuggers and signal frames; a context switch uses {@link #saveFpRegisters}.
   */
  public long fpReg(int i) {
    return fpu.f[checkReg(i)];
  }

  /** Sets f{@code i} to raw bits (no boxing is done: store a single as 0xFFFFFFFF_xxxxxxxx). */
  public void setFpReg(int i, long bits) {
    fpu.f[checkReg(i)] = bits;
    fpu.dirty = true;
  }

  /** Copies f0..f31 (raw bits) into {@code dst32[0..31]}. */
  public void saveFpRegisters(long[] dst32) {
    System.arraycopy(fpu.f, 0, dst32, 0, 32);
  }

  /** Loads f0..f31 from {@code src32[0..31]}. */
  public void loadFpRegisters(long[] src32) {
    System.arraycopy(src32, 0, fpu.f, 0, 32);
    fpu.dirty = true;
  }

  /**
   * fcsr as the guest reads it (spec 11.2): frm in bits 7:5, the accrued flags NV DZ OF UF NX in
   * bits 4:0. With the 32 FP registers it is all of a task's F/D state (Linux's {@code struct
   * __riscv_d_ext_state}).
   */
  public int fcsr() {
    return fpu.fcsr();
  }

  /**
   * Sets fcsr: bits 7:5 to frm (any value; 5..7 make dynamic-rounding instructions illegal until
   * changed), bits 4:0 to fflags; higher bits are ignored.
   */
  public void setFcsr(int fcsr) {
    fpu.setFcsr(fcsr);
    fpu.dirty = true;
  }

  /**
   * Whether FP state may have changed since {@link #clearFpDirty}, like mstatus.FS == Dirty: every
   * FP instruction but a store sets it (so do the setters above). Linux saves a task's FP registers
   * at a context switch only when FS is Dirty; the kernel can do the same.
   */
  public boolean fpDirty() {
    return fpu.dirty;
  }

  /** Marks the FP state clean (FS = Clean), after the kernel has saved or loaded it. */
  public void clearFpDirty() {
    fpu.dirty = false;
  }

  // ---- virtual clock -------------------------------------------------------------------------

  /**
   * This hart's virtual clock in cycles: user instructions, page walks, and what the kernel adds.
   */
  public long cycles() {
    return cycles;
  }

  /** The kernel charges its own work (trap entry, syscalls, switches) here. */
  public void addCycles(long n) {
    cycles += n;
  }

  public void setCycles(long c) {
    cycles = c;
  }

  /** Instructions retired in user mode (a trapping instruction does not retire). */
  public long instret() {
    return instret;
  }

  // ---- traps and interrupts ------------------------------------------------------------------

  /** Cause of the last {@link #EXIT_TRAP}: one of {@link Cause}. */
  public int trapCause() {
    return trapCause;
  }

  /**
   * Trap value (stval) of the last {@link #EXIT_TRAP}: faulting address, instruction bits, or 0.
   */
  public long trapValue() {
    return trapValue;
  }

  /**
   * Any thread: ORs {@code bits} into the pending word (a full-fence RMW, so what the caller wrote
   * before, e.g. an IPI mailbox entry, is visible to this hart once it sees the bits). The hart
   * notices at its next block boundary; waking a parked hart thread is the caller's job.
   */
  public void raiseInterrupt(int bits) {
    pending.raise(bits);
  }

  /** Own thread: returns the pending bits and clears them. */
  public int takeInterrupts() {
    return pending.take();
  }

  /** Any thread: whether any interrupt bit is pending (volatile read). */
  public boolean interruptPending() {
    return pending.any();
  }

  /**
   * Drops this hart's LR reservation, so the next SC fails. The kernel calls it on every trap and
   * context switch (as Linux does with a dummy SC on exception return); the hart does not drop it
   * by itself on a trap.
   */
  public void clearReservation() {
    reservationPa = NO_RESERVATION;
  }

  /**
   * The hart thread's body: asks the kernel what to run, runs it, and hands traps and interrupts
   * (deadline included) to the kernel, until {@link TrapHandler#enterUser} returns {@link
   * TrapHandler#STOP}. Own thread only.
   */
  public void runLoop(TrapHandler h) {
    for (long d; (d = h.enterUser(this)) != TrapHandler.STOP; ) {
      if (run(d) == EXIT_TRAP) {
        h.trap(this, trapCause, trapValue);
      } else {
        h.interrupt(this);
      }
    }
  }

  // ---- the interpreter -----------------------------------------------------------------------

  /**
   * Runs user code from {@link #pc()} until a trap ({@link #EXIT_TRAP}: see {@link #trapCause},
   * {@link #trapValue}; pc is the faulting instruction), an interrupt bit seen pending at a block
   * boundary ({@link #EXIT_INTERRUPT}), or the clock at or past {@code deadlineCycles} at a block
   * boundary ({@link #EXIT_DEADLINE}). Both checks are also made before the first instruction, so a
   * hart with a pending interrupt or a passed deadline returns at once. Own thread only.
   *
   * <p>Kept under HotSpot's 8000-bytecode limit for compiling a method: rare work lives in the
   * small methods below it.
   */
  public int run(long deadlineCycles) {
    final long[] x = this.x;
    final Mmu mmu = this.mmu;
    final PhysicalMemory mem = this.memory;
    final CodeCache cc = this.codeCache;
    final int[] opCost = this.opCost;
    final int takenExtra = this.takenExtra;
    final PendingInterrupts pending = this.pending;
    final long[] fetchVpn = this.fetchVpn;
    final DecodedPage[] fetchPage = this.fetchPage;
    // The FP unit is reached through the field, on FP paths only: no extra value stays live
    // across the integer loop.
    long pc = this.pc;
    long cyc = this.cycles;
    long ret = this.instret;
    int exit;
    Arrays.fill(fetchVpn, -1);
    outer:
    for (; ; ) {
      // Block boundary: interrupts, deadline, then the page holding pc.
      cyc += mmu.takeStallCycles();
      if (pending.any()) {
        exit = EXIT_INTERRUPT;
        break;
      }
      if (cyc >= deadlineCycles) {
        exit = EXIT_DEADLINE;
        break;
      }
      final long vpn = pc >>> PhysicalMemory.PAGE_SHIFT;
      final int fc = (int) vpn & (FETCH_CACHE - 1);
      DecodedPage page = fetchPage[fc];
      if (fetchVpn[fc] != vpn || (pc & 1) != 0) {
        long fetchPa = (pc & 1) == 0 ? mmu.translateFetch(pc) : MISALIGNED;
        if (fetchPa < 0) {
          fetchFault(pc, fetchPa);
          exit = EXIT_TRAP;
          break;
        }
        page = cc.page(fetchPa);
        fetchVpn[fc] = vpn;
        fetchPage[fc] = page;
      }
      long[] code = page.code;
      final long base = pc & ~OFFSET;
      int i = (int) (pc & OFFSET) >>> 1;
      int w = 0;
      inner:
      for (; ; ) {
        leave:
        {
          final long e = code[i];
          w = (int) e;
          ret++;
          cyc += opCost[w & 0xFF];
          long tgt;
          switch (w & 0xFF) {
            // ---- internal ----
            case Op.DECODE:
              code[i] = Decoder.decodeSlot(mem, page.pa + (i << 1), i);
              ret--;
              continue;
            case Op.RELOOKUP:
              ret--;
              pc = base + (i << 1);
              continue outer;
            case Op.CROSS:
              if (!fetchCross(base + (i << 1))) {
                break inner;
              }
              code = crossCode;
              ret--;
              continue;
            case Op.ILLEGAL:
              trapCause = Cause.ILLEGAL_INSTRUCTION;
              trapValue = (e >>> 32);
              break inner;
            case Op.ECALL:
              trapCause = Cause.ECALL_FROM_U;
              trapValue = 0;
              break inner;
            case Op.EBREAK:
              trapCause = Cause.BREAKPOINT;
              trapValue = base + (i << 1);
              break inner;

            // ---- ALU ----
            case Op.LUI:
              x[(w >>> 9) & 63] = (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.AUIPC:
              x[(w >>> 9) & 63] = base + (i << 1) + (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.ADDI:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] + (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SLTI:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] < (int) (e >> 32) ? 1 : 0;
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SLTIU:
              x[(w >>> 9) & 63] =
                  x[(w >>> 15) & 31] + Long.MIN_VALUE < (e >> 32) + Long.MIN_VALUE ? 1 : 0;
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.XORI:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] ^ (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.ORI:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] | (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.ANDI:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] & (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SLLI:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] << (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SRLI:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] >>> (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SRAI:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] >> (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.ADD:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] + x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SUB:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] - x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SLL:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] << x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SLT:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] < x[(w >>> 20) & 31] ? 1 : 0;
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SLTU:
              x[(w >>> 9) & 63] =
                  x[(w >>> 15) & 31] + Long.MIN_VALUE < x[(w >>> 20) & 31] + Long.MIN_VALUE ? 1 : 0;
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.XOR:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] ^ x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SRL:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] >>> x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SRA:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] >> x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.OR:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] | x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.AND:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] & x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.ADDIW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] + (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SLLIW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] << (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SRLIW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] >>> (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SRAIW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] >> (int) (e >> 32);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.ADDW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] + (int) x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SUBW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] - (int) x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SLLW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] << (int) x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SRLW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] >>> (int) x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.SRAW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] >> (int) x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;

            // ---- branches and jumps: set tgt and break out of the switch ----
            case Op.BEQ:
              if (x[(w >>> 15) & 31] == x[(w >>> 20) & 31]) {
                cyc += takenExtra;
                tgt = base + (i << 1) + (int) (e >> 32);
                break;
              }
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.BNE:
              if (x[(w >>> 15) & 31] != x[(w >>> 20) & 31]) {
                cyc += takenExtra;
                tgt = base + (i << 1) + (int) (e >> 32);
                break;
              }
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.BLT:
              if (x[(w >>> 15) & 31] < x[(w >>> 20) & 31]) {
                cyc += takenExtra;
                tgt = base + (i << 1) + (int) (e >> 32);
                break;
              }
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.BGE:
              if (x[(w >>> 15) & 31] >= x[(w >>> 20) & 31]) {
                cyc += takenExtra;
                tgt = base + (i << 1) + (int) (e >> 32);
                break;
              }
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.BLTU:
              if (x[(w >>> 15) & 31] + Long.MIN_VALUE < x[(w >>> 20) & 31] + Long.MIN_VALUE) {
                cyc += takenExtra;
                tgt = base + (i << 1) + (int) (e >> 32);
                break;
              }
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.BGEU:
              if (x[(w >>> 15) & 31] + Long.MIN_VALUE >= x[(w >>> 20) & 31] + Long.MIN_VALUE) {
                cyc += takenExtra;
                tgt = base + (i << 1) + (int) (e >> 32);
                break;
              }
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.JAL:
              {
                long here = base + (i << 1);
                x[(w >>> 9) & 63] = here + 2 + ((w >>> 7) & 2);
                tgt = here + (int) (e >> 32);
                break;
              }
            case Op.JALR:
              {
                // Read rs1 before writing rd: they may be the same register.
                tgt = (x[(w >>> 15) & 31] + (int) (e >> 32)) & ~1L;
                x[(w >>> 9) & 63] = base + (i << 1) + 2 + ((w >>> 7) & 2);
                break;
              }

            // ---- loads: fast path when translated and not crossing a page ----
            case Op.LB:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateLoad(va);
                if (pa < 0) {
                  dataFault(va, pa, false);
                  break inner;
                }
                x[(w >>> 9) & 63] = mem.getByte(pa);
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.LBU:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateLoad(va);
                if (pa < 0) {
                  dataFault(va, pa, false);
                  break inner;
                }
                x[(w >>> 9) & 63] = mem.getByte(pa) & 0xFFL;
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.LH:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateLoad(va);
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFFE) {
                  x[(w >>> 9) & 63] = mem.getShort(pa);
                } else if (loadSlow(w, va, pa)) {
                  break inner;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.LHU:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateLoad(va);
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFFE) {
                  x[(w >>> 9) & 63] = mem.getShort(pa) & 0xFFFFL;
                } else if (loadSlow(w, va, pa)) {
                  break inner;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.LW:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateLoad(va);
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFFC) {
                  x[(w >>> 9) & 63] = mem.getInt(pa);
                } else if (loadSlow(w, va, pa)) {
                  break inner;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.LWU:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateLoad(va);
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFFC) {
                  x[(w >>> 9) & 63] = mem.getInt(pa) & 0xFFFFFFFFL;
                } else if (loadSlow(w, va, pa)) {
                  break inner;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.LD:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateLoad(va);
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFF8) {
                  x[(w >>> 9) & 63] = mem.getLong(pa);
                } else if (loadSlow(w, va, pa)) {
                  break inner;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }

            // ---- stores: as loads, then tell the code cache; leave if code was overwritten ----
            case Op.SB:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateStore(va);
                if (pa < 0) {
                  dataFault(va, pa, true);
                  break inner;
                }
                mem.putByte(pa, (byte) x[(w >>> 20) & 31]);
                if (cc.storeHitsCode(pa)) {
                  break leave;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.SH:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateStore(va);
                int status;
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFFE) {
                  mem.putShort(pa, (short) x[(w >>> 20) & 31]);
                  status = cc.storeHitsCode(pa) ? 1 : 0;
                } else {
                  status = storeSlow(w, va, pa);
                }
                if (status != 0) {
                  if (status < 0) {
                    break inner;
                  }
                  break leave;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.SW:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateStore(va);
                int status;
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFFC) {
                  mem.putInt(pa, (int) x[(w >>> 20) & 31]);
                  status = cc.storeHitsCode(pa) ? 1 : 0;
                } else {
                  status = storeSlow(w, va, pa);
                }
                if (status != 0) {
                  if (status < 0) {
                    break inner;
                  }
                  break leave;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.SD:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateStore(va);
                int status;
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFF8) {
                  mem.putLong(pa, x[(w >>> 20) & 31]);
                  status = cc.storeHitsCode(pa) ? 1 : 0;
                } else {
                  status = storeSlow(w, va, pa);
                }
                if (status != 0) {
                  if (status < 0) {
                    break inner;
                  }
                  break leave;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }

            // ---- M ----
            case Op.MUL:
              x[(w >>> 9) & 63] = x[(w >>> 15) & 31] * x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.MULH:
              x[(w >>> 9) & 63] = Math.multiplyHigh(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.MULHSU:
              x[(w >>> 9) & 63] = MulDiv.mulhsu(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.MULHU:
              x[(w >>> 9) & 63] = MulDiv.mulhu(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.MULW:
              x[(w >>> 9) & 63] = (int) x[(w >>> 15) & 31] * (int) x[(w >>> 20) & 31];
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.DIV:
              x[(w >>> 9) & 63] = MulDiv.div(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.DIVU:
              x[(w >>> 9) & 63] = MulDiv.divu(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.REM:
              x[(w >>> 9) & 63] = MulDiv.rem(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.REMU:
              x[(w >>> 9) & 63] = MulDiv.remu(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.DIVW:
              x[(w >>> 9) & 63] = MulDiv.divw(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.DIVUW:
              x[(w >>> 9) & 63] = MulDiv.divuw(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.REMW:
              x[(w >>> 9) & 63] = MulDiv.remw(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.REMUW:
              x[(w >>> 9) & 63] = MulDiv.remuw(x[(w >>> 15) & 31], x[(w >>> 20) & 31]);
              i += 1 + ((w >>> 8) & 1);
              continue;

            // ---- A ----
            case Op.LR_W:
            case Op.SC_W:
            case Op.AMOSWAP_W:
            case Op.AMOADD_W:
            case Op.AMOXOR_W:
            case Op.AMOAND_W:
            case Op.AMOOR_W:
            case Op.AMOMIN_W:
            case Op.AMOMAX_W:
            case Op.AMOMINU_W:
            case Op.AMOMAXU_W:
            case Op.LR_D:
            case Op.SC_D:
            case Op.AMOSWAP_D:
            case Op.AMOADD_D:
            case Op.AMOXOR_D:
            case Op.AMOAND_D:
            case Op.AMOOR_D:
            case Op.AMOMIN_D:
            case Op.AMOMAX_D:
            case Op.AMOMINU_D:
            case Op.AMOMAXU_D:
              {
                int status = atomic(w);
                if (status < 0) {
                  break inner;
                }
                if (status > 0) {
                  break leave;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }

            // ---- F and D loads and stores; FLW boxes the single it loads ----
            case Op.FLW:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateLoad(va);
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFFC) {
                  fpu.f[(w >>> 9) & 31] = FpUnit.BOX | (mem.getInt(pa) & 0xFFFFFFFFL);
                } else if (loadSlow(w, va, pa)) {
                  break inner;
                }
                fpu.dirty = true;
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.FLD:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateLoad(va);
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFF8) {
                  fpu.f[(w >>> 9) & 31] = mem.getLong(pa);
                } else if (loadSlow(w, va, pa)) {
                  break inner;
                }
                fpu.dirty = true;
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.FSW:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateStore(va);
                int status;
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFFC) {
                  mem.putInt(pa, (int) fpu.f[(w >>> 20) & 31]);
                  status = cc.storeHitsCode(pa) ? 1 : 0;
                } else {
                  status = storeSlow(w, va, pa);
                }
                if (status != 0) {
                  if (status < 0) {
                    break inner;
                  }
                  break leave;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
            case Op.FSD:
              {
                long va = x[(w >>> 15) & 31] + (int) (e >> 32);
                long pa = mmu.translateStore(va);
                int status;
                if (pa >= 0 && ((int) va & 0xFFF) <= 0xFF8) {
                  mem.putLong(pa, fpu.f[(w >>> 20) & 31]);
                  status = cc.storeHitsCode(pa) ? 1 : 0;
                } else {
                  status = storeSlow(w, va, pa);
                }
                if (status != 0) {
                  if (status < 0) {
                    break inner;
                  }
                  break leave;
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }

            // ---- fences and counters ----
            case Op.FENCE:
              VarHandle.fullFence();
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.FENCE_I:
              cc.invalidateAll();
              break leave;
            case Op.RDCYCLE:
              cyc += mmu.takeStallCycles();
              x[(w >>> 9) & 63] = cyc;
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.RDTIME:
              cyc += mmu.takeStallCycles();
              x[(w >>> 9) & 63] = cyc / timebaseDivider;
              i += 1 + ((w >>> 8) & 1);
              continue;
            case Op.RDINSTRET:
              x[(w >>> 9) & 63] = ret - 1; // retired before this one
              i += 1 + ((w >>> 8) & 1);
              continue;
            default:
              {
                // Every other F/D op, and the FP CSRs: one call, so the FP semantics stay out of
                // this method (and its size under the JIT's limit).
                int status = fpu.execute(e);
                if (status != FpUnit.OK) {
                  if (status == FpUnit.ILLEGAL) { // dynamic rm with an invalid frm
                    trapCause = Cause.ILLEGAL_INSTRUCTION;
                    trapValue = (e >>> 32);
                    break inner;
                  }
                  throw badEntry(e, base + (i << 1));
                }
                i += 1 + ((w >>> 8) & 1);
                continue;
              }
          }
          // A taken branch or jump to tgt: a block boundary. Stay in this page's loop if the
          // target is on it and nothing asks us to stop; otherwise go round the outer loop.
          if ((tgt & ~OFFSET) != base || cyc >= deadlineCycles || pending.any()) {
            pc = tgt;
            continue outer;
          }
          i = (int) (tgt & OFFSET) >>> 1;
          continue;
        }
        // Left the block after the instruction in slot i, which may have changed code: resume
        // after it, with every page looked up afresh.
        pc = base + (i << 1) + 2 + ((w >>> 7) & 2);
        Arrays.fill(fetchVpn, -1);
        continue outer;
      }
      // The instruction in slot i trapped: it does not retire, and pc stays on it.
      ret--;
      cyc -= opCost[w & 0xFF];
      pc = base + (i << 1);
      exit = EXIT_TRAP;
      break;
    }
    this.pc = pc;
    this.cycles = cyc + mmu.takeStallCycles();
    this.instret = ret;
    return exit;
  }

  // ---- rare paths, kept out of run() ---------------------------------------------------------

  private IllegalStateException badEntry(long e, long at) {
    return new IllegalStateException(
        String.format(
            "Hart.run: hart %d: bad decoded entry %s (0x%x) at pc 0x%x",
            id, Decoder.describe(e), e, at));
  }

  /** Sets the trap for a fetch at {@code va} that did not translate; returns false. */
  private boolean fetchFault(long va, long result) {
    trapCause =
        result == MISALIGNED
            ? Cause.INSTRUCTION_MISALIGNED
            : result == Mmu.PAGE_FAULT
                ? Cause.INSTRUCTION_PAGE_FAULT
                : Cause.INSTRUCTION_ACCESS_FAULT;
    trapValue = va;
    return false;
  }

  /** Sets the trap for a data access at {@code va} that did not translate; returns true. */
  private boolean dataFault(long va, long result, boolean store) {
    if (result == Mmu.PAGE_FAULT) {
      trapCause = store ? Cause.STORE_PAGE_FAULT : Cause.LOAD_PAGE_FAULT;
    } else {
      trapCause = store ? Cause.STORE_ACCESS_FAULT : Cause.LOAD_ACCESS_FAULT;
    }
    trapValue = va;
    return true;
  }

  private boolean trap(int cause, long tval) {
    trapCause = cause;
    trapValue = tval;
    return true;
  }

  /**
   * The instruction at {@code ipc}, in a page's last slot, is 32 bits wide and continues on the
   * next page. Fetches both halves through their own translations (the next page may map anywhere,
   * or nowhere) and decodes it into {@link #crossCode}'s last slot. Never cached: the second page
   * is not this page's frame. Returns false after setting a fetch fault, whose value is the address
   * of the half that failed.
   */
  private boolean fetchCross(long ipc) {
    long pa1 = mmu.translateFetch(ipc);
    if (pa1 < 0) {
      return fetchFault(ipc, pa1);
    }
    int lo = memory.getShort(pa1) & 0xFFFF;
    if ((lo & 3) != 3) {
      // Rewritten since it was decoded (by another hart, without FENCE.I): it is now 16-bit.
      crossCode[DecodedPage.SLOTS - 1] = Decoder.decodeCompressed(lo);
      return true;
    }
    long pa2 = mmu.translateFetch(ipc + 2);
    if (pa2 < 0) {
      return fetchFault(ipc + 2, pa2);
    }
    crossCode[DecodedPage.SLOTS - 1] = Decoder.decodeWide(lo | (memory.getShort(pa2) << 16));
    return true;
  }

  private static int accessSize(int op) {
    switch (op) {
      case Op.LB:
      case Op.LBU:
      case Op.SB:
        return 1;
      case Op.LH:
      case Op.LHU:
      case Op.SH:
        return 2;
      case Op.LW:
      case Op.LWU:
      case Op.SW:
      case Op.FLW:
      case Op.FSW:
        return 4;
      default:
        return 8;
    }
  }

  /**
   * A load the fast path could not do: it did not translate ({@code pa < 0}: the fault), or it is
   * misaligned across a page boundary: then each page is translated and the bytes are assembled
   * little-endian. Writes rd and returns false, or returns true after setting the trap.
   */
  private boolean loadSlow(int w, long va, long pa) {
    if (pa < 0) {
      return dataFault(va, pa, false);
    }
    int op = w & 0xFF;
    int size = accessSize(op);
    long va2 = (va | OFFSET) + 1;
    long pa2 = mmu.translateLoad(va2);
    if (pa2 < 0) {
      return dataFault(va2, pa2, false);
    }
    int first = (int) (va2 - va);
    long v = 0;
    for (int k = size - 1; k >= 0; k--) {
      v = (v << 8) | (memory.getByte(k < first ? pa + k : pa2 + (k - first)) & 0xFF);
    }
    switch (op) {
      case Op.LH:
        v = (short) v;
        break;
      case Op.LW:
        v = (int) v;
        break;
      case Op.FLW:
        fpu.f[(w >>> 9) & 31] = FpUnit.BOX | v;
        return false;
      case Op.FLD:
        fpu.f[(w >>> 9) & 31] = v;
        return false;
      default:
        break; // LHU, LWU, LD: already zero-extended or full width
    }
    x[(w >>> 9) & 63] = v;
    return false;
  }

  /**
   * A store the fast path could not do: the fault, or a misaligned store across a page boundary,
   * written byte by byte after both pages translated (so a fault on the second page leaves memory
   * untouched). Returns -1 after setting the trap, 1 if the store overwrote decoded code (the
   * caller leaves its block), else 0.
   */
  private int storeSlow(int w, long va, long pa) {
    if (pa < 0) {
      dataFault(va, pa, true);
      return -1;
    }
    int size = accessSize(w & 0xFF);
    long va2 = (va | OFFSET) + 1;
    long pa2 = mmu.translateStore(va2);
    if (pa2 < 0) {
      dataFault(va2, pa2, true);
      return -1;
    }
    int first = (int) (va2 - va);
    int op = w & 0xFF;
    long v = op == Op.FSW || op == Op.FSD ? fpu.f[(w >>> 20) & 31] : x[(w >>> 20) & 31];
    for (int k = 0; k < size; k++) {
      memory.putByte(k < first ? pa + k : pa2 + (k - first), (byte) (v >>> (8 * k)));
    }
    boolean hit = codeCache.storeHitsCode(pa);
    return codeCache.storeHitsCode(pa2) || hit ? 1 : 0;
  }

  /**
   * LR, SC and the AMOs (unprivileged spec, chapter "A" Standard Extension). Every one is
   * sequentially consistent, which satisfies any aq/rl combination. Returns -1 after setting a
   * trap, 1 if a store overwrote decoded code (the caller leaves its block), else 0.
   */
  private int atomic(int w) {
    int op = w & 0xFF;
    boolean dw = Op.isDoubleword(op);
    int size = dw ? 8 : 4;
    int kind = op - (dw ? Op.LR_D : Op.LR_W) + Op.LR_W; // the .W op of the same kind
    int rd = (w >>> 9) & 63;
    long va = x[(w >>> 15) & 31];
    long src = x[(w >>> 20) & 31];
    // 1. Natural alignment is required (no misaligned atomicity): LR faults as a load, the rest as
    // stores.
    if ((va & (size - 1)) != 0) {
      trap(kind == Op.LR_W ? Cause.LOAD_MISALIGNED : Cause.STORE_MISALIGNED, va);
      return -1;
    }
    if (kind == Op.LR_W) {
      // 2. LR: load and register a reservation on exactly this physical address and size. We
      // also remember the value: SC succeeds only by a CAS from it, so a store by another hart
      // in between (one that changed the word) makes SC fail.
      long pa = mmu.translateLoad(va);
      if (pa < 0) {
        dataFault(va, pa, false);
        return -1;
      }
      VarHandle.fullFence();
      long v = dw ? memory.getLong(pa) : memory.getInt(pa);
      VarHandle.fullFence();
      reservationPa = pa;
      reservationSize = size;
      reservationValue = v;
      x[rd] = v;
      return 0;
    }
    // AMOs and SC need write permission: a failing translation is a store/AMO fault.
    long pa = mmu.translateStore(va);
    if (pa < 0) {
      dataFault(va, pa, true);
      return -1;
    }
    if (kind == Op.SC_W) {
      // 3. SC: succeeds only with a reservation for this address and size whose word still holds
      // the value LR loaded; writes 0 to rd on success, 1 on failure. 4. Any SC, successful or
      // not, invalidates the reservation.
      boolean ok =
          reservationPa == pa
              && reservationSize == size
              && (dw
                  ? memory.compareAndSetLong(pa, reservationValue, src)
                  : memory.compareAndSetInt(pa, (int) reservationValue, (int) src));
      reservationPa = NO_RESERVATION;
      x[rd] = ok ? 0 : 1;
      return ok && codeCache.storeHitsCode(pa) ? 1 : 0;
    }
    x[rd] = dw ? amoD(kind, pa, src) : amoW(kind, pa, (int) src);
    return codeCache.storeHitsCode(pa) ? 1 : 0;
  }

  /** Performs a 32-bit AMO of kind {@code kind} (a .W op); returns the old value sign-extended. */
  private long amoW(int kind, long pa, int src) {
    switch (kind) {
      case Op.AMOSWAP_W:
        return memory.getAndSetInt(pa, src);
      case Op.AMOADD_W:
        return memory.getAndAddInt(pa, src);
      default:
        for (; ; ) {
          int old = memory.getInt(pa);
          if (memory.compareAndSetInt(pa, old, (int) amoCombine(kind, old, src))) {
            return old;
          }
        }
    }
  }

  /** Performs a 64-bit AMO of kind {@code kind} (given as the .W op); returns the old value. */
  private long amoD(int kind, long pa, long src) {
    switch (kind) {
      case Op.AMOSWAP_W:
        return memory.getAndSetLong(pa, src);
      case Op.AMOADD_W:
        return memory.getAndAddLong(pa, src);
      default:
        for (; ; ) {
          long old = memory.getLong(pa);
          if (memory.compareAndSetLong(pa, old, amoCombine(kind, old, src))) {
            return old;
          }
        }
    }
  }

  /**
   * The value a read-modify-write AMO stores. Serves both widths: .W operands arrive sign-extended,
   * which keeps signed order, and unsigned order too (a word with bit 31 set extends to a larger
   * unsigned 64-bit value than any word without), and the caller keeps the low word.
   */
  private static long amoCombine(int kind, long old, long src) {
    switch (kind) {
      case Op.AMOXOR_W:
        return old ^ src;
      case Op.AMOAND_W:
        return old & src;
      case Op.AMOOR_W:
        return old | src;
      case Op.AMOMIN_W:
        return Math.min(old, src);
      case Op.AMOMAX_W:
        return Math.max(old, src);
      case Op.AMOMINU_W:
        return Long.compareUnsigned(old, src) <= 0 ? old : src;
      case Op.AMOMAXU_W:
        return Long.compareUnsigned(old, src) >= 0 ? old : src;
      default:
        throw new IllegalStateException("Hart.amoCombine: not an AMO: " + Op.name(kind));
    }
  }

  @Override
  public String toString() {
    return String.format("hart %d pc=0x%x cycles=%d instret=%d", id, pc, cycles, instret);
  }
}
