/*
 * forkexec: a small tree of processes, created, signalled, re-parented and reaped.
 *
 *   forkexec [-n] [DEPTH]
 *
 * 1. With no children yet: wait4 fails with ECHILD (with and without WNOHANG), execve
 *    of a missing file with ENOENT and of a bad path pointer with EFAULT.
 * 2. Three children: a chain of DEPTH processes (default 3, at most 100), each the
 *    parent of the next, the last exiting with 40 and each parent with its child's
 *    status + 1; a child made by clone3 (by clone where clone3 is ENOSYS, as glibc
 *    does) that exits with 7; and a child that exits at once, leaving a child of its
 *    own behind, which must be re-parented to init (getppid() == 1).
 * 3. Three children that never exit on their own (one blocked reading a pipe, one in
 *    clock_nanosleep for a minute, one spinning in user mode): wait4 with WNOHANG returns 0 for them; kill
 *    with SIGTERM and SIGKILL ends them; kill of a reaped pid fails with ESRCH.
 * 4. Unless -n: a child runs execve("/bin/hello", "hello", "from", "forkexec") with its
 *    stdout on a pipe; the parent prints what it read, indented. Whether execve worked
 *    comes back on an O_CLOEXEC pipe (the posix_spawn trick): EOF when exec closed it,
 *    the errno otherwise.
 * Every wait4 names the pid that fork returned, in fork order, and only statuses and
 * errno names are printed, so the output is the same on every run and every machine.
 * If this process is init (hartlab may run it as pid 1) the orphan becomes its child: it
 * is reaped, silently, once the orphan has reported. At the end wait4 must fail with
 * ECHILD again.
 *
 * qemu-user cannot execve a RISC-V program (no binfmt_misc, no hartlab root filesystem:
 * execve("/bin/hello") is ENOENT there), so under qemu run `forkexec -n`, which prints
 * the same as hartlab's `forkexec -n`. Exit status 0 if all went as on Linux, else 1.
 */
#include "libc.h"

#define CHAIN_LEAF_STATUS	40
#define EXEC_FAILED_STATUS	127	/* a shell's "command not found" */

static int failures;
static char **environ;

static void check(int ok, const char *what, long got)
{
	if (!ok) {
		printf("forkexec: FAILED: %s (got %ld)\n", what, got);
		failures++;
	}
}

/* A syscall in a child that must not fail; the status tells the parent which one did. */
static void must(int ok, int status)
{
	if (!ok)
		sys_exit_group(status);
}

/* fork, reporting failure in the parent; in the child returns 0. */
static long spawn(void)
{
	long pid = fork();

	if (pid < 0) {
		printf("forkexec: FAILED: fork: %s\n", errno_name(pid));
		exit(1);
	}
	return pid;
}

/* wait4 for one child by pid; returns its status (or -1, counted as a failure). */
static int reap(long pid)
{
	int status = 0;
	long r = sys_wait4((int)pid, &status, 0, 0);

	check(r == pid, "wait4 did not return the pid it was asked for", r);
	return r == pid ? status : -1;
}

static void report(int n, const char *what, int status)
{
	char buf[64];

	printf("child %d%s: %s\n", n, what, describe_status(status, buf, sizeof(buf)));
}

/* Level `level` of the chain: the parent of the next level, or the leaf. */
static int chain(int level, int depth)
{
	long parent = sys_getpid(), pid;
	int status;

	if (level == depth)
		return CHAIN_LEAF_STATUS;
	pid = fork();
	must(pid >= 0, 2);
	if (pid == 0) {
		must(sys_getppid() == parent, 3);
		exit(chain(level + 1, depth));
	}
	must(sys_wait4((int)pid, &status, 0, 0) == pid, 4);
	must(WIFEXITED(status), 5);
	return WEXITSTATUS(status) + 1;
}

/* clone3 for a plain fork, falling back to clone where the kernel has no clone3. */
static long fork_with_clone3(void)
{
	struct clone_args args;
	int parent_tid = 0;
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PARENT_SETTID;
	args.parent_tid = (uintptr_t)&parent_tid;
	args.exit_signal = SIGCHLD;
	pid = sys_clone3(&args, sizeof(args));
	if (pid == -ENOSYS) {
		dprintf(2, "forkexec: note: clone3 is ENOSYS here (qemu 7.2?); used clone\n");
		return spawn();
	}
	if (pid > 0)
		check(parent_tid == pid, "clone3 did not store the pid at parent_tid", parent_tid);
	if (pid < 0) {
		printf("forkexec: FAILED: clone3: %s\n", errno_name(pid));
		exit(1);
	}
	return pid;
}

/*
 * The orphan: child `mid` forks `orphan` and exits at once. The orphan waits (at most
 * 5 s) for getppid() to change, then writes one byte to the pipe: '1' if its new
 * parent is init (pid 1), 's' if some other process (a subreaper), '0' if getppid()
 * never changed.
 */
