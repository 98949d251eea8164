/*
 * pipes: a pipeline of processes, and what read, write, close and dup do on pipes.
 *
 *   pipes [STAGES] [BYTES]    STAGES processes (default 4, 2..16), BYTES bytes through
 *                             them (default 100000)
 *
 * Stage 1 writes BYTES bytes of a fixed pattern to its stdout in chunks of odd sizes, some
 * larger than a pipe holds (so writes block); each middle stage reads its stdin in chunks
 * of yet other sizes, adds 1 to every byte and writes it on; the last counts and
 * checksums what it reads until EOF and sends the result to the parent on another pipe.
 * Each stage has the pipes on fds 0 and 1 (dup3) and closes every other pipe fd, so EOF
 * reaches the end of the pipeline once stage 1 is done. Then, one at a time: EOF with
 * data still in the pipe, a dup'ed write end, EFAULT (the data stays), EBADF, dup3's
 * errors, and SIGPIPE: a writer to a pipe without readers dies of it (there is no
 * sigaction, so no writer ever sees EPIPE), also when it was blocked on a full pipe.
 *
 * Only counts, checksums and statuses are printed: the output is the same on every
 * machine. Exit status 0 if everything behaved as on Linux, 1 otherwise.
 */
#include "libc.h"

#define MAX_STAGES	16
#define CHUNK_MAX	65539

static int failures;

static void check(int ok, const char *what, long got)
{
	if (!ok) {
		printf("pipes: FAILED: %s (got %ld)\n", what, got);
		failures++;
	}
}

/* A syscall in a child that must not fail; the status tells the parent which one did. */
static void must(int ok, int status)
{
	if (!ok)
		sys_exit_group(status);
}

static uint8_t pattern(unsigned long i)
{
	return (uint8_t)(i * 131 + (i >> 9));
}

/* FNV-1a, 32 bits */
static uint32_t fnv(uint32_t h, uint8_t b)
{
	return (h ^ b) * 16777619u;
}

#define FNV_INIT 2166136261u

static void make_pipe(int fds[2], int flags)
{
	long r = sys_pipe2(fds, flags);

	if (r != 0 || fds[0] < 3 || fds[1] < 3) {
		/* fds 0..2 must already be open, or dup3 onto them would close a pipe */
		printf("pipes: FAILED: pipe2: %s, fds %d %d\n", errno_name(r), fds[0], fds[1]);
		exit(1);
	}
}

static long spawn(void)
{
	long pid = fork();

	if (pid < 0) {
		printf("pipes: FAILED: fork: %s\n", errno_name(pid));
		exit(1);
	}
	return pid;
}

static int reap(long pid)
{
	int status = 0;
	long r = sys_wait4((int)pid, &status, 0, 0);

	check(r == pid, "wait4 did not return the child asked for", r);
	return status;
}

/* Writes all of buf to fd (a pipe write blocks until all is written, but be general). */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		long r = sys_write(fd, buf, len);

		if (r <= 0)
			return -1;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

static uint8_t buf[CHUNK_MAX];

/* Stage 1: bytes of the pattern, in chunks of these sizes, round and round. */
static void generate(unsigned long bytes)
{
	static const size_t chunks[] = { 1, 4093, 3, 12289, 77, CHUNK_MAX, 4097, 511 };
	unsigned long i = 0;
	unsigned c = 0;

	while (i < bytes) {
		size_t n = chunks[c++ % (sizeof(chunks) / sizeof(chunks[0]))], k;

		if (n > bytes - i)
			n = bytes - i;
		for (k = 0; k < n; k++)
			buf[k] = pattern(i + k);
		must(write_all(1, buf, n) == 0, 10);
		i += n;
	}
}

/* A middle stage: add 1 to every byte, reading `chunk` bytes at most at a time. */
static void transform(size_t chunk)
{
	long n, k;

	while ((n = sys_read(0, buf, chunk)) > 0) {
		for (k = 0; k < n; k++)
			buf[k]++;
		must(write_all(1, buf, (size_t)n) == 0, 11);
	}
	must(n == 0, 12);
}

