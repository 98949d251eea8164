/*
 * isatest: a self-checking test of the user-mode instruction set hartlab emulates,
 * RV64GC (RV64IMAFDC + Zicsr + Zifencei) + Zicntr.
 *
 * Each instruction under test runs in inline asm, so the compiler cannot fold it
 * away or pick a different instruction, and its result is compared with a constant
 * written down here (never with the same operation done in C, which would test the
 * emulator against itself). Groups print one line each ("alu: 86 checks ok"); a
 * failing check prints its name, expected and actual value. The last line is
 * "isatest: N checks, F failed"; exit status 0 if F is 0, else 1.
 */
#include "libc.h"

typedef uint64_t u64;
typedef int64_t i64;

/* ---- bookkeeping --------------------------------------------------------------- */

static int total_checks, total_failed, group_checks, group_failed;

static void check(const char *name, u64 got, u64 want)
{
	group_checks++;
	if (got != want) {
		group_failed++;
		printf("  FAIL %s: expected 0x%016lx, got 0x%016lx\n", name, want, got);
	}
}

static void group_done(const char *group)
{
	if (group_failed)
		printf("%s: %d checks, %d failed\n", group, group_checks, group_failed);
	else
		printf("%s: %d checks ok\n", group, group_checks);
	total_checks += group_checks;
	total_failed += group_failed;
	group_checks = group_failed = 0;
}

/* ---- instruction wrappers, one function per instruction ----------------------- */

/* register-register: rd = op(rs1, rs2) */
#define RR(fn, insn)                                                               \
	static u64 fn(u64 a, u64 b)                                                \
	{                                                                          \
		u64 r;                                                             \
		__asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));   \
		return r;                                                          \
	}

/* register-immediate: rd = op(rs1, imm) */
#define RI(fn, insn, imm)                                                          \
	static u64 fn(u64 a)                                                       \
	{                                                                          \
		u64 r;                                                             \
		__asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "i"(imm)); \
		return r;                                                          \
	}

/* conditional branch: 1 if taken */
#define BR(fn, insn)                                                               \
	static u64 fn(u64 a, u64 b)                                                \
	{                                                                          \
		u64 t;                                                             \
		__asm__ volatile("li %0, 1\n\t" insn " %1, %2, 1f\n\t"             \
				 "li %0, 0\n1:"                                    \
				 : "=&r"(t) : "r"(a), "r"(b));                     \
		return t;                                                          \
	}

/* atomic memory operation: returns the old value at p, stores op(old, v) */
#define AMO(fn, insn)                                                              \
	static u64 fn(void *p, u64 v)                                              \
	{                                                                          \
		u64 r;                                                             \
		__asm__ volatile(insn " %0, %2, (%1)"                              \
				 : "=r"(r) : "r"(p), "r"(v) : "memory");           \
		return r;                                                          \
	}

/* load: rd = mem[p + off] */
#define LD(fn, insn, off)                                                          \
	static u64 fn(const void *p)                                               \
	{                                                                          \
		u64 r;                                                             \
		__asm__ volatile(insn " %0, %2(%1)"                                \
				 : "=r"(r) : "r"(p), "i"(off) : "memory");         \
		return r;                                                          \
	}

/* store: mem[p] = v */
#define ST(fn, insn)                                                               \
	static void fn(void *p, u64 v)                                             \
	{                                                                          \
		__asm__ volatile(insn " %1, 0(%0)" : : "r"(p), "r"(v) : "memory"); \
	}

RR(add, "add") RR(sub, "sub") RR(and_, "and") RR(or_, "or") RR(xor_, "xor")
RR(sll, "sll") RR(srl, "srl") RR(sra, "sra") RR(slt, "slt") RR(sltu, "sltu")
RR(addw, "addw") RR(subw, "subw") RR(sllw, "sllw") RR(srlw, "srlw") RR(sraw, "sraw")

RR(mul, "mul") RR(mulh, "mulh") RR(mulhsu, "mulhsu") RR(mulhu, "mulhu") RR(mulw, "mulw")
RR(div_, "div") RR(divu, "divu") RR(rem, "rem") RR(remu, "remu")
RR(divw, "divw") RR(divuw, "divuw") RR(remw, "remw") RR(remuw, "remuw")

RI(addi_m1, "addi", -1) RI(addi_2047, "addi", 2047) RI(addi_m2048, "addi", -2048)
RI(slti_m1, "slti", -1) RI(sltiu_m1, "sltiu", -1) RI(sltiu_1, "sltiu", 1)
RI(xori_m1, "xori", -1) RI(ori_m2048, "ori", -2048) RI(andi_m16, "andi", -16)
RI(andi_7ff, "andi", 0x7ff)
RI(slli_63, "slli", 63) RI(slli_0, "slli", 0) RI(srli_63, "srli", 63) RI(srli_1, "srli", 1)
RI(srai_63, "srai", 63) RI(srai_4, "srai", 4)
RI(addiw_1, "addiw", 1) RI(addiw_0, "addiw", 0) RI(addiw_m1, "addiw", -1)
RI(addiw_m2048, "addiw", -2048)
RI(slliw_31, "slliw", 31) RI(slliw_1, "slliw", 1) RI(srliw_31, "srliw", 31)
RI(srliw_0, "srliw", 0) RI(sraiw_31, "sraiw", 31) RI(sraiw_0, "sraiw", 0)

BR(beq, "beq") BR(bne, "bne") BR(blt, "blt") BR(bge, "bge") BR(bltu, "bltu") BR(bgeu, "bgeu")

struct rr_case {
	const char *name;
	u64 (*fn)(u64, u64);
	u64 a, b, want;
};

struct ri_case {
	const char *name;
	u64 (*fn)(u64);
	u64 a, want;
};

static void run_rr(const struct rr_case *c, unsigned n)
{
	for (; n > 0; n--, c++)
		check(c->name, c->fn(c->a, c->b), c->want);
}

