/*
 * mprotect-toggle: one thread flips shared pages between read-only and read-write while
 * the others read them all the time and write them whenever they are writable. Every
 * flip to read-only must reach the other harts' TLBs before mprotect returns.
 *
 *   mprotect-toggle [THREADS] [ITERS]    THREADS threads (default 4, 2..64): thread 0
 *                                        toggles ITERS times (default 200), the others
 *                                        each write ITERS times
 *
 * The pages are NPAGES of one mapping; worker w (1..THREADS-1) owns word w * 8 of every
 * page (a cache line each) and stores w << TAG_SHIFT | (its writes so far) there. Thread
 * t runs on CPU t mod (CPUs this process may use).
 *
 * Workers loop until the toggler is done: read every slot of every page (each must hold
 * its owner's tag and never go backwards), then, if the gate is open and they are not
 * more than 2 writes ahead of the toggles done, write their slots. The gate is one futex
 * word: GATE_OPEN | (workers inside). A worker gets in only with a compare-and-swap that
 * sees GATE_OPEN, so once the toggler has cleared GATE_OPEN and seen the count drop to 0,
 * nobody writes until it opens the gate again: no write ever meets a read-only page (that
 * would be SIGSEGV). After IDLE_PASSES read passes without a write a worker sleeps until
 * the toggler's next change (a futex on `phase`), so its hart goes idle, still holding
 * the mm: the work is bounded, and shootdowns meet both busy and lazy harts.
 *
 * Toggle i: wait until the workers together have made their share of writes (all of
 * them by the last toggle), close the gate, wait for the writers inside to leave,
 * mprotect(PROT_READ) a range that depends on i (all pages, the first half or the middle
 * ones: the mapping splits and merges), wake the workers and check that nothing changes
 * while each completes two read passes of the read-only pages, then
 * mprotect(PROT_READ|PROT_WRITE), open the gate and wake them again.
 *
 * Output (deterministic):
 *   mprotect-toggle: THREADS threads: 1 toggler, N readers and writers, NPAGES pages
 *   mprotect-toggle: ITERS toggles (N mprotect calls), N writes, none while read-only
 *   mprotect-toggle: every read saw valid data, final contents ok
 * Exit status 0 if so, 1 otherwise.
 */
#include "libc.h"

#define PAGE		4096ul
#define WORDS		(PAGE / 8)
#define NPAGES		4
#define MAX_THREADS	64
#define STACK_SIZE	(64 * 1024ul)
#define TAG_SHIFT	40
#define GATE_OPEN	0x40000000
#define IDLE_PASSES	4	/* read passes without a write before a worker sleeps */

struct thread {
	int	index;
	int	tid;		/* CLONE_PARENT_SETTID / CLONE_CHILD_CLEARTID word */
	long	passes;		/* read passes completed: the toggler waits on them */
	long	writes;		/* write passes done (only this thread writes it) */
	const char *failed;	/* the first failure, and a value that goes with it */
	long	fail_value;
	uint64_t seen[NPAGES][MAX_THREADS];
};

static struct thread threads[MAX_THREADS];
static long nthreads, iters;
static int cpus[64], ncpus;
static uint64_t *pages;
static int gate = GATE_OPEN;
static long total_writes;	/* all workers' write passes, for the toggler's pacing */
static long toggles;		/* completed; a worker stays at most 2 writes ahead of it */
static int done;
static int phase;		/* bumped, and its sleepers woken, at each change of the pages */
/* The toggler sleeps on progress while toggler_waiting is set; workers bump and wake it. */
static int progress, toggler_waiting;
static long mprotects;
static struct barrier start;

static void fail(struct thread *th, const char *what, long value)
{
	if (!th->failed) {
		th->failed = what;
		th->fail_value = value;
	}
}

/* One pass over every slot of every page. */
static void read_pass(struct thread *th)
{
	long p, w;

	for (p = 0; p < NPAGES; p++) {
		const volatile uint64_t *page = pages + p * WORDS;

		for (w = 1; w < nthreads; w++) {
			uint64_t v = page[w * 8];

			if (v == 0 && th->seen[p][w] == 0)
				continue;
			if (v >> TAG_SHIFT != (uint64_t)w)
				fail(th, "a slot holds another thread's tag", (long)v);
			else if ((v & ((1ul << TAG_SHIFT) - 1)) > (uint64_t)iters)
				fail(th, "a slot holds more writes than were made", (long)v);
			else if (v < th->seen[p][w])
				fail(th, "a slot went backwards", (long)v);
			th->seen[p][w] = v;
		}
	}
	atomic_store_release(&th->passes, th->passes + 1);
}

