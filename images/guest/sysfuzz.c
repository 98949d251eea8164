/*
 * sysfuzz: a system-call fuzzer in the manner of trinity, for hartlab's own kernel.
 *
 *   sysfuzz [-c CALLS] [-s SEED] [-p PROCS] [-t THREADS] [-n]
 *
 * The first process (init) maps a shared page of counters and forks PROCS (4) worker
 * processes of THREADS (2) threads each. Every thread issues system calls with numbers from
 * 0 to 463 (most often the ones hartlab implements, sometimes any, now and then one out of
 * range) and arguments built from the kind each argument has: boundary integers, bad and
 * good file descriptors, wild, kernel, unaligned and valid pointers (to a scratch area it
 * fills with random structs), huge and tiny sizes, random flags. Until CALLS (100000) calls
 * have been made in all, init watches: a worker that makes no progress for a few
 * milliseconds (asleep forever on a pipe, a futex, a LONG_MAX nanosleep) is SIGKILLed, and a
 * worker that died, killed or not, is replaced. At the end it prints how many calls returned
 * what, by errno, and how the workers ended. Everything follows from SEED (1): in hartlab's
 * lockstep mode the same arguments print the same summary.
 *
 * Never run it on a real system: it is built for a machine of its own. It never calls exit
 * or exit_group but to end a worker, never signals pid 1, 0, -1 or a group, never unmaps,
 * remaps or protects its own image, stacks, scratch area or counters, and clone children
 * exit at once; everything else is fair game.
 *
 * -n prints the plan instead: a hash of the first CALLS calls' numbers and arguments, with
 * no system call made, the same under any kernel (the differential test runs it).
 */
#include "libc.h"

#define NR_MAX		464	/* numbers 0..463 */
#define MAX_WORKERS	16
#define MAX_THREADS	8
#define SCRATCH_SIZE	(64 * 1024)
#define STACK_SIZE	(64 * 1024)
#define ARENA_BASE	0x3000000000ul	/* where its own mappings go: 192 GiB up */
#define ARENA_SIZE	(64ul << 20)
#define TASK_SIZE_	(1ul << 38)
#define NERR		134
#define WATCHDOG_TICKS	3	/* ticks of 1 ms without progress before a worker is killed */

extern char __executable_start[], _end[];

/* ---- the counters every process shares ---- */

struct shared {
	long target;			/* calls to make in all */
	long total;			/* calls begun */
	long ok;			/* results >= 0 */
	long other;			/* negative results that are no errno */
	long err[NERR];			/* results -1..-133 */
	long per_nr[NR_MAX + 1];	/* calls per number; [NR_MAX] for out-of-range ones */
	long progress[MAX_WORKERS];	/* calls finished, per worker slot */
};

static struct shared *sh;

/* ---- random numbers: splitmix64 ---- */

static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ul);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ul;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebul;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n == 0 ? 0 : next(s) % n;
}

/* ---- what the arguments of a call are ---- */

enum kind { K_INT, K_FD, K_PTR, K_ADDR, K_SIZE, K_FLAGS, K_PID, K_SIG, K_CLOCK, K_PROT,
	    K_MAPFLAGS, K_STR, K_FUTEXOP };

struct call {
	int nr;
	unsigned char nargs;
	unsigned char kinds[6];
};

