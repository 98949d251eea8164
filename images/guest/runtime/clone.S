/*
 * clone.S: start a child (in practice a thread) on a stack of its own.
 *
 *   long clone(int (*fn)(void *), void *stack_top, unsigned long flags, void *arg,
 *              int *parent_tid, void *tls, int *child_tid);
 *
 * glibc's clone(), without its varargs: returns the child's tid (or -errno) to the
 * caller; the child runs fn(arg) on the stack below stack_top and then exits with
 * exit(93), which ends only that thread, with fn's result as status. The child cannot
 * be written in C: it wakes up inside the ecall with sp = stack_top and every other
 * register a copy of the caller's, on a stack with no frame to return to.
 *
 * The raw call takes (flags, stack, parent_tid, tls, child_tid): RISC-V Linux has
 * CLONE_BACKWARDS, so tls comes before child_tid (unlike x86-64).
 */
	.file	"clone.S"
	.text
	.globl	clone
	.type	clone, @function
clone:
	beqz	a0, 2f			/* no function or no stack: EINVAL, like glibc */
	beqz	a1, 2f
	andi	a1, a1, -16		/* the ABI wants sp 16-byte aligned */
	addi	a1, a1, -16
	sd	a0, 0(a1)		/* the child finds fn and arg on its new stack */
	sd	a3, 8(a1)

	mv	a0, a2			/* flags */
	mv	a2, a4			/* parent_tid */
	mv	a3, a5			/* tls */
	mv	a4, a6			/* child_tid */
	li	a7, 220			/* SYS_clone */
	ecall
	beqz	a0, 1f
	ret				/* caller: the child's tid, or -errno */

1:	/* child: sp = the two slots written above */
	li	s0, 0			/* end of the frame-pointer chain */
	ld	t0, 0(sp)
	ld	a0, 8(sp)
	jalr	t0			/* a0 = fn(arg) */
3:	li	a7, 93			/* SYS_exit: this thread only */
	ecall
	j	3b

2:	li	a0, -22			/* -EINVAL */
	ret
	.size	clone, . - clone

	.section .note.GNU-stack, "", @progbits