struct result {
	uint64_t	count;
	uint32_t	sum;
};

/* The last stage: count and checksum until EOF, then report on fd 1. */
static void digest(void)
{
	struct result res = { 0, FNV_INIT };
	long n, k;

	while ((n = sys_read(0, buf, 5003)) > 0) {
		for (k = 0; k < n; k++)
			res.sum = fnv(res.sum, buf[k]);
		res.count += (uint64_t)n;
	}
	must(n == 0, 12);
	must(sys_write(1, &res, sizeof(res)) == sizeof(res), 13);
}

static void pipeline(int stages, unsigned long bytes)
{
	int link[MAX_STAGES][2], result[2], s, i;
	long pids[MAX_STAGES];
	struct result res;
	uint32_t want = FNV_INIT;
	unsigned long k;
	long r;

	printf("pipes: %d stages, %lu bytes: stage 1 generates them, ", stages, bytes);
	if (stages > 2)
		printf("%d more add 1 to every byte, ", stages - 2);
	printf("the last checksums them\n");

	for (i = 0; i < stages - 1; i++)
		make_pipe(link[i], 0);
	make_pipe(result, 0);
	for (s = 0; s < stages; s++) {
		pids[s] = spawn();
		if (pids[s] != 0)
			continue;
		/* stage s reads link[s-1] and writes link[s] (the last: result) */
		if (s > 0)
			must(sys_dup3(link[s - 1][0], 0, 0) == 0, 2);
		must(sys_dup3(s < stages - 1 ? link[s][1] : result[1], 1, 0) == 1, 3);
		for (i = 0; i < stages - 1; i++) {
			sys_close(link[i][0]);
			sys_close(link[i][1]);
		}
		sys_close(result[0]);
		sys_close(result[1]);
		if (s == 0)
			generate(bytes);
		else if (s < stages - 1)
			transform(1000 + 37 * (size_t)s);
		else
			digest();
		exit(0);
	}
	for (i = 0; i < stages - 1; i++) {
		sys_close(link[i][0]);
		sys_close(link[i][1]);
	}
	sys_close(result[1]);

	memset(&res, 0, sizeof(res));
	r = sys_read(result[0], &res, sizeof(res));
	check(r == sizeof(res), "no result from the last stage", r);
	r = sys_read(result[0], buf, 1);
	check(r == 0, "no EOF on the result pipe after the last stage exited", r);
	sys_close(result[0]);
	for (k = 0; k < bytes; k++)
		want = fnv(want, (uint8_t)(pattern(k) + stages - 2));
	check(res.count == bytes, "the last stage read a wrong number of bytes", (long)res.count);
	check(res.sum == want, "the checksum is wrong", res.sum);
	printf("pipeline: the last stage read %lu bytes, checksum 0x%08x (%s)\n",
	       (unsigned long)res.count, res.sum, res.sum == want ? "as expected" : "WRONG");
	for (s = 0; s < stages; s++) {
		int status = reap(pids[s]);
		char desc[64];

		check(status == 0, "a stage did not exit with 0", status);
		printf("pipeline: stage %d %s\n", s + 1, describe_status(status, desc, sizeof(desc)));
	}
}

static void eof(void)
{
	int fds[2];
	char got[100];
	long r, pid;

	make_pipe(fds, 0);
	r = sys_write(fds[1], "abc", 3);
	check(r == 3, "write of 3 bytes", r);
	sys_close(fds[1]);
	r = sys_read(fds[0], got, sizeof(got));
	check(r == 3 && memcmp(got, "abc", 3) == 0, "read did not return the 3 bytes there", r);
	r = sys_read(fds[0], got, sizeof(got));
	check(r == 0, "read with no write end open did not return 0", r);
	sys_close(fds[0]);
	puts("EOF: a read returns the 3 bytes there (of 100 asked), then 0: no write end is open");

	make_pipe(fds, O_CLOEXEC);
	pid = spawn();
	if (pid == 0) {
		sys_close(fds[0]);
		must(sys_write(fds[1], "hello", 5) == 5, 2);
		exit(0);
	}
	sys_close(fds[1]);
	r = sys_read(fds[0], got, 5);
	check(r == 5 && memcmp(got, "hello", 5) == 0, "read of what a child wrote", r);
	r = sys_read(fds[0], got, 5);
	check(r == 0, "no EOF after the writing child exited", r);
	check(reap(pid) == 0, "the writing child failed", 0);
	sys_close(fds[0]);
	puts("EOF: also when the last writer was a child that exited");
}