/* The calls hartlab implements, with their argument kinds (its syscall table's shapes). */
static const struct call known[] = {
	{ 23, 1, { K_FD } },
	{ 24, 3, { K_FD, K_FD, K_FLAGS } },
	{ 57, 1, { K_FD } },
	{ 59, 2, { K_PTR, K_FLAGS } },
	{ 63, 3, { K_FD, K_PTR, K_SIZE } },
	{ 64, 3, { K_FD, K_PTR, K_SIZE } },
	{ 66, 3, { K_FD, K_PTR, K_INT } },
	{ 96, 1, { K_PTR } },
	{ 98, 6, { K_PTR, K_FUTEXOP, K_INT, K_PTR, K_PTR, K_INT } },
	{ 101, 2, { K_PTR, K_PTR } },
	{ 113, 2, { K_CLOCK, K_PTR } },
	{ 115, 4, { K_CLOCK, K_FLAGS, K_PTR, K_PTR } },
	{ 122, 3, { K_PID, K_SIZE, K_PTR } },
	{ 123, 3, { K_PID, K_SIZE, K_PTR } },
	{ 124, 0, { 0 } },
	{ 129, 2, { K_PID, K_SIG } },
	{ 160, 1, { K_PTR } },
	{ 168, 3, { K_PTR, K_PTR, K_PTR } },
	{ 172, 0, { 0 } },
	{ 173, 0, { 0 } },
	{ 178, 0, { 0 } },
	{ 214, 1, { K_ADDR } },
	{ 215, 2, { K_ADDR, K_SIZE } },
	{ 216, 5, { K_ADDR, K_SIZE, K_SIZE, K_FLAGS, K_ADDR } },
	{ 220, 5, { K_FLAGS, K_PTR, K_PTR, K_PTR, K_PTR } },
	{ 221, 3, { K_STR, K_PTR, K_PTR } },
	{ 222, 6, { K_ADDR, K_SIZE, K_PROT, K_MAPFLAGS, K_FD, K_SIZE } },
	{ 226, 3, { K_ADDR, K_SIZE, K_PROT } },
	{ 233, 3, { K_ADDR, K_SIZE, K_INT } },
	{ 260, 4, { K_PID, K_PTR, K_FLAGS, K_PTR } },
	{ 278, 3, { K_PTR, K_SIZE, K_FLAGS } },
	{ 435, 2, { K_PTR, K_SIZE } },
};
#define NKNOWN ((int)(sizeof(known) / sizeof(known[0])))

/* Numbers that send signals: their pid argument is tamed so that no group and not init is hit. */
static int sends_signal(long nr)
{
	return nr == 129 || nr == 130 || nr == 131 || nr == 138 || nr == 240 || nr == 424;
}

/* ---- where a worker's arguments point ---- */

struct context {
	uint64_t rng;
	int slot;
	long pid, tid;
	char *scratch;			/* SCRATCH_SIZE bytes between two PROT_NONE guard pages */
	unsigned long keep_lo[4 + MAX_THREADS], keep_hi[4 + MAX_THREADS];	/* kept ranges */
	int nkeep;
	int fds[16];			/* descriptors it has seen pipe2 return */
	int nfds;
};

static const long interesting_ints[] = {
	0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 4095, 4096, 4097,
	65535, 65536, 0x7fff, 0x8000, 0x7fffffff, 0x80000000l, 0xffffffffl, 0x100000000l,
	-1, -2, -4095, -4096, 0x7fffffffffffffffl, (long)0x8000000000000000ul,
};
#define NINTS ((int)(sizeof(interesting_ints) / sizeof(interesting_ints[0])))

static long gen_int(struct context *c)
{
	switch (below(&c->rng, 4)) {
	case 0:
		return (long)next(&c->rng);
	case 1:
		return (long)below(&c->rng, 64);
	default:
		return interesting_ints[below(&c->rng, NINTS)];
	}
}

static long gen_size(struct context *c)
{
	static const long sizes[] = { 0, 1, 2, 7, 8, 16, 64, 255, 4095, 4096, 4097, 8192, 65536,
				      1 << 20, 1l << 30, 1l << 38, 1l << 40, -1, -4096,
				      0x7fffffffffffffffl };

	if (below(&c->rng, 3) == 0)
		return (long)below(&c->rng, 3 * 4096);
	return sizes[below(&c->rng, sizeof(sizes) / sizeof(sizes[0]))];
}

/* Fills 64 bytes at p with something struct-like: zeros, small numbers, huge ones, noise. */
static void fill_struct(struct context *c, char *p)
{
	long *w = (long *)p;
	int i, style = (int)below(&c->rng, 5);

	for (i = 0; i < 8; i++) {
		switch (style) {
		case 0:
			w[i] = 0;
			break;
		case 1:
			w[i] = (long)below(&c->rng, 3);	/* e.g. a short timespec */
			break;
		case 2:
			w[i] = gen_int(c);
			break;
		case 3:
			w[i] = (long)(c->scratch + below(&c->rng, SCRATCH_SIZE));	/* pointers */
			break;
		default:
			w[i] = (long)next(&c->rng);
		}
	}
}

