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

#define SYS_dup			23
#define SYS_dup3		24
#define SYS_close		57
#define SYS_pipe2		59
#define SYS_read		63
#define SYS_write		64
#define SYS_writev		66
#define SYS_exit		93
#define SYS_exit_group		94
#define SYS_set_tid_address	96
#define SYS_futex		98
#define SYS_nanosleep		101
#define SYS_clock_gettime	113
#define SYS_clock_nanosleep	115
#define SYS_sched_setaffinity	122
#define SYS_sched_getaffinity	123
#define SYS_sched_yield		124
#define SYS_kill		129
#define SYS_uname		160
#define SYS_getcpu		168
#define SYS_getpid		172
#define SYS_getppid		173
#define SYS_gettid		178
#define SYS_brk			214
#define SYS_munmap		215
#define SYS_mremap		216
#define SYS_clone		220
#define SYS_execve		221
#define SYS_mmap		222
#define SYS_mprotect		226
#define SYS_madvise		233
#define SYS_wait4		260
#define SYS_getrandom		278
#define SYS_clone3		435

/* errno values (returned negated) */
#define EPERM		1
#define ENOENT		2
#define ESRCH		3
#define EINTR		4
#define E2BIG		7
#define ENOEXEC		8
#define EBADF		9
#define ECHILD		10
#define EAGAIN		11
#define ENOMEM		12
#define EACCES		13
#define EFAULT		14
#define EEXIST		17
#define ENOTDIR		20
#define EINVAL		22
#define EMFILE		24
#define EPIPE		32
#define ENAMETOOLONG	36
#define ENOSYS		38
#define ETIMEDOUT	110

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

/* mremap flags */
#define MREMAP_MAYMOVE		1	/* may move the mapping if it cannot grow in place */
#define MREMAP_FIXED		2	/* move to new_addr (needs MAYMOVE), replacing what is there */

/* madvise advice */
#define MADV_NORMAL		0
#define MADV_DONTNEED		4	/* drop the pages: private anonymous ones read back as zero */

/* clock_gettime, clock_nanosleep */
#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define TIMER_ABSTIME		1

/* open flags that pipe2 and dup3 take */
#define O_NONBLOCK		0x800
#define O_CLOEXEC		0x80000

/* clone and clone3 flags; the low byte of clone's flags is the signal sent to the
   parent when the child exits (SIGCHLD for a fork, 0 for a thread) */
#define CSIGNAL			0x000000ff
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_PIDFD		0x00001000
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000

/* signals: their numbers, as kill takes them and wait4's status reports them */
#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGCHLD		17

/* wait4 options, and the status word it stores: exit status in bits 8..15 and 0 in
   bits 0..6 for an exit; the signal number in bits 0..6 (bit 7: core dumped) for a
   death by signal */
#define WNOHANG			1
#define WUNTRACED		2
#define __WALL			0x40000000
#define __WCLONE		0x80000000
#define WIFEXITED(s)		(((s) & 0x7f) == 0)
#define WEXITSTATUS(s)		(((s) >> 8) & 0xff)
#define WIFSIGNALED(s)		(((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s)		((s) & 0x7f)
#define WCOREDUMP(s)		(((s) & 0x80) != 0)

