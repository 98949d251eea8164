/*
 * children: SIGCHLD, waitpid, and system calls a signal interrupts (EINTR without SA_RESTART,
 * restarted with it). Each step prints one line; the output must be the same under qemu-riscv64
 * and hartlab. Exit status 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t chld, reaped, alarms;
static volatile int last_status;

static void on_chld(int sig, siginfo_t *si, void *uc) {
	(void)sig;
	(void)uc;
	chld++;
	last_status = si->si_code == CLD_EXITED ? si->si_status : 1000 + si->si_status;
}

static void reap_all(int sig) {
	(void)sig;
	int saved = errno;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		reaped++;
	errno = saved;
}

static void on_alarm(int sig) {
	(void)sig;
	alarms++;
}

static void set(int sig, void (*h)(int), int flags) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

static void arm(long usec) {
	struct itimerval it = {{0, 0}, {0, usec}};
	setitimer(ITIMER_REAL, &it, NULL);
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* 1. SIGCHLD with siginfo for each child, then waitpid reaps them in order. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid_t kids[3];
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(10 + i);
	}
	for (int i = 0; i < 3; i++) {
		int st;
		pid_t got = waitpid(kids[i], &st, 0);
		printf("1 child %d: match=%d exited=%d code=%d\n", i, got == kids[i], WIFEXITED(st),
		       WEXITSTATUS(st));
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("1 sigchld delivered=%d (one, coalesced) last_status_ok=%d\n", chld > 0,
	       last_status >= 10 && last_status <= 12);

	/* 2. A child killed by a signal: WIFSIGNALED, and SIGCHLD says CLD_KILLED. */
	chld = 0;
	pid_t k = fork();
	if (k == 0) {
		for (;;)
			pause();
	}
	kill(k, SIGTERM);
	int st;
	while (waitpid(k, &st, 0) < 0 && errno == EINTR)
		;
	printf("2 killed: signaled=%d sig=%d chld=%d status=%d\n", WIFSIGNALED(st), WTERMSIG(st),
	       chld, last_status);

	/* 3. A handler that reaps: waitpid in main then finds no child. */
	set(SIGCHLD, reap_all, SA_RESTART);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	while (!reaped)
		pause();
	errno = 0;
	int r = waitpid(-1, NULL, 0);
	printf("3 reaped in handler=%d, then waitpid=%d errno=%d\n", reaped, r, errno);

	/* 4. SIGCHLD ignored: children are reaped by themselves, wait reports ECHILD. */
	set(SIGCHLD, SIG_IGN, 0);
	c = fork();
	if (c == 0)
		_exit(3);
	errno = 0;
	r = waitpid(c, NULL, 0);
	printf("4 ignored: waitpid=%d errno=%d\n", r, errno);
	set(SIGCHLD, SIG_DFL, 0);

	/* 5. read on an empty pipe, an alarm without SA_RESTART: EINTR. */
	int p[2];
	pipe(p);
	set(SIGALRM, on_alarm, 0);
	arm(10000);
	char buf[16];
	errno = 0;
	ssize_t n = read(p[0], buf, sizeof buf);
	printf("5 read: n=%zd errno=%d alarms=%d\n", n, errno, alarms);

	/* 6. The same with SA_RESTART: read goes on and gets what a child writes later. */
	set(SIGALRM, on_alarm, SA_RESTART);
	alarms = 0;
	c = fork();
	if (c == 0) {
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
		write(p[1], "late", 4);
		_exit(0);
	}
	arm(10000);
	n = read(p[0], buf, sizeof buf);
	printf("6 restarted read: n=%zd data=%.4s alarms=%d\n", n, buf, alarms);
	waitpid(c, NULL, 0);

	/* 7. nanosleep interrupted: EINTR with the time left. */
	set(SIGALRM, on_alarm, SA_RESTART);
	arm(10000);
	struct timespec req = {5, 0}, rem = {0, 0};
	errno = 0;
	r = nanosleep(&req, &rem);
	printf("7 nanosleep: r=%d errno=%d rem_ok=%d\n", r, errno, rem.tv_sec >= 4 && rem.tv_sec <= 5);

	/* 8. wait4 interrupted by an alarm without SA_RESTART. */
	set(SIGALRM, on_alarm, 0);
	c = fork();
	if (c == 0) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		_exit(7);
	}
	arm(10000);
	errno = 0;
	r = waitpid(c, &st, 0);
	printf("8 waitpid: r=%d errno=%d\n", r, errno);
	r = waitpid(c, &st, 0);
	printf("8 waitpid again: match=%d code=%d\n", r == c, WEXITSTATUS(st));

	/* 9. The process group: a child in its own group, killed through it. */
	c = fork();
	if (c == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(c, c);
	printf("9 pgid: child's=%d own=%d\n", getpgid(c) == c, getpgid(0) == getpgrp());
	kill(-c, SIGKILL);
	waitpid(c, &st, 0);
	printf("9 group kill: signaled=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));

	/* 10. A pipe write larger than the pipe, interrupted after part of it: even with
	 * SA_RESTART it returns what it wrote. */
	int q[2];
	pipe(q);
	static char big[256 * 1024];
	set(SIGALRM, on_alarm, SA_RESTART);
	alarms = 0;
	arm(10000);
	n = write(q[1], big, sizeof big);
	printf("10 partial write: partial=%d alarms=%d\n", n > 0 && n < (ssize_t)sizeof big, alarms);
	return 0;
}
