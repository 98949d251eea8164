/*
 * demo: the default image. A guided tour of the memory system calls hartlab's kernel
 * implements, one numbered step at a time, saying what it asks for and what came back;
 * the last step forks two children and starts two threads on whichever harts are free.
 *
 * Addresses, times and ids differ between machines and runs, so the program prints
 * only sizes, counts and checksums: the output is the same under hartlab and under
 * qemu-riscv64. Exit status 0 if every step behaved as Linux does, 1 (with a message
 * naming the step) otherwise.
 */
#include "libc.h"

#define KiB	1024ul
#define MiB	(1024ul * KiB)
#define PAGE	4096ul

static int step_no;

static void step(const char *what)
{
	printf("\nstep %d: %s\n", ++step_no, what);
}

static void fail(const char *why, long got)
{
	printf("demo: step %d FAILED: %s (got %ld)\n", step_no, why, got);
	exit(1);
}

static void expect(int ok, const char *why, long got)
{
	if (!ok)
		fail(why, got);
}

/* The 64-bit word every region holds at byte offset i (a multiple of 8) once written: a
   function of i and a seed, so a checksum computed from memory can be compared with one
   computed from scratch. Word-sized so the demo spends its time on the kernel, not on loops. */
static uint64_t pattern(unsigned long i, unsigned seed)
{
	uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ull + seed;

	return x ^ (x >> 29);
}

/* FNV-1a over 64-bit words: small, order-sensitive, good enough to spot a wrong page. */
static uint64_t fnv(uint64_t h, uint64_t w)
{
	return (h ^ w) * 0x100000001b3ull;
}

#define FNV_INIT 0xcbf29ce484222325ull

/* Lengths and offsets below are all multiples of 8. */
static void fill(unsigned char *p, unsigned long len, unsigned seed)
{
	unsigned long i;

	for (i = 0; i < len; i += 8)
		*(uint64_t *)(p + i) = pattern(i, seed);
}