/* futex operations; FUTEX_PRIVATE_FLAG promises that only this process uses the word,
   and a private waiter is woken only by a private wake */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_WAIT_PRIVATE	(FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE	(FUTEX_WAKE | FUTEX_PRIVATE_FLAG)

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

/* wait4's resource usage (only its size matters here: the runtime passes NULL) */
struct timeval {
	long	tv_sec;
	long	tv_usec;
};

struct rusage {
	struct timeval	ru_utime;
	struct timeval	ru_stime;
	long		ru_misc[14];	/* maxrss ... nivcsw */
};

/* clone3's argument, as of Linux 5.7 (CLONE_ARGS_SIZE_VER2, 88 bytes); a kernel
   accepts any size from VER0 (64: flags ... tls) up, and zeroes what it is not given */
struct clone_args {
	uint64_t	flags;
	uint64_t	pidfd;		/* CLONE_PIDFD: where to store the pidfd */
	uint64_t	child_tid;	/* CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID */
	uint64_t	parent_tid;	/* CLONE_PARENT_SETTID */
	uint64_t	exit_signal;	/* not in flags, unlike clone */
	uint64_t	stack;		/* lowest address of the child's stack, or 0 */
	uint64_t	stack_size;
	uint64_t	tls;		/* CLONE_SETTLS */
	uint64_t	set_tid;
	uint64_t	set_tid_size;
	uint64_t	cgroup;
};
#define CLONE_ARGS_SIZE_VER0	64

/* sched_{get,set}affinity take a byte size and a bit mask of CPUs; 1024 CPUs is
   glibc's cpu_set_t */
#define CPU_SETSIZE		1024
typedef struct {
	unsigned long	bits[CPU_SETSIZE / 64];
} cpu_set_t;

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

/* files: only pipes and the console here */
long sys_close(int fd);
long sys_dup(int fd);
long sys_dup3(int oldfd, int newfd, int flags);
long sys_pipe2(int fds[2], int flags);

/*
 * Processes and threads.
 *
 * sys_clone is the raw call in RISC-V's argument order (the kernel's CLONE_BACKWARDS:
 * tls before child_tid). With a stack the child starts on it, with no frame to return
 * to, so only the asm clone() of libc.h can use one; sys_clone itself is for forks
 * (stack 0: the child returns from this function on a copy of the parent's stack).
 * Returns the child's tid in the parent and 0 in the child.
 */
long sys_clone(unsigned long flags, void *stack, int *parent_tid, void *tls, int *child_tid);
/* clone3: size is sizeof(struct clone_args) or an older, smaller version. */
long sys_clone3(struct clone_args *args, size_t size);
/* Returns only on failure. */
long sys_execve(const char *path, char *const argv[], char *const envp[]);
long sys_wait4(int pid, int *status, int options, struct rusage *ru);
long sys_getppid(void);
long sys_kill(int pid, int sig);
long sys_sched_yield(void);
long sys_sched_setaffinity(int pid, size_t size, const cpu_set_t *mask);
/* Returns the number of bytes of mask the kernel filled (a multiple of 8), not 0. */
long sys_sched_getaffinity(int pid, size_t size, cpu_set_t *mask);
long sys_getcpu(unsigned *cpu, unsigned *node, void *unused);

/* time */
long sys_nanosleep(const struct timespec *req, struct timespec *rem);
long sys_clock_nanosleep(int clock, int flags, const struct timespec *req, struct timespec *rem);

/* futex: uaddr is a 32-bit word; timeout is relative for FUTEX_WAIT, may be NULL. */
long sys_futex(int *uaddr, int op, int val, const struct timespec *timeout, int *uaddr2, int val3);

/*
 * Calls defined here, inline, rather than in syscall.c: a program that does not use them
 * gets no code for them, so adding one leaves every other image byte-for-byte the same.
 * The same ecall as syscall.c's.
 */
static inline long syscall_inline5(long n, long a, long b, long c, long d, long e)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4)
			 : "memory");
	return a0;
}

/* Grows, shrinks or moves [old, old + old_size) (MREMAP_* flags): returns the mapping's
   address, which is_err() tells from -errno. new_addr is read only with MREMAP_FIXED. */
static inline long sys_mremap(void *old, size_t old_size, size_t new_size, int flags,
			      void *new_addr)
{
	return syscall_inline5(SYS_mremap, (long)old, (long)old_size, (long)new_size, flags,
			       (long)new_addr);
}

/* MADV_DONTNEED: private anonymous pages in [addr, addr + len) read back as zero. */
static inline long sys_madvise(void *addr, size_t len, int advice)
{
	return syscall_inline5(SYS_madvise, (long)addr, (long)len, advice, 0, 0);
}

#endif
