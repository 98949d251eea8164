/*
 * spawn: runs PROGRAM [ARGS...] twice, with posix_spawn and with fork + execv, and waits for it;
 * the child writes to our stdout directly. Prints a line before and after each run:
 *
 *   spawn PROGRAM [ARGS...]
 *
 * A PROGRAM that does not exist shows both error paths (posix_spawn's error code, execv's errno
 * through the child's exit status). Exit status 0.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void report(const char *how, int st) {
	if (WIFEXITED(st))
		printf("%s: exited %d\n", how, WEXITSTATUS(st));
	else
		printf("%s: signal %d\n", how, WTERMSIG(st));
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		printf("usage: spawn PROGRAM [ARGS...]\n");
		return 2;
	}
	char *const *args = argv + 1;

	printf("posix_spawn %s\n", argv[1]);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[1], NULL, NULL, args, environ);
	if (rc != 0) {
		printf("posix_spawn: error %d\n", rc);
	} else {
		int st;
		if (waitpid(pid, &st, 0) != pid)
			printf("posix_spawn: waitpid failed\n");
		report("posix_spawn", st);
	}

	printf("fork+exec %s\n", argv[1]);
	pid = fork();
	if (pid == 0) {
		execv(argv[1], args);
		_exit(100 + errno);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		printf("fork+exec: waitpid failed\n");
	report("fork+exec", st);
	return 0;
}
