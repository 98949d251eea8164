/*
 * mapsrace: one thread reads /proc/self/maps over and over while the others change the
 * address space under it: two movers grow their regions with mremap(MREMAP_MAYMOVE),
 * shrink them back and now and then unmap and map them anew; a dropper drops the pages
 * of a shared region with madvise(MADV_DONTNEED) and re-protects it, while a toucher
 * reads that region (so its faults race the changes); the dropper also maps and unmaps
 * a page each round, so freed areas are handed out again at once, and every 16th round
 * maps, touches and unmaps 4 MiB, whose page-table pages the munmap frees.
 *
 *   mapsrace [PASSES] [ITERS]    the reader reads the file PASSES times (default 40),
 *                                the others do ITERS rounds (default 200)
 *
 * The reader reads with short reads (100 bytes), so lines span reads, and checks each
 * pass: every line is well formed; ranges strictly increase and never overlap (no area
 * twice, none out of order); the marker, a 3-page r-x mapping nobody changes,
 * shows exactly once with its address and permissions. The movers check their data
 * after every move; the toucher checks every word it reads is 0 or the pattern.
 *
 * Output (deterministic):
 *   mapsrace: P passes: lines well formed, ordered, no duplicates; marker seen once each
 *   mapsrace: movers ok (N moves), toucher ok (N reads), dropper ok (N rounds)
 * The marker is r-x so that no neighbour with its permissions can merge with it (Linux and
 * qemu merge adjacent compatible areas; hartlab does not).
 * Exit status 0 if every check passed, 1 otherwise (with a FAILED line for each).
 */
#include "libc.h"

#define PAGE		4096ul
#define SMALL		2	/* a mover's region: pages before growing */
#define BIG		5	/* and after */
#define TOUCH_PAGES	4
#define MARKER_PAGES	3
#define BIG_PAGES	1024
#define STACK_SIZE	(64 * 1024ul)
#define CHUNK		100
#define SYS_openat	56
#define AT_FDCWD	(-100)
#define PATTERN		0x5ca1ab1e00000000ul

static long passes = 40, iters = 200;
static volatile int failed;
static char *marker;
static uint64_t *touched;	/* TOUCH_PAGES pages: 0 or PATTERN | page in each word */

static void fail(const char *what, long a, long b)
{
	printf("mapsrace: FAILED: %s (%lx, %lx)\n", what, a, b);
	failed = 1;
}

