/*
 * limits: pushes against the kernel's limits and corner cases, one way per argument; the
 * whole-machine tests use it for the "hardening" rows of hartlab's issue 8. Modes that touch
 * other processes (killall, killgroup, initexit, the bombs) are meant for hartlab, where the
 * program is the first process of its own machine: never run them on a real system.
 *
 *   limits brk           brk(LONG_MAX), brk(-1) and other huge values leave the break as it was
 *   limits rw            read and write with count -1 are EFAULT (access_ok), as on Linux
 *   limits readtext      loads a word of its own code (faults if the text is execute-only)
 *   limits sleep HOW     sleeps "forever": nanosleep, clock, futex or futexabs with LONG_MAX
 *                        seconds; prints a line if it ever returns (it should not)
 *   limits futexkill N   N times: fork a child that sleeps on a futex, SIGKILL it, wait4 it
 *   limits initexit      forks a child that blocks forever, then exits 7 itself
 *   limits killall       kill(-1) from init: every other process dies, init lives
 *   limits killgroup     a child calls kill(0, SIGKILL): its process group, init included
 *   limits flood         writes lines to stdout until a write fails
 *   limits stdin         reads one byte of stdin, prints it, sleeps 10 ms, exits
 *   limits pipebomb N [fill]  N processes each open pipes until pipe2 fails; with fill each
 *                        pipe is also filled until a write fails
 *   limits vmabomb V P   maps up to V one-page areas, then forks up to P children that keep them
 */
#include "libc.h"

#define LONG_MAX_ 0x7fffffffffffffffL
#define FUTEX_WAIT_BITSET 9

static int usage(void)
{
	puts("usage: limits brk | rw | readtext | sleep nanosleep|clock|futex|futexabs |"
	     " futexkill N | initexit | killall | killgroup | flood | stdin |"
	     " pipebomb N [fill] | vmabomb V P");
	return 2;
}

/* ---- brk ---- */

static int do_brk(void)
{
	long cur = sys_brk(0);
	long huge[] = { LONG_MAX_, -1L, -4096L, (long)0x8000000000000000ul, 1L << 40,
			cur + (1L << 38), cur - 1 };
	int ok = 1;
	unsigned i;

	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		long r = sys_brk((void *)huge[i]);

		if (r != cur) {
			printf("limits: brk(0x%lx) returned 0x%lx, not the break 0x%lx\n", huge[i], r, cur);
			ok = 0;
		}
	}
	/* Had a request wrapped into a shrink, the program's own code would be gone by now. */
	ok &= sys_brk(0) == cur;
	printf("limits: brk: %u huge or wrapping requests left the break unchanged%s\n",
	       (unsigned)(sizeof(huge) / sizeof(huge[0])), ok ? "" : " (FAILED)");
	return ok ? 0 : 1;
}

/* ---- read/write with count -1 ---- */

static int do_rw(void)
{
	char buf[16];
	int fds[2];
	long r1, r2, r3, r4;

	if (sys_pipe2(fds, 0) != 0)
		return 1;
	r1 = sys_read(fds[0], buf, (size_t)-1);
	r2 = sys_write(fds[1], buf, (size_t)-1);
	r3 = sys_write(1, buf, (size_t)-1);
	r4 = sys_read(fds[0], buf, (size_t)1 << 63);
	printf("limits: rw: read(pipe, -1) %s, write(pipe, -1) %s, write(stdout, -1) %s,"
	       " read(pipe, 2^63) %s\n",
	       errno_name(r1), errno_name(r2), errno_name(r3), errno_name(r4));
	return r1 == -EFAULT && r2 == -EFAULT && r3 == -EFAULT && r4 == -EFAULT ? 0 : 1;
}

/* ---- loading from the text segment ---- */

static int do_readtext(void)
{
	volatile const unsigned *code = (const unsigned *)(unsigned long)&usage;

	printf("limits: readtext: the first instruction of usage() is %s\n",
	       *code != 0 ? "readable" : "zero");
	return 0;
}

/* ---- sleeping for LONG_MAX seconds ---- */

static int do_sleep(const char *how)
{
	struct timespec forever = { LONG_MAX_, 999999999 };
	static int word;
	long r;

	if (strcmp(how, "nanosleep") == 0)
		r = sys_nanosleep(&forever, 0);
	else if (strcmp(how, "clock") == 0)
		r = sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &forever, 0);
	else if (strcmp(how, "futex") == 0)
		r = sys_futex(&word, FUTEX_WAIT_PRIVATE, 0, &forever, 0, 0);
	else if (strcmp(how, "futexabs") == 0)
		r = sys_futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &forever, 0, -1);
	else
		return usage();
	printf("limits: sleep %s: returned %s after a LONG_MAX sleep\n", how, errno_name(r));
	return 1;
}

/* ---- SIGKILL for a child asleep on a futex ---- */

