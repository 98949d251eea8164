/*
 * syscall.h: raw Linux riscv64 system calls for hartlab guests.
 *
 * Every wrapper executes one `ecall` (number in a7, arguments in a0..a5) and returns
 * what the kernel put in a0: a result >= 0, or -errno in [-4095, -1]. Nothing here
 * sets a global errno. Use is_err() on results that may be large (mmap addresses).
 *
 * These are the calls hartlab's kernel implements; numbers are asm-generic's.
 */
#ifndef HARTLAB_SYSCALL_H
#define HARTLAB_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#define SYS_read		63
#define SYS_write		64
#define SYS_writev		66
#define SYS_exit		93
#define SYS_exit_group		94
#define SYS_set_tid_address	96
#define SYS_clock_gettime	113
#define SYS_uname		160
#define SYS_getpid		172
#define SYS_gettid		178
#define SYS_brk			214
#define SYS_munmap		215
#define SYS_mmap		222
#define SYS_mprotect		226
#define SYS_getrandom		278

/* errno values (returned negated) */
#define EPERM		1
#define ENOENT		2
#define EINTR		4
#define EBADF		9
#define EAGAIN		11
#define ENOMEM		12
#define EACCES		13
#define EFAULT		14
#define EEXIST		17
#define EINVAL		22
#define ENOSYS		38

/* mmap / mprotect */
#define PROT_NONE		0x0
#define PROT_READ		0x1
#define PROT_WRITE		0x2
#define PROT_EXEC		0x4
#define MAP_SHARED		0x01
#define MAP_PRIVATE		0x02
#define MAP_FIXED		0x10
#define MAP_ANONYMOUS		0x20
#define MAP_FIXED_NOREPLACE	0x100000

/* clock_gettime */
#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1

/* auxiliary vector types (see getauxval in libc.h) */
#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_EXECFN	31

struct iovec {
	void	*iov_base;
	size_t	iov_len;
};

struct timespec {
	long	tv_sec;
	long	tv_nsec;
};

struct utsname {
	char	sysname[65];
	char	nodename[65];
	char	release[65];
	char	version[65];
	char	machine[65];
	char	domainname[65];
};

/* True if a raw result is -errno rather than a value (addresses are never that high). */
static inline int is_err(long r)
{
	return (unsigned long)r >= (unsigned long)-4095;
}

long sys_read(int fd, void *buf, size_t len);
long sys_write(int fd, const void *buf, size_t len);
long sys_writev(int fd, const struct iovec *iov, int iovcnt);
__attribute__((noreturn)) void sys_exit(int status);
__attribute__((noreturn)) void sys_exit_group(int status);
long sys_set_tid_address(int *tidptr);
long sys_clock_gettime(int clock, struct timespec *ts);
long sys_uname(struct utsname *buf);
long sys_getpid(void);
long sys_gettid(void);
/* brk returns the new break, or the unchanged old one on failure (never -errno);
   brk(0) asks for the current break. */
long sys_brk(void *addr);
long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long offset);
long sys_munmap(void *addr, size_t len);
long sys_mprotect(void *addr, size_t len, int prot);
long sys_getrandom(void *buf, size_t len, unsigned int flags);

#endif
