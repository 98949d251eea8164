/*
 * forkstorm: many short-lived processes on every CPU, to stress fork, exit and the
 * lazy-TLB exit path (an mm torn down while other harts may still hold it lazily).
 *
 *   forkstorm [PROCS] [ROUNDS]    ROUNDS rounds (default 25) of PROCS children
 *                                 (default 16, at most 256): about 1 s under qemu-user
 *
 * Each round the parent dirties a few pages of its .bss, then forks PROCS children at
 * once. Child number i pins itself to CPU i mod (CPUs this process may use), writes one
 * of those inherited pages (a copy-on-write fault) and checks the rest, maps 1..16 fresh
 * pages, writes and checks every one, unmaps them, and then ends in one of four ways
 * by i mod 4:
 *   0  exit_group (returning from its function through exit);
 *   1  forks a grandchild that does the same page work, reaps it, exit_group;
 *   2  SYS_exit of its only thread;
 *   3  starts a thread pinned to the next CPU that keeps writing a page of its own,
 *      and calls exit_group while that thread runs: the kernel must stop it on its CPU.
 * The parent reaps them all with wait4(-1), checks every status is 0 and that its own
 * pages were not changed by the children's writes, and goes on.
 *
 * Output (deterministic: only the arguments' counts, which must all come true):
 *   forkstorm: ROUNDS rounds of PROCS children on every cpu
 *   forkstorm: N children reaped, all exited with status 0
 *   forkstorm: G of them forked and reaped a grandchild, T called exit_group with a second
 *              thread alive
 *   forkstorm: the parent's copy-on-write pages are unchanged
 * Exit status 0 if so, 1 otherwise.
 */
#include "libc.h"

#define PAGE		4096ul
#define MAX_PROCS	256
#define COW_PAGES	4
#define STACK_SIZE	(64 * 1024ul)

static uint64_t cow[COW_PAGES][PAGE / 8] __attribute__((aligned(4096)));
static int cpus[64], ncpus;
static int failures;

static void check(int ok, const char *what, long got)
{
	if (!ok) {
		printf("forkstorm: FAILED: %s (got %ld)\n", what, got);
		failures++;
	}
}

static uint64_t word(unsigned long round, unsigned long page)
{
	return (round + 1) * 0x9e3779b97f4a7c15ull ^ page;
}

