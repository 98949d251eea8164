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
