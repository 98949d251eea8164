/*
 * signals: handlers, masks and frames as a glibc program sees them. Each step prints one line;
 * the output must be the same under qemu-riscv64 and hartlab. Exit status 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits, depth, maxdepth, alarms;
static volatile int last_sig, last_code, last_pid_ok;
static volatile double fpval;
static sigjmp_buf recover;
static char altstack[64 * 1024];
static volatile int on_alt;

static void plain(int sig) {
	hits++;
	last_sig = sig;
}

static void info_handler(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_pid_ok = si->si_pid == getpid();
	/* FP work in the handler must not disturb the interrupted code's FP state. */
	double x = 1.0;
	for (int i = 0; i < 10; i++)
		x = x * 1.5 + 0.25;
	fpval = x;
}

static volatile sig_atomic_t calls;

static void nested(int sig) {
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	if (++calls < 3)
		raise(sig);
	depth--;
}

static void on_alarm(int sig) {
	(void)sig;
	alarms++;
}

static void alt_handler(int sig) {
	(void)sig;
	char here;
	on_alt = &here >= altstack && &here < altstack + sizeof altstack;
	stack_t cur;
	sigaltstack(NULL, &cur);
	if (!(cur.ss_flags & SS_ONSTACK))
		on_alt = 0;
}

static void segv_jump(int sig, siginfo_t *si, void *uc) {
	(void)uc;
	last_sig = sig;
	last_code = si->si_code;
	siglongjmp(recover, (uintptr_t)si->si_addr == 0x10 ? 1 : 2);
}

static volatile unsigned long long fa0_seen;
static volatile long a5_seen;

/* Skips the faulting 4-byte load by moving the saved pc in the frame; reads fa0 and a5 there. */
static void segv_skip(int sig, siginfo_t *si, void *ucv) {
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	fa0_seen = uc->uc_mcontext.__fpregs.__d.__f[10];
	a5_seen = uc->uc_mcontext.__gregs[15];
	uc->uc_mcontext.__gregs[REG_PC] += 4;
	hits++;
}

static void ill_handler(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
	last_sig = sig;
	last_code = si->si_code;
	last_pid_ok = (uintptr_t)si->si_addr == uc->uc_mcontext.__gregs[REG_PC];
	uc->uc_mcontext.__gregs[REG_PC] += 4;
}

static void install(int sig, void (*h)(int), int flags) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0) {
		perror("sigaction");
		exit(1);
	}
}