static long gen_ptr(struct context *c)
{
	static const unsigned long wild[] = { 0, 1, 0x1000, 0x10000, TASK_SIZE_ - 8,
					      TASK_SIZE_, TASK_SIZE_ + 4096, 0xffffffc000000000ul,
					      0xffffffffffffffffl, 0x8000000000000000ul };
	unsigned long off;

	switch (below(&c->rng, 8)) {
	case 0:
		return (long)wild[below(&c->rng, sizeof(wild) / sizeof(wild[0]))];
	case 1:
		return (long)next(&c->rng);
	case 2:
		return (long)(ARENA_BASE + below(&c->rng, ARENA_SIZE));
	case 3:
		return (long)(c->scratch + SCRATCH_SIZE - below(&c->rng, 16));	/* runs off the end */
	default:
		off = below(&c->rng, SCRATCH_SIZE - 64) & ~(below(&c->rng, 2) ? 7ul : 0ul);
		fill_struct(c, c->scratch + off);
		return (long)(c->scratch + off);
	}
}

static long gen_addr(struct context *c)
{
	if (below(&c->rng, 4) == 0)
		return gen_ptr(c);
	return (long)(ARENA_BASE + (below(&c->rng, ARENA_SIZE / 4096) << 12) +
		      (below(&c->rng, 16) == 0 ? below(&c->rng, 4096) : 0));
}

static long gen_fd(struct context *c)
{
	static const long fds[] = { -1, 0, 1, 2, 3, 1023, 1024, 4096, 0x7fffffff,
				    0x100000000l + 3, -100 };

	if (c->nfds > 0 && below(&c->rng, 2) == 0)
		return c->fds[below(&c->rng, c->nfds)];
	if (below(&c->rng, 3) == 0)
		return (long)below(&c->rng, 64);
	return fds[below(&c->rng, sizeof(fds) / sizeof(fds[0]))];
}

static long gen_flags(struct context *c)
{
	switch (below(&c->rng, 5)) {
	case 0:
		return 0;
	case 1:
		return 1l << below(&c->rng, 64);
	case 2:
		return (long)next(&c->rng);
	case 3:
		return (long)(next(&c->rng) & 0xffffffff) & (long)next(&c->rng);
	default:
		return (long)below(&c->rng, 16) | (0x800l * (long)below(&c->rng, 2)) |
		       (0x80000l * (long)below(&c->rng, 2));	/* NONBLOCK, CLOEXEC */
	}
}

static long gen_mapflags(struct context *c)
{
	static const long types[] = { MAP_PRIVATE, MAP_SHARED, 0x03, 0, 0x0f };
	long f = types[below(&c->rng, 5)];

	if (below(&c->rng, 4))
		f |= MAP_ANONYMOUS;
	if (below(&c->rng, 4) == 0)
		f |= below(&c->rng, 2) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	if (below(&c->rng, 8) == 0)
		f |= 0x8000;	/* MAP_POPULATE */
	if (below(&c->rng, 8) == 0)
		f |= 1l << below(&c->rng, 32);
	return f;
}

static long gen_pid(struct context *c)
{
	switch (below(&c->rng, 6)) {
	case 0:
		return 0;
	case 1:
		return c->pid;
	case 2:
		return c->tid;
	case 3:
		return -1;
	case 4:
		return 99999;
	default:
		return (long)below(&c->rng, 64);
	}
}

static long gen_arg(struct context *c, int kind)
{
	switch (kind) {
	case K_FD:
		return gen_fd(c);
	case K_PTR:
		return gen_ptr(c);
	case K_ADDR:
		return gen_addr(c);
	case K_SIZE:
		return gen_size(c);
	case K_FLAGS:
		return gen_flags(c);
	case K_PID:
		return gen_pid(c);
	case K_SIG:
		return (long)below(&c->rng, 70) - (below(&c->rng, 20) == 0 ? 3 : 0);
	case K_CLOCK:
		return (long)below(&c->rng, 14) - 1;
	case K_PROT:
		return below(&c->rng, 8) == 0 ? gen_flags(c) : (long)below(&c->rng, 8);
	case K_MAPFLAGS:
		return gen_mapflags(c);
	case K_STR: {
		char *p = (char *)gen_ptr(c);

		if (p >= c->scratch && p < c->scratch + SCRATCH_SIZE - 64)
			p[below(&c->rng, 64)] = 0;	/* a random string, usually short */
		return (long)p;
	}
	case K_FUTEXOP:
		return (long)below(&c->rng, 14) | (below(&c->rng, 2) ? 128 : 0) |
		       (below(&c->rng, 8) == 0 ? 256 : 0);
	default:
		return gen_int(c);
	}
}

