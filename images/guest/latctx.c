/*
 * latctx: context-switch cost the way lmbench's lat_ctx measures it.
 *
 *   latctx [-t] [-b] [-p] [-w KB] [-n RING] [ROUNDS]
 *
 * RING members (processes, or with -t threads of one process; default 2, at most 64) pass a
 * one-byte token around a ring of pipes ROUNDS times (default 1000): member i reads pipe i and
 * writes pipe i+1. Each member touches its own working set of KB kilobytes (default 0), one load
 * and one store per page, every time it holds the token, so the TLB entries a switch loses have
 * to be walked again. All members share one cpu (the first this process may use), so every
 * hand-over is a context switch; with -p member i is pinned to the i-th allowed cpu instead (mod
 * their number), so each cpu goes idle between tokens: the lazy-TLB path, a switch storm.
 *
 * -b is the baseline: no switches. The main task alone writes and reads each of the RING pipes in
 * turn and touches each of the RING working sets, the same work without the hand-overs; lat_ctx
 * subtracts it.
 *
 * After 10 warm-up rounds, rdcycle times the ROUNDS rounds. stdout, first line deterministic:
 *   latctx: RING processes|threads, KB KB each, ROUNDS rounds[, baseline][, on N cpus]
 *   cycles per round: X
 *   cycles per hand-over: X/RING
 * Exit status 0, 1 if the token came back wrong or a call failed, 2 on a usage error.
 */
#include "libc.h"

#define WARMUP		10
#define MAX_RING	64
#define PAGE		4096ul
#define STACK_SIZE	(64 * 1024ul)

static int pipes[MAX_RING][2];
static long ring = 2, rounds = 1000, ws_bytes;
static int cpus[MAX_RING], ncpus, spread;

static void fail(const char *what, long got)
{
	printf("latctx: FAILED: %s (got %ld)\n", what, got);
	exit(1);
}

