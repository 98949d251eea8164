/*
 * libc.h: the little C library of hartlab guest programs.
 *
 * Freestanding (no host libc): memory and string helpers the compiler may also call
 * on its own (memcpy, memmove, memset, memcmp), number parsing, printf-style output
 * that writes straight to a file descriptor (no buffering survives a call, so output
 * is never lost when a program is killed), exit, and getauxval.
 *
 * printf conversions: %d %i %u %x %X %p %s %c %%, length modifiers l, ll, z, and
 * flags '-' (left-justify) and '0' (zero-pad) with a decimal or '*' width.
 *
 * Then multitasking: fork and wait helpers, threads (clone on a stack of their own,
 * joined through CLONE_CHILD_CLEARTID's futex wake), futexes, a barrier, atomics,
 * CPU sets, sleeping, and rdcycle for timing.
 */
#ifndef HARTLAB_LIBC_H
#define HARTLAB_LIBC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "syscall.h"

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Parses an optionally signed decimal, or hex with 0x. Returns 0 and stores the
   value if all of s was a number, -1 otherwise (leaving *out untouched). */
int parse_long(const char *s, long *out);
/* Like the C library's atoi: leading decimal digits, 0 if none. */
int atoi(const char *s);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* Writes s and a newline to stdout. */
int puts(const char *s);

__attribute__((noreturn)) void exit(int status);

/* Value of the auxiliary-vector entry of the given AT_* type, 0 if absent. */
unsigned long getauxval(unsigned long type);

/* The auxiliary vector, found by crt0 above the environment. */
extern const unsigned long *__auxv;

/* "ENOENT" for ENOENT or -ENOENT, "errno 99" for one without a name here. Static
   storage for unnamed ones: use one result at a time. */
const char *errno_name(long err);
/* "SIGPIPE" for 13, "signal 99" for one without a name here (static storage, as above). */
const char *signal_name(int sig);

/* ---- processes ---- */

/* clone(SIGCHLD): 0 in the child, the child's pid in the parent, or -errno. */
long fork(void);
/* wait4(pid, status, options, NULL): pid > 0 that child, -1 any child. */
long waitpid(int pid, int *status, int options);
/* Writes "exited with status N" or "killed by signal N (SIGNAME)" into buf; returns buf. */
char *describe_status(int status, char *buf, size_t size);

/* ---- threads ---- */

/* What thread_create passes to clone: a thread of this process sharing everything,
   whose tid the kernel stores in *tid_ptr before clone returns and clears (with a
   futex wake) when the thread has exited. */
#define THREAD_CLONE_FLAGS						\
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |	\
	 CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/*
 * glibc's clone() (in clone.S): runs fn(arg) in a new child on the stack that ends at
 * stack_top, then exit(fn's result) (SYS_exit: that thread alone). Returns the child's
 * tid, or -errno. Arguments not asked for by flags are ignored.
 */
long clone(int (*fn)(void *), void *stack_top, unsigned long flags, void *arg,
	   int *parent_tid, void *tls, int *child_tid);
/* A thread running fn(arg) on [stack, stack + stack_size) with THREAD_CLONE_FLAGS and
   tid_ptr for both tids. Returns its tid (also in *tid_ptr), or -errno. */
long thread_create(int (*fn)(void *), void *arg, void *stack, size_t stack_size, int *tid_ptr);
/* Waits until the thread of thread_create has exited: until the kernel cleared *tid_ptr.
   A shared (non-private) futex wait, because the kernel's wake is a shared one. */
void thread_join(int *tid_ptr);

/* ---- futexes: FUTEX_WAIT if *uaddr == val, FUTEX_WAKE of up to n waiters ---- */

/* For threads of one process (FUTEX_PRIVATE_FLAG); timeout is relative, NULL for none.
   Return 0 when woken, -EAGAIN if *uaddr != val, -ETIMEDOUT, -EINTR. */
long futex_wait(int *uaddr, int val, const struct timespec *timeout);
/* Returns how many waiters were woken. */
long futex_wake(int *uaddr, int n);
/* The same without FUTEX_PRIVATE_FLAG: for words in MAP_SHARED memory, or tid words. */
long futex_wait_shared(int *uaddr, int val, const struct timespec *timeout);
long futex_wake_shared(int *uaddr, int n);

/* A reusable barrier for n threads of one process, on private futexes. */
struct barrier {
	int	n;		/* threads that meet */
	int	arrived;	/* of this round */
	int	round;		/* bumped (and futex-woken) when a round completes */
};
void barrier_init(struct barrier *b, int n);
/* Returns when all n have called it this round: 1 in the last to arrive, 0 in the others.
   Everything a thread wrote before it is visible to all after it. */
int barrier_wait(struct barrier *b);

/* ---- atomics: __atomic builtins, which gcc turns into AMOs and LR/SC loops ---- */

#define atomic_load_acquire(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define atomic_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* amoadd.{w,d}.aqrl: returns the old value */
#define atomic_fetch_add(p, v)		__atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
/* amoswap.{w,d}.aqrl: returns the old value */
#define atomic_xchg(p, v)		__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
/* an LR/SC loop: stores new if *p == old; returns the value it found (old on success) */
#define atomic_cmpxchg(p, old, new)					\
	({								\
		__typeof__(*(p)) found_ = (old);			\
		__atomic_compare_exchange_n((p), &found_, (new), 0,	\
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
		found_;							\
	})

/* The cycle counter (Zicntr): virtual cycles under hartlab, host ticks under qemu. */
static inline uint64_t rdcycle(void)
{
	uint64_t c;

	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

/* ---- CPUs and time ---- */

static inline void cpu_zero(cpu_set_t *s) { memset(s, 0, sizeof(*s)); }
static inline void cpu_set(int cpu, cpu_set_t *s) { s->bits[cpu / 64] |= 1ul << (cpu % 64); }
static inline int cpu_isset(int cpu, const cpu_set_t *s) { return (s->bits[cpu / 64] >> (cpu % 64)) & 1; }
/* Number of CPUs in the set. */
int cpu_count(const cpu_set_t *s);
/* The CPUs this thread may run on: their number (>= 1) and, if list is not NULL, up to
   max of their ids in increasing order. -errno if sched_getaffinity failed. */
int allowed_cpus(int *list, int max);
/* Restricts this thread (and children it forks later) to one CPU. 0 or -errno. */
long pin_to_cpu(int cpu);

/* nanosleep for ms milliseconds; 0 or -errno. */
long sleep_ms(long ms);

#endif
