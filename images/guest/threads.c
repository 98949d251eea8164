/*
 * threads: threads of one process sharing counters, meeting at a futex barrier.
 *
 *   threads [N] [ITERS]    N threads (default 4, at most 64), ITERS increments each
 *                          (default 10000), done in 4 phases
 *
 * Every thread adds 1 to three shared counters per iteration, each a different way:
 * amoadd.w, amoadd.d (by 2^32 + 1, so both halves must carry correctly) and an LR/SC
 * loop written out in asm; and 1 to a counter of its own with plain loads and stores.
 * After each phase the threads meet at a barrier; the last to arrive checks that every
 * increment of every thread is visible, and they meet again before the next phase. Then
 * main joins them (futex wait on the tid words that CLONE_CHILD_CLEARTID clears).
 * Before that, main checks an absolute clock_nanosleep and futex's errors and timeouts;
 * after, one more thread checks CLONE_SETTLS, CLONE_CHILD_SETTID and CLONE_PARENT_SETTID.
 *
 * Only counts are printed, so the output is the same on every machine and run.
 * Exit status 0 if every count and check was right, 1 otherwise.
 */
#include "libc.h"

#define MAX_THREADS	64
#define PHASES		4
#define STACK_SIZE	(64 * 1024ul)
#define AMO64_STEP	0x100000001l	/* 2^32 + 1 */

/* One thread's own state, alone on its cache line (64 bytes). */
struct thread {
	long	count;		/* plain increments: only this thread writes it */
	int	tid;		/* CLONE_PARENT_SETTID / CLONE_CHILD_CLEARTID word */
	int	index;
	int	ok;		/* identity and syscall checks inside the thread */
	char	*stack;
	char	pad[32];
};

static struct thread threads[MAX_THREADS] __attribute__((aligned(64)));
static int nthreads;
static long iters;
static long pid;

static struct barrier barrier;
static int amo32 __attribute__((aligned(64)));
static long amo64 __attribute__((aligned(64)));
static int lrsc __attribute__((aligned(64)));

/* What the last thread at each phase's barrier saw; checked and printed by main. */
static int seen32[PHASES], seen_lrsc[PHASES];
static long seen64[PHASES];
static int serial_count;	/* barrier_wait returned 1 this many times */

static int failures;

static void check(int ok, const char *what, long got)
{
	if (!ok) {
		printf("threads: FAILED: %s (got %ld)\n", what, got);
		failures++;
	}
}

/* *p += v with an explicit LR/SC loop (gcc would emit amoadd for __atomic_fetch_add). */
static void lrsc_add(int *p, int v)
{
	int old, tmp;

	__asm__ volatile("1:	lr.w.aq	%0, (%2)\n"
			 "	addw	%1, %0, %3\n"
			 "	sc.w.rl	%1, %1, (%2)\n"
			 "	bnez	%1, 1b"
			 : "=&r"(old), "=&r"(tmp)
			 : "r"(p), "r"(v)
			 : "memory");
}

/* Iterations of phase p (0-based), so that all phases add up to iters. */
static long phase_iters(int p)
{
	return iters * (p + 1) / PHASES - iters * p / PHASES;
}

static int worker(void *arg)
{
	struct thread *t = arg;
	unsigned cpu = ~0u;
	int p;
	long i;

	t->ok = sys_getpid() == pid && sys_gettid() != pid && sys_gettid() == t->tid &&
		sys_getcpu(&cpu, 0, 0) == 0 && cpu != ~0u;
	for (p = 0; p < PHASES; p++) {
		for (i = 0; i < phase_iters(p); i++) {
			atomic_fetch_add(&amo32, 1);
			atomic_fetch_add(&amo64, AMO64_STEP);
			lrsc_add(&lrsc, 1);
			t->count++;
		}
		if (sys_sched_yield() != 0)
			t->ok = 0;
		if (barrier_wait(&barrier)) {
			/* the last to arrive: every thread's increments are done and visible */
			seen32[p] = atomic_load_acquire(&amo32);
			seen64[p] = atomic_load_acquire(&amo64);
			seen_lrsc[p] = atomic_load_acquire(&lrsc);
			serial_count++;
		}
		barrier_wait(&barrier);	/* nobody starts the next phase before the check */
	}
	return 0;
}