/* ---- keeping a worker alive long enough to matter ---- */

/* Whether [addr, addr + len) touches a range the worker must keep (its image, stacks...). */
static int hits_kept(struct context *c, unsigned long addr, unsigned long len)
{
	unsigned long end = addr + ((len + 4095) & ~4095ul);
	int i;

	if (len > TASK_SIZE_ || end < addr)
		end = ~0ul;
	for (i = 0; i < c->nkeep; i++)
		if (addr < c->keep_hi[i] && end > c->keep_lo[i])
			return 1;
	return 0;
}

/*
 * Tames the few arguments that would end the run or the worker on the spot rather than
 * test the kernel: signals to init, to 0 or to groups; unmapping, moving, protecting or
 * dropping its own memory; MAP_POPULATE of gigabytes.
 */
static void tame(struct context *c, long nr, long *a)
{
	/* the kernel reads pid_t, an int: judge the argument as it will */
	if (sends_signal(nr) && ((int)a[0] <= 1 || (int)a[0] == c->pid))
		a[0] = below(&c->rng, 2) ? 99999 : c->tid;
	if (nr == 129 && (int)a[0] == c->tid && a[1] != 0 && below(&c->rng, 8) != 0)
		a[1] = 0;	/* now and then it kills itself */
	if ((nr == 215 || nr == 226 || nr == 233) && hits_kept(c, a[0], a[1]))
		a[0] = (long)ARENA_BASE;
	if (nr == 216) {
		if (hits_kept(c, a[0], a[1]))
			a[0] = (long)ARENA_BASE;
		if ((a[3] & MREMAP_FIXED) && hits_kept(c, a[4], a[2]))
			a[4] = (long)ARENA_BASE + (long)ARENA_SIZE / 2;
	}
	if (nr == 222) {
		if ((a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && hits_kept(c, a[0], a[1]))
			a[0] = (long)ARENA_BASE;
		if ((a[3] & 0x8000) && (unsigned long)a[1] > (1ul << 20))
			a[1] = 1 << 20;
	}
	if (nr == 96 || nr == 220) {
		/* tid words the kernel writes later, when the task exits: never in kept memory */
		int i;

		for (i = 1; i < 5; i++)
			if (hits_kept(c, a[i], 8))
				a[i] = (long)c->scratch;
		if (nr == 96 && hits_kept(c, a[0], 8))
			a[0] = (long)c->scratch;
	}
}

/* ---- making the calls ---- */

static long raw_syscall(long n, long *a)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a[0];
	register long a1 __asm__("a1") = a[1];
	register long a2 __asm__("a2") = a[2];
	register long a3 __asm__("a3") = a[3];
	register long a4 __asm__("a4") = a[4];
	register long a5 __asm__("a5") = a[5];

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

/*
 * clone and clone3 with random arguments: the child (a0 == 0) leaves at once with exit(0),
 * before it touches a stack that may be anywhere.
 */
static long raw_clone(long n, long *a)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a[0];
	register long a1 __asm__("a1") = a[1];
	register long a2 __asm__("a2") = a[2];
	register long a3 __asm__("a3") = a[3];
	register long a4 __asm__("a4") = a[4];

	__asm__ volatile("ecall\n\t"
			 "bnez a0, 1f\n\t"
			 "li a7, 93\n\t"
			 "ecall\n"
			 "1:"
			 : "+r"(a0), "+r"(a7)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4)
			 : "memory");
	return a0;
}

