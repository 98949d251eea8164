/*
 * mmapstorm: threads of one process map, touch, change and unmap memory on every CPU
 * at once, so that every page-table change needs a TLB shootdown on the other harts.
 * The workload the shootdown strategies are compared on.
 *
 *   mmapstorm [THREADS] [ITERS] [PAGES]    THREADS threads (default 8, at most 64), each
 *                                          ITERS iterations (default 200) with a region
 *                                          of PAGES pages (default 8, at most 256)
 *
 * Main maps SHARED_PAGES long-lived pages that every thread reads and writes, then starts
 * the threads; thread t pins itself to CPU t mod (CPUs this process may use) and maps
 * LIVE long-lived regions of its own. Then, all starting together, each iteration i of
 * thread t:
 *   1. maps a fresh region of PAGES pages and writes a pattern to every page;
 *   2. reads every thread's slot in each shared page (it must carry its owner's tag and
 *      never go backwards) and bumps its own, so every hart holds TLB entries of the mm;
 *   3. checks and rewrites every page of its long-lived regions;
 *   4. now and then, on one of its long-lived regions:
 *        mprotect it read-only, check it, and make it writable again;
 *        madvise(MADV_DONTNEED) it, or one page of it, and check the pages read zero;
 *        mremap it: grow it (MREMAP_MAYMOVE; the old pages keep their data, the new ones
 *        are zero), shrink it back, or move it (MREMAP_MAYMOVE|MREMAP_FIXED over a fresh
 *        mapping);
 *   5. checks the fresh region and unmaps it: whole, or (one time in four) its middle
 *      first, then, after checking what is left, its head and tail.
 * Which of these an iteration does is a hash of (t, i) only, never of timing, so the
 * counts printed are the same on every run. At the end every thread checksums its
 * long-lived regions against what it wrote, and main checks the shared slots.
 *
 * Output (deterministic):
 *   mmapstorm: T threads x I iterations, P pages: all checks ok
 *   mmapstorm: mmap N, munmap N (N partial), mprotect N, madvise N, mremap N (N grow,
 *              N shrink, N move)
 *   mmapstorm: N pages touched, N shared-slot updates
 * Exit status 0 if every check passed, 1 otherwise (with a FAILED line for each failure).
 */
#include "libc.h"

#define PAGE		4096ul
#define WORDS		(PAGE / 8)
#define MAX_THREADS	64
#define MAX_PAGES	256
#define SHARED_PAGES	4
#define LIVE		2	/* long-lived regions per thread */
#define LIVE_PAGES	4	/* their size, except after a grow */
#define GROWN_PAGES	6	/* their size after a grow, until the next shrink */
#define STACK_SIZE	(64 * 1024ul)
#define TAG_SHIFT	40	/* a shared slot holds (owner + 1) << TAG_SHIFT | updates */

/* What a thread did; main adds them up. */
struct counts {
	long	mmaps, munmaps, partial, mprotects, madvises, grows, shrinks, moves;
	long	touched;	/* pages written or checked */
};

/* A long-lived region of one thread: page p holds pattern(gen[p]) in its first and last
   word and zeros elsewhere; gen[p] == 0 means the whole page must read zero. */
struct live {
	uint64_t	*base;
	unsigned long	pages;
	uint64_t	gen[GROWN_PAGES];
};

struct thread {
	int		index;
	int		tid;		/* CLONE_PARENT_SETTID / CLONE_CHILD_CLEARTID word */
	char		*stack;
	struct live	live[LIVE];
	struct counts	n;
	/* the first failure: what, in which iteration (-1: setup or end), which value */
	const char	*failed;
	long		fail_iter, fail_value;
	/* the last value this thread saw in each shared slot */
	uint64_t	seen[SHARED_PAGES][MAX_THREADS];
};

static struct thread threads[MAX_THREADS];
static long nthreads, iters, npages;
static int cpus[64], ncpus;
static uint64_t *shared;	/* SHARED_PAGES pages; thread t's slot is word t * 8 of each */
static struct barrier start;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	x ^= x >> 33;
	return x;
}