static int do_futexkill(long n)
{
	long i, killed = 0;

	for (i = 0; i < n; i++) {
		static int word;
		int status;
		long pid = fork();
		volatile long spin;

		if (pid < 0)
			return 1;
		if (pid == 0) {
			for (;;)
				futex_wait(&word, 0, 0);	/* nobody ever wakes it */
		}
		for (spin = 0; spin < (i % 97) * 20; spin++)
			;	/* vary the moment: before, during or after the child goes to sleep */
		if (sys_kill(pid, SIGKILL) != 0)
			return 1;
		if (waitpid(pid, &status, 0) != pid)
			return 1;
		killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	}
	printf("limits: futexkill: %ld of %ld children killed by SIGKILL and reaped\n", killed, n);
	return killed == n ? 0 : 1;
}

/* ---- init exits first ---- */

static int do_initexit(void)
{
	int fds[2];
	char c;
	long pid;

	if (sys_pipe2(fds, 0) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		sys_read(fds[0], &c, 1);	/* it holds the write end itself: blocks forever */
		puts("limits: initexit: the child's read returned");
		exit(1);
	}
	printf("limits: initexit: child %s, the first process exits with status 7\n",
	       pid > 0 ? "blocked" : "not forked");
	exit(7);
}

/* ---- kill(-1) and kill(0) ---- */

/* A result as the tests read it: 0, or the errno's name. */
static const char *res(long r)
{
	return r == 0 ? "0" : errno_name(r);
}

static long sleeper(void)
{
	long pid = fork();

	if (pid == 0) {
		for (;;) {
			struct timespec t = { 1000, 0 };

			sys_nanosleep(&t, 0);
		}
	}
	return pid;
}

static int do_killall(void)
{
	long alone = sys_kill(-1, 0), r;
	long pids[3];
	int i, killed = 0, status;

	for (i = 0; i < 3; i++)
		pids[i] = sleeper();
	r = sys_kill(-1, SIGKILL);
	for (i = 0; i < 3; i++)
		if (waitpid(pids[i], &status, 0) == pids[i] && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGKILL)
			killed++;
	printf("limits: killall: alone kill(-1, 0) %s; with 3 children kill(-1, SIGKILL) %s,"
	       " %d killed, init still here; kill(0, 0) %s, kill(-2, 0) %s\n",
	       res(alone), res(r), killed, res(sys_kill(0, 0)), res(sys_kill(-2, 0)));
	return alone == -ESRCH && r == 0 && killed == 3 ? 0 : 1;
}

static int do_killgroup(void)
{
	long pid = fork();
	int status;

	if (pid == 0) {
		sys_kill(0, SIGKILL);	/* the whole group: init too, and itself */
		exit(1);
	}
	waitpid(pid, &status, 0);
	puts("limits: killgroup: init survived kill(0, SIGKILL)");
	return 1;
}

/* ---- host output and input ---- */

static int do_flood(void)
{
	long i;

	for (i = 0;; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "limits: flood line %ld\n", i);
		long r = sys_write(1, line, n);

		if (r < 0) {
			dprintf(2, "limits: flood: write failed after %ld lines: %s\n", i,
				errno_name(r));
			return 3;
		}
	}
}

static int do_stdin(void)
{
	unsigned char c = 0;
	long r = sys_read(0, &c, 1);

	sleep_ms(10);
	printf("limits: stdin: read %ld byte(s), value %u\n", r, c);
	return 0;
}

/* ---- bombs ---- */

struct report {
	int err;	/* what stopped it, as a positive errno */
	int pipes;	/* pipes it opened */
	int filled;	/* pipe pages worth of data it wrote */
};

static void tally(int *counts, int err)
{
	if (err > 0 && err < 134)
		counts[err]++;
}

static void print_tally(const char *what, const int *counts)
{
	int e, first = 1;

	printf("limits: %s stopped by", what);
	for (e = 1; e < 134; e++) {
		if (counts[e]) {
			printf("%s %s x%d", first ? "" : ",", errno_name(e), counts[e]);
			first = 0;
		}
	}
	printf("%s\n", first ? " nothing" : "");
}

/* Where pipe-bomb children report, in memory shared with the parent: a pipe write could
   itself fail for want of a page once the bomb has taken them all. */
struct reports {
	int count;		/* children that have reported; futex word */
	struct report rep[1024];
};

/*
 * A child of the pipe bomb: opens pipes until pipe2 fails (filling each with data until a
 * write fails, with fill), reports, then waits for `go` to reach EOF.
 */
static void pipe_child(int go, struct reports *out, int fill)
{
	static char page[4096];
	struct report rep = { 0, 0, 0 };
	char c;
	int i;

	for (;;) {
		int fds[2];
		long r = sys_pipe2(fds, fill ? O_NONBLOCK : 0);

		if (r < 0) {
			rep.err = (int)-r;
			break;
		}
		rep.pipes++;
		while (fill) {
			long w = sys_write(fds[1], page, sizeof(page));

			if (w == -EAGAIN)
				break;	/* this pipe is full: the next one */
			if (w < 0) {
				rep.err = (int)-w;
				goto out;
			}
			rep.filled++;
		}
	}
out:
	i = atomic_fetch_add(&out->count, 1);
	if (i < 1024)
		out->rep[i] = rep;
	futex_wake_shared(&out->count, 1);
	sys_read(go, &c, 1);
	exit(0);
}

