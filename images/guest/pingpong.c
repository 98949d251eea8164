/*
 * pingpong: context-switch latency, measured like lmbench's lat_ctx.
 *
 *   pingpong [-t] [-s | -x] [ROUNDS]
 *
 * Two tasks pass a one-byte token back and forth through two pipes ROUNDS times
 * (default 10000): two processes, or with -t two threads of one process. Each side
 * blocks in read until the other writes, so a round trip is two wake-ups and, on one
 * CPU, two context switches. -s pins both to one CPU (the first this process may use),
 * so that every hand-over is a switch on that CPU rather than a wake-up of another. -x pins
 * the two sides to two different CPUs, so that each CPU goes idle while it waits for the
 * token: every hand-over is a switch to idle and back (the lazy-TLB path).
 * The token is incremented on each pass and checked. After 100 rounds to warm up,
 * rdcycle times the ROUNDS round trips.
 *
 * stdout, first line deterministic, then the measurements:
 *   pingpong: ROUNDS round trips between two processes|threads[ on one cpu| on two cpus]
 *   cycles per round trip: X
 *   cycles per switch: X/2
 * Cycles are hartlab's virtual cycles (deterministic in lockstep mode), or whatever
 * rdcycle counts elsewhere (host ticks under qemu-user). Exit status 0, or 1 if the
 * token came back wrong or a call failed.
 */
#include "libc.h"

#define WARMUP		100
#define STACK_SIZE	(64 * 1024ul)

static int to_partner[2], from_partner[2];
static long rounds;
/* With -x, the CPU the partner pins itself to; -1 otherwise. */
static int partner_cpu = -1;

static void fail(const char *what, long got)
{
	printf("pingpong: FAILED: %s (got %ld)\n", what, got);
	exit(1);
}

/* The partner: reads the token, sends it back plus one, until EOF. */
static int partner(void *unused)
{
	unsigned char token;
	long r;

	(void)unused;
	if (partner_cpu >= 0 && pin_to_cpu(partner_cpu) != 0)
		return 4;
	while ((r = sys_read(to_partner[0], &token, 1)) == 1) {
		token++;
		if (sys_write(from_partner[1], &token, 1) != 1)
			return 2;
	}
	return r == 0 ? 0 : 3;
}

/* n round trips from this side, starting with *token; checks every reply. */
static void play(long n, unsigned char *token)
{
	unsigned char reply;
	long i, r;

	for (i = 0; i < n; i++) {
		r = sys_write(to_partner[1], token, 1);
		if (r != 1)
			fail("write of the token", r);
		r = sys_read(from_partner[0], &reply, 1);
		if (r != 1)
			fail("read of the token", r);
		if (reply != (unsigned char)(*token + 1))
			fail("the token came back wrong", reply);
		*token = (unsigned char)(reply + 1);
	}
}

int main(int argc, char **argv)
{
	int use_threads = 0, pin = 0, cross = 0, i, tid = 0, status;
	unsigned char token = 0;
	uint64_t t0, t1, per_trip;
	long pid = 0, r;
	char *stack = 0;

	rounds = 10000;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "-t") == 0)
			use_threads = 1;
		else if (strcmp(argv[i], "-s") == 0)
			pin = 1;
		else if (strcmp(argv[i], "-x") == 0)
			cross = 1;
		else
			break;
	}
	if ((i < argc && (parse_long(argv[i++], &rounds) != 0 || rounds < 1)) || i < argc
	    || (pin && cross)) {
		puts("usage: pingpong [-t] [-s | -x] [ROUNDS]    (-t threads, -s one cpu, -x two "
		     "cpus; ROUNDS default 10000)");
		return 2;
	}
	if (cross) {
		int cpus[2];

		r = allowed_cpus(cpus, 2);
		if (r < 2)
			fail("-x needs two cpus; allowed cpus", r);
		r = pin_to_cpu(cpus[0]);
		if (r != 0)
			fail("sched_setaffinity", r);
		partner_cpu = cpus[1];
	}

	if (pin) {
		int cpu;

		r = allowed_cpus(&cpu, 1);
		if (r < 1)
			fail("sched_getaffinity", r);
		r = pin_to_cpu(cpu);	/* children and threads inherit it */
		if (r != 0)
			fail("sched_setaffinity", r);
	}
	r = sys_pipe2(to_partner, 0);
	if (r == 0)
		r = sys_pipe2(from_partner, 0);
	if (r != 0)
		fail("pipe2", r);
	if (use_threads) {
		r = sys_mmap(0, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
		if (is_err(r))
			fail("mmap of a stack", r);
		stack = (char *)r;
		r = thread_create(partner, 0, stack, STACK_SIZE, &tid);
		if (r < 0)
			fail("thread_create", r);
	} else {
		pid = fork();
		if (pid < 0)
			fail("fork", pid);
		if (pid == 0) {
			sys_close(to_partner[1]);
			sys_close(from_partner[0]);
			exit(partner(0));
		}
		sys_close(to_partner[0]);
		sys_close(from_partner[1]);
	}

	play(WARMUP, &token);
	t0 = rdcycle();
	play(rounds, &token);
	t1 = rdcycle();

	sys_close(to_partner[1]);	/* the partner sees EOF and returns */
	if (use_threads) {
		thread_join(&tid);
		sys_munmap(stack, STACK_SIZE);
	} else {
		r = sys_wait4((int)pid, &status, 0, 0);
		if (r != pid || status != 0)
			fail("the partner process did not exit with 0", status);
	}

	per_trip = (t1 - t0) / (uint64_t)rounds;
	printf("pingpong: %ld round trips between two %s%s\n", rounds,
	       use_threads ? "threads" : "processes", pin ? " on one cpu" : cross ? " on two cpus" : "");
	printf("cycles per round trip: %lu\n", (unsigned long)per_trip);
	printf("cycles per switch: %lu\n", (unsigned long)(per_trip / 2));
	return 0;
}