/* The pattern of a page: never zero, and its complement is never zero either. */
static uint64_t pattern(uint64_t a, uint64_t b, uint64_t c)
{
	return (mix(a * 0x9e3779b97f4a7c15ull ^ mix(b << 20 ^ c)) >> 1) | 1;
}

/* The schedule: a hash of (thread, iteration) and nothing else. */
static uint64_t schedule(long t, long i)
{
	return mix(((uint64_t)t << 32 | (uint64_t)i) + 0x5eed);
}

static int fail(struct thread *th, const char *what, long iter, long value)
{
	if (!th->failed) {
		th->failed = what;
		th->fail_iter = iter;
		th->fail_value = value;
	}
	return -1;
}

static uint64_t *map_pages(struct thread *th, unsigned long pages)
{
	long r = sys_mmap(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	th->n.mmaps++;
	return is_err(r) ? 0 : (uint64_t *)r;
}

static int unmap_pages(struct thread *th, uint64_t *base, unsigned long pages)
{
	th->n.munmaps++;
	return sys_munmap(base, pages * PAGE) == 0 ? 0 : -1;
}

/* ---- long-lived regions ---- */

static uint64_t live_pattern(struct thread *th, int k, unsigned long p)
{
	return pattern((uint64_t)th->index * LIVE + k, p, th->live[k].gen[p]);
}

static int page_is_zero(const uint64_t *page)
{
	unsigned long w;

	for (w = 0; w < WORDS; w++) {
		if (page[w])
			return 0;
	}
	return 1;
}

/* Checks page p of long-lived region k against its generation. */
static int check_live_page(struct thread *th, int k, unsigned long p, long iter)
{
	const volatile uint64_t *page = th->live[k].base + p * WORDS;
	uint64_t want;

	th->n.touched++;
	if (th->live[k].gen[p] == 0) {
		if (!page_is_zero((const uint64_t *)page))
			return fail(th, "a long-lived page that must be zero is not", iter, (long)p);
		return 0;
	}
	want = live_pattern(th, k, p);
	if (page[0] != want || page[WORDS - 1] != ~want || page[WORDS / 2] != 0)
		return fail(th, "a long-lived page lost its data", iter, (long)p);
	return 0;
}

static void write_live_page(struct thread *th, int k, unsigned long p)
{
	volatile uint64_t *page = th->live[k].base + p * WORDS;
	uint64_t want;

	th->live[k].gen[p]++;
	want = live_pattern(th, k, p);
	page[0] = want;
	page[WORDS - 1] = ~want;
}

static int check_live(struct thread *th, int k, long iter)
{
	unsigned long p;

	for (p = 0; p < th->live[k].pages; p++) {
		if (check_live_page(th, k, p, iter))
			return -1;
	}
	return 0;
}

/* Step 3: every page of every long-lived region checked, then rewritten. */
static int touch_live(struct thread *th, long iter)
{
	unsigned long p;
	int k;

	for (k = 0; k < LIVE; k++) {
		for (p = 0; p < th->live[k].pages; p++) {
			if (check_live_page(th, k, p, iter))
				return -1;
			write_live_page(th, k, p);
		}
	}
	return 0;
}

static int do_mprotect(struct thread *th, int k, long iter)
{
	struct live *l = &th->live[k];

	th->n.mprotects += 2;
	if (sys_mprotect(l->base, l->pages * PAGE, PROT_READ) != 0)
		return fail(th, "mprotect(PROT_READ) failed", iter, 0);
	if (check_live(th, k, iter))
		return -1;
	if (sys_mprotect(l->base, l->pages * PAGE, PROT_READ | PROT_WRITE) != 0)
		return fail(th, "mprotect(PROT_READ|PROT_WRITE) failed", iter, 0);
	return 0;
}

/* Drops the whole region or one page of it, which must then read zero. */
static int do_madvise(struct thread *th, int k, uint64_t h, long iter)
{
	struct live *l = &th->live[k];
	unsigned long from = 0, n = l->pages, p;
	long r;

	if (h & 1) {
		from = (h >> 1) % l->pages;
		n = 1;
	}
	th->n.madvises++;
	r = sys_madvise(l->base + from * WORDS, n * PAGE, MADV_DONTNEED);
	if (r != 0)
		return fail(th, "madvise(MADV_DONTNEED) failed", iter, r);
	for (p = from; p < from + n; p++)
		l->gen[p] = 0;
	return check_live(th, k, iter);
}

/* Grows the region (its data must survive, the new pages read zero), shrinks a grown one
   back, or moves it over a fresh mapping with MREMAP_FIXED. */
static int do_mremap(struct thread *th, int k, uint64_t h, long iter)
{
	struct live *l = &th->live[k];
	unsigned long p;
	long r;

	if (l->pages == GROWN_PAGES) {
		th->n.shrinks++;
		r = sys_mremap(l->base, GROWN_PAGES * PAGE, LIVE_PAGES * PAGE, 0, 0);
		if (r != (long)l->base)
			return fail(th, "mremap shrinking in place failed", iter, r);
		l->pages = LIVE_PAGES;
	} else if (h & 1) {
		th->n.grows++;
		r = sys_mremap(l->base, LIVE_PAGES * PAGE, GROWN_PAGES * PAGE, MREMAP_MAYMOVE, 0);
		if (is_err(r))
			return fail(th, "mremap growing with MREMAP_MAYMOVE failed", iter, r);
		l->base = (uint64_t *)r;
		for (p = LIVE_PAGES; p < GROWN_PAGES; p++)
			l->gen[p] = 0;
		l->pages = GROWN_PAGES;
	} else {
		uint64_t *to = map_pages(th, l->pages);

		if (!to)
			return fail(th, "mmap of a place to move to failed", iter, 0);
		th->n.moves++;
		r = sys_mremap(l->base, l->pages * PAGE, l->pages * PAGE,
			       MREMAP_MAYMOVE | MREMAP_FIXED, to);
		if (r != (long)to)
			return fail(th, "mremap with MREMAP_FIXED failed", iter, r);
		l->base = to;
	}
	return check_live(th, k, iter);
}

/* ---- shared pages ---- */

/* What thread s's slot holds after `updates` updates. */
static uint64_t slot_value(long s, long updates)
{
	return updates == 0 ? 0 : ((uint64_t)s + 1) << TAG_SHIFT | (uint64_t)updates;
}

/* Step 2: every slot read and checked, this thread's own bumped. */
static int touch_shared(struct thread *th, long iter)
{
	unsigned long p;
	long s;

	for (p = 0; p < SHARED_PAGES; p++) {
		volatile uint64_t *page = shared + p * WORDS;

		th->n.touched++;
		for (s = 0; s < nthreads; s++) {
			uint64_t v = page[s * 8];

			if (v == 0 && th->seen[p][s] == 0)
				continue;
			if (v >> TAG_SHIFT != (uint64_t)s + 1)
				return fail(th, "a shared slot holds another thread's tag", iter,
					    (long)v);
			if (v < th->seen[p][s])
				return fail(th, "a shared slot went backwards", iter, (long)v);
			th->seen[p][s] = v;
		}
		s = th->index;
		if (th->seen[p][s] != slot_value(s, iter))
			return fail(th, "this thread's own shared slot changed", iter,
				    (long)th->seen[p][s]);
		page[s * 8] = th->seen[p][s] = slot_value(s, iter + 1);
	}
	return 0;
}

/* ---- the fresh region of each iteration ---- */

static void write_fresh(struct thread *th, uint64_t *r, long iter)
{
	unsigned long p;

	for (p = 0; p < (unsigned long)npages; p++) {
		volatile uint64_t *page = r + p * WORDS;
		uint64_t want = pattern(th->index + 1000, (uint64_t)iter, p);

		page[0] = want;
		page[WORDS - 1] = ~want;
		th->n.touched++;
	}
}

static int check_fresh(struct thread *th, uint64_t *r, unsigned long from, unsigned long to,
		       long iter)
{
	unsigned long p;

	for (p = from; p < to; p++) {
		const volatile uint64_t *page = r + p * WORDS;
		uint64_t want = pattern(th->index + 1000, (uint64_t)iter, p);

		th->n.touched++;
		if (page[0] != want || page[WORDS - 1] != ~want || page[WORDS / 2] != 0)
			return fail(th, "a fresh page does not hold what this thread wrote", iter,
				    (long)p);
	}
	return 0;
}

/* Step 5: the whole region, or its middle third first and then the rest. */
static int unmap_fresh(struct thread *th, uint64_t *r, int partial, long iter)
{
	unsigned long a = (unsigned long)npages / 3, b = 2 * (unsigned long)npages / 3;

	if (!partial || a == 0) {
		if (check_fresh(th, r, 0, (unsigned long)npages, iter))
			return -1;
		if (unmap_pages(th, r, (unsigned long)npages))
			return fail(th, "munmap failed", iter, 0);
		return 0;
	}
	th->n.partial++;
	if (unmap_pages(th, r + a * WORDS, b - a))
		return fail(th, "munmap of a region's middle failed", iter, 0);
	if (check_fresh(th, r, 0, a, iter) ||
	    check_fresh(th, r, b, (unsigned long)npages, iter))
		return -1;
	if (unmap_pages(th, r, a) || unmap_pages(th, r + b * WORDS, (unsigned long)npages - b))
		return fail(th, "munmap of a region's head or tail failed", iter, 0);
	return 0;
}

/* ---- the threads ---- */

static int iteration(struct thread *th, long i)
{
	uint64_t h = schedule(th->index, i);
	int k = (h >> 12) & 1;
	uint64_t *r = map_pages(th, (unsigned long)npages);

	if (!r)
		return fail(th, "mmap failed", i, 0);
	write_fresh(th, r, i);
	if (touch_shared(th, i) || touch_live(th, i))
		return -1;
	if (((h >> 2) & 7) == 0 && do_mprotect(th, k, i))
		return -1;
	if (((h >> 5) & 7) == 1 && do_madvise(th, k, h >> 20, i))
		return -1;
	if (((h >> 8) & 7) == 2 && do_mremap(th, k, h >> 40, i))
		return -1;
	return unmap_fresh(th, r, (h & 3) == 0, i);
}

/* FNV-1a over the words of a page, one word at a time. */
static uint64_t fnv(uint64_t h, uint64_t w)
{
	return (h ^ w) * 0x100000001b3ull;
}

/* The checksum of every word of long-lived region k, against what it must hold. */
static int checksum_live(struct thread *th, int k)
{
	struct live *l = &th->live[k];
	uint64_t sum = 0xcbf29ce484222325ull, want = sum, pat;
	unsigned long p, w;

	for (p = 0; p < l->pages; p++) {
		pat = live_pattern(th, k, p);
		for (w = 0; w < WORDS; w++) {
			sum = fnv(sum, l->base[p * WORDS + w]);
			if (l->gen[p] == 0 || (w != 0 && w != WORDS - 1))
				want = fnv(want, 0);
			else
				want = fnv(want, w == 0 ? pat : ~pat);
		}
	}
	return sum == want ? 0 : fail(th, "a long-lived region's checksum is wrong", -1, k);
}

static int worker(void *arg)
{
	struct thread *th = arg;
	long i;
	int k;

	pin_to_cpu(cpus[th->index % ncpus]);	/* on a machine that refuses, anywhere */
	for (k = 0; k < LIVE; k++) {
		th->live[k].base = map_pages(th, LIVE_PAGES);
		th->live[k].pages = LIVE_PAGES;
		if (!th->live[k].base)
			fail(th, "mmap of a long-lived region failed", -1, k);
	}
	barrier_wait(&start);
	for (i = 0; i < iters && !th->failed; i++)
		iteration(th, i);
	for (k = 0; k < LIVE && !th->failed; k++) {
		if (checksum_live(th, k) == 0 &&
		    unmap_pages(th, th->live[k].base, th->live[k].pages))
			fail(th, "munmap of a long-lived region failed", -1, k);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long t, p, r, failures = 0;
	struct counts sum = { 0 };

	nthreads = 8;
	iters = 200;
	npages = 8;
	if ((argc > 1 && parse_long(argv[1], &nthreads) != 0) || nthreads < 1 ||
	    nthreads > MAX_THREADS ||
	    (argc > 2 && parse_long(argv[2], &iters) != 0) || iters < 0 || iters >= 1l << 32 ||
	    (argc > 3 && parse_long(argv[3], &npages) != 0) || npages < 1 || npages > MAX_PAGES ||
	    argc > 4) {
		puts("usage: mmapstorm [THREADS] [ITERS] [PAGES]    (THREADS 1..64, default 8; "
		     "ITERS default 200; PAGES 1..256, default 8)");
		return 2;
	}
	ncpus = allowed_cpus(cpus, 64);
	if (ncpus < 1) {
		printf("mmapstorm: FAILED: sched_getaffinity: %s\n", errno_name(ncpus));
		return 1;
	}
	if (ncpus > 64)
		ncpus = 64;

	r = sys_mmap(0, SHARED_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (is_err(r)) {
		printf("mmapstorm: FAILED: mmap of the shared pages: %s\n", errno_name(r));
		return 1;
	}
	shared = (uint64_t *)r;
	barrier_init(&start, (int)nthreads);
	for (t = 0; t < nthreads; t++) {
		struct thread *th = &threads[t];

		th->index = (int)t;
		r = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
		if (!is_err(r))
			r = thread_create(worker, th, (char *)r, STACK_SIZE, &th->tid);
		if (r < 0) {
			printf("mmapstorm: FAILED: starting thread %ld: %s\n", t, errno_name(r));
			return 1;
		}
	}
	for (t = 0; t < nthreads; t++)
		thread_join(&threads[t].tid);

	for (t = 0; t < nthreads; t++) {
		struct thread *th = &threads[t];

		if (th->failed) {
			printf("mmapstorm: FAILED: thread %ld, iteration %ld: %s (%ld)\n", t,
			       th->fail_iter, th->failed, th->fail_value);
			failures++;
			continue;
		}
		for (p = 0; p < SHARED_PAGES; p++) {
			uint64_t v = shared[p * WORDS + t * 8];

			if (v != slot_value(t, iters)) {
				printf("mmapstorm: FAILED: thread %ld's shared slot on page %ld "
				       "holds %lx\n", t, p, (unsigned long)v);
				failures++;
			}
		}
		sum.mmaps += th->n.mmaps;
		sum.munmaps += th->n.munmaps;
		sum.partial += th->n.partial;
		sum.mprotects += th->n.mprotects;
		sum.madvises += th->n.madvises;
		sum.grows += th->n.grows;
		sum.shrinks += th->n.shrinks;
		sum.moves += th->n.moves;
		sum.touched += th->n.touched;
	}
	if (failures) {
		printf("mmapstorm: %ld check(s) FAILED\n", failures);
		return 1;
	}
	printf("mmapstorm: %ld threads x %ld iterations, %ld pages: all checks ok\n", nthreads,
	       iters, npages);
	printf("mmapstorm: mmap %ld, munmap %ld (%ld partial), mprotect %ld, madvise %ld, "
	       "mremap %ld (%ld grow, %ld shrink, %ld move)\n", sum.mmaps, sum.munmaps,
	       sum.partial, sum.mprotects, sum.madvises, sum.grows + sum.shrinks + sum.moves,
	       sum.grows, sum.shrinks, sum.moves);
	printf("mmapstorm: %ld pages touched, %ld shared-slot updates\n", sum.touched,
	       nthreads * iters * SHARED_PAGES);
	return 0;
}
