/* syscall.c: one ecall per wrapper; see syscall.h for the conventions. */
#include "syscall.h"

/*
 * The kernel reads the number from a7 and arguments from a0..a5 and returns in a0;
 * every other register is preserved. "memory" because the kernel may read or write
 * any buffer passed by pointer.
 */
static long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

#define SC0(n)			syscall6((n), 0, 0, 0, 0, 0, 0)
#define SC1(n, a)		syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define SC2(n, a, b)		syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SC3(n, a, b, c)		syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SC4(n, a, b, c, d)	syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SC5(n, a, b, c, d, e)	syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

long sys_read(int fd, void *buf, size_t len) { return SC3(SYS_read, fd, buf, len); }
long sys_write(int fd, const void *buf, size_t len) { return SC3(SYS_write, fd, buf, len); }
long sys_writev(int fd, const struct iovec *iov, int n) { return SC3(SYS_writev, fd, iov, n); }
long sys_set_tid_address(int *tidptr) { return SC1(SYS_set_tid_address, tidptr); }
long sys_clock_gettime(int clk, struct timespec *ts) { return SC2(SYS_clock_gettime, clk, ts); }
long sys_uname(struct utsname *buf) { return SC1(SYS_uname, buf); }
long sys_getpid(void) { return SC0(SYS_getpid); }
long sys_gettid(void) { return SC0(SYS_gettid); }
long sys_brk(void *addr) { return SC1(SYS_brk, addr); }
long sys_munmap(void *addr, size_t len) { return SC2(SYS_munmap, addr, len); }
long sys_mprotect(void *addr, size_t len, int prot) { return SC3(SYS_mprotect, addr, len, prot); }
long sys_getrandom(void *buf, size_t len, unsigned int flags) { return SC3(SYS_getrandom, buf, len, flags); }

long sys_close(int fd) { return SC1(SYS_close, fd); }
long sys_dup(int fd) { return SC1(SYS_dup, fd); }
long sys_dup3(int oldfd, int newfd, int flags) { return SC3(SYS_dup3, oldfd, newfd, flags); }
long sys_pipe2(int fds[2], int flags) { return SC2(SYS_pipe2, fds, flags); }
long sys_clone3(struct clone_args *args, size_t size) { return SC2(SYS_clone3, args, size); }
long sys_execve(const char *path, char *const argv[], char *const envp[]) { return SC3(SYS_execve, path, argv, envp); }
long sys_wait4(int pid, int *status, int options, struct rusage *ru) { return SC4(SYS_wait4, pid, status, options, ru); }
long sys_getppid(void) { return SC0(SYS_getppid); }
long sys_kill(int pid, int sig) { return SC2(SYS_kill, pid, sig); }
long sys_sched_yield(void) { return SC0(SYS_sched_yield); }
long sys_sched_setaffinity(int pid, size_t size, const cpu_set_t *mask) { return SC3(SYS_sched_setaffinity, pid, size, mask); }
long sys_sched_getaffinity(int pid, size_t size, cpu_set_t *mask) { return SC3(SYS_sched_getaffinity, pid, size, mask); }
long sys_getcpu(unsigned *cpu, unsigned *node, void *unused) { return SC3(SYS_getcpu, cpu, node, unused); }
long sys_nanosleep(const struct timespec *req, struct timespec *rem) { return SC2(SYS_nanosleep, req, rem); }

long sys_clock_nanosleep(int clock, int flags, const struct timespec *req, struct timespec *rem)
{
	return SC4(SYS_clock_nanosleep, clock, flags, req, rem);
}

long sys_futex(int *uaddr, int op, int val, const struct timespec *timeout, int *uaddr2, int val3)
{
	return syscall6(SYS_futex, (long)uaddr, op, val, (long)timeout, (long)uaddr2, val3);
}

/* Forks only (see syscall.h): a child on a new stack must start in asm, as clone() does.
   The child returns from here with a0 = 0 on its copy of this frame. */
long sys_clone(unsigned long flags, void *stack, int *parent_tid, void *tls, int *child_tid)
{
	return SC5(SYS_clone, flags, stack, parent_tid, tls, child_tid);
}

long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long offset)
{
	return syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, offset);
}

void sys_exit(int status)
{
	for (;;)
		SC1(SYS_exit, status);
}

void sys_exit_group(int status)
{
	for (;;)
		SC1(SYS_exit_group, status);
}
