/*
 * basics: what most C programs use from glibc — printf of integers and doubles, libm,
 * setjmp/longjmp, malloc/free churn, qsort, strings — and the process calls libc makes on
 * their behalf. Output is the same on any Linux; the ids are only compared, never printed,
 * since qemu-riscv64 passes the host's through. Exit status 0.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static jmp_buf env;
static int depth;

static void dive(int n) {
	depth = n;
	if (n == 5)
		longjmp(env, n * 7);
	dive(n + 1);
}

static int cmp(const void *a, const void *b) {
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* printf of integers and doubles */
	printf("ints: %d %u %ld %lld %x %o %5d|%-5d| %+d\n", -42, 42u, LONG_MIN, LLONG_MAX, 0xbeef,
	       8, 7, 7, 3);
	printf("doubles: %f %.3e %g %g %.10f %a\n", 3.14159, 12345.678, 1e-10, 1e20, 1.0 / 3, 1.5);
	printf("special: %f %f %f\n", INFINITY, -INFINITY, NAN);
	/* libm */
	printf("libm: sqrt2=%.15f exp1=%.15f log10=%.15f sin1=%.15f atan2=%.15f pow=%.15f\n",
	       sqrt(2.0), exp(1.0), log(10.0), sin(1.0), atan2(1.0, 2.0), pow(2.5, 3.7));
	printf("libm: floor=%.1f ceil=%.1f round=%.1f fmod=%.6f hypot=%.6f cbrt=%.6f\n", floor(-2.5),
	       ceil(-2.5), round(2.5), fmod(10.0, 3.3), hypot(3.0, 4.0), cbrt(27.0));
	printf("float: %.7f %.7f\n", sqrtf(2.0f), expf(1.0f));
	/* setjmp/longjmp */
	int r = setjmp(env);
	if (r == 0)
		dive(0);
	printf("longjmp: r=%d depth=%d\n", r, depth);
	/* malloc/free churn, with sizes from small to above the mmap threshold */
	void *slots[256] = {0};
	unsigned seed = 12345;
	size_t live = 0;
	for (int i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		int k = (seed >> 16) & 255;
		if (slots[k]) {
			free(slots[k]);
			slots[k] = NULL;
			live--;
		} else {
			size_t sz = ((seed >> 8) & 7) == 0 ? 200000 : 16 + ((seed >> 4) & 1023);
			slots[k] = malloc(sz);
			memset(slots[k], k, sz < 64 ? sz : 64);
			live++;
		}
	}
	int ok = 1;
	for (int k = 0; k < 256; k++) {
		if (slots[k] && ((unsigned char *)slots[k])[0] != (unsigned char)k)
			ok = 0;
		free(slots[k]);
	}
	printf("malloc churn: live=%zu ok=%d\n", live, ok);
	char *big = calloc(1 << 20, 1);
	big = realloc(big, 3 << 20);
	big[(3 << 20) - 1] = 1;
	free(big);
	/* qsort and strings */
	long v[64];
	for (int i = 0; i < 64; i++)
		v[i] = (i * 37) % 64 - 20;
	qsort(v, 64, sizeof v[0], cmp);
	printf("qsort: %ld %ld %ld\n", v[0], v[31], v[63]);
	char buf[64];
	snprintf(buf, sizeof buf, "%s-%d", "abc", 123);
	printf("strings: %s %zu %d %s\n", buf, strlen(buf), strcmp("a", "b"), strstr(buf, "c-1"));
	/* the process calls libc makes */
	printf("ids: uid==euid %d gid==egid %d\n", getuid() == geteuid(), getgid() == getegid());
	/* the host's session and group (qemu passes them through) depend on how the test was
	   started: a container's init may have session 0, so only self-consistency is printed */
	printf("pgid==getpgrp %d sid(0)==sid(pid) %d sid>=0 %d\n", getpgid(0) == getpgrp(),
	       getsid(0) == getsid(getpid()), getsid(0) >= 0);
	struct rlimit rl;
	printf("getrlimit(NOFILE)=%d cur<=max %d\n", getrlimit(RLIMIT_NOFILE, &rl),
	       rl.rlim_cur <= rl.rlim_max);
	printf("getrlimit(STACK)=%d\n", getrlimit(RLIMIT_STACK, &rl));
	struct rusage ru;
	printf("getrusage=%d\n", getrusage(RUSAGE_SELF, &ru));
	struct tms tm;
	printf("times ok=%d\n", times(&tm) != (clock_t)-1);
	struct sysinfo si;
	printf("sysinfo=%d ram>0 %d\n", sysinfo(&si), si.totalram > 0);
	char name[16] = {0};
	prctl(PR_SET_NAME, "renamed-thread-long-name");
	prctl(PR_GET_NAME, name);
	printf("prctl name=%s\n", name);
	cpu_set_t set;
	CPU_ZERO(&set);
	printf("sched_getaffinity=%d some=%d\n", sched_getaffinity(0, sizeof set, &set),
	       CPU_COUNT(&set) > 0);
	struct timespec res;
	printf("clock_getres=%d\n", clock_getres(CLOCK_MONOTONIC, &res));
	struct timeval tv;
	printf("gettimeofday=%d after2020=%d\n", gettimeofday(&tv, NULL), tv.tv_sec > 1577836800);
	struct utsname u;
	uname(&u);
	printf("uname: %s %s\n", u.sysname, u.machine);
	return 0;
}