static volatile unsigned char *working_set(void)
{
	long r;

	if (ws_bytes == 0)
		return 0;
	r = sys_mmap(0, ws_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (is_err(r))
		fail("mmap of a working set", r);
	return (volatile unsigned char *)r;
}

/* One load and one store per page of the working set. */
static void touch(volatile unsigned char *ws)
{
	unsigned long off;

	for (off = 0; ws && off < (unsigned long)ws_bytes; off += PAGE)
		ws[off] = (unsigned char)(ws[off] + 1);
}

/* Member i (i > 0): passes the token on, plus one, until EOF; then closes its write end. */
static int member(void *arg)
{
	long i = (long)arg, r;
	int in = pipes[i][0], out = pipes[(i + 1) % ring][1];
	volatile unsigned char *ws;
	unsigned char token;

	if (spread && pin_to_cpu(cpus[i % ncpus]) != 0)
		return 4;
	ws = working_set();
	while ((r = sys_read(in, &token, 1)) == 1) {
		touch(ws);
		token++;
		if (sys_write(out, &token, 1) != 1)
			return 2;
	}
	sys_close(out);
	return r == 0 ? 0 : 3;
}

/* n rounds of the token from member 0; checks it came back plus ring - 1 each time. */
static void play(long n, volatile unsigned char *ws, unsigned char *token)
{
	unsigned char back;
	long i, r;

	for (i = 0; i < n; i++) {
		touch(ws);
		r = sys_write(pipes[1][1], token, 1);
		if (r != 1)
			fail("write of the token", r);
		r = sys_read(pipes[0][0], &back, 1);
		if (r != 1)
			fail("read of the token", r);
		if (back != (unsigned char)(*token + ring - 1))
			fail("the token came back wrong", back);
		*token = (unsigned char)(back + 1);
	}
}

/* The baseline: the same pipe traffic and touches by one task, no hand-over. */
static void alone(long n, volatile unsigned char **ws, unsigned char *token)
{
	unsigned char back;
	long i, m, r;

	for (i = 0; i < n; i++) {
		for (m = 0; m < ring; m++) {
			touch(ws[m]);
			r = sys_write(pipes[m][1], token, 1);
			if (r == 1)
				r = sys_read(pipes[m][0], &back, 1);
			if (r != 1 || back != *token)
				fail("the token through a pipe", r);
			(*token)++;
		}
	}
}

int main(int argc, char **argv)
{
	int use_threads = 0, baseline = 0, i, j, status;
	int tids[MAX_RING];
	long pids[MAX_RING], kb = 0, r;
	char *stacks[MAX_RING];
	volatile unsigned char *sets[MAX_RING];
	unsigned char token = 0;
	uint64_t t0, t1;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-t") == 0)
			use_threads = 1;
		else if (strcmp(argv[i], "-b") == 0)
			baseline = 1;
		else if (strcmp(argv[i], "-p") == 0)
			spread = 1;
		else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc && parse_long(argv[i + 1], &kb) == 0)
			i++;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc
			 && parse_long(argv[i + 1], &ring) == 0)
			i++;
		else
			break;
	}
	if ((i < argc && (parse_long(argv[i++], &rounds) != 0 || rounds < 1)) || i < argc
	    || ring < 2 || ring > MAX_RING || kb < 0 || kb > 65536 || (baseline && spread)) {
		puts("usage: latctx [-t] [-b] [-p] [-w KB] [-n RING] [ROUNDS]    (-t threads, -b "
		     "baseline, -p one cpu per member; RING 2..64, default 2; KB 0..65536; ROUNDS "
		     "default 1000)");
		return 2;
	}
	ws_bytes = (kb * 1024 + PAGE - 1) / PAGE * PAGE;
	ncpus = allowed_cpus(cpus, MAX_RING);
	if (ncpus < 1)
		fail("sched_getaffinity", ncpus);
	r = pin_to_cpu(cpus[0]);	/* members inherit it unless -p moves them */
	if (r != 0)
		fail("sched_setaffinity", r);
	for (i = 0; i < ring; i++) {
		r = sys_pipe2(pipes[i], 0);
		if (r != 0)
			fail("pipe2", r);
	}
	printf("latctx: %ld %s, %ld KB each, %ld rounds%s%s", ring,
	       use_threads ? "threads" : "processes", kb, rounds, baseline ? ", baseline" : "",
	       spread ? ", one cpu each" : "");
	puts("");

	if (baseline) {
		for (i = 0; i < ring; i++)
			sets[i] = working_set();
		alone(WARMUP, sets, &token);
		t0 = rdcycle();
		alone(rounds, sets, &token);
		t1 = rdcycle();
	} else {
		for (i = 1; i < ring; i++) {
			if (use_threads) {
				r = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				if (is_err(r))
					fail("mmap of a stack", r);
				stacks[i] = (char *)r;
				r = thread_create(member, (void *)(long)i, stacks[i], STACK_SIZE,
						  &tids[i]);
				if (r < 0)
					fail("thread_create", r);
				continue;
			}
			pids[i] = fork();
			if (pids[i] < 0)
				fail("fork", pids[i]);
			if (pids[i] == 0) {
				for (j = 0; j < ring; j++) {
					if (j != i)
						sys_close(pipes[j][0]);
					if (j != (i + 1) % ring)
						sys_close(pipes[j][1]);
				}
				exit(member((void *)(long)i));
			}
		}
		if (!use_threads) {
			for (j = 0; j < ring; j++) {
				if (j != 0)
					sys_close(pipes[j][0]);
				if (j != 1)
					sys_close(pipes[j][1]);
			}
		}
		sets[0] = working_set();
		play(WARMUP, sets[0], &token);
		t0 = rdcycle();
		play(rounds, sets[0], &token);
		t1 = rdcycle();
		sys_close(pipes[1][1]);	/* EOF goes round the ring */
		for (i = 1; i < ring; i++) {
			if (use_threads) {
				thread_join(&tids[i]);
				continue;
			}
			r = sys_wait4((int)pids[i], &status, 0, 0);
			if (r != pids[i] || status != 0)
				fail("a member did not exit with 0", status);
		}
	}
	printf("cycles per round: %lu\n", (unsigned long)((t1 - t0) / (uint64_t)rounds));
	printf("cycles per hand-over: %lu\n",
	       (unsigned long)((t1 - t0) / (uint64_t)rounds / (uint64_t)ring));
	return 0;
}