/* The next call of a worker: its number, and its arguments in a[0..5]. */
static long plan(struct context *c, long *a)
{
	long nr;
	int i, kinds[6] = { 0 }, nargs = 6;
	uint64_t pick = below(&c->rng, 100);

	if (pick < 70) {
		const struct call *k = &known[below(&c->rng, NKNOWN)];

		nr = k->nr;
		nargs = k->nargs;
		for (i = 0; i < nargs; i++)
			kinds[i] = k->kinds[i];
	} else if (pick < 99) {
		nr = (long)below(&c->rng, NR_MAX);
		for (i = 0; i < 6; i++)
			kinds[i] = (int)below(&c->rng, K_FUTEXOP + 1);
	} else {
		static const long beyond[] = { NR_MAX, 512, 1000, 4096, -1, 1l << 31, 1l << 40 };

		nr = beyond[below(&c->rng, sizeof(beyond) / sizeof(beyond[0]))];
	}
	if (nr == 93 || nr == 94)
		nr = 172;	/* exit and exit_group end only a worker, at its end */
	if (nr == 221 && below(&c->rng, 500) == 0) {
		/* now and then a real execve, while the worker's other threads run on */
		static char path[] = "/bin/hello";
		static char arg0[] = "hello";
		static char *argv[] = { arg0, 0 };

		a[0] = (long)path;
		a[1] = (long)argv;
		a[2] = below(&c->rng, 2) ? 0 : (long)argv;
		for (i = 3; i < 6; i++)
			a[i] = gen_int(c);
		return nr;
	}
	for (i = 0; i < 6; i++)
		a[i] = i < nargs ? gen_arg(c, kinds[i]) : gen_int(c);
	return nr;
}

static void record(long nr, long r)
{
	atomic_fetch_add(&sh->per_nr[nr >= 0 && nr < NR_MAX ? nr : NR_MAX], 1);
	if (r >= 0)
		atomic_fetch_add(&sh->ok, 1);
	else if (r >= -(NERR - 1))
		atomic_fetch_add(&sh->err[-r], 1);
	else
		atomic_fetch_add(&sh->other, 1);
}

static void fuzz(struct context *c)
{
	long a[6], n;

	while (atomic_fetch_add(&sh->total, 1) < sh->target) {
		long r;

		n = plan(c, a);
		tame(c, n, a);
		r = (n == 220 || n == 435) ? raw_clone(n, a) : raw_syscall(n, a);
		if (n == 59 && r == 0 && c->nfds < 15) {
			int *fds = (int *)a[0];	/* pipe2 wrote two descriptors there */

			c->fds[c->nfds++] = fds[0];
			c->fds[c->nfds++] = fds[1];
		}
		record(n, r);
		atomic_fetch_add(&sh->progress[c->slot], 1);
		if ((sh->progress[c->slot] & 63) == 0)
			while (sys_wait4(-1, 0, WNOHANG | __WALL, 0) > 0)
				;	/* reap what clone made */
	}
}

/* ---- workers ---- */

struct thread_arg {
	struct context ctx;
	int tid_word;
};

static struct thread_arg threads[MAX_THREADS];

static int thread_main(void *p)
{
	struct thread_arg *t = p;

	t->ctx.tid = sys_gettid();
	fuzz(&t->ctx);
	return 0;
}

static void keep(struct context *c, unsigned long lo, unsigned long hi)
{
	c->keep_lo[c->nkeep] = lo & ~4095ul;
	c->keep_hi[c->nkeep] = (hi + 4095) & ~4095ul;
	c->nkeep++;
}