static uint32_t fnv_final(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t checksum(const unsigned char *p, unsigned long len)
{
	uint64_t h = FNV_INIT;
	unsigned long i;

	for (i = 0; i < len; i += 8)
		h = fnv(h, *(const uint64_t *)(p + i));
	return fnv_final(h);
}

/* What checksum() of fill(p, len, seed) must be, computed without touching memory. */
static uint32_t expected_checksum(unsigned long from, unsigned long len, unsigned seed)
{
	uint64_t h = FNV_INIT;
	unsigned long i;

	for (i = from; i < from + len; i += 8)
		h = fnv(h, pattern(i, seed));
	return fnv_final(h);
}

/* Counts pages holding any non-zero byte; reads every word of [p, p+len). */
static unsigned long nonzero_pages(const unsigned char *p, unsigned long len)
{
	unsigned long page, n = 0;

	for (page = 0; page < len; page += PAGE) {
		const uint64_t *w = (const uint64_t *)(p + page);
		uint64_t any = 0;
		unsigned long i;

		for (i = 0; i < PAGE / 8; i++)
			any |= w[i];
		n += any != 0;
	}
	return n;
}

static unsigned char *map_anon(unsigned long len, int flags)
{
	long r = sys_mmap(0, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	expect(!is_err(r), "anonymous mmap failed", r);
	expect((r & (PAGE - 1)) == 0, "mmap returned an address that is not page aligned", 0);
	return (unsigned char *)r;
}

static void print_size(unsigned long bytes)
{
	if (bytes % MiB == 0)
		printf("%lu MiB", bytes / MiB);
	else
		printf("%lu KiB", bytes / KiB);
}

static void demo_uname(void)
{
	struct utsname u;
	long r;

	step("uname() -- which kernel is this?");
	memset(&u, 0, sizeof(u));
	r = sys_uname(&u);
	expect(r == 0, "uname failed", r);
	expect(strcmp(u.sysname, "Linux") == 0, "sysname is not Linux", 0);
	printf("  sysname is \"%s\": programs built for Linux run unchanged\n", u.sysname);
}

static void demo_brk(void)
{
	const unsigned long grow = 1 * MiB, chunk = 64 * KiB;
	unsigned long base, top, i;
	unsigned char *heap;
	uint32_t sum;
	long r;

	step("brk() -- grow the heap by 1 MiB, 64 KiB at a time, then shrink it back");
	base = (unsigned long)sys_brk(0);
	expect(base != 0, "brk(0) returned 0", 0);
	for (top = base + chunk; top <= base + grow; top += chunk) {
		r = sys_brk((void *)top);
		expect((unsigned long)r == top, "brk did not move the break where asked", r - (long)base);
	}
	printf("  the break moved up %lu times, 1 MiB in all\n", grow / chunk);

	heap = (unsigned char *)base;
	fill(heap, grow, 1);
	sum = checksum(heap, grow);
	expect(sum == expected_checksum(0, grow, 1), "heap checksum is wrong", sum);
	printf("  wrote %lu bytes into the new heap; read back checksum 0x%08x (as expected)\n",
	       grow, sum);

	r = sys_brk((void *)base);
	expect((unsigned long)r == base, "brk did not shrink the heap", r - (long)base);
	r = sys_brk((void *)(base + grow));
	expect((unsigned long)r == base + grow, "brk could not grow the heap again", r - (long)base);
	/* pages released by the shrink come back as fresh zero pages; the page holding
	   the old break itself is kept, so start at the first page boundary above it */
	i = (base + PAGE - 1) & ~(PAGE - 1);
	r = (long)nonzero_pages((unsigned char *)i, base + grow - i - (base + grow) % PAGE);
	expect(r == 0, "pages given back by brk and grown again are not zero", r);
	printf("  shrank it back and grew it again: the returned pages read as zero\n");
	r = sys_brk((void *)base);
	expect((unsigned long)r == base, "brk did not shrink the heap", r - (long)base);
}

static void demo_mmap(void)
{
	static const unsigned long sizes[] = { 4 * KiB, 64 * KiB, 1 * MiB, 2 * MiB + 12 * KiB };
	unsigned i;

	step("mmap() -- anonymous private regions of four sizes");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned long len = sizes[i];
		unsigned char *p = map_anon(len, MAP_PRIVATE);
		unsigned long dirty = nonzero_pages(p, len);
		uint32_t sum;
		long r;

		expect(dirty == 0, "a new anonymous mapping is not zero-filled", (long)dirty);
		fill(p, len, i);
		sum = checksum(p, len);
		expect(sum == expected_checksum(0, len, i), "checksum of a mapping is wrong", sum);
		printf("  ");
		print_size(len);
		printf(": %lu page%s, all zero at first; wrote a pattern, checksum 0x%08x\n",
		       len / PAGE, len == PAGE ? "" : "s", sum);
		r = sys_munmap(p, len);
		expect(r == 0, "munmap of a whole mapping failed", r);
	}
	printf("  (and unmapped each one again)\n");
}

static void demo_shared(void)
{
	unsigned long len = 64 * KiB;
	unsigned char *p;
	uint32_t sum;
	long r;

	step("mmap(MAP_SHARED | MAP_ANONYMOUS) -- memory a future child would share");
	p = map_anon(len, MAP_SHARED);
	expect(nonzero_pages(p, len) == 0, "a new shared mapping is not zero-filled", 0);
	fill(p, len, 7);
	sum = checksum(p, len);
	expect(sum == expected_checksum(0, len, 7), "checksum of the shared mapping is wrong", sum);
	printf("  64 KiB shared: zero at first, checksum after writing 0x%08x\n", sum);
	r = sys_munmap(p, len);
	expect(r == 0, "munmap of the shared mapping failed", r);
}

static void demo_mprotect(void)
{
	unsigned long len = 4 * PAGE;
	unsigned char *p = 0;
	uint32_t sum;
	long r;

	step("mprotect() -- make one page read-only, then writable again");
	p = map_anon(len, MAP_PRIVATE);
	fill(p, len, 3);
	r = sys_mprotect(p + PAGE, PAGE, PROT_READ);
	expect(r == 0, "mprotect(PROT_READ) failed", r);
	sum = checksum(p, len);
	expect(sum == expected_checksum(0, len, 3), "a read-only page lost its contents", sum);
	printf("  page 1 of 4 is read-only; all 4 still read back correctly (checksum 0x%08x)\n",
	       sum);
	r = sys_mprotect(p + 1, PAGE, PROT_READ);
	expect(r == -EINVAL, "mprotect of an unaligned address did not fail with EINVAL", r);
	printf("  mprotect at an address that is not page aligned: EINVAL, as on Linux\n");
	r = sys_mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE);
	expect(r == 0, "mprotect(PROT_READ|PROT_WRITE) failed", r);
	p[PAGE] = 0x5a;
	expect(p[PAGE] == 0x5a, "the page is not writable again", p[PAGE]);
	printf("  made it writable again and wrote to it\n");
	r = sys_munmap(p, len);
	expect(r == 0, "munmap failed", r);
}