/* An absolute CLOCK_MONOTONIC sleep 10 ms ahead must not return before that time. */
static void sleep_until(void)
{
	struct timespec deadline, now;
	long r;

	sys_clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += 10 * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	r = sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, 0);
	check(r == 0, "clock_nanosleep(TIMER_ABSTIME) failed", r);
	sys_clock_gettime(CLOCK_MONOTONIC, &now);
	check(now.tv_sec > deadline.tv_sec ||
	      (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec),
	      "clock_nanosleep(TIMER_ABSTIME) returned before its deadline", now.tv_nsec);
	printf("clock_nanosleep until 10 ms from now (TIMER_ABSTIME): %ld, not before that time\n",
	       r);
}

static void futex_errors(void)
{
	struct timespec ten_ms = { .tv_sec = 0, .tv_nsec = 10 * 1000000 };
	static int word __attribute__((aligned(8)));
	long r;

	r = futex_wait(&word, 1, 0);
	check(r == -EAGAIN, "FUTEX_WAIT on a word that differs did not fail with EAGAIN", r);
	printf("futex: WAIT on a word that no longer holds the value: %s\n", errno_name(r));
	r = futex_wait(&word, 0, &ten_ms);
	check(r == -ETIMEDOUT, "private FUTEX_WAIT with a timeout did not time out", r);
	r = futex_wait_shared(&word, 0, &ten_ms);
	check(r == -ETIMEDOUT, "shared FUTEX_WAIT with a timeout did not time out", r);
	printf("futex: WAIT for 10 ms with nobody to wake it: %s (private and shared)\n",
	       errno_name(r));
	r = futex_wake(&word, 1);
	check(r == 0, "FUTEX_WAKE with no waiter did not return 0", r);
	printf("futex: WAKE with nobody waiting: %ld woken\n", r);
	r = futex_wait((int *)((char *)&word + 2), 0, &ten_ms);
	check(r == -EINVAL, "FUTEX_WAIT at an unaligned address did not fail with EINVAL", r);
	printf("futex: at an unaligned address: %s; ", errno_name(r));
	r = futex_wait((int *)8, 0, &ten_ms);
	check(r == -EFAULT, "FUTEX_WAIT at an unmapped address did not fail with EFAULT", r);
	printf("at an unmapped one: %s\n", errno_name(r));
}

static char *map_stack(void)
{
	long r = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (is_err(r)) {
		printf("threads: FAILED: mmap of a stack: %s\n", errno_name(r));
		exit(1);
	}
	return (char *)r;
}

/* The extra thread: its tp, and the tid word CLONE_CHILD_SETTID filled in. */
static int tls_block[8];
static int settid_word, parent_word;
static int settls_ok;

static int tls_worker(void *arg)
{
	unsigned long tp;

	(void)arg;
	__asm__ volatile("mv %0, tp" : "=r"(tp));
	settls_ok = tp == (unsigned long)tls_block &&
		    atomic_load_acquire(&settid_word) == sys_gettid();
	return 0;
}

static void tls_thread(void)
{
	char *stack = map_stack();
	long tid;

	settid_word = -1;	/* not 0, so a join before the child has run still waits */
	tid = clone(tls_worker, stack + STACK_SIZE,
		    THREAD_CLONE_FLAGS | CLONE_SETTLS | CLONE_CHILD_SETTID, 0, &parent_word,
		    tls_block, &settid_word);
	check(tid > 0, "clone with CLONE_SETTLS failed", tid);
	if (tid <= 0)
		return;
	check(parent_word == tid, "CLONE_PARENT_SETTID did not store the tid", parent_word);
	thread_join(&settid_word);
	check(settls_ok, "the thread's tp or CLONE_CHILD_SETTID's word was wrong", 0);
	printf("one more thread: CLONE_SETTLS set its tp, CLONE_CHILD_SETTID and "
	       "CLONE_PARENT_SETTID stored its tid: %s\n", settls_ok ? "ok" : "WRONG");
	sys_munmap(stack, STACK_SIZE);
}

