/*
 * sigabuse: signal misuse that must end in a clean SIGSEGV (exit status 139) or finish, never
 * hang or crash the machine.
 *
 *   sigabuse garbage    rt_sigreturn on a frame of 0xAA bytes
 *   sigabuse badstack   a handler whose alternate stack is not mapped
 *   sigabuse recurse    a handler that raises its own signal forever (SA_NODEFER)
 *   sigabuse storm      a child sends 5000 signals to its parent, which counts them
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t count;

static void counter(int sig) {
	(void)sig;
	count++;
}

static void recurse(int sig) {
	count++;
	raise(sig);
}

static void set(int sig, void (*h)(int), int flags) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *mode = argc > 1 ? argv[1] : "";
	if (strcmp(mode, "garbage") == 0) {
		static unsigned char frame[4096] __attribute__((aligned(16)));
		memset(frame, 0xAA, sizeof frame);
		printf("sigreturn on garbage\n");
		register long a7 __asm__("a7") = 139;
		__asm__ volatile("mv sp, %1\n\tecall" : : "r"(a7), "r"(frame) : "memory");
		printf("not reached\n");
		return 1;
	}
	if (strcmp(mode, "badstack") == 0) {
		stack_t ss = {.ss_sp = (void *)0x10000, .ss_size = 65536, .ss_flags = 0};
		printf("sigaltstack=%d\n", sigaltstack(&ss, NULL));
		set(SIGUSR1, counter, SA_ONSTACK);
		raise(SIGUSR1);
		printf("not reached\n");
		return 1;
	}
	if (strcmp(mode, "recurse") == 0) {
		set(SIGUSR1, recurse, SA_NODEFER);
		printf("recursing\n");
		raise(SIGUSR1);
		printf("not reached\n");
		return 1;
	}
	if (strcmp(mode, "storm") == 0) {
		set(SIGUSR1, counter, SA_RESTART);
		pid_t parent = getpid();
		pid_t c = fork();
		if (c == 0) {
			for (int i = 0; i < 5000; i++)
				kill(parent, SIGUSR1);
			_exit(0);
		}
		int st;
		while (waitpid(c, &st, 0) < 0 && errno == EINTR)
			;
		printf("storm over: child exited %d, got some=%d\n", WEXITSTATUS(st), count > 0);
		return 0;
	}
	printf("usage: hostile garbage|badstack|recurse|storm\n");
	return 2;
}