static __attribute__((noreturn)) void worker(int slot, uint64_t seed, int nthreads)
{
	struct context base;
	long m, stacks[MAX_THREADS];
	int i, fd;
	unsigned long sp = (unsigned long)&base;

	for (fd = 0; fd <= 2; fd++)
		sys_close(fd);	/* random writes and reads never reach the console */
	memset(&base, 0, sizeof(base));
	base.slot = slot;
	base.pid = sys_getpid();
	/* Guard pages on both sides, PROT_NONE areas rather than holes, so that no mmap can
	   take their place: a call that runs off the scratch area meets EFAULT, not the
	   counters that may lie next to it. */
	m = sys_mmap(0, SCRATCH_SIZE + 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (is_err(m) ||
	    sys_mprotect((char *)m + 4096, SCRATCH_SIZE, PROT_READ | PROT_WRITE) != 0)
		exit(70);
	base.scratch = (char *)m + 4096;
	keep(&base, (unsigned long)__executable_start, (unsigned long)_end);
	keep(&base, sp - (8ul << 20), sp + (8ul << 20));
	keep(&base, (unsigned long)sh, (unsigned long)sh + sizeof(*sh));
	keep(&base, (unsigned long)m, (unsigned long)m + SCRATCH_SIZE + 2 * 4096);
	for (i = 1; i < nthreads; i++) {
		stacks[i] = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (is_err(stacks[i]))
			exit(70);
		keep(&base, stacks[i], stacks[i] + STACK_SIZE);
	}
	for (i = 1; i < nthreads; i++) {
		threads[i].ctx = base;	/* every thread keeps every stack */
		threads[i].ctx.rng = seed + 0x1000 * (uint64_t)i;
		if (thread_create(thread_main, &threads[i], (void *)stacks[i], STACK_SIZE,
				  &threads[i].tid_word) < 0)
			exit(70);
	}
	threads[0].ctx = base;
	threads[0].ctx.rng = seed;
	thread_main(&threads[0]);
	for (i = 1; i < nthreads; i++)
		thread_join(&threads[i].tid_word);
	exit(0);
}

/* ---- init: start workers, watch them, replace them, report ---- */

struct options {
	long calls, seed;
	int procs, threads, dry;
};

static uint64_t worker_seed(const struct options *o, int slot, long generation)
{
	uint64_t s = (uint64_t)o->seed * 0x100000001b3ul + (uint64_t)slot * 0x9e3779b9ul +
		     (uint64_t)generation * 0x7feb352dul;

	return next(&s);
}

static long recorded(void)
{
	long n = sh->ok + sh->other;
	int e;

	for (e = 0; e < NERR; e++)
		n += sh->err[e];
	return n;
}

static void print_summary(const struct options *o, long started, long watchdog,
			  const long *deaths, long bad_exits)
{
	int e, distinct = 0, first = 1;

	for (e = 0; e < NR_MAX; e++)
		distinct += sh->per_nr[e] != 0;
	printf("sysfuzz: seed %ld: %ld calls of %d distinct numbers 0..%d and %ld beyond, by %d"
	       " processes x %d threads\n",
	       o->seed, recorded(), distinct, NR_MAX - 1, sh->per_nr[NR_MAX], o->procs, o->threads);
	printf("sysfuzz: results: ok %ld", sh->ok);
	for (e = 1; e < NERR; e++)
		if (sh->err[e])
			printf(", %s %ld", errno_name(e), sh->err[e]);
	if (sh->other)
		printf(", other %ld", sh->other);
	printf("\n");
	printf("sysfuzz: workers: %ld started, %ld stopped by the watchdog, %ld exited with an"
	       " error, killed by:", started, watchdog, bad_exits);
	for (e = 1; e < 65; e++) {
		if (deaths[e]) {
			printf("%s %s %ld", first ? "" : ",", signal_name(e), deaths[e]);
			first = 0;
		}
	}
	printf("%s\n", first ? " nothing else" : "");
}

/* A worker slot: the pid working in it (0: none), and what the watchdog saw of it. */
struct slot {
	long pid;
	long seen;
	int idle;
	int killed;
};

static long spawn(const struct options *o, struct slot *s, int i, long generation)
{
	long pid = fork();

	if (pid == 0)
		worker(i, worker_seed(o, i, generation), o->threads);
	if (pid > 0) {
		s->pid = pid;
		s->seen = sh->progress[i];
		s->idle = 0;
		s->killed = 0;
	}
	return pid;
}

static int run(const struct options *o)
{
	struct slot slots[MAX_WORKERS];
	long deaths[65] = { 0 }, started = 0, watchdog = 0, bad_exits = 0, generation = 0;
	struct timespec tick = { 0, 1000000 };
	volatile char touch[32768];
	int i, alive;
	long m;

	for (i = 0; i < (int)sizeof(touch); i += 4096)
		touch[i] = 0;	/* init's stack is in place: it never faults under memory pressure */
	m = sys_mmap(0, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | 0x8000,
		     -1, 0);
	if (is_err(m)) {
		printf("sysfuzz: no memory for the counters: %s\n", errno_name(m));
		return 1;
	}
	sh = (struct shared *)m;
	sh->target = o->calls;
	memset(slots, 0, sizeof(slots));
	for (;;) {
		int status;
		long pid;

		while ((pid = sys_wait4(-1, &status, WNOHANG | __WALL, 0)) > 0) {
			for (i = 0; i < o->procs; i++) {
				if (slots[i].pid != pid)
					continue;
				if (WIFSIGNALED(status) && !slots[i].killed)
					deaths[WTERMSIG(status) & 63]++;
				else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
					bad_exits++;
				slots[i].pid = 0;
			}
		}
		alive = 0;
		for (i = 0; i < o->procs; i++) {
			if (slots[i].pid == 0 && atomic_load_acquire(&sh->total) < o->calls &&
			    spawn(o, &slots[i], i, generation++) > 0)
				started++;
			alive += slots[i].pid != 0;
		}
		if (alive == 0 && atomic_load_acquire(&sh->total) >= o->calls)
			break;
		sys_nanosleep(&tick, 0);
		for (i = 0; i < o->procs; i++) {
			long now = atomic_load_acquire(&sh->progress[i]);

			if (slots[i].pid == 0 || slots[i].killed)
				continue;
			if (now != slots[i].seen) {
				slots[i].seen = now;
				slots[i].idle = 0;
			} else if (++slots[i].idle >= WATCHDOG_TICKS) {
				sys_kill(slots[i].pid, SIGKILL);	/* asleep for good: next */
				slots[i].killed = 1;
				watchdog++;
			}
		}
	}
	print_summary(o, started, watchdog, deaths, bad_exits);
	return 0;
}

/* -n: the plan, with no system call made: a hash of what the workers would be asked. */
static int dry_run(const struct options *o)
{
	static char scratch[SCRATCH_SIZE];
	struct context c;
	uint64_t hash = 1469598103934665603ul;
	long i, a[6], counts[4] = { 0 };
	int j;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < o->calls; i++) {
		long n;

		if (i % 1000 == 0)
			c.rng = worker_seed(o, (int)((i / 1000) % o->procs), i / 1000);
		c.scratch = scratch;	/* pointers into it are hashed as offsets */
		n = plan(&c, a);
		for (j = 0; j < 6; j++) {
			long v = a[j];

			if (v >= (long)scratch && v < (long)scratch + SCRATCH_SIZE)
				v -= (long)scratch;	/* scratch pointers as offsets */
			hash = (hash ^ (uint64_t)v) * 1099511628211ul;
		}
		hash = (hash ^ (uint64_t)n) * 1099511628211ul;
		counts[n < 0 || n >= NR_MAX ? 3 : n == 220 || n == 435 ? 2 : n < 100 ? 0 : 1]++;
	}
	printf("sysfuzz: plan for seed %ld: %ld calls (%ld below 100, %ld clones, %ld beyond %d),"
	       " hash %lx\n",
	       o->seed, o->calls, counts[0], counts[2], counts[3], NR_MAX - 1, hash);
	return 0;
}

static int usage(void)
{
	puts("usage: sysfuzz [-c CALLS] [-s SEED] [-p PROCS (1..16)] [-t THREADS (1..8)] [-n]");
	return 2;
}

int main(int argc, char **argv)
{
	struct options o = { 100000, 1, 4, 2, 0 };
	int i;

	for (i = 1; i < argc; i++) {
		long v;

		if (strcmp(argv[i], "-n") == 0) {
			o.dry = 1;
			continue;
		}
		if (i + 1 >= argc || parse_long(argv[i + 1], &v) != 0)
			return usage();
		if (strcmp(argv[i], "-c") == 0 && v > 0)
			o.calls = v;
		else if (strcmp(argv[i], "-s") == 0)
			o.seed = v;
		else if (strcmp(argv[i], "-p") == 0 && v >= 1 && v <= MAX_WORKERS)
			o.procs = (int)v;
		else if (strcmp(argv[i], "-t") == 0 && v >= 1 && v <= MAX_THREADS)
			o.threads = (int)v;
		else
			return usage();
		i++;
	}
	return o.dry ? dry_run(&o) : run(&o);
}
