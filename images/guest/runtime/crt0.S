/*
 * crt0.S: process entry for hartlab guest programs.
 *
 * The kernel (Linux, qemu-user or hartlab) starts a static ELF at _start with the
 * initial stack laid out by the Linux ABI, lowest address first:
 *
 *   sp ->  argc
 *          argv[0] ... argv[argc-1], NULL
 *          envp[0] ... envp[n-1],   NULL
 *          auxv: (type, value) pairs ..., (AT_NULL, 0)
 *          ... strings, AT_RANDOM bytes ...
 *
 * All registers other than sp (and a0, which may hold a function for the dynamic
 * linker to register with atexit; a static program has none) are unspecified.
 */
	.file	"crt0.S"		/* else the symbol table names a random temporary */
	.text
	.globl	_start
	.type	_start, @function
_start:
	/* gp must be set before any code the linker relaxed to gp-relative runs;
	   this one instruction must not be relaxed against the gp it sets. */
	.option	push
	.option	norelax
	lla	gp, __global_pointer$
	.option	pop

	li	ra, 0			/* end of the call chain for debuggers */
	li	s0, 0

	ld	a0, 0(sp)		/* a0 = argc */
	addi	a1, sp, 8		/* a1 = argv */
	slli	t0, a0, 3
	add	a2, a1, t0
	addi	a2, a2, 8		/* a2 = envp = &argv[argc + 1] */

	mv	t1, a2			/* skip envp up to and past its NULL */
1:	ld	t2, 0(t1)
	addi	t1, t1, 8
	bnez	t2, 1b
	lla	t3, __auxv		/* t1 = first auxv entry */
	sd	t1, 0(t3)

	andi	sp, sp, -16		/* the ABI already guarantees this; be defensive */
	call	main
	tail	exit			/* exit(main's result) never returns */
	.size	_start, . - _start

	/* the stack need not be executable */
	.section .note.GNU-stack, "", @progbits