static void orphan_maker(int report_fd)
{
	long mid = sys_getpid();
	long pid = fork();
	char verdict = '0';
	int i;

	must(pid >= 0, 2);
	if (pid > 0)
		exit(0);
	for (i = 0; i < 5000 && sys_getppid() == mid; i++)
		sleep_ms(1);
	if (sys_getppid() == 1)
		verdict = '1';
	else if (sys_getppid() != mid)
		verdict = 's';
	must(sys_write(report_fd, &verdict, 1) == 1, 3);
	exit(0);
}

/*
 * Reaps children this process did not fork: orphans re-parented to it, which happens
 * when it is init (hartlab may run the first program as pid 1). Call only when every
 * child it forked has been reaped; elsewhere (qemu, Linux) there are none.
 */
static void reap_adopted(void)
{
	int status;

	while (sys_wait4(-1, &status, 0, 0) > 0)
		;
}

static void no_children_yet(void)
{
	static char *const argv[] = { "does-not-exist", 0 };
	int status;
	long r;

	r = sys_wait4(-1, &status, 0, 0);
	check(r == -ECHILD, "wait4 with no children did not fail with ECHILD", r);
	r = sys_wait4(-1, &status, WNOHANG, 0);
	check(r == -ECHILD, "wait4(WNOHANG) with no children did not fail with ECHILD", r);
	printf("wait4 with no children: %s (also with WNOHANG)\n", errno_name(r));
	r = sys_wait4(-1, &status, 0x1000, 0);
	check(r == -EINVAL, "wait4 with an unknown option did not fail with EINVAL", r);
	printf("wait4 with an unknown option bit: %s\n", errno_name(r));

	r = sys_execve("/bin/does-not-exist", argv, environ);
	check(r == -ENOENT, "execve of a missing file did not fail with ENOENT", r);
	printf("execve(\"/bin/does-not-exist\"): %s\n", errno_name(r));
	r = sys_execve((const char *)1, argv, environ);
	check(r == -EFAULT, "execve of a bad path pointer did not fail with EFAULT", r);
	printf("execve of a bad path pointer: %s\n", errno_name(r));
}

static void tree(int depth)
{
	long self = sys_getpid(), chain_pid, clone3_pid, maker_pid;
	int fds[2], status;
	char verdict = 0;
	long r;

	r = sys_pipe2(fds, 0);
	check(r == 0, "pipe2 failed", r);

	chain_pid = spawn();
	if (chain_pid == 0) {
		must(sys_getppid() == self, 3);
		exit(chain(1, depth));
	}
	clone3_pid = fork_with_clone3();
	if (clone3_pid == 0) {
		must(sys_getppid() == self, 3);
		exit(7);
	}
	maker_pid = spawn();
	if (maker_pid == 0) {
		sys_close(fds[0]);
		orphan_maker(fds[1]);
	}
	sys_close(fds[1]);

	status = reap(chain_pid);
	check(status == (CHAIN_LEAF_STATUS + depth - 1) << 8, "the chain's status is wrong", status);
	printf("child 1: a chain of %d processes, each the parent of the next; the last exited "
	       "with %d and each parent with its child's status + 1\n", depth, CHAIN_LEAF_STATUS);
	report(1, "", status);
	status = reap(clone3_pid);
	check(status == 7 << 8, "the clone3 child did not exit with 7", status);
	report(2, " (made by clone3)", status);
	status = reap(maker_pid);
	check(status == 0, "the orphan's parent did not exit with 0", status);
	report(3, " (left a child of its own behind)", status);

	r = sys_read(fds[0], &verdict, 1);
	check(r == 1, "the orphan did not report", r);
	check(verdict == '1' || verdict == 's', "the orphan's getppid() did not change", verdict);
	if (verdict == '1')
		puts("orphan of child 3: re-parented to init, getppid() is 1");
	else if (verdict == 's')
		puts("orphan of child 3: re-parented to a subreaper, not to init");
	r = sys_read(fds[0], &verdict, 1);
	check(r == 0, "the orphan's pipe did not reach EOF", r);
	sys_close(fds[0]);
	reap_adopted();
}

