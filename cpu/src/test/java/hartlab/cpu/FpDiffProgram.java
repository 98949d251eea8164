package hartlab.cpu;

import static hartlab.cpu.Asm.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A generated static program for {@link FpDifferentialTest}: a straight line of random F/D
 * instructions (and FP CSR accesses, loads and stores), each preceded by loads of its source
 * registers from an operand table and followed by a call to a routine that records, into an output
 * buffer, three words per instruction:
 *
 * <ol>
 *   <li>its result: the destination register (FP or integer), or the memory a store wrote;
 *   <li>fcsr (frm and the accrued flags);
 *   <li>a hash of all 32 FP registers and every integer register an instruction may touch ({@link
 *       #POOL}): h = (h ^ r) * K for each, a bijection in each register, so a difference in any one
 *       register always shows.
 * </ol>
 *
 * The program ends by writing the buffer to stdout in one write(2) and exiting 0. Operands come
 * from {@link FpValues}, and source registers are reloaded for every instruction, so the generator
 * knows each instruction's operands and can print them when the two emulators disagree.
 *
 * <p>Rounding modes are static (0..4) or dynamic (7). The generator models frm exactly (only the
 * CSR instructions it emits change frm, with operands it chose), so before a dynamic-rm instruction
 * it sets a valid frm when the current one may be invalid: an invalid frm is written and read back
 * now and then, but never makes an instruction trap. fflags is cleared before half of the
 * instructions and otherwise accrues.
 */
final class FpDiffProgram {
  /** One instruction under test: its address, its text, its source operands. */
  record Step(long pc, String text, String operands) {}

  static final int RECORD_BYTES = 24;
  static final int D = 1, S = 0;

  // Registers the harness keeps: operand pointer, output pointer, scratch memory, hash
  // multiplier, the record routine's address; t0 and t1 are the routine's temporaries.
  private static final int OPS = S0, OUT = S1, SCRATCH = S2, K = S3, REC = S4;

  /** Integer registers the instructions under test read and write; all hashed after each one. */
  static final int[] POOL = {
    T2, A0, A1, A2, A3, A4, A5, A6, A7, S5, S6, S7, S8, S9, S10, S11, T3, T4, T5, T6
  };

  private static final long HASH_K = 0x9E3779B97F4A7C15L;
  private static final String[] RM = {"rne", "rtz", "rdn", "rup", "rmm", "rm5", "rm6", "dyn"};
  private static final String[] FMT = {"s", "d"};
  private static final String[] CSR_NAME = {"", "fflags", "frm", "fcsr"};
  private static final String[] CSR_FORM = {
    "csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"
  };

  final byte[] elf;
  final List<Step> steps = new ArrayList<>();

  private final Random rnd;
  private final FpValues vals;
  private final Program code = new Program(StaticElf.CODE);
  private long[] ops = new long[1024];
  private int nOps;

  /** frm as the program will have set it when the next instruction runs. */
  private int frm;

  // Per step: operands loaded so far (register number, or 100 + x register) and their text.
  private final int[] loadedReg = new int[8];
  private final long[] loadedVal = new long[8];
  private int nLoaded;
  private int stepOps;
  private final StringBuilder operandText = new StringBuilder();

  private FpDiffProgram(long seed, int count) {
    rnd = new Random(seed);
    vals = new FpValues(rnd);
    long opsBytes = (count * 6L + 64) * 8; // at most 6 table words per step
    long out = StaticElf.DATA + opsBytes;
    long scratch = (out + (long) count * RECORD_BYTES + 0xFFF) & ~0xFFFL;
    emitRecordRoutine();
    long entry = code.here();
    code.li(OPS, StaticElf.DATA).li(OUT, out).li(SCRATCH, scratch).li(K, HASH_K);
    code.li(REC, StaticElf.CODE).li(SP, scratch + 4096);
    // Start from random register contents, FP and integer.
    for (int r = 0; r < 32; r++) {
      code.i(
          fld(
              r,
              OPS,
              8 * table(rnd.nextBoolean() ? vals.double64() : vals.boxed(vals.single32()))));
    }
    for (int r : POOL) {
      code.i(ld(r, OPS, 8 * table(vals.integer())));
    }
    code.i(addi(OPS, OPS, 8 * nOps));
    for (int k = 0; k < count; k++) {
      step();
    }
    code.li(A0, 1).li(A1, out).li(A2, (long) count * RECORD_BYTES).li(A7, 64).ecall();
    code.li(A0, 0).li(A7, 93).ecall();
    byte[] text = code.bytes();
    byte[] data = new byte[nOps * 8];
    java.nio.ByteBuffer.wrap(data)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .asLongBuffer()
        .put(ops, 0, nOps);
    long bss = (scratch + 8192) - StaticElf.DATA - data.length;
    elf = StaticElf.build(text, entry, data, bss);
  }

  /** A program of {@code count} random instructions under test, from {@code seed}. */
  static FpDiffProgram generate(long seed, int count) {
    return new FpDiffProgram(seed, count);
  }

  /** Appends a word to the operand table; returns its index from the current OPS base. */
  private int table(long v) {
    if (nOps == ops.length) {
      ops = Arrays.copyOf(ops, ops.length * 2);
    }
    ops[nOps++] = v;
    return stepOps++;
  }

  /** The record routine, at CODE: called with jalr ra, 0(s4) after each instruction. */
  private void emitRecordRoutine() {
    code.i(frcsr(T0)).i(sd(T0, OUT, 8)).i(addi(T0, K, 0));
    for (int r = 0; r < 32; r++) {
      code.i(fmvX(D, T1, r)).i(xor(T0, T0, T1)).i(mul(T0, T0, K));
    }
    for (int r : POOL) {
      code.i(xor(T0, T0, r)).i(mul(T0, T0, K));
    }
    code.i(sd(T0, OUT, 16)).i(addi(OUT, OUT, RECORD_BYTES)).i(jalr(ZERO, RA, 0));
  }

  // ---- one step ----

  private void step() {
    nLoaded = 0;
    stepOps = 0;
    operandText.setLength(0);
    int kind = rnd.nextInt(100);
    if (kind >= 96) {
      csrStep();
    } else {
      if (rnd.nextBoolean()) {
        code.i(csrrwi(ZERO, FFLAGS, rnd.nextInt(20) == 0 ? rnd.nextInt(32) : 0));
      }
      if (kind < 24) {
        arith();
      } else if (kind < 38) {
        fused();
      } else if (kind < 42) {
        sqrt();
      } else if (kind < 47) {
        signInject();
      } else if (kind < 53) {
        minMax();
      } else if (kind < 59) {
        compare();
      } else if (kind < 62) {
        classify();
      } else if (kind < 72) {
        toInt();
      } else if (kind < 80) {
        fromInt();
      } else if (kind < 85) {
        convertFormat();
      } else if (kind < 89) {
        move();
      } else {
        memory();
      }
    }
    code.i(jalr(RA, REC, 0));
    if (stepOps > 0) {
      code.i(addi(OPS, OPS, 8 * stepOps));
    }
  }

  private void instruction(int insn, String text) {
    steps.add(new Step(code.here(), text, operandText.toString().trim()));
    code.i(insn);
  }

  private void compressed(int half, String text) {
    steps.add(new Step(code.here(), text, operandText.toString().trim()));
    code.c(half);
  }

  private void recordF(int rd) {
    code.i(fsd(rd, OUT, 0));
  }

  private void recordX(int rd) {
    code.i(sd(rd, OUT, 0));
  }

  /** Loads f{@code r} with {@code want} unless this step loaded it already; returns its value. */
  private long srcF(int r, long want) {
    for (int k = 0; k < nLoaded; k++) {
      if (loadedReg[k] == r) {
        return loadedVal[k];
      }
    }
    code.i(fld(r, OPS, 8 * table(want)));
    loadedReg[nLoaded] = r;
    loadedVal[nLoaded++] = want;
    operandText.append(String.format(" f%d=0x%016x", r, want));
    return want;
  }

  private long srcX(int r, long want) {
    for (int k = 0; k < nLoaded; k++) {
      if (loadedReg[k] == 100 + r) {
        return loadedVal[k];
      }
    }
    code.i(ld(r, OPS, 8 * table(want)));
    loadedReg[nLoaded] = 100 + r;
    loadedVal[nLoaded++] = want;
    operandText.append(String.format(" x%d=0x%016x", r, want));
    return want;
  }

  private int freg() {
    return rnd.nextInt(32);
  }

  /** An integer destination: a pool register, now and then x0. */
  private int xrd() {
    return rnd.nextInt(20) == 0 ? ZERO : POOL[rnd.nextInt(POOL.length)];
  }

  private int xrs() {
    return POOL[rnd.nextInt(POOL.length)];
  }

  private long value(int fmt) {
    return fmt == D ? vals.double64() : vals.boxed(vals.single32());
  }

  private long near(int fmt, long a) {
    if (rnd.nextBoolean()) {
      return value(fmt);
    }
    return fmt == D ? vals.double64Near(a) : vals.boxed(vals.single32Near((int) a));
  }

  private long addend(int fmt, long a, long b) {
    if (rnd.nextInt(3) == 0) {
      return value(fmt);
    }
    return fmt == D ? vals.addend64(a, b) : vals.boxed(vals.addend32((int) a, (int) b));
  }

  /** A rounding mode for the next instruction; a dynamic one gets a valid frm first. */
  private int rm() {
    if (rnd.nextInt(4) != 0) {
      return rnd.nextInt(5);
    }
    if (frm > 4 || rnd.nextInt(3) == 0) {
      frm = rnd.nextInt(5);
      code.i(csrrwi(ZERO, FRM, frm));
    }
    return DYN;
  }

  private static String f(int r) {
    return "f" + r;
  }

  private static String x(int r) {
    return "x" + r;
  }

  private void arith() {
    int fmt = rnd.nextInt(2);
    int op = rnd.nextInt(4);
    int rd = freg();
    int rs1 = freg();
    int rs2 = freg();
    long a = srcF(rs1, value(fmt));
    srcF(rs2, near(fmt, a));
    int rm = rm();
    String[] names = {"fadd", "fsub", "fmul", "fdiv"};
    int insn =
        op == 0
            ? fadd(fmt, rd, rs1, rs2, rm)
            : op == 1
                ? fsub(fmt, rd, rs1, rs2, rm)
                : op == 2 ? fmul(fmt, rd, rs1, rs2, rm) : fdiv(fmt, rd, rs1, rs2, rm);
    instruction(
        insn,
        String.format("%s.%s %s, %s, %s, %s", names[op], FMT[fmt], f(rd), f(rs1), f(rs2), RM[rm]));
    recordF(rd);
  }

  private void fused() {
    int fmt = rnd.nextInt(2);
    int op = rnd.nextInt(4);
    int rd = freg();
    int rs1 = freg();
    int rs2 = freg();
    int rs3 = freg();
    long a = srcF(rs1, value(fmt));
    long b = srcF(rs2, near(fmt, a));
    srcF(rs3, addend(fmt, a, b));
    int rm = rm();
    String[] names = {"fmadd", "fmsub", "fnmsub", "fnmadd"};
    int insn =
        op == 0
            ? fmadd(fmt, rd, rs1, rs2, rs3, rm)
            : op == 1
                ? fmsub(fmt, rd, rs1, rs2, rs3, rm)
                : op == 2 ? fnmsub(fmt, rd, rs1, rs2, rs3, rm) : fnmadd(fmt, rd, rs1, rs2, rs3, rm);
    instruction(
        insn,
        String.format(
            "%s.%s %s, %s, %s, %s, %s",
            names[op], FMT[fmt], f(rd), f(rs1), f(rs2), f(rs3), RM[rm]));
    recordF(rd);
  }

  private void sqrt() {
    int fmt = rnd.nextInt(2);
    int rd = freg();
    int rs1 = freg();
    srcF(rs1, value(fmt));
    int rm = rm();
    instruction(
        fsqrt(fmt, rd, rs1, rm),
        String.format("fsqrt.%s %s, %s, %s", FMT[fmt], f(rd), f(rs1), RM[rm]));
    recordF(rd);
  }

  private void signInject() {
    int fmt = rnd.nextInt(2);
    int kind = rnd.nextInt(3);
    int rd = freg();
    int rs1 = freg();
    int rs2 = rnd.nextInt(4) == 0 ? rs1 : freg();
    long a = srcF(rs1, value(fmt));
    srcF(rs2, near(fmt, a));
    String[] names = {"fsgnj", "fsgnjn", "fsgnjx"};
    instruction(
        fsgnj(fmt, kind, rd, rs1, rs2),
        String.format("%s.%s %s, %s, %s", names[kind], FMT[fmt], f(rd), f(rs1), f(rs2)));
    recordF(rd);
  }

  private void minMax() {
    int fmt = rnd.nextInt(2);
    boolean min = rnd.nextBoolean();
    int rd = freg();
    int rs1 = freg();
    int rs2 = freg();
    long a = srcF(rs1, value(fmt));
    srcF(rs2, near(fmt, a));
    instruction(
        min ? fmin(fmt, rd, rs1, rs2) : fmax(fmt, rd, rs1, rs2),
        String.format("%s.%s %s, %s, %s", min ? "fmin" : "fmax", FMT[fmt], f(rd), f(rs1), f(rs2)));
    recordF(rd);
  }

  private void compare() {
    int fmt = rnd.nextInt(2);
    int kind = rnd.nextInt(3);
    int rd = xrd();
    int rs1 = freg();
    int rs2 = freg();
    long a = srcF(rs1, value(fmt));
    srcF(rs2, near(fmt, a));
    String[] names = {"feq", "flt", "fle"};
    int insn =
        kind == 0
            ? feq(fmt, rd, rs1, rs2)
            : kind == 1 ? flt(fmt, rd, rs1, rs2) : fle(fmt, rd, rs1, rs2);
    instruction(
        insn, String.format("%s.%s %s, %s, %s", names[kind], FMT[fmt], x(rd), f(rs1), f(rs2)));
    recordX(rd);
  }

  private void classify() {
    int fmt = rnd.nextInt(2);
    int rd = xrd();
    int rs1 = freg();
    srcF(rs1, value(fmt));
    instruction(fclass(fmt, rd, rs1), String.format("fclass.%s %s, %s", FMT[fmt], x(rd), f(rs1)));
    recordX(rd);
  }

  private void toInt() {
    int fmt = rnd.nextInt(2);
    int kind = rnd.nextInt(4);
    int rd = xrd();
    int rs1 = freg();
    srcF(rs1, value(fmt));
    int rm = rm();
    String[] names = {"w", "wu", "l", "lu"};
    instruction(
        fcvtToInt(fmt, kind, rd, rs1, rm),
        String.format("fcvt.%s.%s %s, %s, %s", names[kind], FMT[fmt], x(rd), f(rs1), RM[rm]));
    recordX(rd);
  }

  private void fromInt() {
    int fmt = rnd.nextInt(2);
    int kind = rnd.nextInt(4);
    int rd = freg();
    int rs1 = xrs();
    srcX(rs1, vals.integer());
    int rm = rm();
    String[] names = {"w", "wu", "l", "lu"};
    instruction(
        fcvtFromInt(fmt, kind, rd, rs1, rm),
        String.format("fcvt.%s.%s %s, %s, %s", FMT[fmt], names[kind], f(rd), x(rs1), RM[rm]));
    recordF(rd);
  }

  private void convertFormat() {
    boolean toSingle = rnd.nextBoolean();
    int rd = freg();
    int rs1 = freg();
    srcF(rs1, value(toSingle ? D : S));
    int rm = rm();
    instruction(
        toSingle ? fcvtSD(rd, rs1, rm) : fcvtDS(rd, rs1, rm),
        String.format("fcvt.%s %s, %s, %s", toSingle ? "s.d" : "d.s", f(rd), f(rs1), RM[rm]));
    recordF(rd);
  }

  private void move() {
    int fmt = rnd.nextInt(2);
    if (rnd.nextBoolean()) {
      int rd = xrd();
      int rs1 = freg();
      srcF(rs1, rnd.nextInt(4) == 0 ? rnd.nextLong() : value(fmt));
      instruction(
          fmvX(fmt, rd, rs1),
          String.format("fmv.x.%s %s, %s", fmt == D ? "d" : "w", x(rd), f(rs1)));
      recordX(rd);
    } else {
      int rd = freg();
      int rs1 = xrs();
      srcX(rs1, rnd.nextBoolean() ? rnd.nextLong() : value(fmt));
      instruction(
          fmvF(fmt, rd, rs1),
          String.format("fmv.%s.x %s, %s", fmt == D ? "d" : "w", f(rd), x(rs1)));
      recordF(rd);
    }
  }

  /**
   * Loads and stores, 32- and 16-bit forms, aligned and not. Loads read the operand table (a fresh
   * random word, or for a misaligned load, bytes of two); stores write the scratch area, and the
   * doubleword there (read back with ld) is the result.
   */
  private void memory() {
    int kind = rnd.nextInt(10);
    switch (kind) {
      case 0:
      case 1:
        {
          boolean dw = kind == 1;
          int rd = freg();
          int slot = table(rnd.nextBoolean() ? vals.double64() : rnd.nextLong());
          table(rnd.nextLong());
          int off = 8 * slot + (rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(7) : 0);
          operandText.append(String.format(" mem=0x%016x", ops[nOps - 2]));
          instruction(
              dw ? fld(rd, OPS, off) : flw(rd, OPS, off),
              String.format("%s %s, %d(s0)", dw ? "fld" : "flw", f(rd), off));
          recordF(rd);
          return;
        }
      case 2:
      case 3:
        {
          boolean dw = kind == 3;
          int rs2 = freg();
          srcF(rs2, rnd.nextBoolean() ? value(D) : value(S));
          int off = 8 * rnd.nextInt(64) + (rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(7) : 0);
          instruction(
              dw ? fsd(rs2, SCRATCH, off) : fsw(rs2, SCRATCH, off),
              String.format("%s %s, %d(s2)", dw ? "fsd" : "fsw", f(rs2), off));
          code.i(ld(T1, SCRATCH, off)).i(sd(T1, OUT, 0));
          return;
        }
      case 4:
      case 5:
        {
          int rd = 8 + rnd.nextInt(8);
          int slot = table(vals.double64());
          operandText.append(String.format(" mem=0x%016x", ops[nOps - 1]));
          compressed(cFld(rd, OPS, 8 * slot), String.format("c.fld %s, %d(s0)", f(rd), 8 * slot));
          recordF(rd);
          return;
        }
      case 6:
        {
          int rs2 = 8 + rnd.nextInt(8);
          srcF(rs2, value(D));
          int slot = table(0);
          compressed(cFsd(rs2, OPS, 8 * slot), String.format("c.fsd %s, %d(s0)", f(rs2), 8 * slot));
          code.i(ld(T1, OPS, 8 * slot)).i(sd(T1, OUT, 0));
          return;
        }
      case 7:
      case 8:
        {
          int rd = freg();
          int off = 8 * rnd.nextInt(64);
          int slot = table(vals.double64());
          code.i(ld(T1, OPS, 8 * slot)).i(sd(T1, SP, off));
          operandText.append(String.format(" mem=0x%016x", ops[nOps - 1]));
          compressed(cFldsp(rd, off), String.format("c.fldsp %s, %d(sp)", f(rd), off));
          recordF(rd);
          return;
        }
      default:
        {
          int rs2 = freg();
          srcF(rs2, value(D));
          int off = 8 * rnd.nextInt(64);
          compressed(cFsdsp(rs2, off), String.format("c.fsdsp %s, %d(sp)", f(rs2), off));
          code.i(ld(T1, SP, off)).i(sd(T1, OUT, 0));
          return;
        }
    }
  }

  /** One of the six Zicsr forms on fflags, frm or fcsr; frm's model follows it. */
  private void csrStep() {
    int csr = 1 + rnd.nextInt(3);
    int form = rnd.nextInt(6);
    int rd = xrd();
    int insn;
    long src;
    String text;
    if (form < 3) {
      int rs1 = rnd.nextInt(4) == 0 ? ZERO : xrs();
      src = rs1 == ZERO ? 0 : srcX(rs1, rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(256));
      insn =
          form == 0 ? csrrw(rd, csr, rs1) : form == 1 ? csrrs(rd, csr, rs1) : csrrc(rd, csr, rs1);
      text = String.format("%s %s, %s, %s", CSR_FORM[form], x(rd), CSR_NAME[csr], x(rs1));
      if (rs1 == ZERO && form != 0) {
        form = -1; // no write
      }
    } else {
      int uimm = rnd.nextInt(32);
      src = uimm;
      insn =
          form == 3
              ? csrrwi(rd, csr, uimm)
              : form == 4 ? csrrsi(rd, csr, uimm) : csrrci(rd, csr, uimm);
      text = String.format("%s %s, %s, %d", CSR_FORM[form], x(rd), CSR_NAME[csr], uimm);
      if (uimm == 0 && form != 3) {
        form = -1;
      }
    }
    if (form >= 0 && csr != 1) {
      int bits = (int) (csr == 2 ? src & 7 : (src >>> 5) & 7);
      switch (form % 3) {
        case 0:
          frm = bits;
          break;
        case 1:
          frm |= bits;
          break;
        default:
          frm &= ~bits;
          break;
      }
    }
    instruction(insn, text);
    recordX(rd);
  }
}