static void dups(void)
{
	int fds[2], copy;
	char got[8];
	long r;

	make_pipe(fds, 0);
	copy = (int)sys_dup(fds[1]);
	check(copy >= 3 && copy != fds[0] && copy != fds[1], "dup returned an odd fd", copy);
	sys_close(fds[1]);
	r = sys_write(copy, "xy", 2);
	check(r == 2, "write through a dup'ed fd", r);
	r = sys_read(fds[0], got, sizeof(got));
	check(r == 2 && got[0] == 'x' && got[1] == 'y', "read of what went through the dup", r);
	r = sys_dup3(fds[0], copy, 0);	/* replaces the last write end: closes it */
	check(r == copy, "dup3 onto an open fd did not return it", r);
	r = sys_read(fds[0], got, sizeof(got));
	check(r == 0, "no EOF after dup3 replaced the last write end", r);
	puts("dup: a dup of the write end kept the pipe open; dup3 over it closed it: EOF");

	r = sys_dup3(fds[0], fds[0], 0);
	check(r == -EINVAL, "dup3 onto itself did not fail with EINVAL", r);
	r = sys_dup3(fds[0], copy, 0x1);
	check(r == -EINVAL, "dup3 with an unknown flag did not fail with EINVAL", r);
	sys_close(fds[0]);
	sys_close(copy);
	r = sys_dup3(fds[0], copy, 0);
	check(r == -EBADF, "dup3 of a closed fd did not fail with EBADF", r);
	r = sys_dup(fds[0]);
	check(r == -EBADF, "dup of a closed fd did not fail with EBADF", r);
	puts("dup3: onto itself EINVAL, with an unknown flag EINVAL; dup or dup3 of a closed fd "
	     "EBADF");
}

static void bad_calls(void)
{
	int fds[2];
	char got[4];
	long r;

	make_pipe(fds, 0);
	r = sys_write(fds[1], "data", 4);
	check(r == 4, "write of 4 bytes", r);
	r = sys_read(fds[0], (void *)1, 4);
	check(r == -EFAULT, "read into a bad buffer did not fail with EFAULT", r);
	r = sys_read(fds[0], got, 4);
	check(r == 4 && memcmp(got, "data", 4) == 0, "the data did not stay in the pipe", r);
	r = sys_write(fds[1], (const void *)1, 4);
	check(r == -EFAULT, "write from a bad buffer did not fail with EFAULT", r);
	puts("EFAULT: read into a bad buffer (the data stays in the pipe), write from one");

	r = sys_write(fds[0], "x", 1);
	check(r == -EBADF, "write to a read end did not fail with EBADF", r);
	r = sys_read(fds[1], got, 1);
	check(r == -EBADF, "read from a write end did not fail with EBADF", r);
	sys_close(fds[0]);
	sys_close(fds[1]);
	r = sys_read(fds[0], got, 1);
	check(r == -EBADF, "read from a closed fd did not fail with EBADF", r);
	r = sys_close(fds[0]);
	check(r == -EBADF, "close of a closed fd did not fail with EBADF", r);
	puts("EBADF: write to a read end, read from a write end, read or close of a closed fd");
}