/* One region of 256 pages is split, partly replaced and finally removed. */
static void demo_munmap_and_fixed(void)
{
	const unsigned long pages = 256, len = pages * PAGE;
	const unsigned long hole = 64 * PAGE, hole_len = 64 * PAGE;	/* pages 64..127 */
	const unsigned long fixed = 192 * PAGE, fixed_len = 8 * PAGE;	/* pages 192..199 */
	unsigned char *p;
	uint32_t sum;
	long r;

	step("munmap() of part of a region -- the kernel splits it in two");
	p = map_anon(len, MAP_PRIVATE);
	fill(p, len, 5);
	r = sys_munmap(p + hole, hole_len);
	expect(r == 0, "munmap of the middle of a region failed", r);
	sum = checksum(p, hole);
	expect(sum == expected_checksum(0, hole, 5), "the part below the hole changed", sum);
	sum = checksum(p + hole + hole_len, len - hole - hole_len);
	expect(sum == expected_checksum(hole + hole_len, len - hole - hole_len, 5),
	       "the part above the hole changed", sum);
	printf("  mapped 1 MiB (256 pages), unmapped pages 64..127 from its middle\n");
	printf("  the 64 pages below and 128 pages above the hole kept their data\n");
	r = sys_munmap(p + 1, PAGE);
	expect(r == -EINVAL, "munmap of an unaligned address did not fail with EINVAL", r);
	r = sys_munmap(p, 0);
	expect(r == -EINVAL, "munmap of length 0 did not fail with EINVAL", r);
	printf("  munmap of an unaligned address or of length 0: EINVAL, as on Linux\n");

	step("MAP_FIXED_NOREPLACE -- map at an exact address, only if it is free");
	r = sys_mmap(p + hole, hole_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	expect(r == (long)(p + hole), "MAP_FIXED_NOREPLACE into the hole did not map there", 0);
	expect(nonzero_pages(p + hole, hole_len) == 0, "the refilled hole is not zero", 0);
	printf("  into the hole: mapped exactly there, and zero-filled\n");
	r = sys_mmap(p + fixed, fixed_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (!is_err(r) && r != (long)(p + fixed)) {
		/*
		 * Kernels that do not know the flag (Linux before 4.17, qemu-user 7.2)
		 * treat the address as a hint and map elsewhere; mmap(2) tells portable code
		 * to check for exactly this. It still refused to replace, so stdout stays the
		 * same as on Linux; the difference goes to stderr.
		 */
		dprintf(2, "demo: note: MAP_FIXED_NOREPLACE was taken as a hint (an old kernel "
			   "or qemu-user); Linux >= 4.17 returns EEXIST\n");
		expect(sys_munmap((void *)r, fixed_len) == 0, "munmap failed", 0);
		r = -EEXIST;
	}
	expect(r == -EEXIST, "MAP_FIXED_NOREPLACE over a used range did not fail with EEXIST", r);
	sum = checksum(p + fixed, fixed_len);
	expect(sum == expected_checksum(fixed, fixed_len, 5), "the used range was changed", sum);
	printf("  over pages already in use: EEXIST, and their data is untouched\n");

	step("MAP_FIXED -- map at an exact address, replacing what is there");
	r = sys_mmap(p + fixed, fixed_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	expect(r == (long)(p + fixed), "MAP_FIXED did not map at the address given", 0);
	expect(nonzero_pages(p + fixed, fixed_len) == 0, "MAP_FIXED pages are not fresh zero pages", 0);
	sum = checksum(p + fixed - PAGE, PAGE);
	expect(sum == expected_checksum(fixed - PAGE, PAGE, 5), "the page below changed", sum);
	sum = checksum(p + fixed + fixed_len, len - fixed - fixed_len);
	expect(sum == expected_checksum(fixed + fixed_len, len - fixed - fixed_len, 5),
	       "the pages above changed", sum);
	printf("  replaced pages 192..199: they now read as zero; their neighbours kept their data\n");

	step("munmap() of the rest -- one call over the whole range, pieces and all");
	r = sys_munmap(p, len);
	expect(r == 0, "munmap of the whole range failed", r);
	r = sys_mmap(p, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	expect(r == (long)p, "the range is not free after munmap", r);
	r = sys_munmap(p, len);
	expect(r == 0, "munmap failed", r);
	printf("  unmapped all 256 pages; the whole range was free again afterwards\n");
}

static void demo_misc(void)
{
	static const char a[] = "  writev: this line was written ", b[] = "in two pieces\n";
	struct iovec iov[2] = { { (void *)a, sizeof(a) - 1 }, { (void *)b, sizeof(b) - 1 } };
	struct timespec t0, t1;
	unsigned char rnd[16];
	int tid_slot = 0;
	long pid, tid, r;

	step("the other system calls -- ids, clocks, random bytes, writev");
	pid = sys_getpid();
	tid = sys_gettid();
	expect(pid > 0, "getpid failed", pid);
	expect(tid == pid, "a single-threaded process's tid differs from its pid", tid);
	r = sys_set_tid_address(&tid_slot);
	expect(r == tid, "set_tid_address did not return the tid", r);
	printf("  getpid, gettid, set_tid_address agree on one thread id\n");
	r = sys_clock_gettime(CLOCK_MONOTONIC, &t0);
	expect(r == 0, "clock_gettime failed", r);
	r = sys_clock_gettime(CLOCK_MONOTONIC, &t1);
	expect(r == 0, "clock_gettime failed", r);
	expect(t1.tv_sec > t0.tv_sec || (t1.tv_sec == t0.tv_sec && t1.tv_nsec >= t0.tv_nsec),
	       "CLOCK_MONOTONIC went backwards", 0);
	expect(t0.tv_nsec >= 0 && t0.tv_nsec < 1000000000, "tv_nsec out of range", t0.tv_nsec);
	printf("  CLOCK_MONOTONIC read twice did not go backwards\n");
	r = sys_getrandom(rnd, sizeof(rnd), 0);
	expect(r == sizeof(rnd), "getrandom did not fill the buffer", r);
	printf("  getrandom filled %ld bytes\n", r);
	r = sys_writev(1, iov, 2);
	expect(r == (long)(sizeof(a) + sizeof(b) - 2), "writev wrote a short count", r);
	r = sys_write(1, (void *)1, 10);
	expect(r == -EFAULT, "write from a bad pointer did not fail with EFAULT", r);
	printf("  write from a bad pointer: EFAULT, nothing written\n");
}

/* Step 11: each child and thread asks getcpu where it runs and says so on a pipe. The
   cpu number differs between machines and runs, so only whether getcpu worked travels. */
struct task_report {
	char	kind;		/* 'c' child, 't' thread */
	char	index;		/* 1 or 2 */
	char	cpu_ok;		/* getcpu succeeded */
};

static int tasks_pipe[2];
static int threads_done;	/* a futex word: each thread adds 1 when it has reported */

static void report_task(char kind, int index)
{
	unsigned cpu = ~0u;
	struct task_report rep = { kind, (char)index, sys_getcpu(&cpu, 0, 0) == 0 && cpu != ~0u };

	sys_write(tasks_pipe[1], &rep, sizeof(rep));	/* small writes to a pipe are atomic */
}

static int demo_thread(void *arg)
{
	report_task('t', (int)(long)arg);
	atomic_fetch_add(&threads_done, 1);
	futex_wake(&threads_done, 1);
	return 0;
}

static void demo_tasks(void)
{
	const unsigned long stack_size = 64 * KiB;
	static int tids[2];
	struct task_report rep;
	long pids[2], r;
	unsigned char *stacks;
	int i, done, status;

	step("fork() and threads -- two child processes and two threads, on any free harts");
	r = sys_pipe2(tasks_pipe, 0);
	expect(r == 0, "pipe2 failed", r);
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		expect(pids[i] >= 0, "fork failed", pids[i]);
		if (pids[i] == 0) {
			report_task('c', i + 1);
			exit(0);
		}
	}
	stacks = map_anon(2 * stack_size, MAP_PRIVATE);
	for (i = 0; i < 2; i++) {
		r = thread_create(demo_thread, (void *)(long)(i + 1), stacks + i * stack_size,
				  stack_size, &tids[i]);
		expect(r > 0, "thread_create failed", r);
	}

	while ((done = atomic_load_acquire(&threads_done)) < 2)
		futex_wait(&threads_done, done, 0);
	printf("  main slept on a futex until both threads had done their work\n");
	/* reports arrive in any order; print them in a fixed one */
	for (i = 0; i < 4; i++) {
		r = sys_read(tasks_pipe[0], &rep, sizeof(rep));
		expect(r == sizeof(rep), "short read from the pipe", r);
		expect(rep.cpu_ok, "getcpu failed in a child or thread", rep.index);
	}
	for (i = 0; i < 4; i++)
		printf("  %s %d ran on a cpu and said so through a pipe\n",
		       i < 2 ? "child" : "thread", i % 2 + 1);

	for (i = 0; i < 2; i++) {
		r = waitpid((int)pids[i], &status, 0);
		expect(r == pids[i], "wait4 did not return the child", r);
		expect(status == 0, "a child did not exit with status 0", status);
		thread_join(&tids[i]);
	}
	printf("  reaped both children (exit status 0) and joined both threads\n");
	expect(sys_munmap(stacks, 2 * stack_size) == 0, "munmap of the stacks failed", 0);
	sys_close(tasks_pipe[0]);
	sys_close(tasks_pipe[1]);
}

int main(void)
{
	puts("hartlab demo: a tour of the memory system calls of this machine's kernel.");
	puts("Each step says what it asks the kernel for and what came back. Addresses");
	puts("differ from run to run, so only sizes, counts and checksums are printed.");

	demo_uname();
	demo_brk();
	demo_mmap();
	demo_shared();
	demo_mprotect();
	demo_munmap_and_fixed();
	demo_misc();
	demo_tasks();

	printf("\ndemo: %d steps ok\n", step_no);
	return 0;
}