static int do_pipebomb(long n, int fill)
{
	int go[2], counts[134] = { 0 }, forkerr[134] = { 0 }, status, seen;
	long i, children = 0, pipes = 0, filled = 0, died = 0, killed = 0;
	long m = sys_mmap(0, sizeof(struct reports), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct reports *reports = (struct reports *)m;

	if (is_err(m) || sys_pipe2(go, 0) != 0 || n > 1024)
		return 1;
	reports->count = 0;	/* its page is there before the bomb takes the free ones */
	for (i = 0; i < n; i++) {
		long pid = fork();

		if (pid < 0) {
			tally(forkerr, (int)-pid);
			break;
		}
		if (pid == 0) {
			sys_close(go[1]);
			pipe_child(go[0], reports, fill);
		}
		children++;
	}
	/* Wait for every child to report or die: with memory gone, a child's page fault may
	   cost it its life (SIGKILL) before it can report. */
	while ((seen = atomic_load_acquire(&reports->count)) + died < children) {
		struct timespec tick = { 0, 10000000 };

		if (waitpid(-1, &status, WNOHANG) > 0) {
			died++;
			killed += WIFSIGNALED(status);
			continue;
		}
		futex_wait_shared(&reports->count, seen, &tick);
	}
	for (i = 0; i < seen && i < 1024; i++) {
		tally(counts, reports->rep[i].err);
		pipes += reports->rep[i].pipes;
		filled += reports->rep[i].filled;
	}
	sys_close(go[1]);	/* EOF for every child */
	while (waitpid(-1, &status, 0) > 0)
		killed += WIFSIGNALED(status);
	printf("limits: pipebomb: %ld processes (%ld killed), %ld pipes, %ld pages of data\n",
	       children, killed, pipes, filled);
	print_tally("pipebomb: processes", counts);
	print_tally("pipebomb: fork", forkerr);
	return 0;
}

static int do_vmabomb(long v, long p)
{
	/* one page mapped, one left free, from here up: areas never touch, so never merge */
	unsigned long base = 0x100000000ul;
	int go[2], forkerr[134] = { 0 }, mmaperr[134] = { 0 };
	long i, areas = 0, children = 0;
	char c;

	if (sys_pipe2(go, 0) != 0)
		return 1;
	for (i = 0; i < v; i++) {
		long r = sys_mmap((void *)(base + 2 * 4096 * i), 4096, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (is_err(r)) {
			tally(mmaperr, (int)-r);
			break;
		}
		areas++;
	}
	for (i = 0; i < p; i++) {
		long pid = fork();

		if (pid < 0) {
			tally(forkerr, (int)-pid);
			break;
		}
		if (pid == 0) {
			sys_close(go[1]);
			sys_read(go[0], &c, 1);
			exit(0);
		}
		children++;
	}
	sys_close(go[1]);
	while (waitpid(-1, 0, 0) > 0)
		;
	printf("limits: vmabomb: %ld areas, %ld children holding them\n", areas, children);
	print_tally("vmabomb: mmap", mmaperr);
	print_tally("vmabomb: fork", forkerr);
	return 0;
}

int main(int argc, char **argv)
{
	long n, m;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "brk") == 0)
		return do_brk();
	if (strcmp(argv[1], "rw") == 0)
		return do_rw();
	if (strcmp(argv[1], "readtext") == 0)
		return do_readtext();
	if (strcmp(argv[1], "sleep") == 0 && argc == 3)
		return do_sleep(argv[2]);
	if (strcmp(argv[1], "futexkill") == 0 && argc == 3 && parse_long(argv[2], &n) == 0)
		return do_futexkill(n);
	if (strcmp(argv[1], "initexit") == 0)
		return do_initexit();
	if (strcmp(argv[1], "killall") == 0)
		return do_killall();
	if (strcmp(argv[1], "killgroup") == 0)
		return do_killgroup();
	if (strcmp(argv[1], "flood") == 0)
		return do_flood();
	if (strcmp(argv[1], "stdin") == 0)
		return do_stdin();
	if (strcmp(argv[1], "pipebomb") == 0 && argc >= 3 && parse_long(argv[2], &n) == 0)
		return do_pipebomb(n, argc == 4 && strcmp(argv[3], "fill") == 0);
	if (strcmp(argv[1], "vmabomb") == 0 && argc == 4 && parse_long(argv[2], &n) == 0 &&
	    parse_long(argv[3], &m) == 0)
		return do_vmabomb(n, m);
	return usage();
}