static void sigpipe(void)
{
	int fds[2], sync[2], status;
	char desc[64], byte;
	long pid, r;

	/* 1. No reader at all: the first write kills the writer. */
	make_pipe(fds, 0);
	sys_close(fds[0]);
	pid = spawn();
	if (pid == 0) {
		sys_write(fds[1], "x", 1);
		exit(3);	/* reached only if the write returned */
	}
	sys_close(fds[1]);
	status = reap(pid);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "not killed by SIGPIPE", status);
	printf("SIGPIPE: a child writing to a pipe with no reader: %s\n",
	       describe_status(status, desc, sizeof(desc)));

	/* 2. The writer fills the pipe and blocks; then the last reader closes it. */
	make_pipe(fds, 0);
	make_pipe(sync, 0);
	pid = spawn();
	if (pid == 0) {
		sys_close(fds[0]);
		sys_close(sync[0]);
		must(sys_write(sync[1], "!", 1) == 1, 2);
		for (;;)
			sys_write(fds[1], buf, sizeof(buf));
	}
	sys_close(fds[1]);
	sys_close(sync[1]);
	r = sys_read(sync[0], &byte, 1);
	check(r == 1, "the writer did not start", r);
	sys_close(sync[0]);
	sleep_ms(20);		/* let it fill the pipe and block: both orders end the same */
	sys_close(fds[0]);
	status = reap(pid);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "not killed by SIGPIPE", status);
	printf("SIGPIPE: a child blocked writing to a full pipe when its reader closed it: %s\n",
	       describe_status(status, desc, sizeof(desc)));
}

#define BIG_WRITE	(200 * 1024)

/*
 * One write() of more than the pipe holds must block until all of it is written (it returns
 * the whole count, never a short write); a non-blocking pipe answers EAGAIN instead of
 * sleeping, and holds 64 KiB, as on Linux.
 */
static void big_and_nonblocking(void)
{
	static uint8_t big[BIG_WRITE];
	uint8_t chunk[4096], byte = 0;
	unsigned long i, got = 0, bad = 0, filled = 0;
	int fds[2], status;
	long pid, r;

	for (i = 0; i < BIG_WRITE; i++)
		big[i] = pattern(i);
	make_pipe(fds, 0);
	pid = spawn();
	if (pid == 0) {
		sys_close(fds[0]);
		r = sys_write(fds[1], big, BIG_WRITE);
		sys_exit_group(r == BIG_WRITE ? 0 : 1);
	}
	sys_close(fds[1]);
	while ((r = sys_read(fds[0], chunk, sizeof(chunk))) > 0) {
		for (i = 0; i < (unsigned long)r; i++)
			bad += chunk[i] != pattern(got + i);
		got += (unsigned long)r;
	}
	sys_close(fds[0]);
	status = reap(pid);
	check(status == 0, "a 200 KiB write to a pipe did not return its full count", status);
	check(got == BIG_WRITE && bad == 0, "a 200 KiB write did not arrive whole", (long)got);
	printf("big write: one write() of %d bytes returned them all; the reader got them in order\n",
	       BIG_WRITE);

	make_pipe(fds, O_NONBLOCK);
	r = sys_read(fds[0], &byte, 1);
	check(r == -EAGAIN, "read of an empty non-blocking pipe did not give EAGAIN", r);
	while ((r = sys_write(fds[1], chunk, sizeof(chunk))) > 0)
		filled += (unsigned long)r;
	check(r == -EAGAIN, "write to a full non-blocking pipe did not give EAGAIN", r);
	printf("O_NONBLOCK: read of an empty pipe EAGAIN; writes filled it with %lu bytes, then EAGAIN\n",
	       filled);
	sys_close(fds[0]);
	sys_close(fds[1]);
}

int main(int argc, char **argv)
{
	long stages = 4, bytes = 100000;

	if ((argc > 1 && parse_long(argv[1], &stages) != 0) || stages < 2 ||
	    stages > MAX_STAGES || (argc > 2 && parse_long(argv[2], &bytes) != 0) || bytes < 0 ||
	    bytes > 1000000000 || argc > 3) {
		puts("usage: pipes [STAGES] [BYTES]    (STAGES 2..16, default 4; BYTES default "
		     "100000)");
		return 2;
	}
	pipeline((int)stages, (unsigned long)bytes);
	eof();
	dups();
	bad_calls();
	sigpipe();
	big_and_nonblocking();
	if (failures) {
		printf("pipes: %d check(s) FAILED\n", failures);
		return 1;
	}
	puts("pipes: ok");
	return 0;
}