static void run_ri(const struct ri_case *c, unsigned n)
{
	for (; n > 0; n--, c++)
		check(c->name, c->fn(c->a), c->want);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define MIN64	0x8000000000000000ull
#define MAX64	0x7fffffffffffffffull
#define ONES	0xffffffffffffffffull

/* ---- RV64I arithmetic, logic, shifts, comparisons ----------------------------- */

static const struct rr_case alu_rr[] = {
	{ "add 1+2", add, 1, 2, 3 },
	{ "add wraps", add, ONES, 1, 0 },
	{ "add signed overflow", add, MAX64, 1, MIN64 },
	{ "sub 0-1", sub, 0, 1, ONES },
	{ "sub MIN-1", sub, MIN64, 1, MAX64 },
	{ "sub 5-5", sub, 5, 5, 0 },
	{ "and", and_, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00 },
	{ "or", or_, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xfff0fff0fff0fff0 },
	{ "xor", xor_, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0 },
	{ "sll by 63", sll, 1, 63, MIN64 },
	{ "sll by 64 uses shamt 0", sll, 1, 64, 1 },
	{ "sll by 4", sll, ONES, 4, 0xfffffffffffffff0 },
	{ "sll by 33", sll, 0x80000001, 33, 0x0000000200000000 },
	{ "srl by 63", srl, MIN64, 63, 1 },
	{ "srl by 1", srl, ONES, 1, MAX64 },
	{ "srl by 65 uses shamt 1", srl, ONES, 65, MAX64 },
	{ "srl by 0", srl, MIN64, 0, MIN64 },
	{ "sra by 63", sra, MIN64, 63, ONES },
	{ "sra by 1", sra, MIN64, 1, 0xc000000000000000 },
	{ "sra positive by 62", sra, MAX64, 62, 1 },
	{ "sra by 127 uses shamt 63", sra, 0x4000000000000000, 127, 0 },
	{ "slt -1<1", slt, ONES, 1, 1 },
	{ "slt 1<-1", slt, 1, ONES, 0 },
	{ "slt MIN<MAX", slt, MIN64, MAX64, 1 },
	{ "slt MAX<MIN", slt, MAX64, MIN64, 0 },
	{ "slt 5<5", slt, 5, 5, 0 },
	{ "sltu -1<1", sltu, ONES, 1, 0 },
	{ "sltu 1<-1", sltu, 1, ONES, 1 },
	{ "sltu 0<0", sltu, 0, 0, 0 },
	{ "sltu 0<1", sltu, 0, 1, 1 },
	{ "sltu MAX<MIN", sltu, MAX64, MIN64, 1 },
	{ "addw overflow sign-extends", addw, 0x7fffffff, 1, 0xffffffff80000000 },
	{ "addw wraps to 0", addw, 0xffffffff, 1, 0 },
	{ "addw ignores upper bits", addw, 0x0000000100000005, 0xabcdef0000000003, 8 },
	{ "addw MIN+MIN", addw, 0x80000000, 0x80000000, 0 },
	{ "subw 0-1", subw, 0, 1, ONES },
	{ "subw MIN32-1", subw, 0x80000000, 1, 0x7fffffff },
	{ "subw sign-extends", subw, 0x0000000180000000, 0, 0xffffffff80000000 },
	{ "sllw by 31", sllw, 1, 31, 0xffffffff80000000 },
	{ "sllw by 32 uses shamt 0", sllw, 1, 32, 1 },
	{ "sllw by 31 drops bit 1", sllw, 3, 31, 0xffffffff80000000 },
	{ "sllw ignores upper bits", sllw, 0xffffffff00000001, 1, 2 },
	{ "srlw by 31", srlw, 0x80000000, 31, 1 },
	{ "srlw by 0 sign-extends", srlw, 0x0000000080000000, 0, 0xffffffff80000000 },
	{ "srlw by 1 zero-fills bit 31", srlw, ONES, 1, 0x7fffffff },
	{ "srlw by 63 uses shamt 31", srlw, 0x80000000, 63, 1 },
	{ "sraw by 31", sraw, 0x80000000, 31, ONES },
	{ "sraw by 4", sraw, 0x80000000, 4, 0xfffffffff8000000 },
	{ "sraw positive by 31", sraw, 0x7fffffff, 31, 0 },
	{ "sraw uses bit 31 not 63", sraw, 0x8000000070000000, 4, 0x07000000 },
	{ "sraw by 33 uses shamt 1", sraw, 0xfffffffe, 33, ONES },
};

static const struct ri_case alu_ri[] = {
	{ "addi -1", addi_m1, 0, ONES },
	{ "addi 2047", addi_2047, 1, 2048 },
	{ "addi -2048", addi_m2048, 0, 0xfffffffffffff800 },
	{ "addi -1 wraps", addi_m1, MIN64, MAX64 },
	{ "slti -2<-1", slti_m1, 0xfffffffffffffffe, 1 },
	{ "slti 0<-1", slti_m1, 0, 0 },
	{ "sltiu 5<~0", sltiu_m1, 5, 1 },
	{ "sltiu ~0<~0", sltiu_m1, ONES, 0 },
	{ "sltiu 0<1 (seqz)", sltiu_1, 0, 1 },
	{ "sltiu 7<1", sltiu_1, 7, 0 },
	{ "xori -1 (not)", xori_m1, 0x0f, 0xfffffffffffffff0 },
	{ "ori -2048", ori_m2048, 1, 0xfffffffffffff801 },
	{ "andi -16", andi_m16, 0x12345, 0x12340 },
	{ "andi 0x7ff", andi_7ff, ONES, 0x7ff },
	{ "slli 63", slli_63, 3, MIN64 },
	{ "slli 0", slli_0, 0x123456789abcdef0, 0x123456789abcdef0 },
	{ "srli 63", srli_63, MIN64, 1 },
	{ "srli 1", srli_1, ONES, MAX64 },
	{ "srai 63", srai_63, MIN64, ONES },
	{ "srai 4", srai_4, 0x8000000000000000, 0xf800000000000000 },
	{ "addiw overflow sign-extends", addiw_1, 0x7fffffff, 0xffffffff80000000 },
	{ "addiw 0 (sext.w)", addiw_0, 0x00000001ffffffff, ONES },
	{ "addiw 0 clears upper bits", addiw_0, 0xabcdef0012345678, 0x12345678 },
	{ "addiw -1", addiw_m1, 0, ONES },
	{ "addiw -2048 wraps", addiw_m2048, 0x80000000, 0x7ffff800 },
	{ "slliw 31", slliw_31, 1, 0xffffffff80000000 },
	{ "slliw 1 drops bit 31", slliw_1, 0x80000001, 2 },
	{ "srliw 31", srliw_31, 0xffffffff80000000, 1 },
	{ "srliw 0 sign-extends", srliw_0, 0x80000000, 0xffffffff80000000 },
	{ "sraiw 31", sraiw_31, 0x80000000, ONES },
	{ "sraiw 31 positive", sraiw_31, 0x7fffffff, 0 },
	{ "sraiw 0 sign-extends", sraiw_0, 0x1234567880000000, 0xffffffff80000000 },
};

static void test_alu(void)
{
	u64 r;

	run_rr(alu_rr, N(alu_rr));
	run_ri(alu_ri, N(alu_ri));

	/* x0 reads as zero even right after being written */
	__asm__ volatile("li t0, 5\n\tadd zero, t0, t0\n\tmv %0, zero" : "=r"(r) : : "t0");
	check("x0 stays zero", r, 0);
	/* pseudo-instructions built from the above */
	__asm__ volatile("li %0, 0x123456789abcdef0" : "=r"(r));
	check("li of a 64-bit constant", r, 0x123456789abcdef0);
	__asm__ volatile("li %0, -0x7ffff800" : "=r"(r));
	check("li of a negative 32-bit constant", r, 0xffffffff80000800);
	group_done("alu");
}

/* ---- lui, auipc ---------------------------------------------------------------- */

static void test_upper(void)
{
	u64 r, here;

	__asm__ volatile("lui %0, 0x80000" : "=r"(r));
	check("lui 0x80000 sign-extends", r, 0xffffffff80000000);
	__asm__ volatile("lui %0, 0x7ffff" : "=r"(r));
	check("lui 0x7ffff", r, 0x7ffff000);
	__asm__ volatile("lui %0, 0xfffff" : "=r"(r));
	check("lui 0xfffff", r, 0xfffffffffffff000);
	__asm__ volatile("lui %0, 1" : "=r"(r));
	check("lui 1", r, 0x1000);
	__asm__ volatile("lui %0, 0x12345\n\taddi %0, %0, -1" : "=&r"(r));
	check("lui+addi borrow", r, 0x12344fff);

	__asm__ volatile("1: auipc %0, 0\n\tlla %1, 1b" : "=&r"(r), "=&r"(here));
	check("auipc 0 is pc", r - here, 0);
	__asm__ volatile("1: auipc %0, 1\n\tlla %1, 1b" : "=&r"(r), "=&r"(here));
	check("auipc 1 is pc+4096", r - here, 0x1000);
	__asm__ volatile("1: auipc %0, 0x80000\n\tlla %1, 1b" : "=&r"(r), "=&r"(here));
	check("auipc 0x80000 is pc-2GiB", r - here, 0xffffffff80000000);
	__asm__ volatile("1: auipc %0, 0x7ffff\n\tlla %1, 1b" : "=&r"(r), "=&r"(here));
	check("auipc 0x7ffff", r - here, 0x7ffff000);
	group_done("upper");
}

/* ---- branches -------------------------------------------------------------------- */

static const struct rr_case branch_rr[] = {
	{ "beq equal", beq, 7, 7, 1 },
	{ "beq unequal", beq, 7, 8, 0 },
	{ "beq differs only in bit 63", beq, 0, MIN64, 0 },
	{ "bne equal", bne, 7, 7, 0 },
	{ "bne unequal", bne, 7, 8, 1 },
	{ "blt -1<1", blt, ONES, 1, 1 },
	{ "blt 1<-1", blt, 1, ONES, 0 },
	{ "blt 5<5", blt, 5, 5, 0 },
	{ "blt MIN<0", blt, MIN64, 0, 1 },
	{ "bge 5>=5", bge, 5, 5, 1 },
	{ "bge -1>=1", bge, ONES, 1, 0 },
	{ "bge 1>=-1", bge, 1, ONES, 1 },
	{ "bltu -1<1", bltu, ONES, 1, 0 },
	{ "bltu 1<-1", bltu, 1, ONES, 1 },
	{ "bltu MIN<0", bltu, MIN64, 0, 0 },
	{ "bltu 0<0", bltu, 0, 0, 0 },
	{ "bgeu -1>=1", bgeu, ONES, 1, 1 },
	{ "bgeu 1>=-1", bgeu, 1, ONES, 0 },
	{ "bgeu 0>=0", bgeu, 0, 0, 1 },
};

static void test_branch(void)
{
	u64 r;

	run_rr(branch_rr, N(branch_rr));

	/* a backward branch closing a loop: 1 + 2 + ... + 10 */
	__asm__ volatile("li %0, 0\n\tli t0, 10\n"
			 "1:\tadd %0, %0, t0\n\taddi t0, t0, -1\n\tbnez t0, 1b"
			 : "=&r"(r) : : "t0");
	check("backward bnez loop", r, 55);

	/* offsets near the B-type limit of +-4 KiB; the gap holds illegal instructions */
	__asm__ volatile("li %0, 1\n\tbeq zero, zero, 2f\n"
			 "1:\tli %0, 2\n\tj 3f\n"
			 "\t.fill 1000, 4, 0\n"
			 "2:\tbne zero, %0, 1b\n"	/* backward over the gap */
			 "\tli %0, 3\n"
			 "3:"
			 : "=&r"(r));
	check("far forward and backward branches", r, 2);
	group_done("branch");
}

/* ---- jal, jalr ------------------------------------------------------------------- */

static void test_jump(void)
{
	u64 r, link, after;

	__asm__ volatile("jal %0, 1f\n1:\tlla %1, 1b" : "=&r"(link), "=&r"(after));
	check("jal links the next instruction", link - after, 0);

	__asm__ volatile("li %0, 0\n\tj 1f\n\tli %0, 1\n1:" : "=&r"(r));
	check("j skips", r, 0);

	/* a jump over 16 KiB, beyond any branch's reach */
	__asm__ volatile("li %0, 0\n\tjal zero, 1f\n\t.fill 4096, 4, 0\n1:\tli %0, 1"
			 : "=&r"(r));
	check("jal over 16 KiB", r, 1);

	/* jalr adds the offset, then clears bit 0 of the sum: target-3 + 4 = target+1 */
	__asm__ volatile("li %0, 0\n\tlla t0, 2f\n\taddi t0, t0, -3\n"
			 "\tjalr %1, 4(t0)\n"
			 "1:\tli %0, 99\n"
			 "2:\tlla %2, 1b"
			 : "=&r"(r), "=&r"(link), "=&r"(after) : : "t0");
	check("jalr clears bit 0 of the target", r, 0);
	check("jalr links the next instruction", link - after, 0);

	/* rd == rs1: the target is computed from the old value, then rd is written */
	__asm__ volatile("lla %0, 2f\n\tjalr %0, 0(%0)\n1:\tnop\n2:\tlla %1, 1b"
			 : "=&r"(link), "=&r"(after));
	check("jalr with rd == rs1", link - after, 0);

	/* call and ret through ra */
	__asm__ volatile("li %0, 0\n\tcall 1f\n\taddi %0, %0, 10\n\tj 2f\n"
			 "1:\taddi %0, %0, 1\n\tret\n2:"
			 : "=&r"(r) : : "ra");
	check("call and ret", r, 11);
	group_done("jump");
}

/* ---- loads and stores: widths, sign and zero extension --------------------------- */

LD(lb_0, "lb", 0) LD(lbu_0, "lbu", 0) LD(lb_1, "lb", 1) LD(lb_m1, "lb", -1)
LD(lh_0, "lh", 0) LD(lh_2, "lh", 2) LD(lhu_2, "lhu", 2)
LD(lw_0, "lw", 0) LD(lw_4, "lw", 4) LD(lwu_0, "lwu", 0) LD(lwu_4, "lwu", 4)
LD(ld_0, "ld", 0) LD(ld_m8, "ld", -8)
ST(sb_, "sb") ST(sh_, "sh") ST(sw_, "sw") ST(sd_, "sd")
LD(lh_, "lh", 0) LD(lhu_, "lhu", 0) LD(lw_, "lw", 0) LD(lwu_, "lwu", 0) LD(ld_, "ld", 0)

static void test_load(void)
{
	static uint64_t mem[2] = { 0xf887868584830281, 0 };
	unsigned char *b = (unsigned char *)mem;

	check("lb sign-extends", lb_0(b), 0xffffffffffffff81);
	check("lbu zero-extends", lbu_0(b), 0x81);
	check("lb positive", lb_1(b), 0x02);
	check("lb negative offset", lb_m1(b + 8), 0xfffffffffffffff8);
	check("lh positive", lh_0(b), 0x0281);
	check("lh sign-extends", lh_2(b), 0xffffffffffff8483);
	check("lhu zero-extends", lhu_2(b), 0x8483);
	check("lw sign-extends", lw_0(b), 0xffffffff84830281);
	check("lw sign-extends (2)", lw_4(b), 0xfffffffff8878685);
	check("lwu zero-extends", lwu_0(b), 0x84830281);
	check("lwu zero-extends (2)", lwu_4(b), 0xf8878685);
	check("ld", ld_0(b), 0xf887868584830281);
	check("ld negative offset", ld_m8(b + 8), 0xf887868584830281);

	sd_(b + 8, 0);
	sb_(b + 9, 0x1ff);		/* only the low byte is stored */
	sh_(b + 10, 0x12345);
	sw_(b + 12, 0x123456789);
	check("sb/sh/sw store only their width", ld_0(b + 8), 0x234567892345ff00);
	sd_(b + 8, 0x0102030405060708);
	check("sd", mem[1], 0x0102030405060708);
	check("sd left the word below alone", mem[0], 0xf887868584830281);
	group_done("load/store");
}

/* ---- misaligned accesses, also across a page boundary ---------------------------- */

/* The little-endian value of `width` bytes at p, assembled from byte loads. */
static u64 bytes_le(const unsigned char *p, unsigned width, int sign)
{
	u64 v = 0;
	unsigned i;

	for (i = 0; i < width; i++)
		v |= (u64)p[i] << (8 * i);
	if (sign && width < 8 && (v >> (8 * width - 1)) & 1)
		v |= ONES << (8 * width);
	return v;
}

/* Loads and stores of every width at every offset of p[0..15] (p is 8-aligned). */
static void misaligned_at(unsigned char *p, const char *where)
{
	char name[64];
	unsigned off;

	for (off = 1; off < 8; off++) {
		unsigned char *q = p + off;
		unsigned i;

		for (i = 0; i < 16; i++)
			p[i] = (unsigned char)(0x81 + 0x13 * i);
		snprintf(name, sizeof(name), "lh %s+%u", where, off);
		check(name, lh_(q), bytes_le(q, 2, 1));
		snprintf(name, sizeof(name), "lhu %s+%u", where, off);
		check(name, lhu_(q), bytes_le(q, 2, 0));
		snprintf(name, sizeof(name), "lw %s+%u", where, off);
		check(name, lw_(q), bytes_le(q, 4, 1));
		snprintf(name, sizeof(name), "lwu %s+%u", where, off);
		check(name, lwu_(q), bytes_le(q, 4, 0));
		snprintf(name, sizeof(name), "ld %s+%u", where, off);
		check(name, ld_(q), bytes_le(q, 8, 0));

		sd_(q, 0x0807060504030201);
		sw_(q + 1, 0x44332211);	/* overwrites bytes 1..4 of the sd */
		sh_(q + 5, 0x6655);	/* and bytes 5..6 */
		snprintf(name, sizeof(name), "sd/sw/sh %s+%u", where, off);
		check(name, bytes_le(q, 8, 0), 0x0866554433221101);
		snprintf(name, sizeof(name), "bytes around the stores %s+%u", where, off);
		check(name, (u64)p[off - 1] << 8 | p[off + 8],
		      (u64)(unsigned char)(0x81 + 0x13 * (off - 1)) << 8 |
			      (unsigned char)(0x81 + 0x13 * (off + 8)));
	}
}

static void test_misaligned(void)
{
	static uint64_t buf[2];
	long m = sys_mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	misaligned_at((unsigned char *)buf, "buf");
	check("mmap of two pages for the page-crossing test", is_err(m), 0);
	if (!is_err(m)) {
		/* p[0..15] straddles the boundary: every access at offset 1..7 of p+0
		   stays below it or crosses it, depending on width */
		misaligned_at((unsigned char *)m + 4096 - 8, "page end");
		sys_munmap((void *)m, 8192);
	}
	group_done("misaligned");
}

/* ---- M: multiply and divide --------------------------------------------------- */

#define MIN32SX	0xffffffff80000000ull	/* INT32_MIN sign-extended */

static const struct rr_case mul_rr[] = {
	{ "mul 3*-7", mul, 3, (u64)-7, (u64)-21 },
	{ "mul -1*-1", mul, ONES, ONES, 1 },
	{ "mul 2^32*2^32 low", mul, 1ull << 32, 1ull << 32, 0 },
	{ "mul low of large", mul, 0x123456789, 0x987654321, 0xd77d742cce1833a9 },
	{ "mulh -1*-1", mulh, ONES, ONES, 0 },
	{ "mulh MIN*MIN", mulh, MIN64, MIN64, 0x4000000000000000 },
	{ "mulh MIN*-1", mulh, MIN64, ONES, 0 },
	{ "mulh -1*1", mulh, ONES, 1, ONES },
	{ "mulh MAX*MAX", mulh, MAX64, MAX64, 0x3fffffffffffffff },
	{ "mulhu ~0*~0", mulhu, ONES, ONES, 0xfffffffffffffffe },
	{ "mulhu 2^32*2^32", mulhu, 1ull << 32, 1ull << 32, 1 },
	{ "mulhu MIN*2", mulhu, MIN64, 2, 1 },
	{ "mulhsu -1*~0", mulhsu, ONES, ONES, ONES },
	{ "mulhsu 1*~0", mulhsu, 1, ONES, 0 },
	{ "mulhsu MIN*2", mulhsu, MIN64, 2, ONES },
	{ "mulhsu -2*1", mulhsu, (u64)-2, 1, ONES },
	{ "mulhsu 2*2^63 (unsigned rs2)", mulhsu, 2, MIN64, 1 },
	{ "mulw overflow sign-extends", mulw, 0x7fffffff, 2, 0xfffffffffffffffe },
	{ "mulw ignores upper bits", mulw, 0x0000000100000003, 0xff00000000000005, 15 },
	{ "mulw 2^16*2^16 wraps to 0", mulw, 0x10000, 0x10000, 0 },
	{ "mulw 2^15*2^16", mulw, 0x8000, 0x10000, MIN32SX },
};

static const struct rr_case div_rr[] = {
	{ "div 7/2", div_, 7, 2, 3 },
	{ "div -7/2 truncates", div_, (u64)-7, 2, (u64)-3 },
	{ "div 7/-2", div_, 7, (u64)-2, (u64)-3 },
	{ "rem -7%2", rem, (u64)-7, 2, ONES },
	{ "rem 7%-2", rem, 7, (u64)-2, 1 },
	{ "divu ~0/2", divu, ONES, 2, MAX64 },
	{ "remu ~0%10", remu, ONES, 10, 5 },
	{ "div by zero", div_, 5, 0, ONES },
	{ "divu by zero", divu, 5, 0, ONES },
	{ "rem by zero", rem, 5, 0, 5 },
	{ "rem -5 by zero", rem, (u64)-5, 0, (u64)-5 },
	{ "remu by zero", remu, ONES, 0, ONES },
	{ "div MIN/-1 overflows", div_, MIN64, ONES, MIN64 },
	{ "rem MIN%-1", rem, MIN64, ONES, 0 },
	{ "divw -7/2", divw, (u64)-7, 2, (u64)-3 },
	{ "divw ignores upper bits", divw, 0x0000000100000007, 0xffffffff00000002, 3 },
	{ "divw MIN32/-1 overflows", divw, 0x80000000, ONES, MIN32SX },
	{ "remw MIN32%-1", remw, 0x80000000, ONES, 0 },
	{ "divw by zero", divw, 5, 0, ONES },
	{ "remw by zero", remw, 0x80000000, 0x100000000, MIN32SX },
	{ "remw -7%2", remw, (u64)-7, 2, ONES },
	{ "divuw 0xffffffff/2", divuw, 0xffffffff, 2, 0x7fffffff },
	{ "divuw result sign-extends", divuw, 0x80000000, 1, MIN32SX },
	{ "divuw by zero", divuw, 0x80000000, 0, ONES },
	{ "remuw 0xffffffff%16", remuw, 0x0000000fffffffff, 16, 15 },
	{ "remuw by zero sign-extends", remuw, 0x80000001, 0, 0xffffffff80000001 },
};

static void test_mul(void)
{
	run_rr(mul_rr, N(mul_rr));
	group_done("mul");
	run_rr(div_rr, N(div_rr));
	group_done("div");
}

/* ---- A: load-reserved / store-conditional and AMOs -------------------------------- */

AMO(amoswap_d, "amoswap.d") AMO(amoadd_d, "amoadd.d") AMO(amoand_d, "amoand.d")
AMO(amoor_d, "amoor.d") AMO(amoxor_d, "amoxor.d") AMO(amomin_d, "amomin.d")
AMO(amomax_d, "amomax.d") AMO(amominu_d, "amominu.d") AMO(amomaxu_d, "amomaxu.d")
AMO(amoswap_w, "amoswap.w") AMO(amoadd_w, "amoadd.w") AMO(amoand_w, "amoand.w")
AMO(amoor_w, "amoor.w") AMO(amoxor_w, "amoxor.w") AMO(amomin_w, "amomin.w")
AMO(amomax_w, "amomax.w") AMO(amominu_w, "amominu.w") AMO(amomaxu_w, "amomaxu.w")
AMO(amoadd_d_aqrl, "amoadd.d.aqrl") AMO(amoswap_w_aq, "amoswap.w.aq")

struct amo_case {
	const char *name;
	u64 (*fn)(void *, u64);
	int word;		/* .w: operates on the low 32 bits of the slot */
	u64 init, v, want_old, want_mem;
};

static const struct amo_case amo_cases[] = {
	{ "amoswap.d", amoswap_d, 0, 0x1111, 0x2222, 0x1111, 0x2222 },
	{ "amoadd.d wraps", amoadd_d, 0, ONES, 2, ONES, 1 },
	{ "amoand.d", amoand_d, 0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00,
	  0x0f000f000f000f00 },
	{ "amoor.d", amoor_d, 0, 0xff00, 0x0ff0, 0xff00, 0xfff0 },
	{ "amoxor.d", amoxor_d, 0, 0xff00, 0x0ff0, 0xff00, 0xf0f0 },
	{ "amomin.d signed", amomin_d, 0, ONES, 1, ONES, ONES },
	{ "amomax.d signed", amomax_d, 0, ONES, 1, ONES, 1 },
	{ "amominu.d unsigned", amominu_d, 0, ONES, 1, ONES, 1 },
	{ "amomaxu.d unsigned", amomaxu_d, 0, ONES, 1, ONES, ONES },
	{ "amoadd.d.aqrl", amoadd_d_aqrl, 0, 40, 2, 40, 42 },
	{ "amoswap.w sign-extends old", amoswap_w, 1, 0x80000000, 0x12345678, MIN32SX, 0x12345678 },
	{ "amoadd.w wraps", amoadd_w, 1, 0xffffffff, 1, ONES, 0 },
	{ "amoadd.w ignores upper bits of rs2", amoadd_w, 1, 1, 0xffffffff00000002, 1, 3 },
	{ "amoand.w", amoand_w, 1, 0xf0f0f0f0, 0xff00ff00, 0xfffffffff0f0f0f0, 0xf000f000 },
	{ "amoor.w", amoor_w, 1, 0x0000ff00, 0x80000000, 0xff00, 0x8000ff00 },
	{ "amoxor.w", amoxor_w, 1, 0xffff0000, 0x0ff00ff0, 0xffffffffffff0000, 0xf00f0ff0 },
	{ "amomin.w signed", amomin_w, 1, 0x80000000, 1, MIN32SX, 0x80000000 },
	{ "amomax.w signed", amomax_w, 1, 0x80000000, 1, MIN32SX, 1 },
	{ "amominu.w unsigned", amominu_w, 1, 0x80000000, 1, MIN32SX, 1 },
	{ "amomaxu.w unsigned", amomaxu_w, 1, 0x80000000, 1, MIN32SX, 0x80000000 },
	{ "amominu.w compares low 32 bits", amominu_w, 1, 5, 0xffffffff00000003, 5, 3 },
	{ "amomax.w compares as int32", amomax_w, 1, 0x7fffffff, 0x00000000ffffffff, 0x7fffffff,
	  0x7fffffff },
	{ "amoswap.w.aq", amoswap_w_aq, 1, 7, 9, 7, 9 },
};

#define SENTINEL 0x5a5a5a5au

/* Retries until the SC succeeds, as software must (an SC may fail spuriously).
   Returns the value LR read, or ~0 if 100 attempts all failed. */
static u64 lr_sc_d(u64 *p, u64 v)
{
	u64 old, fail;
	int i;

	for (i = 0; i < 100; i++) {
		__asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %3, (%2)"
				 : "=&r"(old), "=&r"(fail) : "r"(p), "r"(v) : "memory");
		if (fail == 0)
			return old;
	}
	return ONES;
}