/* The page work of child (or grandchild) number `who` in `round`; 0 if all was right. */
static int touch(unsigned long round, unsigned long who)
{
	unsigned long n = 1 + who * 7 % 16, p;
	uint64_t *mem;
	long r;

	/* copy-on-write: one inherited page written, the others as the parent left them */
	for (p = 0; p < COW_PAGES; p++) {
		if (cow[p][0] != word(round, p))
			return 20;
	}
	cow[who % COW_PAGES][1] = who;

	r = sys_mmap(0, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (is_err(r))
		return 21;
	mem = (uint64_t *)r;
	for (p = 0; p < n; p++)
		mem[p * PAGE / 8] = word(who, p);
	for (p = 0; p < n; p++) {
		if (mem[p * PAGE / 8] != word(who, p) || mem[p * PAGE / 8 + 1] != 0)
			return 22;
	}
	return sys_munmap(mem, n * PAGE) == 0 ? 0 : 23;
}

/* Kind 3's second thread: writes its page until the process is killed around it. */
static int scribbler(void *page)
{
	volatile uint64_t *w = page;

	for (;;) {
		w[0]++;
		if ((w[0] & 1023) == 0)
			sys_sched_yield();
	}
	return 0;
}

static void child(unsigned long round, unsigned long i)
{
	int status;
	long r;

	if (pin_to_cpu(cpus[i % (unsigned long)ncpus]) != 0)
		exit(29);
	status = touch(round, i);
	if (status)
		exit(status);

	switch (i % 4) {
	case 0:
		exit(0);
	case 1:
		r = fork();
		if (r < 0)
			exit(24);
		if (r == 0)
			exit(touch(round, i + MAX_PROCS));
		if (sys_wait4((int)r, &status, 0, 0) != r)
			exit(25);
		exit(status == 0 ? 0 : 26);
	case 2:
		sys_exit(0);
	default: {
		static int tid;
		char *stack;

		r = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
		if (is_err(r))
			exit(27);
		stack = (char *)r;
		pin_to_cpu(cpus[(i + 1) % (unsigned long)ncpus]);	/* the thread inherits it */
		if (thread_create(scribbler, stack, stack + PAGE, STACK_SIZE - PAGE, &tid) < 0)
			exit(28);
		pin_to_cpu(cpus[i % (unsigned long)ncpus]);
		status = touch(round, i + 2 * MAX_PROCS);
		sys_exit_group(status);
	}
	}
}

int main(int argc, char **argv)
{
	long procs = 16, rounds = 25, reaped = 0, exited0 = 0, grandchildren = 0, threaded = 0;
	long pids[MAX_PROCS], round, i, r, p;
	int cow_ok = 1;

	if ((argc > 1 && parse_long(argv[1], &procs) != 0) || procs < 1 || procs > MAX_PROCS ||
	    (argc > 2 && parse_long(argv[2], &rounds) != 0) || rounds < 0 || argc > 3) {
		puts("usage: forkstorm [PROCS] [ROUNDS]    (PROCS 1..256, default 16; ROUNDS "
		     "default 25)");
		return 2;
	}
	ncpus = allowed_cpus(cpus, 64);
	if (ncpus < 1) {
		printf("forkstorm: FAILED: sched_getaffinity: %s\n", errno_name(ncpus));
		return 1;
	}
	if (ncpus > 64)
		ncpus = 64;
	printf("forkstorm: %ld rounds of %ld children on every cpu\n", rounds, procs);

	for (round = 0; round < rounds; round++) {
		for (p = 0; p < COW_PAGES; p++) {
			cow[p][0] = word((unsigned long)round, (unsigned long)p);
			cow[p][1] = ~0ull;
		}
		for (i = 0; i < procs; i++) {
			pids[i] = fork();
			if (pids[i] < 0) {
				printf("forkstorm: FAILED: fork: %s\n", errno_name(pids[i]));
				return 1;
			}
			if (pids[i] == 0)
				child((unsigned long)round, (unsigned long)i);
		}
		for (i = 0; i < procs; i++) {
			int status;
			long j;

			r = sys_wait4(-1, &status, 0, 0);
			for (j = 0; j < procs && pids[j] != r; j++)
				;
			check(j < procs, "wait4(-1) returned a pid that is not a child", r);
			if (j == procs)
				continue;
			pids[j] = 0;
			reaped++;
			check(status == 0, "a child did not exit with status 0", status);
			exited0 += status == 0;
			if (status == 0 && j % 4 == 1)
				grandchildren++;
			if (status == 0 && j % 4 == 3)
				threaded++;
		}
		for (p = 0; p < COW_PAGES; p++)
			cow_ok &= cow[p][0] == word((unsigned long)round, (unsigned long)p) &&
				  cow[p][1] == ~0ull;
	}
	r = sys_wait4(-1, 0, WNOHANG, 0);
	check(r == -ECHILD, "a child is left over after reaping them all", r);
	check(cow_ok, "a child's write showed up in the parent's pages", 0);

	if (exited0 == reaped)
		printf("forkstorm: %ld children reaped, all exited with status 0\n", reaped);
	else
		printf("forkstorm: %ld children reaped, %ld of them did not exit with status 0\n",
		       reaped, reaped - exited0);
	printf("forkstorm: %ld of them forked and reaped a grandchild, %ld called exit_group with "
	       "a second thread alive\n", grandchildren, threaded);
	if (cow_ok)
		puts("forkstorm: the parent's copy-on-write pages are unchanged");
	if (failures) {
		printf("forkstorm: %d check(s) FAILED\n", failures);
		return 1;
	}
	return 0;
}
