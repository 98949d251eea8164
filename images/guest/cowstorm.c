/*
 * cowstorm: fork while another thread of the parent writes the pages being shared, then
 * parent and child both write every page: copy-on-write must keep them apart. fork
 * write-protects the parent's pages, so the writable TLB entries that thread's hart
 * holds must be shot down before fork returns, or its writes land in the child's pages.
 *
 *   cowstorm [ROUNDS] [PAGES]    ROUNDS rounds (default 20) over PAGES pages (default
 *                                32, at most 1024)
 *
 * Main maps PAGES pages and runs on the first CPU this process may use. Word 1 of every
 * page belongs to the writer thread; main and the child write one word per 64-byte line
 * (words 0, 8, 16, ...). Each round:
 *   1. main writes the round's "before" pattern to its words of every page;
 *   2. it starts the writer thread on the second CPU: the thread sweeps the pages over
 *      and over, checking that word 1 still holds the count it last wrote there and
 *      writing the next one; main sleeps until it has made two sweeps;
 *   3. main forks. The child, on the third CPU, checks that it sees the "before" pattern,
 *      writes its own pattern to its words and to word 1, checks all of them twice (a
 *      write by the parent's thread through a stale TLB entry would show up), and exits
 *      with 0, or with the number of the check that failed;
 *   4. meanwhile main writes the parent pattern to its words and checks them, reaps the
 *      child, checks them again, stops the writer thread, joins it, and checks that word
 *      1 of every page holds the thread's last count: no write of it was lost to the
 *      child, none of the child's reached the parent.
 *
 * Output (deterministic):
 *   cowstorm: ROUNDS rounds x PAGES pages, a writer thread on another cpu during each fork
 *   cowstorm: ROUNDS children saw only their own writes, the parent only its own
 *   cowstorm: ROUNDS rounds x PAGES pages: isolation ok
 * Exit status 0 if so, 1 otherwise.
 */
#include "libc.h"

#define PAGE		4096ul
#define WORDS		(PAGE / 8)
#define STRIDE		8	/* main and the child write one word per 64-byte line */
#define WRITER_WORD	1	/* the writer thread's word in every page */
#define MAX_PAGES	1024
#define STACK_SIZE	(64 * 1024ul)

enum who { BEFORE, PARENT, CHILD };

static uint64_t *mem;
static long rounds, npages;
static int cpus[64], ncpus;

/* The writer thread's state: main sets stop, the thread reports when it has stopped. */
static int writer_tid;
static int stop;
static int sweeps;		/* completed this round: main waits (futex) for the second */
static uint64_t last[MAX_PAGES];	/* what the thread last wrote to each page's word 1 */
static int writer_ok;

static uint64_t pattern(long round, enum who who, unsigned long word)
{
	uint64_t x = ((uint64_t)round << 40 | (uint64_t)who << 32 | word) * 0x9e3779b97f4a7c15ull;

	return (x ^ x >> 29) | 1;
}

/* The pattern `who` in one word per line of every page; the writer thread's words untouched. */
static void write_pattern(long round, enum who who)
{
	unsigned long w;

	for (w = 0; w < (unsigned long)npages * WORDS; w += STRIDE)
		((volatile uint64_t *)mem)[w] = pattern(round, who, w);
}

static int check_pattern(long round, enum who who)
{
	unsigned long w;

	for (w = 0; w < (unsigned long)npages * WORDS; w += STRIDE) {
		if (((volatile uint64_t *)mem)[w] != pattern(round, who, w))
			return -1;
	}
	return 0;
}

/* The writer thread: sweeps word 1 of every page until told to stop. A value other than
   the one it last wrote means one of its writes went somewhere else. */
static int writer(void *arg)
{
	volatile uint64_t *m = mem;
	unsigned long p;
	int ok = 1;

	(void)arg;
	pin_to_cpu(cpus[1 % ncpus]);
	while (!atomic_load_acquire(&stop)) {
		for (p = 0; p < (unsigned long)npages; p++) {
			if (m[p * WORDS + WRITER_WORD] != last[p])
				ok = 0;
			m[p * WORDS + WRITER_WORD] = ++last[p];
		}
		if (atomic_fetch_add(&sweeps, 1) == 1)
			futex_wake(&sweeps, 1);
		if (ncpus < 2)
			sys_sched_yield();	/* main shares the CPU: let it on */
	}
	writer_ok = ok;
	return 0;
}