static u64 lr_sc_w(uint32_t *p, u64 v)
{
	u64 old, fail;
	int i;

	for (i = 0; i < 100; i++) {
		__asm__ volatile("lr.w.aq %0, (%2)\n\tsc.w.rl %1, %3, (%2)"
				 : "=&r"(old), "=&r"(fail) : "r"(p), "r"(v) : "memory");
		if (fail == 0)
			return old;
	}
	return ONES;
}

static void test_atomic(void)
{
	/* slots a cache line apart, so an SC to one cannot hit a reservation of the other */
	static u64 slot[32] __attribute__((aligned(64)));
	uint32_t *w = (uint32_t *)slot;
	u64 fail, r;
	unsigned i;

	slot[0] = 0x1122334455667788;
	check("lr.d/sc.d returns the old value", lr_sc_d(&slot[0], 42), 0x1122334455667788);
	check("sc.d stored", slot[0], 42);

	w[0] = 0x80000001;
	w[1] = SENTINEL;
	check("lr.w sign-extends", lr_sc_w(&w[0], 0xffffffff00000007), 0xffffffff80000001);
	check("sc.w stores 32 bits", w[0], 7);
	check("sc.w left the next word alone", w[1], SENTINEL);

	/* an SC with no LR before it (the SC above used up the reservation) fails */
	slot[0] = 1;
	__asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(fail) : "r"(&slot[0]), "r"(2ul) : "memory");
	check("sc.d without lr fails", fail != 0, 1);
	check("failed sc.d did not store", slot[0], 1);

	/* an SC to another address than the LR's fails, and clears the reservation */
	slot[8] = 3;
	__asm__ volatile("lr.d %0, (%1)\n\tsc.d %0, %3, (%2)"
			 : "=&r"(fail) : "r"(&slot[0]), "r"(&slot[8]), "r"(4ul) : "memory");
	check("sc.d to another address fails", fail != 0, 1);
	check("failed sc.d did not store there", slot[8], 3);
	check("nor at the reserved address", slot[0], 1);
	__asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(fail) : "r"(&slot[0]), "r"(5ul) : "memory");
	check("the failed sc.d cleared the reservation", fail != 0, 1);

	for (i = 0; i < N(amo_cases); i++) {
		const struct amo_case *c = &amo_cases[i];
		char name[64];

		if (c->word) {
			w[0] = (uint32_t)c->init;
			w[1] = SENTINEL;
		} else {
			slot[0] = c->init;
		}
		r = c->fn(&slot[0], c->v);
		snprintf(name, sizeof(name), "%s returns old", c->name);
		check(name, r, c->want_old);
		snprintf(name, sizeof(name), "%s memory", c->name);
		check(name, c->word ? w[0] : slot[0], c->want_mem);
		if (c->word) {
			snprintf(name, sizeof(name), "%s upper word untouched", c->name);
			check(name, w[1], SENTINEL);
		}
	}

	/* rd = x0 still performs the operation */
	slot[0] = 10;
	__asm__ volatile("amoadd.d zero, %1, (%0)" : : "r"(&slot[0]), "r"(5ul) : "memory");
	check("amoadd.d with rd=x0 stores", slot[0], 15);

	/* fences order memory; on one hart they only have to execute and fall through */
	__asm__ volatile("li %0, 1\n\tfence\n\tfence rw, rw\n\tfence r, w\n\t"
			 "fence.tso\n\taddi %0, %0, 1" : "=&r"(r) : : "memory");
	check("fence, fence rw,rw, fence r,w, fence.tso", r, 2);
	group_done("atomic");
}