/* After a read pass or a write: wakes the toggler if it waits. The fence orders the store
   of the progress before the load of toggler_waiting, pairing with the toggler's store of
   toggler_waiting before its re-check in wait_until: either it sees the progress or this
   sees it waiting. */
static void report_progress(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (atomic_load_acquire(&toggler_waiting)) {
		atomic_fetch_add(&progress, 1);
		futex_wake(&progress, 1);
	}
}

/* In through the gate if it is open: 1, and the caller must gate_leave(); else 0. */
static int gate_enter(void)
{
	int g;

	for (;;) {
		g = atomic_load_acquire(&gate);
		if (!(g & GATE_OPEN))
			return 0;
		if (atomic_cmpxchg(&gate, g, g + 1) == g)
			return 1;
	}
}

static void gate_leave(void)
{
	/* a release: the writes inside are visible to whoever sees the count drop */
	if (atomic_fetch_add(&gate, -1) == 1)
		futex_wake(&gate, 1);	/* the gate is closed and this was the last one */
}

static int worker(void *arg)
{
	struct thread *th = arg;
	int ph, seen_phase = -1, idle = 0;
	long p;

	pin_to_cpu(cpus[th->index % ncpus]);
	barrier_wait(&start);
	for (;;) {
		ph = atomic_load_acquire(&phase);
		if (ph != seen_phase) {
			seen_phase = ph;
			idle = 0;
		}
		if (atomic_load_acquire(&done))
			break;
		read_pass(th);
		if (th->writes < iters && th->writes < atomic_load_acquire(&toggles) + 2 &&
		    gate_enter()) {
			uint64_t v = (uint64_t)th->index << TAG_SHIFT | (uint64_t)(th->writes + 1);

			for (p = 0; p < NPAGES; p++)
				((volatile uint64_t *)pages)[p * WORDS + th->index * 8] = v;
			th->writes++;
			gate_leave();
			atomic_fetch_add(&total_writes, 1);
			idle = 0;
		} else {
			idle++;
		}
		report_progress();
		if (idle >= IDLE_PASSES)
			futex_wait(&phase, ph, 0);	/* until the toggler changes something */
	}
	return 0;
}

/* Tells the workers something changed: the pages went read-only, the gate opened, or the
   toggler is done. Whatever changed must be stored before this. */
static void new_phase(void)
{
	atomic_fetch_add(&phase, 1);
	futex_wake(&phase, MAX_THREADS);
}

/* The pages the toggle i makes read-only: all, the first half, or all but the ends. */
static void toggle_range(long i, long *from, long *n)
{
	switch (i % 3) {
	case 0:
		*from = 0, *n = NPAGES;
		break;
	case 1:
		*from = 0, *n = NPAGES / 2;
		break;
	default:
		*from = 1, *n = NPAGES - 2;
		break;
	}
}

/* Of the words the workers write: nothing else may change while the gate is closed. */
static uint64_t checksum(void)
{
	uint64_t sum = 0xcbf29ce484222325ull;
	long p, w;

	for (p = 0; p < NPAGES; p++) {
		for (w = 1; w < nthreads; w++)
			sum = (sum ^ ((volatile uint64_t *)pages)[p * WORDS + w * 8]) *
			      0x100000001b3ull;
	}
	return sum;
}

/* Sleeps until is_done(arg) is true; the workers wake the toggler when they make progress. */
static void wait_until(int (*is_done)(long *), long *arg)
{
	int seen;

	for (;;) {
		seen = atomic_load_acquire(&progress);
		if (is_done(arg))
			break;
		atomic_xchg(&toggler_waiting, 1);
		if (is_done(arg))
			break;
		futex_wait(&progress, seen, 0);
	}
	atomic_store_release(&toggler_waiting, 0);
}

/* Have the workers together made at least *target writes? */
static int enough_writes(long *target)
{
	return atomic_load_acquire(&total_writes) >= *target;
}

/* Has every worker w completed two read passes since it had made since[w]? */
static int two_more_passes(long *since)
{
	long w;

	for (w = 1; w < nthreads; w++) {
		if (atomic_load_acquire(&threads[w].passes) < since[w] + 2)
			return 0;
	}
	return 1;
}