static void install_info(int sig, void (*h)(int, siginfo_t *, void *), int flags) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0) {
		perror("sigaction");
		exit(1);
	}
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* 1. A plain handler, raised: runs before raise returns. */
	install(SIGUSR1, plain, 0);
	raise(SIGUSR1);
	printf("1 raise: hits=%d sig=%d\n", hits, last_sig);

	/* 2. SA_SIGINFO via kill(getpid()): si_code SI_USER, si_pid ours; FP state survives. */
	install_info(SIGUSR2, info_handler, 0);
	double before = 3.0;
	for (int i = 0; i < 5; i++)
		before = before * 1.25 - 0.5;
	kill(getpid(), SIGUSR2);
	double after = before;
	for (int i = 0; i < 5; i++)
		after = after * 1.25 - 0.5;
	printf("2 kill: hits=%d sig=%d code=%d pid_ok=%d fp=%.6f %.6f handler_fp=%.6f\n", hits,
	       last_sig, last_code, last_pid_ok, before, after, fpval);

	/* 3. tgkill: si_code SI_TKILL. */
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
	printf("3 tgkill: hits=%d code=%d\n", hits, last_code);

	/* 4. Blocked signals stay pending and are delivered when unblocked. */
	sigset_t set, old, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR1);
	raise(SIGUSR1); /* a standard signal is not queued twice */
	sigpending(&pend);
	int was = hits;
	printf("4 blocked: pending=%d delivered=%d\n", sigismember(&pend, SIGUSR1), hits - was);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("4 unblocked: delivered=%d\n", hits - was);

	/* 5. SA_NODEFER lets a handler be re-entered; without it the signal waits. */
	install(SIGUSR1, nested, SA_NODEFER);
	depth = maxdepth = calls = 0;
	raise(SIGUSR1);
	printf("5 nodefer: maxdepth=%d calls=%d\n", maxdepth, calls);
	install(SIGUSR1, nested, 0);
	depth = maxdepth = calls = 0;
	raise(SIGUSR1);
	printf("5 defer: maxdepth=%d calls=%d\n", maxdepth, calls);

	/* 6. SA_RESETHAND: the second raise finds the default action; ignore it to survive. */
	install(SIGUSR1, plain, SA_RESETHAND);
	was = hits;
	raise(SIGUSR1);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	printf("6 resethand: delivered=%d reset=%d\n", hits - was, now.sa_handler == SIG_DFL);

	/* 7. SIG_IGN drops the signal. */
	install(SIGUSR1, SIG_IGN, 0);
	was = hits;
	raise(SIGUSR1);
	printf("7 ignored: delivered=%d\n", hits - was);

	/* 8. sigaltstack with SA_ONSTACK. */
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
	if (sigaltstack(&ss, NULL) != 0)
		perror("sigaltstack");
	install(SIGUSR2, alt_handler, SA_ONSTACK);
	raise(SIGUSR2);
	stack_t cur;
	sigaltstack(NULL, &cur);
	printf("8 altstack: on_alt=%d flags_after=%d\n", on_alt, cur.ss_flags);
	ss.ss_size = 100;
	errno = 0;
	int r = sigaltstack(&ss, NULL);
	printf("8 small: r=%d errno=%d\n", r, errno);

	/* 9. An alarm interrupts pause(); setitimer repeats until cancelled. */
	install(SIGALRM, on_alarm, 0);
	struct itimerval it = {{0, 20000}, {0, 20000}};
	setitimer(ITIMER_REAL, &it, NULL);
	while (alarms < 3)
		pause();
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	printf("9 alarm: alarms=%d\n", alarms);

	/* 10. sigsuspend waits with a mask and restores the old one. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, &old);
	alarms = 0;
	struct itimerval once = {{0, 0}, {0, 10000}};
	setitimer(ITIMER_REAL, &once, NULL);
	sigset_t waitmask = old;
	sigdelset(&waitmask, SIGALRM);
	r = sigsuspend(&waitmask);
	sigset_t after_mask;
	sigprocmask(SIG_BLOCK, NULL, &after_mask);
	printf("10 sigsuspend: r=%d errno=%d alarms=%d still_blocked=%d\n", r, errno, alarms,
	       sigismember(&after_mask, SIGALRM));
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* 11. A segfault caught and escaped with siglongjmp, si_code SEGV_MAPERR. */
	install_info(SIGSEGV, segv_jump, SA_NODEFER);
	int j = sigsetjmp(recover, 1);
	if (j == 0) {
		volatile int *p = (int *)0x10;
		*p = 1;
		printf("11 not reached\n");
	}
	printf("11 segv: jumped=%d sig=%d code=%d\n", j, last_sig, last_code);

	/* 12. A handler that edits the saved pc in its ucontext: sigreturn honours it. */
	install_info(SIGSEGV, segv_skip, 0);
	was = hits;
	int value = 7;
	static const double two_and_a_half = 2.5;
	__asm__ volatile("fld fa0, 0(%1)\n\tli a5, 12345\n\tli t0, 0x18\n\tlw %0, 0(t0)"
			 : "+r"(value)
			 : "r"(&two_and_a_half)
			 : "t0", "a5", "fa0", "memory");
	printf("12 skip: handled=%d value=%d fa0=%llx a5=%ld\n", hits - was, value, fa0_seen, a5_seen);

	/* 13. An illegal instruction: SIGILL, ILL_ILLOPC, si_addr = the pc. */
	install_info(SIGILL, ill_handler, 0);
	__asm__ volatile(".word 0\n.word 0" ::: "memory");
	printf("13 sigill: sig=%d code=%d addr_is_pc=%d\n", last_sig, last_code, last_pid_ok);

	/* 14. Default action of SIGCHLD is to ignore; SIGKILL cannot be caught. */
	raise(SIGCHLD);
	errno = 0;
	r = sigaction(SIGKILL, &now, NULL);
	printf("14 chld ignored; sigaction(SIGKILL)=%d errno=%d\n", r, errno);
	errno = 0;
	r = kill(getpid(), 65);
	printf("14 kill(65)=%d errno=%d\n", r, errno);

	/* 15. Finally a fatal signal from ourselves: exit status 128+15 is the run's. */
	fflush(stdout);
	signal(SIGTERM, SIG_DFL);
	raise(SIGTERM);
	printf("15 not reached\n");
	return 1;
}