int main(int argc, char **argv)
{
	long n = 4, all_ok = 1, per_thread_ok = 1, want;
	int i, p;

	if ((argc > 1 && parse_long(argv[1], &n) != 0) || n < 1 || n > MAX_THREADS ||
	    (argc > 2 && parse_long(argv[2], &iters) != 0) || argc > 3) {
		puts("usage: threads [N] [ITERS]    (N 1..64, default 4; ITERS default 10000)");
		return 2;
	}
	if (argc <= 2)
		iters = 10000;
	if (iters < 0 || iters > 100000000) {
		puts("threads: ITERS must be 0..100000000");
		return 2;
	}
	nthreads = (int)n;
	pid = sys_getpid();
	printf("threads: %d threads x %ld iterations, in %d phases between barriers\n",
	       nthreads, iters, PHASES);

	sleep_until();
	futex_errors();

	barrier_init(&barrier, nthreads);
	for (i = 0; i < nthreads; i++) {
		struct thread *t = &threads[i];
		long tid;

		t->index = i;
		t->stack = map_stack();
		tid = thread_create(worker, t, t->stack, STACK_SIZE, &t->tid);
		if (tid < 0) {
			printf("threads: FAILED: thread_create: %s\n", errno_name(tid));
			exit(1);
		}
	}
	for (i = 0; i < nthreads; i++) {
		thread_join(&threads[i].tid);
		sys_munmap(threads[i].stack, STACK_SIZE);
	}

	for (p = 0; p < PHASES; p++) {
		int want32 = (int)(n * (iters * (p + 1) / PHASES));

		printf("phase %d: after the barrier: amoadd.w %d, amoadd.d 0x%lx, lr/sc %d\n", p + 1,
		       seen32[p], seen64[p], seen_lrsc[p]);
		check(seen32[p] == want32, "amoadd.w counter wrong at a barrier", seen32[p]);
		check(seen64[p] == want32 * AMO64_STEP, "amoadd.d counter wrong at a barrier",
		      seen64[p]);
		check(seen_lrsc[p] == want32, "lr/sc counter wrong at a barrier", seen_lrsc[p]);
	}
	check(serial_count == PHASES, "barrier_wait returned 1 not once per round", serial_count);
	want = n * iters;
	check(amo32 == want && amo64 == want * AMO64_STEP && lrsc == want, "final counters wrong",
	      amo32);
	printf("totals: amoadd.w %d, amoadd.d 0x%lx, lr/sc %d (want %ld, 0x%lx, %ld)\n", amo32,
	       amo64, lrsc, want, want * AMO64_STEP, want);
	for (i = 0; i < nthreads; i++) {
		per_thread_ok &= threads[i].count == iters;
		all_ok &= threads[i].ok;
	}
	check(per_thread_ok, "a per-thread counter is wrong", 0);
	check(all_ok, "a thread's pid, tid, getcpu or sched_yield was wrong", 0);
	if (per_thread_ok)
		printf("per-thread counters (plain loads and stores): %ld in each\n", iters);
	printf("in every thread: gettid() is its own, getpid() the process's; getcpu and "
	       "sched_yield worked: %s\n", all_ok ? "ok" : "WRONG");
	printf("joined %d threads: the kernel cleared each tid word and woke the futex\n",
	       nthreads);

	tls_thread();

	if (failures) {
		printf("threads: %d check(s) FAILED\n", failures);
		return 1;
	}
	puts("threads: ok");
	return 0;
}