static void signals(void)
{
	struct timespec minute = { .tv_sec = 60, .tv_nsec = 0 };
	long reader, sleeper, spinner, r;
	int fds[2], status;
	char byte;

	r = sys_pipe2(fds, 0);
	check(r == 0, "pipe2 failed", r);
	reader = spawn();
	if (reader == 0) {
		sys_close(fds[1]);
		sys_read(fds[0], &byte, 1);	/* nobody writes; the parent keeps the write end */
		exit(3);
	}
	sys_close(fds[0]);
	sleeper = spawn();
	if (sleeper == 0) {
		sys_clock_nanosleep(CLOCK_MONOTONIC, 0, &minute, 0);
		exit(3);
	}
	spinner = spawn();
	if (spinner == 0) {
		for (volatile unsigned long n = 0;; n++)
			;
	}

	r = sys_wait4((int)reader, &status, WNOHANG, 0);
	check(r == 0, "wait4(WNOHANG) on a running child did not return 0", r);
	r = sys_wait4(-1, &status, WNOHANG, 0);
	check(r == 0, "wait4(-1, WNOHANG) with only running children did not return 0", r);
	puts("wait4 with WNOHANG while children 4, 5 and 6 still run: 0");

	r = sys_kill((int)reader, SIGTERM);
	check(r == 0, "kill(SIGTERM) failed", r);
	r = sys_kill((int)sleeper, SIGKILL);
	check(r == 0, "kill(SIGKILL) failed", r);
	r = sys_kill((int)spinner, SIGKILL);
	check(r == 0, "kill(SIGKILL) failed", r);
	status = reap(reader);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "not killed by SIGTERM", status);
	report(4, " (blocked reading a pipe, sent SIGTERM)", status);
	status = reap(sleeper);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "not killed by SIGKILL", status);
	report(5, " (in clock_nanosleep, sent SIGKILL)", status);
	status = reap(spinner);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "not killed by SIGKILL", status);
	report(6, " (spinning in user mode, sent SIGKILL)", status);
	sys_close(fds[1]);

	r = sys_kill((int)reader, SIGTERM);
	check(r == -ESRCH, "kill of a reaped child did not fail with ESRCH", r);
	printf("kill of a child already reaped: %s\n", errno_name(r));
	r = sys_kill((int)sys_getpid(), 99);
	check(r == -EINVAL, "kill with signal 99 did not fail with EINVAL", r);
	printf("kill with signal 99: %s\n", errno_name(r));
}

static void exec_hello(void)
{
	static char *const argv[] = { "hello", "from", "forkexec", 0 };
	char buf[512], *line, *end;
	int out[2], err[2], status, exec_errno = 0;
	long pid, n = 0, r;

	check(sys_pipe2(out, 0) == 0, "pipe2 failed", 0);
	check(sys_pipe2(err, O_CLOEXEC) == 0, "pipe2(O_CLOEXEC) failed", 0);
	pid = spawn();
	if (pid == 0) {
		sys_close(out[0]);
		sys_close(err[0]);
		must(sys_dup3(out[1], 1, 0) == 1, 2);
		sys_close(out[1]);
		r = sys_execve("/bin/hello", argv, environ);
		exec_errno = (int)-r;
		sys_write(err[1], &exec_errno, sizeof(exec_errno));
		exit(EXEC_FAILED_STATUS);
	}
	sys_close(out[1]);
	sys_close(err[1]);
	r = sys_read(err[0], &exec_errno, sizeof(exec_errno));	/* EOF: exec closed it */
	check(r == 0 || r == sizeof(exec_errno), "odd read from the exec error pipe", r);
	sys_close(err[0]);
	while (n < (long)sizeof(buf) - 1 && (r = sys_read(out[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	sys_close(out[0]);
	status = reap(pid);

	if (exec_errno == 0) {
		printf("child 7: execve(\"/bin/hello\", \"hello\", \"from\", \"forkexec\") "
		       "succeeded; it wrote to its stdout, a pipe:\n");
		for (line = buf; *line; line = end) {
			for (end = line; *end && *end != '\n'; end++)
				;
			if (*end)
				*end++ = '\0';
			printf("  | %s\n", line);
		}
	} else {
		printf("child 7: execve(\"/bin/hello\") failed: %s\n", errno_name(exec_errno));
	}
	report(7, " (execve /bin/hello)", status);
	check(exec_errno == 0, "execve of /bin/hello failed (under qemu-user use forkexec -n)",
	      exec_errno);
	check(exec_errno != 0 || status == 0, "/bin/hello did not exit with 0", status);
}

int main(int argc, char **argv, char **envp)
{
	long depth = 3;
	int i = 1, do_exec = 1, status;
	long r;

	environ = envp;
	if (i < argc && strcmp(argv[i], "-n") == 0) {
		do_exec = 0;
		i++;
	}
	if (i < argc && (parse_long(argv[i++], &depth) != 0 || depth < 1 || depth > 100)) {
		puts("usage: forkexec [-n] [DEPTH]    (DEPTH 1..100, default 3)");
		return 2;
	}
	if (i < argc) {
		puts("usage: forkexec [-n] [DEPTH]    (DEPTH 1..100, default 3)");
		return 2;
	}

	no_children_yet();
	tree((int)depth);
	signals();
	if (do_exec)
		exec_hello();

	reap_adopted();
	r = sys_wait4(-1, &status, WNOHANG, 0);
	check(r == -ECHILD, "wait4 after reaping every child did not fail with ECHILD", r);
	printf("wait4 once every child is reaped: %s\n", errno_name(r));

	if (failures) {
		printf("forkexec: %d check(s) FAILED\n", failures);
		return 1;
	}
	puts("forkexec: ok");
	return 0;
}
