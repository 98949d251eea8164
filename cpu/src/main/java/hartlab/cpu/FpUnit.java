package hartlab.cpu;

/**
 * A hart's F and D state and the execution of its FP instructions other than loads and stores
 * (which {@link Hart#run} does beside the integer ones): 32 registers of 64 bits, the rounding mode
 * frm and, in {@link SoftFloat#flags}, the accrued exceptions fflags (unprivileged spec 20191213,
 * 11.1, 11.2 and 12.1). The arithmetic itself is {@link SoftFloat}'s.
 *
 * <p>NaN-boxing (spec 12.2): a single lives in the low half of a register whose upper half is all
 * ones. Every single result is written boxed; every single operand is unboxed by {@link #unbox},
 * which reads an improperly boxed register as the canonical NaN. The transfers FLW, FSW, FMV.X.W
 * and FMV.W.X move bits without looking at them (FLW and FMV.W.X box what they write).
 *
 * <p>Hart-local: touched only by its hart's thread, the kernel running on it included. {@link
 * #dirty} plays mstatus.FS: set by every instruction that may change FP state, cleared by the
 * kernel once it has saved that state, so a context switch can skip saving for tasks that do not
 * use FP.
 */
final class FpUnit {
  /** {@link #execute} results. */
  static final int OK = 0, ILLEGAL = 1, NOT_FP = 2;

  static final long BOX = 0xFFFFFFFF00000000L;

  private static final int SIGN_S = 0x80000000;
  private static final long SIGN_D = 0x8000000000000000L;

  /** f0..f31, raw. */
  final long[] f = new long[32];

  final SoftFloat sf = new SoftFloat();

  /** The hart's integer registers (x[32] is the sink for writes to x0). */
  private final long[] x;

  /** frm; values 5..7 can be written and make every dynamic-rm instruction illegal. */
  int frm;

  /**
   * Like mstatus.FS == Dirty: FP registers or fcsr may have changed since the kernel cleared it.
   */
  boolean dirty;

  FpUnit(long[] x) {
    this.x = x;
  }

  /** The single in a register, or the canonical NaN if it is not NaN-boxed (spec 12.2). */
  static int unbox(long v) {
    return (int) (v >>> 32) == -1 ? (int) v : SoftFloat.NAN_S;
  }

  static long box(int v) {
    return BOX | (v & 0xFFFFFFFFL);
  }

  int fcsr() {
    return frm << 5 | sf.flags;
  }

  void setFcsr(int v) {
    sf.flags = v & 0x1f;
    frm = (v >>> 5) & 7;
  }