static void *map(unsigned long pages, int prot)
{
	long p = sys_mmap(0, pages * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p < 0 && p > -4096) {
		fail("mmap", pages, p);
		return 0;
	}
	return (void *)p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parses "start-end perms"; returns the number of characters used, 0 if malformed. */
static int parse_line(const char *s, unsigned long *start, unsigned long *end, char perms[5])
{
	int i = 0, d;

	*start = *end = 0;
	for (; (d = hexval(s[i])) >= 0; i++)
		*start = *start * 16 + d;
	if (i == 0 || s[i++] != '-')
		return 0;
	int j = i;
	for (; (d = hexval(s[i])) >= 0; i++)
		*end = *end * 16 + d;
	if (i == j || s[i++] != ' ')
		return 0;
	for (j = 0; j < 4; j++, i++) {
		if (!s[i])
			return 0;
		perms[j] = s[i];
	}
	perms[4] = 0;
	if ((perms[0] != 'r' && perms[0] != '-') || (perms[1] != 'w' && perms[1] != '-') ||
	    (perms[2] != 'x' && perms[2] != '-') || (perms[3] != 'p' && perms[3] != 's'))
		return 0;
	return s[i] == ' ' ? i : 0;
}

static int reader(void *arg)
{
	static char line[256];
	char buf[CHUNK];

	(void)arg;
	for (long pass = 0; pass < passes && !failed; pass++) {
		long fd = syscall_inline5(SYS_openat, AT_FDCWD, (long)"/proc/self/maps", 0, 0, 0);
		unsigned long prev_end = 0;
		int len = 0, markers = 0, lines = 0;
		long n;

		if (fd < 0) {
			fail("open /proc/self/maps", pass, fd);
			break;
		}
		while ((n = sys_read(fd, buf, sizeof(buf))) > 0) {
			for (long k = 0; k < n; k++) {
				unsigned long start, end;
				char perms[5];

				if (buf[k] != '\n') {
					if (len < (int)sizeof(line) - 1)
						line[len++] = buf[k];
					continue;
				}
				line[len] = 0;
				len = 0;
				lines++;
				if (!parse_line(line, &start, &end, perms) || start >= end) {
					fail("malformed line", pass, lines);
					continue;
				}
				if (start < prev_end)
					fail("line out of order or overlapping", start, prev_end);
				prev_end = end;
				if (start == (unsigned long)marker) {
					markers++;
					if (end != start + MARKER_PAGES * PAGE || strcmp(perms, "r-xp"))
						fail("marker line wrong", start, end);
				}
			}
		}
		if (n < 0)
			fail("read", pass, n);
		if (len != 0)
			fail("last line unterminated", pass, len);
		if (markers != 1)
			fail("marker not seen exactly once", pass, markers);
		sys_close(fd);
	}
	return 0;
}

static long moves;

static int mover(void *arg)
{
	long id = (long)arg;
	uint64_t *r = map(SMALL, PROT_READ | PROT_WRITE);
	long local = 0;

	if (!r)
		return 0;
	for (unsigned long w = 0; w < SMALL * PAGE / 8; w += 512)
		r[w] = id * 1000 + w;
	for (long i = 0; i < iters && !failed; i++) {
		long g = sys_mremap(r, SMALL * PAGE, BIG * PAGE, MREMAP_MAYMOVE, 0);

		if (g < 0 && g > -4096) {
			fail("mremap grow", i, g);
			break;
		}
		r = (uint64_t *)g;
		local++;
		for (unsigned long w = 0; w < SMALL * PAGE / 8; w += 512)
			if (r[w] != id * 1000 + w)
				fail("mover data lost", i, w);
		for (unsigned long w = SMALL * PAGE / 8; w < BIG * PAGE / 8; w += 512)
			if (r[w] != 0)
				fail("grown pages not zero", i, w);
		if (sys_mremap(r, BIG * PAGE, SMALL * PAGE, 0, 0) != (long)r)
			fail("mremap shrink", i, 0);
		if (i % 4 == 3) {
			sys_munmap(r, SMALL * PAGE);
			r = map(SMALL, PROT_READ | PROT_WRITE);
			if (!r)
				break;
			for (unsigned long w = 0; w < SMALL * PAGE / 8; w += 512)
				r[w] = id * 1000 + w;
		}
	}
	__atomic_fetch_add(&moves, local, __ATOMIC_RELAXED);
	return 0;
}

static int toucher(void *arg)
{
	(void)arg;
	for (long i = 0; i < 4 * iters && !failed; i++) {
		for (unsigned long p = 0; p < TOUCH_PAGES; p++) {
			uint64_t v = touched[p * PAGE / 8 + (i * 61) % 512];

			if (v != 0 && v != (PATTERN | p))
				fail("toucher read a foreign value", p, (long)v);
		}
	}
	return 0;
}

static int dropper(void *arg)
{
	(void)arg;
	for (long i = 0; i < iters && !failed; i++) {
		for (unsigned long w = 0; w < TOUCH_PAGES * PAGE / 8; w++)
			touched[w] = PATTERN | (w / 512);
		if (sys_madvise(touched, TOUCH_PAGES * PAGE, MADV_DONTNEED))
			fail("madvise", i, 0);
		if (sys_mprotect(touched, TOUCH_PAGES * PAGE, PROT_READ) ||
		    sys_mprotect(touched, TOUCH_PAGES * PAGE, PROT_READ | PROT_WRITE))
			fail("mprotect", i, 0);
		char *page = map(1, PROT_READ | PROT_WRITE);
		if (page) {
			page[0] = 1;
			sys_munmap(page, PAGE);
		}
		if (i % 16 == 0) {
			/* 4 MiB: whole page-table pages of its own, freed by the munmap */
			char *big = map(BIG_PAGES, PROT_READ | PROT_WRITE);
			if (big) {
				for (unsigned long p = 0; p < BIG_PAGES; p += 128)
					big[p * PAGE] = 1;
				sys_munmap(big, BIG_PAGES * PAGE);
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static int tids[5];
	int (*fns[5])(void *) = {reader, mover, mover, toucher, dropper};

	if ((argc > 1 && (parse_long(argv[1], &passes) || passes < 1 || passes > 100000)) ||
	    (argc > 2 && (parse_long(argv[2], &iters) || iters < 1 || iters > 1000000))) {
		printf("usage: mapsrace [PASSES] [ITERS]\n");
		return 2;
	}
	marker = map(MARKER_PAGES, PROT_READ | PROT_EXEC);
	touched = map(TOUCH_PAGES, PROT_READ | PROT_WRITE);
	if (!marker || !touched)
		return 1;
	for (long t = 0; t < 5; t++) {
		char *stack = map(STACK_SIZE / PAGE, PROT_READ | PROT_WRITE);
		long r = stack ? thread_create(fns[t], (void *)t, stack, STACK_SIZE, &tids[t]) : -1;

		if (r < 0) {
			printf("mapsrace: FAILED: starting thread %ld\n", t);
			return 1;
		}
	}
	for (long t = 0; t < 5; t++)
		thread_join(&tids[t]);
	if (failed)
		return 1;
	printf("mapsrace: %ld passes: lines well formed, ordered, no duplicates; marker seen once each\n",
	       passes);
	printf("mapsrace: movers ok (%ld moves), toucher ok (%ld reads), dropper ok (%ld rounds)\n",
	       moves, 4 * iters * TOUCH_PAGES, iters);
	return 0;
}
