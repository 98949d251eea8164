/*
 * vmareuse: page faults race the reuse of the very area they found. Reader threads read a
 * region over and over while a changer thread, each round, drops the region's pages
 * (madvise MADV_DONTNEED, so the readers fault again), replaces its area (mprotect,
 * alternating read-only and read-write: a new area each time, the old one back to the
 * kernel's type-stable pool) and at once maps a one-page region elsewhere, which takes that
 * freed area from the pool and keeps it until the next round. Meanwhile a forked child maps
 * and unmaps a page over and over, so a freed area may as well go to another mm. A fault
 * that found the region's old area and takes its reference late holds an area that now maps
 * another range, maybe of another mm: the per-VMA lock's re-check must send it to the mmap
 * lock (under hartlab, run with
 * --vma-lookup-delay to widen that window, and with --break to see the identity checker
 * catch a read side that skips the re-check or its ordering).
 *
 *   vmareuse [READERS] [ROUNDS] [PAGES]   READERS reader threads (default 6, at most 32),
 *                                         ROUNDS changer rounds (default 200), a region of
 *                                         PAGES pages (default 8, at most 64)
 *
 * Every word a reader reads must be zero (nobody writes the region), and the one-page
 * regions of the changer and of the child must read back what was written in them.
 *
 * Output (deterministic):
 *   vmareuse: R readers, N rounds, P pages: all reads zero, side pages ok
 * Exit status 0 if every check passed, 1 otherwise (with a FAILED line).
 */
#include "libc.h"

#define PAGE		4096ul
#define WORDS		(PAGE / 8)
#define MAX_READERS	32
#define MAX_PAGES	64
#define STACK_SIZE	(64 * 1024ul)

static long nreaders = 6, rounds = 200, npages = 8;
static uint64_t *region;
static volatile int done;
static volatile int failed;
static struct barrier start;

struct reader {
	int	tid;
	long	passes;
};

static struct reader readers[MAX_READERS];
static int changer_tid;
static volatile int *stop_child;	/* MAP_SHARED: the parent tells the child to finish */

static void fail(const char *what, long a, long b)
{
	printf("vmareuse: FAILED: %s (%lx, %lx)\n", what, a, b);
	failed = 1;
}

static int reader(void *arg)
{
	struct reader *r = arg;
	unsigned long p;

	barrier_wait(&start);
	/* at least one pass, so a changer that is done at once still sees the region read */
	do {
		for (p = 0; p < (unsigned long)npages; p++) {
			uint64_t v = ((volatile uint64_t *)region)[p * WORDS + (r->passes & 7)];

			if (v != 0) {
				fail("a reader read a word nobody wrote", (long)p, (long)v);
				return 0;
			}
		}
		r->passes++;
	} while (!done && !failed);
	return 0;
}

static int changer(void *arg)
{
	uint64_t *side = 0;
	long i, r;

	(void)arg;
	barrier_wait(&start);
	for (i = 0; i < rounds && !failed; i++) {
		/* the side page of the last round goes first, so that the mprotect below takes
		   its area from the pool and frees the region's old one for the next mmap */
		if (side) {
			if (side[0] != (uint64_t)i || side[WORDS - 1] != ~(uint64_t)i)
				fail("a side page lost what was written", i, (long)side[0]);
			if (sys_munmap(side, PAGE) != 0)
				fail("munmap of a side page", i, 0);
		}
		r = sys_madvise(region, (unsigned long)npages * PAGE, MADV_DONTNEED);
		if (r != 0)
			fail("madvise(MADV_DONTNEED)", i, r);
		r = sys_mprotect(region, (unsigned long)npages * PAGE,
				 (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ);
		if (r != 0)
			fail("mprotect", i, r);
		r = sys_mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (is_err(r)) {
			fail("mmap of a side page", i, r);
			break;
		}
		side = (uint64_t *)r;
		side[0] = (uint64_t)i + 1;
		side[WORDS - 1] = ~((uint64_t)i + 1);
	}
	if (side && sys_munmap(side, PAGE) != 0)
		fail("munmap of the last side page", i, 0);
	done = 1;
	return 0;
}

/* The child: a page mapped, written, checked and unmapped until told to stop. */
static void churn(void)
{
	uint64_t n;
	long r;

	for (n = 0; !*stop_child; n++) {
		r = sys_mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (is_err(r))
			exit(3);
		((volatile uint64_t *)r)[n & (WORDS - 1)] = ~n;
		if (((volatile uint64_t *)r)[n & (WORDS - 1)] != ~n)
			exit(4);
		if (sys_munmap((void *)r, PAGE) != 0)
			exit(5);
	}
	exit(0);
}

static long start_thread(int (*fn)(void *), void *arg, int *tid)
{
	long r = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	return is_err(r) ? r : thread_create(fn, arg, (char *)r, STACK_SIZE, tid);
}

int main(int argc, char **argv)
{
	long t, r, child;
	int status;

	if ((argc > 1 && parse_long(argv[1], &nreaders) != 0) || nreaders < 1 ||
	    nreaders > MAX_READERS ||
	    (argc > 2 && parse_long(argv[2], &rounds) != 0) || rounds < 0 || rounds >= 1l << 32 ||
	    (argc > 3 && parse_long(argv[3], &npages) != 0) || npages < 1 || npages > MAX_PAGES ||
	    argc > 4) {
		puts("usage: vmareuse [READERS] [ROUNDS] [PAGES]    (READERS 1..32, default 6; "
		     "ROUNDS default 200; PAGES 1..64, default 8)");
		return 2;
	}
	r = sys_mmap(0, (unsigned long)npages * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		     0);
	if (is_err(r)) {
		printf("vmareuse: FAILED: mmap of the region: %s\n", errno_name(r));
		return 1;
	}
	region = (uint64_t *)r;
	r = sys_mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (is_err(r)) {
		printf("vmareuse: FAILED: mmap of the shared word: %s\n", errno_name(r));
		return 1;
	}
	stop_child = (volatile int *)r;
	child = fork();	/* before any thread: the child is this one thread */
	if (child < 0) {
		printf("vmareuse: FAILED: fork: %s\n", errno_name(child));
		return 1;
	}
	if (child == 0)
		churn();
	barrier_init(&start, (int)nreaders + 1);
	for (t = 0; t < nreaders; t++) {
		r = start_thread(reader, &readers[t], &readers[t].tid);
		if (r < 0) {
			printf("vmareuse: FAILED: starting reader %ld: %s\n", t, errno_name(r));
			*stop_child = 1;
			return 1;
		}
	}
	r = start_thread(changer, 0, &changer_tid);
	if (r < 0) {
		printf("vmareuse: FAILED: starting the changer: %s\n", errno_name(r));
		*stop_child = 1;
		return 1;
	}
	thread_join(&changer_tid);
	for (t = 0; t < nreaders; t++)
		thread_join(&readers[t].tid);
	*stop_child = 1;
	if (waitpid((int)child, &status, 0) != child || status != 0)
		fail("the child lost its pages", child, status);
	if (failed)
		return 1;
	printf("vmareuse: %ld readers, %ld rounds, %ld pages: all reads zero, side pages ok\n",
	       nreaders, rounds, npages);
	return 0;
}