  /**
   * Executes the FP entry {@code e} (any op but FLW/FLD/FSW/FSD). Returns {@link #OK}, {@link
   * #ILLEGAL} (a dynamic rounding mode with frm holding 5..7, spec 11.2; nothing was changed: the
   * caller traps with the instruction bits from the entry's imm) or {@link #NOT_FP} (not an FP op:
   * a bad entry).
   */
  int execute(long e) {
    final int w = (int) e;
    final int op = w & 0xFF;
    final int bits = (int) (e >>> 32);
    final int rd = (w >>> 9) & 63; // an integer rd may be the sink; an FP rd is below 32
    final int rs1 = (w >>> 15) & 31;
    final int rs2 = (w >>> 20) & 31;
    final long[] f = this.f;
    final long[] x = this.x;
    final SoftFloat sf = this.sf;
    int rm = 0;
    if (Op.rounds(op)) {
      // The rm field; 111 selects frm. Static 101/110 never decode (Decoder.reservedRm).
      rm = (bits >>> 12) & 7;
      if (rm == SoftFloat.DYN) {
        rm = frm;
        if (rm > SoftFloat.RMM) {
          return ILLEGAL;
        }
      }
    }
    dirty = true;
    switch (op) {
      // ---- single ----
      case Op.FADD_S:
        f[rd] = box(sf.add32(unbox(f[rs1]), unbox(f[rs2]), rm));
        return OK;
      case Op.FSUB_S:
        f[rd] = box(sf.sub32(unbox(f[rs1]), unbox(f[rs2]), rm));
        return OK;
      case Op.FMUL_S:
        f[rd] = box(sf.mul32(unbox(f[rs1]), unbox(f[rs2]), rm));
        return OK;
      case Op.FDIV_S:
        f[rd] = box(sf.div32(unbox(f[rs1]), unbox(f[rs2]), rm));
        return OK;
      case Op.FSQRT_S:
        f[rd] = box(sf.sqrt32(unbox(f[rs1]), rm));
        return OK;
      case Op.FMADD_S:
        f[rd] = box(sf.fma32(unbox(f[rs1]), unbox(f[rs2]), unbox(f[bits >>> 27]), rm));
        return OK;
      case Op.FMSUB_S:
        f[rd] = box(sf.fma32(unbox(f[rs1]), unbox(f[rs2]), unbox(f[bits >>> 27]) ^ SIGN_S, rm));
        return OK;
      case Op.FNMSUB_S:
        f[rd] = box(sf.fma32(unbox(f[rs1]) ^ SIGN_S, unbox(f[rs2]), unbox(f[bits >>> 27]), rm));
        return OK;
      case Op.FNMADD_S:
        f[rd] =
            box(
                sf.fma32(
                    unbox(f[rs1]) ^ SIGN_S, unbox(f[rs2]), unbox(f[bits >>> 27]) ^ SIGN_S, rm));
        return OK;
      case Op.FCVT_W_S:
        x[rd] = sf.toInt(Float.intBitsToFloat(unbox(f[rs1])), SoftFloat.W, rm);
        return OK;
      case Op.FCVT_WU_S:
        x[rd] = sf.toInt(Float.intBitsToFloat(unbox(f[rs1])), SoftFloat.WU, rm);
        return OK;
      case Op.FCVT_L_S:
        x[rd] = sf.toInt(Float.intBitsToFloat(unbox(f[rs1])), SoftFloat.L, rm);
        return OK;
      case Op.FCVT_LU_S:
        x[rd] = sf.toInt(Float.intBitsToFloat(unbox(f[rs1])), SoftFloat.LU, rm);
        return OK;
      case Op.FCVT_S_W:
        f[rd] = box(sf.i64ToF32((int) x[rs1], rm));
        return OK;
      case Op.FCVT_S_WU:
        f[rd] = box(sf.u64ToF32(x[rs1] & 0xFFFFFFFFL, rm));
        return OK;
      case Op.FCVT_S_L:
        f[rd] = box(sf.i64ToF32(x[rs1], rm));
        return OK;
      case Op.FCVT_S_LU:
        f[rd] = box(sf.u64ToF32(x[rs1], rm));
        return OK;
      case Op.FSGNJ_S:
        f[rd] = box((unbox(f[rs1]) & ~SIGN_S) | (unbox(f[rs2]) & SIGN_S));
        return OK;
      case Op.FSGNJN_S:
        f[rd] = box((unbox(f[rs1]) & ~SIGN_S) | (~unbox(f[rs2]) & SIGN_S));
        return OK;
      case Op.FSGNJX_S:
        f[rd] = box(unbox(f[rs1]) ^ (unbox(f[rs2]) & SIGN_S));
        return OK;
      case Op.FMIN_S:
        f[rd] = box(sf.min32(unbox(f[rs1]), unbox(f[rs2])));
        return OK;
      case Op.FMAX_S:
        f[rd] = box(sf.max32(unbox(f[rs1]), unbox(f[rs2])));
        return OK;
      case Op.FEQ_S:
        x[rd] = sf.eq32(unbox(f[rs1]), unbox(f[rs2])) ? 1 : 0;
        return OK;
      case Op.FLT_S:
        x[rd] = sf.lt32(unbox(f[rs1]), unbox(f[rs2])) ? 1 : 0;
        return OK;
      case Op.FLE_S:
        x[rd] = sf.le32(unbox(f[rs1]), unbox(f[rs2])) ? 1 : 0;
        return OK;
      case Op.FCLASS_S:
        x[rd] = SoftFloat.classify32(unbox(f[rs1]));
        return OK;
      case Op.FMV_X_W:
        x[rd] = (int) f[rs1]; // the low 32 bits, sign-extended, boxed or not (spec 11.7)
        return OK;
      case Op.FMV_W_X:
        f[rd] = box((int) x[rs1]);
        return OK;

      // ---- double ----
      case Op.FADD_D:
        f[rd] = sf.add64(f[rs1], f[rs2], rm);
        return OK;
      case Op.FSUB_D:
        f[rd] = sf.sub64(f[rs1], f[rs2], rm);
        return OK;
      case Op.FMUL_D:
        f[rd] = sf.mul64(f[rs1], f[rs2], rm);
        return OK;
      case Op.FDIV_D:
        f[rd] = sf.div64(f[rs1], f[rs2], rm);
        return OK;
      case Op.FSQRT_D:
        f[rd] = sf.sqrt64(f[rs1], rm);
        return OK;
      case Op.FMADD_D:
        f[rd] = sf.fma64(f[rs1], f[rs2], f[bits >>> 27], rm);
        return OK;
      case Op.FMSUB_D:
        f[rd] = sf.fma64(f[rs1], f[rs2], f[bits >>> 27] ^ SIGN_D, rm);
        return OK;
      case Op.FNMSUB_D:
        f[rd] = sf.fma64(f[rs1] ^ SIGN_D, f[rs2], f[bits >>> 27], rm);
        return OK;
      case Op.FNMADD_D:
        f[rd] = sf.fma64(f[rs1] ^ SIGN_D, f[rs2], f[bits >>> 27] ^ SIGN_D, rm);
        return OK;
      case Op.FCVT_W_D:
        x[rd] = sf.toInt(Double.longBitsToDouble(f[rs1]), SoftFloat.W, rm);
        return OK;
      case Op.FCVT_WU_D:
        x[rd] = sf.toInt(Double.longBitsToDouble(f[rs1]), SoftFloat.WU, rm);
        return OK;
      case Op.FCVT_L_D:
        x[rd] = sf.toInt(Double.longBitsToDouble(f[rs1]), SoftFloat.L, rm);
        return OK;
      case Op.FCVT_LU_D:
        x[rd] = sf.toInt(Double.longBitsToDouble(f[rs1]), SoftFloat.LU, rm);
        return OK;
      case Op.FCVT_D_W:
        f[rd] = sf.i64ToF64((int) x[rs1], rm);
        return OK;
      case Op.FCVT_D_WU:
        f[rd] = sf.u64ToF64(x[rs1] & 0xFFFFFFFFL, rm);
        return OK;
      case Op.FCVT_D_L:
        f[rd] = sf.i64ToF64(x[rs1], rm);
        return OK;
      case Op.FCVT_D_LU:
        f[rd] = sf.u64ToF64(x[rs1], rm);
        return OK;
      case Op.FCVT_S_D:
        f[rd] = box(sf.f64ToF32(f[rs1], rm));
        return OK;
      case Op.FCVT_D_S:
        f[rd] = sf.f32ToF64(unbox(f[rs1]));
        return OK;
      case Op.FSGNJ_D:
        f[rd] = (f[rs1] & ~SIGN_D) | (f[rs2] & SIGN_D);
        return OK;
      case Op.FSGNJN_D:
        f[rd] = (f[rs1] & ~SIGN_D) | (~f[rs2] & SIGN_D);
        return OK;
      case Op.FSGNJX_D:
        f[rd] = f[rs1] ^ (f[rs2] & SIGN_D);
        return OK;
      case Op.FMIN_D:
        f[rd] = sf.min64(f[rs1], f[rs2]);
        return OK;
      case Op.FMAX_D:
        f[rd] = sf.max64(f[rs1], f[rs2]);
        return OK;
      case Op.FEQ_D:
        x[rd] = sf.eq64(f[rs1], f[rs2]) ? 1 : 0;
        return OK;
      case Op.FLT_D:
        x[rd] = sf.lt64(f[rs1], f[rs2]) ? 1 : 0;
        return OK;
      case Op.FLE_D:
        x[rd] = sf.le64(f[rs1], f[rs2]) ? 1 : 0;
        return OK;
      case Op.FCLASS_D:
        x[rd] = SoftFloat.classify64(f[rs1]);
        return OK;
      case Op.FMV_X_D:
        x[rd] = f[rs1];
        return OK;
      case Op.FMV_D_X:
        f[rd] = x[rs1];
        return OK;

      case Op.CSR_FP:
        csr(bits, rd, rs1);
        return OK;
      default:
        return NOT_FP;
    }
  }

  /**
   * CSRRW/S/C[I] on fflags, frm or fcsr (Zicsr, spec 9.1; the CSRs, spec 11.2): reads the old
   * value, then writes unless the form is a set or clear with rs1 = x0 (or uimm = 0); rd gets the
   * old value. Writes keep the defined bits: fflags 4:0, frm 2:0 (any value, even an invalid one),
   * fcsr 7:0.
   */
  private void csr(int bits, int rd, int rs1) {
    int csr = bits >>> 20;
    int funct3 = (bits >>> 12) & 7;
    long src = funct3 >= 5 ? rs1 : x[rs1]; // the immediate forms name a 5-bit uimm, not a register
    long old = csr == 1 ? sf.flags : csr == 2 ? frm : fcsr();
    if ((funct3 & 3) == 1 || rs1 != 0) {
      long v;
      switch (funct3 & 3) {
        case 1:
          v = src;
          break;
        case 2:
          v = old | src;
          break;
        default:
          v = old & ~src;
          break;
      }
      if (csr == 1) {
        sf.flags = (int) v & 0x1f;
      } else if (csr == 2) {
        frm = (int) v & 7;
      } else {
        setFcsr((int) v);
      }
    }
    x[rd] = old;
  }
}
