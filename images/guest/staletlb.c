/*
 * staletlb: no thread may read memory through a translation the kernel took away and then
 * handed out again. Thread A runs on CPU 0 and thread B on CPU 1, for ROUNDS rounds:
 *
 *   A writes OLD(r) to the page at X; B reads it, so its TLB maps X, and says so;
 *   A munmaps X, maps X again with MAP_FIXED (a fresh zero page), writes NEW(r) there and
 *   sets `go`; B spins on `go` without a system call (so no kernel entry of its own applies a
 *   deferred flush) and reads X again: it must read NEW(r). OLD(r) means B used a stale
 *   translation to the old frame, which the kernel had unmapped before reusing the address.
 *
 *   staletlb [ROUNDS]    ROUNDS rounds (default 100, 1..100000)
 *
 * Output (deterministic):
 *   staletlb: ROUNDS rounds of munmap + MAP_FIXED under a reader on another CPU
 *   staletlb: N stale reads, N wrong values
 * Exit status 0 if both are 0, 1 otherwise.
 */
#include "libc.h"

#define PAGE		4096ul
#define STACK_SIZE	(64 * 1024ul)
#define OLD(r)		(0x01d0000000000000ul | (unsigned long)(r))
#define NEW(r)		(0x0e70000000000000ul | (unsigned long)(r))

struct shared {
	volatile long armed;	/* A: round r's OLD value is in place */
	volatile long ready;	/* B: read it, its TLB maps X */
	volatile long go;	/* A: X remapped, NEW value in place */
	volatile long done;	/* B: read X again */
};

static struct shared *s;
static volatile unsigned long *x;
static long rounds;
static long stale, wrong;
static int tid_b;

static void wait_for(volatile long *word, long value)
{
	while (*word != value)
		;
	__sync_synchronize();
}

static int reader(void *arg)
{
	(void)arg;
	pin_to_cpu(1);
	for (long r = 1; r <= rounds; r++) {
		wait_for(&s->armed, r);
		if (*x != OLD(r))
			wrong++;
		__sync_synchronize();
		s->ready = r;
		wait_for(&s->go, r);	/* no system call: only an interrupt may flush this TLB */
		unsigned long v = *x;
		if (v == OLD(r))
			stale++;
		else if (v != NEW(r))
			wrong++;
		__sync_synchronize();
		s->done = r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	rounds = 100;
	if ((argc > 1 && parse_long(argv[1], &rounds) != 0) || rounds < 1 || rounds > 100000 ||
	    argc > 2) {
		puts("usage: staletlb [ROUNDS]    (ROUNDS 1..100000, default 100)");
		return 2;
	}
	pin_to_cpu(0);
	long r = sys_mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long p = sys_mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long stack = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
	if (r < 0 || p < 0 || stack < 0) {
		printf("staletlb: mmap failed: %s\n", errno_name(r < 0 ? r : p < 0 ? p : stack));
		return 1;
	}
	s = (struct shared *)r;
	x = (volatile unsigned long *)p;
	long t = thread_create(reader, 0, (void *)stack, STACK_SIZE, &tid_b);
	if (t < 0) {
		printf("staletlb: thread_create failed: %s\n", errno_name(t));
		return 1;
	}
	printf("staletlb: %ld rounds of munmap + MAP_FIXED under a reader on another CPU\n", rounds);
	for (long i = 1; i <= rounds; i++) {
		*x = OLD(i);
		__sync_synchronize();
		s->armed = i;
		wait_for(&s->ready, i);
		long u = sys_munmap((void *)x, PAGE);
		long m = sys_mmap((void *)x, PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (u != 0 || m != (long)x) {
			printf("staletlb: round %ld: munmap %ld, mmap %ld\n", i, u, m);
			return 1;
		}
		*x = NEW(i);
		__sync_synchronize();
		s->go = i;
		wait_for(&s->done, i);
	}
	thread_join(&tid_b);
	printf("staletlb: %ld stale reads, %ld wrong values\n", stale, wrong);
	return stale == 0 && wrong == 0 ? 0 : 1;
}