/* ---- C: compressed instructions, spelled out ------------------------------------ */

struct elf64_phdr {
	uint32_t	p_type, p_flags;
	uint64_t	p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

/* The program's executable PT_LOAD segment, found through AT_PHDR. */
static const uint16_t *text_start(const uint16_t **end)
{
	const struct elf64_phdr *ph = (const struct elf64_phdr *)getauxval(AT_PHDR);
	unsigned long i, n = getauxval(AT_PHNUM);

	for (i = 0; ph && i < n; i++) {
		if (ph[i].p_type == 1 /* PT_LOAD */ && (ph[i].p_flags & 1 /* PF_X */)) {
			*end = (const uint16_t *)(ph[i].p_vaddr + ph[i].p_filesz);
			return (const uint16_t *)ph[i].p_vaddr;
		}
	}
	return 0;
}

/*
 * Most compressed forms can only name x8..x15, so each test moves its inputs into a0
 * and a1 itself, runs the instruction and copies a0 out, all in one asm statement.
 */
#define C1(insn, x)                                                                \
	({                                                                         \
		u64 r_;                                                            \
		__asm__ volatile("mv a0, %1\n\t" insn "\n\tmv %0, a0"              \
				 : "=r"(r_) : "r"((u64)(x)) : "a0");               \
		r_;                                                                \
	})
#define C2(insn, x, y)                                                             \
	({                                                                         \
		u64 r_;                                                            \
		__asm__ volatile("mv a0, %1\n\tmv a1, %2\n\t" insn "\n\tmv %0, a0"  \
				 : "=r"(r_) : "r"((u64)(x)), "r"((u64)(y))         \
				 : "a0", "a1", "memory");                          \
		r_;                                                                \
	})

static void test_compressed(void)
{
	static u64 mem[2];
	const uint16_t *p, *end = 0;
	unsigned long n16 = 0;
	u64 r, sp0, sp1, spn;

	check("c.li -32", C1("c.li a0, -32", 0), (u64)-32);
	check("c.addi -1", C1("c.addi a0, -1", 0), ONES);
	check("c.addiw sign-extends", C1("c.addiw a0, 1", 0x7fffffff), MIN32SX);
	check("c.lui 0x1f", C1("c.lui a0, 0x1f", 0), 0x1f000);
	check("c.lui negative", C1("c.lui a0, 0xfffe0", 0), 0xfffffffffffe0000);
	check("c.slli 63", C1("c.slli a0, 63", 1), MIN64);
	check("c.srai 63", C1("c.srai a0, 63", MIN64), ONES);
	check("c.srai 4", C1("c.srai a0, 4", MIN64), 0xf800000000000000);
	check("c.srli 1", C1("c.srli a0, 1", ONES), MAX64);
	check("c.andi -2", C1("c.andi a0, -2", 0xff), 0xfe);
	check("c.andi 0x1f", C1("c.andi a0, 0x1f", 0xfe), 0x1e);
	check("c.sub", C2("c.sub a0, a1", 5, 7), (u64)-2);
	check("c.xor", C2("c.xor a0, a1", 0xff00, 0x0ff0), 0xf0f0);
	check("c.or", C2("c.or a0, a1", 0xff00, 0x0ff0), 0xfff0);
	check("c.and", C2("c.and a0, a1", 0xff00, 0x0ff0), 0x0f00);
	check("c.addw sign-extends", C2("c.addw a0, a1", 0x7fffffff, 1), MIN32SX);
	check("c.subw", C2("c.subw a0, a1", MIN32SX, 1), 0x7fffffff);
	check("c.subw ignores upper bits", C2("c.subw a0, a1", 0x500000003, 0x700000001), 2);
	check("c.mv", C2("c.mv a0, a1", 0, 0x123456789), 0x123456789);
	check("c.add", C2("c.add a0, a1", ONES, 2), 1);

	check("c.j", C1("c.j 1f\n\tc.li a0, 1\n1:", 0), 0);
	check("c.beqz taken", C1("c.beqz a0, 1f\n\tc.li a0, 5\n1:", 0), 0);
	check("c.beqz not taken", C1("c.beqz a0, 1f\n\tc.li a0, 5\n1:", 1), 5);
	check("c.bnez taken", C1("c.bnez a0, 1f\n\tc.li a0, 5\n1:", 1), 1);
	check("c.bnez not taken", C1("c.bnez a0, 1f\n\tc.li a0, 5\n1:", 0), 5);
	check("c.jr", C2("lla a1, 1f\n\tc.jr a1\n\tc.li a0, 1\n1:", 0, 0), 0);
	__asm__ volatile("lla t1, 2f\n\tc.jalr t1\n1:\tc.j 3f\n"
			 "2:\tlla %0, 1b\n\tsub %0, ra, %0\n\tret\n3:"
			 : "=&r"(r) : : "ra", "t1");
	check("c.jalr links pc+2", r, 0);

	__asm__ volatile("mv %0, sp\n\tc.addi16sp sp, -64\n\tmv %1, sp\n\t"
			 "c.addi4spn a0, sp, 16\n\tmv %2, a0\n\tc.addi16sp sp, 64"
			 : "=&r"(sp0), "=&r"(sp1), "=&r"(spn) : : "a0");
	check("c.addi16sp -64", sp0 - sp1, 64);
	check("c.addi4spn 16", spn - sp1, 16);
	check("c.sdsp/c.ldsp", C2("c.addi16sp sp, -32\n\tc.sdsp a1, 8(sp)\n\t"
				  "c.ldsp a0, 8(sp)\n\tc.addi16sp sp, 32",
				  0, 0x1234567880000001),
	      0x1234567880000001);
	check("c.swsp/c.lwsp sign-extends",
	      C2("c.addi16sp sp, -32\n\tc.swsp a1, 16(sp)\n\t"
		 "c.lwsp a0, 16(sp)\n\tc.addi16sp sp, 32",
		 0, 0x1234567880000001),
	      0xffffffff80000001);
	check("c.sd/c.ld", C2("c.sd a0, 8(a1)\n\tc.li a0, 0\n\tc.ld a0, 8(a1)",
			      0xfedcba98f6543210, mem),
	      0xfedcba98f6543210);
	check("c.lw sign-extends", C2("c.lw a0, 8(a1)", 0, mem), 0xfffffffff6543210);
	check("c.sw stores 32 bits", C2("c.sw a0, 12(a1)\n\tc.ld a0, 8(a1)", 0x11223344, mem),
	      0x11223344f6543210);
	check("c.nop", C1("c.nop", 9), 9);

	/* the compiler's own code must use compressed forms too (-march=rv64imac):
	   walk the executable segment an instruction at a time, count the 16-bit ones */
	for (p = text_start(&end); p && p < end; p += (*p & 3) == 3 ? 2 : 1)
		n16 += (*p & 3) != 3 && *p != 0;	/* 0 is padding, or the .fill above */
	check("the program text holds compressed instructions", n16 > 1000, 1);

	/* a loop of compressed instructions only */
	check("compressed loop 20+19+...+1",
	      C2("c.li a0, 0\n\tc.li a1, 20\n1:\tc.add a0, a1\n\tc.addi a1, -1\n\tc.bnez a1, 1b",
		 0, 0),
	      210);
	group_done("compressed");
}

/* ---- Zicntr: cycle, time, instret ------------------------------------------------- */

static void test_counters(void)
{
	u64 c0, c1, t0, t1, i0, i1, prev, now, k;
	int monotonic = 1;

	__asm__ volatile("rdcycle %0" : "=r"(c0));
	__asm__ volatile("rdtime %0" : "=r"(t0));
	__asm__ volatile("rdinstret %0" : "=r"(i0));
	__asm__ volatile("li t0, 1000\n1:\taddi t0, t0, -1\n\tbnez t0, 1b" : : : "t0");
	__asm__ volatile("rdinstret %0" : "=r"(i1));
	__asm__ volatile("rdtime %0" : "=r"(t1));
	__asm__ volatile("rdcycle %0" : "=r"(c1));
	check("rdcycle does not go backwards", c1 >= c0, 1);
	check("rdtime does not go backwards", t1 >= t0, 1);
	check("rdinstret grows across a loop", i1 > i0, 1);

	/* the same counters by CSR number: cycle 0xc00, time 0xc01, instret 0xc02 */
	for (prev = 0, k = 0; k < 20; k++) {
		__asm__ volatile("csrrs %0, 0xc02, zero" : "=r"(now));
		monotonic &= now >= prev;
		prev = now;
	}
	check("csrrs instret, 20 reads in a row", monotonic, 1);
	for (prev = 0, k = 0; k < 20; k++) {
		__asm__ volatile("csrr %0, 0xc00" : "=r"(now));
		monotonic &= now >= prev;
		prev = now;
	}
	check("csrr cycle, 20 reads in a row", monotonic, 1);
	for (prev = 0, k = 0; k < 20; k++) {
		__asm__ volatile("csrr %0, time" : "=r"(now));
		monotonic &= now >= prev;
		prev = now;
	}
	check("csrr time, 20 reads in a row", monotonic, 1);
	group_done("counters");
}

/* ---- Zifencei: run code written at run time --------------------------------------- */

static void test_fencei(void)
{
	long m = sys_mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *code = (uint32_t *)m;
	uint16_t *ccode = (uint16_t *)m;
	long (*fn)(void) = (long (*)(void))m;

	check("mmap of an executable page", is_err(m), 0);
	if (is_err(m)) {
		group_done("fence.i");
		return;
	}
	code[0] = 0x00100513;	/* addi a0, zero, 1 */
	code[1] = 0x00008067;	/* jalr zero, 0(ra) */
	__asm__ volatile("fence.i" ::: "memory");
	check("generated function returns 1", (u64)fn(), 1);

	code[0] = 0x00200513;	/* addi a0, zero, 2 */
	__asm__ volatile("fence.i" ::: "memory");
	check("rewritten function returns 2", (u64)fn(), 2);

	ccode[0] = 0x450d;	/* c.li a0, 3 */
	ccode[1] = 0x8082;	/* c.jr ra */
	__asm__ volatile("fence.i" ::: "memory");
	check("rewritten as compressed code returns 3", (u64)fn(), 3);
	sys_munmap((void *)m, 4096);
	group_done("fence.i");
}

/* ---- F and D: arithmetic, rounding, flags, NaN-boxing, conversions, fclass, fmadd -- */

/*
 * Operands go in and results come out as raw bits through fmv.d.x and fmv.x.d (a whole
 * register, so a single's NaN box shows), never as C floats: the compiler can neither fold
 * an instruction away nor pass values in FP registers. Each wrapper clears fflags, runs
 * its one instruction and reads fflags into fl.
 */
static u64 fl;	/* fflags after the last wrapped instruction */

#define BOX(x)	(0xffffffff00000000ull | (x))	/* a NaN-boxed single */
#define NX	1
#define UF	2
#define OF	4
#define DZ	8
#define NV	16

/* fd = op(fa, fb), rounding as the mnemonic says */
#define FFF(fn, insn)                                                              \
	static u64 fn(u64 a, u64 b)                                                \
	{                                                                          \
		u64 r;                                                             \
		__asm__ volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\t"          \
				 "fsflags zero\n\t" insn "\n\t"                     \
				 "fmv.x.d %0, ft2\n\tfrflags %1"                    \
				 : "=&r"(r), "=&r"(fl) : "r"(a), "r"(b)             \
				 : "ft0", "ft1", "ft2");                            \
		return r;                                                          \
	}

/* fd = op(fa, fb, fc): the fused multiply-adds */
#define FFFF(fn, insn)                                                             \
	static u64 fn(u64 a, u64 b, u64 c)                                         \
	{                                                                          \
		u64 r;                                                             \
		__asm__ volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\t"          \
				 "fmv.d.x ft2, %4\n\tfsflags zero\n\t" insn "\n\t"  \
				 "fmv.x.d %0, ft3\n\tfrflags %1"                    \
				 : "=&r"(r), "=&r"(fl) : "r"(a), "r"(b), "r"(c)     \
				 : "ft0", "ft1", "ft2", "ft3");                     \
		return r;                                                          \
	}

/* xd = op(fa, fb): compares, fclass, conversions to integers, fmv.x */
#define XFF(fn, insn)                                                              \
	static u64 fn(u64 a, u64 b)                                                \
	{                                                                          \
		u64 r;                                                             \
		__asm__ volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\t"          \
				 "fsflags zero\n\t" insn "\n\tfrflags %1"           \
				 : "=&r"(r), "=&r"(fl) : "r"(a), "r"(b)             \
				 : "ft0", "ft1");                                   \
		return r;                                                          \
	}

/* fd = op(xa): conversions from integers, fmv.w.x / fmv.d.x */
#define FX(fn, insn)                                                               \
	static u64 fn(u64 a)                                                       \
	{                                                                          \
		u64 r;                                                             \
		__asm__ volatile("fsflags zero\n\t" insn "\n\t"                     \
				 "fmv.x.d %0, ft2\n\tfrflags %1"                    \
				 : "=&r"(r), "=&r"(fl) : "r"(a) : "ft2");           \
		return r;                                                          \
	}

static void checkf(const char *name, u64 got, u64 want, u64 want_flags)
{
	u64 flags = fl;

	check(name, got, want);
	group_checks++;
	if (flags != want_flags) {
		group_failed++;
		printf("  FAIL %s: expected fflags 0x%02lx, got 0x%02lx\n", name, want_flags, flags);
	}
}

FFF(fadd_d, "fadd.d ft2, ft0, ft1") FFF(fsub_d, "fsub.d ft2, ft0, ft1")
FFF(fmul_d, "fmul.d ft2, ft0, ft1") FFF(fdiv_d, "fdiv.d ft2, ft0, ft1")
FFF(fsqrt_d, "fsqrt.d ft2, ft0") FFF(fadd_s, "fadd.s ft2, ft0, ft1")
FFF(fmul_s, "fmul.s ft2, ft0, ft1") FFF(fdiv_s, "fdiv.s ft2, ft0, ft1")
FFF(fsqrt_s, "fsqrt.s ft2, ft0")
FFF(fdiv_d_rne, "fdiv.d ft2, ft0, ft1, rne") FFF(fdiv_d_rtz, "fdiv.d ft2, ft0, ft1, rtz")
FFF(fdiv_d_rdn, "fdiv.d ft2, ft0, ft1, rdn") FFF(fdiv_d_rup, "fdiv.d ft2, ft0, ft1, rup")
FFF(fdiv_d_rmm, "fdiv.d ft2, ft0, ft1, rmm") FFF(fdiv_d_dyn, "fdiv.d ft2, ft0, ft1, dyn")
FFF(fadd_d_rne, "fadd.d ft2, ft0, ft1, rne") FFF(fadd_d_rmm, "fadd.d ft2, ft0, ft1, rmm")
FFF(fsub_d_rdn, "fsub.d ft2, ft0, ft1, rdn") FFF(fmul_d_rtz, "fmul.d ft2, ft0, ft1, rtz")
FFF(fmul_d_rup, "fmul.d ft2, ft0, ft1, rup") FFF(fmul_s_rtz, "fmul.s ft2, ft0, ft1, rtz")
FFF(fsgnj_s, "fsgnj.s ft2, ft0, ft1") FFF(fsgnjn_s, "fsgnjn.s ft2, ft0, ft1")
FFF(fsgnjx_d, "fsgnjx.d ft2, ft0, ft1")
FFF(fmin_d, "fmin.d ft2, ft0, ft1") FFF(fmax_d, "fmax.d ft2, ft0, ft1")
FFF(fmin_s, "fmin.s ft2, ft0, ft1")
FFF(fcvt_s_d, "fcvt.s.d ft2, ft0") FFF(fcvt_d_s, "fcvt.d.s ft2, ft0")
FFFF(fmadd_d, "fmadd.d ft3, ft0, ft1, ft2") FFFF(fmsub_s, "fmsub.s ft3, ft0, ft1, ft2")
FFFF(fnmsub_d, "fnmsub.d ft3, ft0, ft1, ft2") FFFF(fnmadd_d, "fnmadd.d ft3, ft0, ft1, ft2")
FFFF(fmadd_d_rdn, "fmadd.d ft3, ft0, ft1, ft2, rdn")
XFF(feq_d, "feq.d %0, ft0, ft1") XFF(flt_d, "flt.d %0, ft0, ft1")
XFF(fle_s, "fle.s %0, ft0, ft1") XFF(fclass_d, "fclass.d %0, ft0")
XFF(fclass_s, "fclass.s %0, ft0") XFF(fmv_x_w, "fmv.x.w %0, ft0")
XFF(fcvt_w_d, "fcvt.w.d %0, ft0, rtz") XFF(fcvt_wu_d, "fcvt.wu.d %0, ft0, rne")
XFF(fcvt_l_d, "fcvt.l.d %0, ft0, rtz") XFF(fcvt_lu_d, "fcvt.lu.d %0, ft0, rtz")
XFF(fcvt_wu_s, "fcvt.wu.s %0, ft0, rtz")
XFF(fcvt_l_d_rne, "fcvt.l.d %0, ft0, rne") XFF(fcvt_l_d_rtz, "fcvt.l.d %0, ft0, rtz")
XFF(fcvt_l_d_rdn, "fcvt.l.d %0, ft0, rdn") XFF(fcvt_l_d_rup, "fcvt.l.d %0, ft0, rup")
XFF(fcvt_l_d_rmm, "fcvt.l.d %0, ft0, rmm")
FX(fcvt_s_w, "fcvt.s.w ft2, %2") FX(fcvt_d_lu, "fcvt.d.lu ft2, %2")
FX(fcvt_s_l, "fcvt.s.l ft2, %2") FX(fcvt_d_w, "fcvt.d.w ft2, %2")
FX(fmv_w_x, "fmv.w.x ft2, %2")

#define D_1	0x3ff0000000000000ull
#define D_2	0x4000000000000000ull
#define D_3	0x4008000000000000ull
#define D_M1	0xbff0000000000000ull
#define D_MAX	0x7fefffffffffffffull
#define D_INF	0x7ff0000000000000ull
#define D_NINF	0xfff0000000000000ull
#define D_QNAN	0x7ff8000000000000ull	/* the canonical NaN */
#define D_SNAN	0x7ff4000000000123ull
#define D_NZERO	0x8000000000000000ull
#define D_MINN	0x0010000000000000ull	/* smallest normal */
#define S_1	0x3f800000ull
#define S_QNAN	0x7fc00000ull

static void test_fp_arith(void)
{
	checkf("fadd.d 1.5+2.25", fadd_d(0x3ff8000000000000, 0x4002000000000000),
	       0x400e000000000000, 0);
	checkf("fsub.d 1-1 is +0", fsub_d(D_1, D_1), 0, 0);
	checkf("fmul.d 3*-0.5", fmul_d(D_3, 0xbfe0000000000000), 0xbff8000000000000, 0);
	checkf("fdiv.d 1/3", fdiv_d(D_1, D_3), 0x3fd5555555555555, NX);
	checkf("fsqrt.d 2", fsqrt_d(D_2, 0), 0x3ff6a09e667f3bcd, NX);
	checkf("fsqrt.d 4 exact", fsqrt_d(0x4010000000000000, 0), D_2, 0);
	checkf("fsqrt.d -0 is -0", fsqrt_d(D_NZERO, 0), D_NZERO, 0);
	checkf("fadd.s 0.1+0.2", fadd_s(BOX(0x3dcccccd), BOX(0x3e4ccccd)), BOX(0x3e99999a), NX);
	checkf("fmul.s 1.5*1.5", fmul_s(BOX(0x3fc00000), BOX(0x3fc00000)), BOX(0x40100000), 0);
	checkf("fdiv.s 1/3", fdiv_s(BOX(S_1), BOX(0x40400000)), BOX(0x3eaaaaab), NX);
	checkf("fsqrt.s 2", fsqrt_s(BOX(0x40000000), 0), BOX(0x3fb504f3), NX);
	checkf("fsgnjn.s -(1)", fsgnjn_s(BOX(S_1), BOX(S_1)), BOX(0xbf800000), 0);
	checkf("fsgnj.s |-1| with +0's sign", fsgnj_s(BOX(0xbf800000), BOX(0)), BOX(S_1), 0);
	checkf("fsgnjx.d -1 x -1", fsgnjx_d(D_M1, D_M1), D_1, 0);
	checkf("fcvt.d.s 1.0", fcvt_d_s(BOX(S_1), 0), D_1, 0);
	checkf("fcvt.s.d pi", fcvt_s_d(0x400921fb54442d18, 0), BOX(0x40490fdb), NX);
	group_done("fp arith");
}

static void test_fp_rounding(void)
{
	u64 old, now;

	/* 1/3 = 0x3fd5555555555555.55..: nearest and down agree, up is one more */
	checkf("fdiv.d 1/3 rne", fdiv_d_rne(D_1, D_3), 0x3fd5555555555555, NX);
	checkf("fdiv.d 1/3 rtz", fdiv_d_rtz(D_1, D_3), 0x3fd5555555555555, NX);
	checkf("fdiv.d 1/3 rdn", fdiv_d_rdn(D_1, D_3), 0x3fd5555555555555, NX);
	checkf("fdiv.d 1/3 rup", fdiv_d_rup(D_1, D_3), 0x3fd5555555555556, NX);
	checkf("fdiv.d 1/3 rmm", fdiv_d_rmm(D_1, D_3), 0x3fd5555555555555, NX);
	checkf("fdiv.d -1/3 rdn", fdiv_d_rdn(D_M1, D_3), 0xbfd5555555555556, NX);
	checkf("fdiv.d -1/3 rup", fdiv_d_rup(D_M1, D_3), 0xbfd5555555555555, NX);
	/* 1 + 2^-53 is a tie: even keeps 1, max-magnitude goes up */
	checkf("fadd.d tie rne", fadd_d_rne(D_1, 0x3ca0000000000000), D_1, NX);
	checkf("fadd.d tie rmm", fadd_d_rmm(D_1, 0x3ca0000000000000), 0x3ff0000000000001, NX);
	checkf("fsub.d 3-3 rdn is -0", fsub_d_rdn(D_3, D_3), D_NZERO, 0);
	/* x.5 to an integer in every mode */
	checkf("fcvt.l.d 2.5 rne", fcvt_l_d_rne(0x4004000000000000, 0), 2, NX);
	checkf("fcvt.l.d 2.5 rtz", fcvt_l_d_rtz(0x4004000000000000, 0), 2, NX);
	checkf("fcvt.l.d 2.5 rdn", fcvt_l_d_rdn(0x4004000000000000, 0), 2, NX);
	checkf("fcvt.l.d 2.5 rup", fcvt_l_d_rup(0x4004000000000000, 0), 3, NX);
	checkf("fcvt.l.d 2.5 rmm", fcvt_l_d_rmm(0x4004000000000000, 0), 3, NX);
	checkf("fcvt.l.d -2.5 rdn", fcvt_l_d_rdn(0xc004000000000000, 0), (u64)-3, NX);
	checkf("fcvt.l.d -2.5 rmm", fcvt_l_d_rmm(0xc004000000000000, 0), (u64)-3, NX);
	checkf("fcvt.l.d -2.5 rup", fcvt_l_d_rup(0xc004000000000000, 0), (u64)-2, NX);
	/* the dynamic mode follows frm, set with fsrm and read back with frrm */
	__asm__ volatile("fsrmi %0, 3" : "=r"(old));
	__asm__ volatile("frrm %0" : "=r"(now));
	check("fsrmi returns the old frm", old, 0);
	check("frrm reads it back", now, 3);
	checkf("fdiv.d 1/3 dyn, frm rup", fdiv_d_dyn(D_1, D_3), 0x3fd5555555555556, NX);
	__asm__ volatile("fsrm %0, %1" : "=r"(old) : "r"(1ul));
	checkf("fdiv.d -1/3 dyn, frm rtz", fdiv_d_dyn(D_M1, D_3), 0xbfd5555555555555, NX);
	__asm__ volatile("fsrm %0, %1" : "=r"(old) : "r"(2ul));
	checkf("fdiv.d -1/3 dyn, frm rdn", fdiv_d_dyn(D_M1, D_3), 0xbfd5555555555556, NX);
	check("fsrm returns the old frm", old, 1);
	__asm__ volatile("fsrmi 0");
	checkf("fdiv.d 1/3 dyn, frm rne", fdiv_d_dyn(D_1, D_3), 0x3fd5555555555555, NX);
	group_done("fp rounding");
}

static void test_fp_flags(void)
{
	u64 v, old;

	checkf("exact: no flags", fmul_d(D_2, D_3), 0x4018000000000000, 0);
	checkf("fdiv.d 1/0: DZ", fdiv_d(D_1, 0), D_INF, DZ);
	checkf("fdiv.d 0/0: NV", fdiv_d(0, 0), D_QNAN, NV);
	checkf("fsub.d inf-inf: NV", fsub_d(D_INF, D_INF), D_QNAN, NV);
	checkf("fsqrt.d -1: NV", fsqrt_d(D_M1, 0), D_QNAN, NV);
	checkf("fmul.d MAX*2: OF", fmul_d(D_MAX, D_2), D_INF, OF | NX);
	checkf("fmul.d MAX*2 rtz: MAX", fmul_d_rtz(D_MAX, D_2), D_MAX, OF | NX);
	checkf("fmul.d 2^-1000*2^-100: UF", fmul_d(0x0170000000000000, 0x39b0000000000000), 0,
	       UF | NX);
	checkf("... rup: smallest subnormal", fmul_d_rup(0x0170000000000000, 0x39b0000000000000), 1,
	       UF | NX);
	checkf("fmul.d 2^-1023*2^-50 exact subnormal", fmul_d(0x0008000000000000, 0x3cd0000000000000),
	       2, 0);
	/* tininess is detected after rounding: (1 - 2^-53) * 2^-1022 is tiny and rounds to normal */
	checkf("tiny, rounds up to the smallest normal", fmul_d(0x3fefffffffffffff, D_MINN), D_MINN,
	       UF | NX);
	/* (1 - 2^-46) * 2^-126 rounds to 2^-126 even with an unbounded exponent: not tiny */
	checkf("not tiny after rounding", fmul_s(BOX(0x3f7ffffe), BOX(0x00800001)), BOX(0x00800000),
	       NX);
	checkf("tiny when rounded towards zero", fmul_s_rtz(BOX(0x3f7ffffe), BOX(0x00800001)),
	       BOX(0x007fffff), UF | NX);
	checkf("fcvt.s.d 1e300: OF", fcvt_s_d(0x7e37e43c8800759c, 0), BOX(0x7f800000), OF | NX);
	/* flags accrue until cleared; fscsr/frcsr hold frm in bits 7:5 */
	__asm__ volatile("fsflags zero\n\tfmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t"
			 "fdiv.d ft2, ft0, ft1\n\tfdiv.d ft2, ft1, ft1\n\tfsub.d ft2, ft0, ft0\n\t"
			 "frflags %0"
			 : "=r"(v) : "r"(D_1), "r"(0ul) : "ft0", "ft1", "ft2");
	check("flags accrue: DZ then NV", v, DZ | NV);
	__asm__ volatile("fscsr %0, %1" : "=r"(old) : "r"(0x7bul));
	check("fscsr returns fcsr (frm 0, flags DZ|NV)", old, DZ | NV);
	__asm__ volatile("frcsr %0" : "=r"(v));
	check("frcsr: frm 3, flags NV|DZ|UF|NX", v, 0x7b);
	__asm__ volatile("csrrci %0, fflags, 0x11" : "=r"(v));
	check("csrrci fflags returns the old flags", v, 0x1b);
	__asm__ volatile("frflags %0" : "=r"(v));
	check("csrrci cleared NV and NX", v, DZ | UF);
	__asm__ volatile("csrrs %0, fcsr, zero" : "=r"(v));
	check("fcsr after the clear", v, 0x6a);
	__asm__ volatile("fsflags %0, zero" : "=r"(v));
	check("fsflags returns the old flags", v, DZ | UF);
	__asm__ volatile("fscsr zero\n\tfrcsr %0" : "=r"(v));
	check("fcsr cleared", v, 0);
	group_done("fp flags");
}

static void test_fp_nanbox(void)
{
	static u64 mem[2];
	u64 v;

	/* a single whose upper half is not all ones reads as the canonical NaN */
	checkf("fadd.s of an unboxed 1.0", fadd_s(0x000000003f800000, BOX(S_1)), BOX(S_QNAN), 0);
	checkf("fadd.s, upper half 0xfffffffe", fadd_s(0xfffffffe3f800000, BOX(S_1)), BOX(S_QNAN),
	       0);
	checkf("fsgnjn.s injects into the canonical NaN", fsgnjn_s(0x3f800000, BOX(S_1)),
	       BOX(0xffc00000), 0);
	checkf("fclass.s of an unboxed value: quiet NaN", fclass_s(0x3f800000, 0), 1 << 9, 0);
	checkf("fcvt.d.s of an unboxed value", fcvt_d_s(0x3f800000, 0), D_QNAN, 0);
	checkf("fcvt.wu.s of an unboxed value: NaN saturates", fcvt_wu_s(0x3f800000, 0), ONES, NV);
	/* moves and loads/stores are transfers: bits go through unchecked */
	checkf("fmv.x.w sign-extends the low word", fmv_x_w(0x12345678c0000000, 0),
	       0xffffffffc0000000, 0);
	checkf("fmv.w.x boxes", fmv_w_x(0x11111111bf800000), BOX(0xbf800000), 0);
	mem[0] = 0x7f800001;	/* a signalling NaN, as a single */
	__asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(v) : "r"(mem) : "ft0", "memory");
	check("flw boxes, a signalling NaN untouched", v, BOX(0x7f800001));
	__asm__ volatile("fmv.d.x ft0, %1\n\tfsw ft0, 8(%0)"
			 : : "r"(mem), "r"(0x0000000012345678ul) : "ft0", "memory");
	check("fsw stores the low word of an unboxed register", mem[1], 0x12345678);
	/* arithmetic never propagates a payload */
	checkf("fadd.d sNaN: canonical NaN, NV", fadd_d(D_SNAN | D_NZERO, D_1), D_QNAN, NV);
	checkf("fadd.s -qNaN with payload: canonical", fadd_s(BOX(0xffc12345), BOX(S_1)),
	       BOX(S_QNAN), 0);
	checkf("fmul.s inf*0: canonical, NV", fmul_s(BOX(0x7f800000), BOX(0)), BOX(S_QNAN), NV);
	checkf("fcvt.s.d of a double NaN", fcvt_s_d(0xfff0000000000001, 0), BOX(S_QNAN), NV);
	group_done("fp nan-boxing");
}

static void test_fp_convert(void)
{
	/* out of range and NaN inputs saturate and set only NV (spec table 11.4) */
	checkf("fcvt.w.d NaN", fcvt_w_d(D_QNAN, 0), 0x7fffffff, NV);
	checkf("fcvt.w.d +inf", fcvt_w_d(D_INF, 0), 0x7fffffff, NV);
	checkf("fcvt.w.d -inf", fcvt_w_d(D_NINF, 0), MIN32SX, NV);
	checkf("fcvt.w.d 3e9", fcvt_w_d(0x41e65a0bc0000000, 0), 0x7fffffff, NV);
	checkf("fcvt.w.d -2.5 rtz", fcvt_w_d(0xc004000000000000, 0), (u64)-2, NX);
	checkf("fcvt.wu.d -1", fcvt_wu_d(D_M1, 0), 0, NV);
	checkf("fcvt.wu.d -0.5 rounds to -0: in range", fcvt_wu_d(0xbfe0000000000000, 0), 0, NX);
	checkf("fcvt.wu.d 2^32-1 sign-extends", fcvt_wu_d(0x41efffffffe00000, 0), ONES, 0);
	checkf("fcvt.l.d 2^63", fcvt_l_d(0x43e0000000000000, 0), MAX64, NV);
	checkf("fcvt.l.d -2^63", fcvt_l_d(0xc3e0000000000000, 0), MIN64, 0);
	checkf("fcvt.lu.d NaN", fcvt_lu_d(D_SNAN, 0), ONES, NV);
	checkf("fcvt.lu.d -inf", fcvt_lu_d(D_NINF, 0), 0, NV);
	checkf("fcvt.lu.d 2^64", fcvt_lu_d(0x43f0000000000000, 0), ONES, NV);
	checkf("fcvt.s.w 2^24+1 rounds", fcvt_s_w(16777217), BOX(0x4b800000), NX);
	checkf("fcvt.s.l -2^63 exact", fcvt_s_l(MIN64), BOX(0xdf000000), 0);
	checkf("fcvt.d.lu 2^64-1 rounds up", fcvt_d_lu(ONES), 0x43f0000000000000, NX);
	checkf("fcvt.d.w takes the low word", fcvt_d_w(0x0000000100000005), 0x4014000000000000, 0);
	group_done("fp convert");
}

static void test_fp_class_minmax(void)
{
	static const u64 d[10] = {
		D_NINF, D_M1, 0x800fffffffffffff, D_NZERO, 0, 1, D_1, D_INF, D_SNAN, D_QNAN,
	};
	static const u64 s[10] = {
		0xff800000, 0xbf800000, 0x80000001, 0x80000000, 0, 0x007fffff, S_1, 0x7f800000,
		0x7fa00000, S_QNAN,
	};
	unsigned k;

	for (k = 0; k < 10; k++) {
		check("fclass.d", fclass_d(d[k], 0), 1ul << k);
		check("fclass.s", fclass_s(BOX(s[k]), 0), 1ul << k);
	}
	/* -0 is below +0; one NaN gives the other operand; a signalling NaN sets NV */
	checkf("fmin.d -0, +0", fmin_d(D_NZERO, 0), D_NZERO, 0);
	checkf("fmin.d +0, -0", fmin_d(0, D_NZERO), D_NZERO, 0);
	checkf("fmax.d -0, +0", fmax_d(D_NZERO, 0), 0, 0);
	checkf("fmin.d sNaN, 1", fmin_d(D_SNAN, D_1), D_1, NV);
	checkf("fmax.d 1, qNaN", fmax_d(D_1, D_QNAN), D_1, 0);
	checkf("fmax.d qNaN, qNaN", fmax_d(0x7ff8000000000001, 0xfff8000000000000), D_QNAN, 0);
	checkf("fmin.s sNaN, sNaN", fmin_s(BOX(0x7fa00000), BOX(0x7fa00000)), BOX(S_QNAN), NV);
	/* feq is quiet, flt and fle signal on any NaN */
	checkf("feq.d qNaN", feq_d(D_QNAN, D_QNAN), 0, 0);
	checkf("feq.d sNaN", feq_d(D_SNAN, D_1), 0, NV);
	checkf("flt.d qNaN", flt_d(D_QNAN, D_1), 0, NV);
	checkf("feq.d -0 == +0", feq_d(D_NZERO, 0), 1, 0);
	checkf("fle.s -0 <= +0", fle_s(BOX(0x80000000), BOX(0)), 1, 0);
	group_done("fp class/min/max/compare");
}

static void test_fp_fma(void)
{
	static u64 mem[4] = { 0x400921fb54442d18, 0, 0x4005bf0a8b145769, 0 };
	u64 v, w;

	/* (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly; a separate multiply rounds it to 0 */
	checkf("fmadd.d rounds once", fmadd_d(0x3ff0000000400000, 0x3fefffffff800000, D_M1),
	       0xbc30000000000000, 0);
	checkf("fmul.d then fadd.d: 0", fadd_d(fmul_d(0x3ff0000000400000, 0x3fefffffff800000), D_M1),
	       0, 0);
	checkf("fmsub.s rounds once", fmsub_s(BOX(0x3f800400), BOX(0x3f7ff800), BOX(S_1)),
	       BOX(0xb2800000), 0);
	checkf("fnmsub.d -(2*3)+7", fnmsub_d(D_2, D_3, 0x401c000000000000), D_1, 0);
	checkf("fnmadd.d -(2*3)-1", fnmadd_d(D_2, D_3, D_1), 0xc01c000000000000, 0);
	checkf("fmadd.d 2*3-6 rdn is -0", fmadd_d_rdn(D_2, D_3, 0xc018000000000000), D_NZERO, 0);
	checkf("fmadd.d inf*0+qNaN: NV", fmadd_d(D_INF, 0, D_QNAN), D_QNAN, NV);
	/* compressed FP loads and stores (RV64 has no c.flw) */
	__asm__ volatile("mv a1, %2\n\tc.fld fa0, 0(a1)\n\tc.fsd fa0, 8(a1)\n\t"
			 "c.addi16sp sp, -32\n\tfld fa1, 16(a1)\n\tc.fsdsp fa1, 8(sp)\n\t"
			 "c.fldsp fa2, 8(sp)\n\tc.addi16sp sp, 32\n\t"
			 "fmv.x.d %0, fa0\n\tfmv.x.d %1, fa2"
			 : "=&r"(v), "=&r"(w) : "r"(mem) : "a1", "fa0", "fa1", "fa2", "memory");
	check("c.fld", v, 0x400921fb54442d18);
	check("c.fsd", mem[1], 0x400921fb54442d18);
	check("c.fsdsp/c.fldsp", w, 0x4005bf0a8b145769);
	group_done("fp fmadd, loads and stores");
}

int main(void)
{
	test_alu();
	test_upper();
	test_branch();
	test_jump();
	test_load();
	test_misaligned();
	test_mul();
	test_atomic();
	test_compressed();
	test_counters();
	test_fencei();
	test_fp_arith();
	test_fp_rounding();
	test_fp_flags();
	test_fp_nanbox();
	test_fp_convert();
	test_fp_class_minmax();
	test_fp_fma();
	printf("isatest: %d checks, %d failed\n", total_checks, total_failed);
	return total_failed ? 1 : 0;
}