static int toggler(void *arg)
{
	struct thread *th = arg;
	long workers = nthreads - 1, since[MAX_THREADS], target, i, w, from, n, g, r;
	uint64_t before;

	pin_to_cpu(cpus[0]);
	barrier_wait(&start);
	for (i = 0; i < iters && !th->failed; i++) {
		/* 1. let the workers make their share of the writes of this toggle */
		target = workers * (i + 1);
		wait_until(enough_writes, &target);
		/* 2. close the gate and wait until no worker is inside */
		atomic_fetch_add(&gate, -GATE_OPEN);
		while ((g = atomic_load_acquire(&gate)) != 0)
			futex_wait(&gate, (int)g, 0);
		/* 3. read-only; nothing may change while every worker reads it twice */
		toggle_range(i, &from, &n);
		r = sys_mprotect(pages + from * WORDS, (unsigned long)n * PAGE, PROT_READ);
		mprotects++;
		if (r != 0)
			fail(th, "mprotect(PROT_READ) failed", r);
		before = checksum();
		for (w = 1; w < nthreads; w++)
			since[w] = atomic_load_acquire(&threads[w].passes);
		new_phase();
		wait_until(two_more_passes, since);
		read_pass(th);
		if (checksum() != before)
			fail(th, "the pages changed while the gate was closed", i);
		/* 4. writable again, then open the gate */
		r = sys_mprotect(pages + from * WORDS, (unsigned long)n * PAGE,
				 PROT_READ | PROT_WRITE);
		mprotects++;
		if (r != 0)
			fail(th, "mprotect(PROT_READ|PROT_WRITE) failed", r);
		atomic_fetch_add(&gate, GATE_OPEN);
		atomic_store_release(&toggles, i + 1);
		new_phase();
	}
	atomic_store_release(&done, 1);
	new_phase();
	return 0;
}

int main(int argc, char **argv)
{
	long t, p, w, r, failures = 0;

	nthreads = 4;
	iters = 200;
	if ((argc > 1 && parse_long(argv[1], &nthreads) != 0) || nthreads < 2 ||
	    nthreads > MAX_THREADS ||
	    (argc > 2 && parse_long(argv[2], &iters) != 0) || iters < 0 || iters > 1l << 30 ||
	    argc > 3) {
		puts("usage: mprotect-toggle [THREADS] [ITERS]    (THREADS 2..64, default 4; "
		     "ITERS default 200)");
		return 2;
	}
	ncpus = allowed_cpus(cpus, 64);
	if (ncpus < 1) {
		printf("mprotect-toggle: FAILED: sched_getaffinity: %s\n", errno_name(ncpus));
		return 1;
	}
	if (ncpus > 64)
		ncpus = 64;
	r = sys_mmap(0, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (is_err(r)) {
		printf("mprotect-toggle: FAILED: mmap: %s\n", errno_name(r));
		return 1;
	}
	pages = (uint64_t *)r;

	barrier_init(&start, (int)nthreads);
	for (t = 0; t < nthreads; t++) {
		threads[t].index = (int)t;
		r = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
		if (!is_err(r))
			r = thread_create(t == 0 ? toggler : worker, &threads[t], (char *)r,
					  STACK_SIZE, &threads[t].tid);
		if (r < 0) {
			printf("mprotect-toggle: FAILED: starting thread %ld: %s\n", t,
			       errno_name(r));
			return 1;
		}
	}
	for (t = 0; t < nthreads; t++)
		thread_join(&threads[t].tid);

	for (t = 0; t < nthreads; t++) {
		if (threads[t].failed) {
			printf("mprotect-toggle: FAILED: thread %ld: %s (%ld)\n", t,
			       threads[t].failed, threads[t].fail_value);
			failures++;
		}
	}
	/* every worker's slot holds its last write; every other word is still zero */
	for (p = 0; p < NPAGES; p++) {
		for (w = 0; w < (long)WORDS; w++) {
			uint64_t want = 0;

			if (w % 8 == 0 && w / 8 >= 1 && w / 8 < nthreads && iters > 0)
				want = (uint64_t)(w / 8) << TAG_SHIFT | (uint64_t)iters;
			if (pages[p * WORDS + w] != want) {
				printf("mprotect-toggle: FAILED: page %ld word %ld holds %lx, not %lx\n",
				       p, w, (unsigned long)pages[p * WORDS + w], (unsigned long)want);
				failures++;
				break;
			}
		}
	}
	if (failures) {
		printf("mprotect-toggle: %ld check(s) FAILED\n", failures);
		return 1;
	}
	printf("mprotect-toggle: %ld threads: 1 toggler, %ld readers and writers, %d pages\n",
	       nthreads, nthreads - 1, NPAGES);
	printf("mprotect-toggle: %ld toggles (%ld mprotect calls), %ld writes, none while "
	       "read-only\n", iters, mprotects, total_writes);
	puts("mprotect-toggle: every read saw valid data, final contents ok");
	return 0;
}