/* The child's part of round `round`; returns its exit status (0 ok, else which check). */
static int child(long round)
{
	volatile uint64_t *m = mem;
	unsigned long p;
	int pass;

	pin_to_cpu(cpus[2 % ncpus]);
	if (check_pattern(round, BEFORE))
		return 1;	/* the child does not see the memory as it was at fork */
	write_pattern(round, CHILD);
	for (p = 0; p < (unsigned long)npages; p++)
		m[p * WORDS + WRITER_WORD] = pattern(round, CHILD, WRITER_WORD);
	for (pass = 0; pass < 2; pass++) {
		if (check_pattern(round, CHILD))
			return 2;	/* the parent's writes reached the child */
		for (p = 0; p < (unsigned long)npages; p++) {
			if (m[p * WORDS + WRITER_WORD] != pattern(round, CHILD, WRITER_WORD))
				return 3;	/* the parent's thread wrote into the child */
		}
		sys_sched_yield();
	}
	return 0;
}

static int failures;

static void check(int ok, long round, const char *what, long got)
{
	if (!ok) {
		printf("cowstorm: FAILED: round %ld: %s (%ld)\n", round, what, got);
		failures++;
	}
}

static void round_of(long round, char *stack)
{
	char how[64];
	long r, pid;
	int status = -1, seen;
	unsigned long p;

	write_pattern(round, BEFORE);
	stop = 0;
	sweeps = 0;
	r = thread_create(writer, 0, stack, STACK_SIZE, &writer_tid);
	check(r > 0, round, "thread_create failed", r);
	if (r <= 0)
		return;
	while ((seen = atomic_load_acquire(&sweeps)) < 2)
		futex_wait(&sweeps, seen, 0);

	pid = fork();
	if (pid == 0)
		exit(child(round));
	check(pid > 0, round, "fork failed", pid);
	write_pattern(round, PARENT);
	check(check_pattern(round, PARENT) == 0, round,
	      "the parent does not see its own writes", 0);
	if (pid > 0) {
		r = waitpid((int)pid, &status, 0);
		check(r == pid, round, "waitpid failed", r);
		check(status == 0, round, describe_status(status, how, sizeof(how)), status);
	}
	check(check_pattern(round, PARENT) == 0, round, "the child's writes reached the parent",
	      0);
	atomic_store_release(&stop, 1);
	thread_join(&writer_tid);
	check(writer_ok, round, "a write of the writer thread was lost", 0);
	for (p = 0; p < (unsigned long)npages; p++) {
		if (mem[p * WORDS + WRITER_WORD] != last[p]) {
			check(0, round, "the writer thread's word is not what it last wrote",
			      (long)p);
			break;
		}
	}
}

int main(int argc, char **argv)
{
	long round, r;
	char *stack;

	rounds = 20;
	npages = 32;
	if ((argc > 1 && parse_long(argv[1], &rounds) != 0) || rounds < 0 ||
	    (argc > 2 && parse_long(argv[2], &npages) != 0) || npages < 1 ||
	    npages > MAX_PAGES || argc > 3) {
		puts("usage: cowstorm [ROUNDS] [PAGES]    (ROUNDS default 20; PAGES 1..1024, "
		     "default 32)");
		return 2;
	}
	ncpus = allowed_cpus(cpus, 64);
	if (ncpus < 1) {
		printf("cowstorm: FAILED: sched_getaffinity: %s\n", errno_name(ncpus));
		return 1;
	}
	if (ncpus > 64)
		ncpus = 64;
	pin_to_cpu(cpus[0]);
	r = sys_mmap(0, (unsigned long)npages * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (is_err(r)) {
		printf("cowstorm: FAILED: mmap: %s\n", errno_name(r));
		return 1;
	}
	mem = (uint64_t *)r;
	r = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (is_err(r)) {
		printf("cowstorm: FAILED: mmap of a stack: %s\n", errno_name(r));
		return 1;
	}
	stack = (char *)r;

	printf("cowstorm: %ld rounds x %ld pages, a writer thread on another cpu during each "
	       "fork\n", rounds, npages);
	for (round = 0; round < rounds; round++)
		round_of(round, stack);
	if (failures) {
		printf("cowstorm: %d check(s) FAILED\n", failures);
		return 1;
	}
	printf("cowstorm: %ld children saw only their own writes, the parent only its own\n",
	       rounds);
	printf("cowstorm: %ld rounds x %ld pages: isolation ok\n", rounds, npages);
	return 0;
}
