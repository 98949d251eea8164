/*
 * fault: misbehaves on purpose, one way per argument, to show how the kernel ends
 * (or refuses) a bad request.
 *
 *   fault segv     load from an unmapped address: killed by SIGSEGV (shell status 139)
 *   fault ill      execute an illegal instruction: killed by SIGILL (shell status 132)
 *   fault exit N   exit(N): status N & 0xff
 *   fault wild     write(1, (void *)0x1, 10): the kernel returns -EFAULT (-14) instead of
 *                  reading the bad pointer; prints the result and exits 0
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

static int usage(void)
{
	puts("usage: fault segv | ill | exit N | wild | forkbomb");
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
	if (strcmp(argv[1], "forkbomb") == 0) {
		r = forkbomb();
		printf("fault: fork bomb: fork returned %s; every process was reaped\n", errno_name(r));
		return r == -EAGAIN ? 0 : 1;
	}
	return usage();
}
