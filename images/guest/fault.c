/*
 * fault: misbehaves on purpose, one way per argument, to show how the kernel ends
 * (or refuses) a bad request.
 *
 *   fault segv     load from an unmapped address: killed by SIGSEGV (shell status 139)
 *   fault ill      execute an illegal instruction: killed by SIGILL (shell status 132)
 *   fault exit N   exit(N): status N & 0xff
 *   fault wild     write(1, (void *)0x1, 10): the kernel returns -EFAULT (-14) instead of
 *                  reading the bad pointer; prints the result and exits 0
 *   fault hog N    N processes that only compute, never sleep: on fewer harts than that the
 *                  scheduler must time-slice them (preemption); all finish and are reaped.
 *   fault forkbomb every process forks as fast as it can until fork fails; the kernel's
 *                  task limit answers EAGAIN, the bomb is defused and everything reaped.
 *                  (Do not run this one on a real machine without a process limit.)
 */
#include "libc.h"

/* Page 0 is never mapped: a static binary starts at 0x10000 and mmap stays above
   vm.mmap_min_addr. Volatile so the load is really done. */
#define UNMAPPED ((volatile const long *)0x1000)

/*
 * Every process forks until fork fails, then waits on a pipe that the first process closes
 * once it has seen the failure; everyone then reaps its children and exits. Returns the
 * error fork gave the first process.
 */
static long forkbomb(void)
{
	int fds[2];
	char byte;
	long pid, err = 0;
	int first = 1;

	if (sys_pipe2(fds, 0) != 0)
		return -1;
	for (;;) {
		pid = fork();
		if (pid < 0) {
			err = pid;
			break;
		}
		if (pid == 0)
			first = 0;	/* the child joins in: it forks too */
	}
	if (first) {
		sys_close(fds[1]);	/* every other process still holds a write end */
	} else {
		sys_close(fds[1]);
		sys_read(fds[0], &byte, 1);	/* EOF once every process has stopped forking */
	}
	while (sys_wait4(-1, 0, 0, 0) > 0)
		;
	if (!first)
		exit(0);
	return err;
}

/* Spins a fixed amount of work; the result keeps the compiler from dropping the loop. */
static unsigned long spin(unsigned long seed)
{
	unsigned long x = seed, i;

	for (i = 0; i < 3000000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return x;
}

static int hog(long n)
{
	long i, pid, reaped = 0;
	int status, ok = 1;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0)
			exit(spin((unsigned long)i) == 0 ? 3 : 0);
	}
	while ((pid = sys_wait4(-1, &status, 0, 0)) > 0) {
		reaped++;
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	printf("fault: hog: %ld processes computed, all reaped%s\n", reaped, ok ? "" : " (one failed)");
	return ok && reaped == n ? 0 : 1;
}

static int usage(void)
{
	puts("usage: fault segv | ill | exit N | wild | hog N | forkbomb");
	return 2;
}

int main(int argc, char **argv)
{
	long r;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "segv") == 0) {
		puts("fault: loading from an unmapped address; expect SIGSEGV");
		r = *UNMAPPED;
		printf("fault: the load returned %ld instead of faulting\n", r);
		return 1;
	}
	if (strcmp(argv[1], "ill") == 0) {
		puts("fault: executing an illegal instruction; expect SIGILL");
		/* all ones is reserved as illegal by the ISA; a decoder sees a 32-bit
		   instruction (low bits 11) with no valid opcode */
		__asm__ volatile(".4byte 0xffffffff");
		puts("fault: the illegal instruction did not trap");
		return 1;
	}
	if (strcmp(argv[1], "exit") == 0 && argc == 3) {
		int status = atoi(argv[2]);

		printf("fault: exit(%d)\n", status);
		exit(status);
	}
	if (strcmp(argv[1], "wild") == 0) {
		r = sys_write(1, (const void *)0x1, 10);
		printf("fault: write(1, 0x1, 10) returned %ld (%s)\n", r,
		       r == -EFAULT ? "EFAULT, as expected" : "expected -14, EFAULT");
		return r == -EFAULT ? 0 : 1;
	}
	if (strcmp(argv[1], "hog") == 0 && argc == 3) {
		long n;

		if (parse_long(argv[2], &n) != 0 || n < 1 || n > 64)
			return usage();
		return hog(n);
	}
	if (strcmp(argv[1], "forkbomb") == 0) {
		r = forkbomb();
		printf("fault: fork bomb: fork returned %s; every process was reaped\n", errno_name(r));
		return r == -EAGAIN ? 0 : 1;
	}
	return usage();
}
