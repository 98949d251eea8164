/* libc.c: see libc.h. Built with -ffreestanding -fno-tree-loop-distribute-patterns so
   that gcc does not turn the loops of memset or memcpy into calls to themselves. */
#include "libc.h"

const unsigned long *__auxv;

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* word copies when both are aligned alike: this is the runtime's hot loop */
	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n > 0 && ((uintptr_t)d & 7)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n-- > 0)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t w = (unsigned char)c * 0x0101010101010101ull;

	while (n > 0 && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = w;
	while (n-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

int parse_long(const char *s, long *out)
{
	int neg = 0;
	unsigned base = 10;
	unsigned long v = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -1;
		v = v * base + d;
	}
	*out = neg ? -(long)v : (long)v;
	return 0;
}

int atoi(const char *s)
{
	int neg = 0, v = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

/*
 * Formatted output goes through a sink: either a caller's buffer (snprintf: keep what
 * fits, count everything) or a file descriptor (printf: a stack buffer written out
 * when full and at the end of the call).
 */
struct sink {
	char	*buf;
	size_t	cap;		/* snprintf: size incl. NUL; fd: size of buf */
	size_t	pos;
	size_t	total;		/* characters produced, the return value */
	int	fd;		/* -1 for a string sink */
};

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		long r = sys_write(fd, p, n);

		if (r <= 0)
			return;		/* nowhere to report it; drop the rest */
		p += r;
		n -= (size_t)r;
	}
}

static void sink_flush(struct sink *s)
{
	if (s->fd >= 0 && s->pos > 0) {
		write_all(s->fd, s->buf, s->pos);
		s->pos = 0;
	}
}

static void put(struct sink *s, char c)
{
	s->total++;
	if (s->fd >= 0) {
		if (s->pos == s->cap)
			sink_flush(s);
		s->buf[s->pos++] = c;
	} else if (s->pos + 1 < s->cap) {
		s->buf[s->pos++] = c;
	}
}

static void pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

/* One converted field: prefix (sign or 0x), then body, padded to width. */
static void field(struct sink *s, const char *prefix, const char *body, size_t len,
		  int width, int left, int zero)
{
	int plen = (int)strlen(prefix);
	int fill = width - plen - (int)len;

	if (!left && !zero)
		pad(s, ' ', fill);
	while (*prefix)
		put(s, *prefix++);
	if (!left && zero)
		pad(s, '0', fill);
	while (len-- > 0)
		put(s, *body++);
	if (left)
		pad(s, ' ', fill);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";

	for (; *fmt; fmt++) {
		int left = 0, zero = 0, width = 0, lng = 0;
		char digits[24];
		const char *prefix = "";
		unsigned long long v;
		unsigned base = 10;
		const char *set = lower;
		size_t n;

		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				zero = 1;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = 1;
				width = -width;
			}
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;		/* l, ll and z are all 64 bits on RV64 */

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long x = lng ? va_arg(ap, long long) : va_arg(ap, int);

			if (x < 0) {
				prefix = "-";
				v = -(unsigned long long)x;
			} else {
				v = (unsigned long long)x;
			}
			break;
		}
		case 'u':
			v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
			break;
		case 'X':
			set = upper;
			/* fall through */
		case 'x':
			v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
			base = 16;
			break;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			base = 16;
			prefix = "0x";
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (!str)
				str = "(null)";
			field(s, "", str, strlen(str), width, left, 0);
			continue;
		}
		case 'c':
			digits[0] = (char)va_arg(ap, int);
			field(s, "", digits, 1, width, left, 0);
			continue;
		case '%':
			put(s, '%');
			continue;
		case '\0':
			fmt--;		/* a lone '%' at the end: stop at the NUL */
			continue;
		default:		/* unknown: print it as written */
			put(s, '%');
			put(s, *fmt);
			continue;
		}

		n = sizeof(digits);
		do {
			digits[--n] = set[v % base];
			v /= base;
		} while (v);
		field(s, prefix, digits + n, sizeof(digits) - n, width, left, zero);
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .cap = size, .fd = -1 };

	format(&s, fmt, ap);
	if (size > 0)
		buf[s.pos] = '\0';
	return (int)s.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
	char buf[256];
	struct sink s = { .buf = buf, .cap = sizeof(buf), .fd = fd };

	format(&s, fmt, ap);
	sink_flush(&s);
	return (int)s.total;
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(1, fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)s, .iov_len = strlen(s) },
		{ .iov_base = "\n", .iov_len = 1 },
	};

	return sys_writev(1, iov, 2) < 0 ? -1 : 0;
}

void exit(int status)
{
	sys_exit_group(status);
}

unsigned long getauxval(unsigned long type)
{
	const unsigned long *a;

	for (a = __auxv; a && a[0] != AT_NULL; a += 2) {
		if (a[0] == type)
			return a[1];
	}
	return 0;
}

/* ---- names for numbers ---- */

static const char *const errno_names[] = {
	[EPERM] = "EPERM",	[ENOENT] = "ENOENT",	[ESRCH] = "ESRCH",
	[EINTR] = "EINTR",	[E2BIG] = "E2BIG",	[ENOEXEC] = "ENOEXEC",
	[EBADF] = "EBADF",	[ECHILD] = "ECHILD",	[EAGAIN] = "EAGAIN",
	[ENOMEM] = "ENOMEM",	[EACCES] = "EACCES",	[EFAULT] = "EFAULT",
	[EEXIST] = "EEXIST",	[ENOTDIR] = "ENOTDIR",	[EINVAL] = "EINVAL",
	[EMFILE] = "EMFILE",	[EPIPE] = "EPIPE",	[ENAMETOOLONG] = "ENAMETOOLONG",
	[ENOSYS] = "ENOSYS",	[ETIMEDOUT] = "ETIMEDOUT",
};

static const char *const signal_names[] = {
	[SIGHUP] = "SIGHUP",	[SIGINT] = "SIGINT",	[SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",	[SIGTRAP] = "SIGTRAP",	[SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",	[SIGFPE] = "SIGFPE",	[SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1",	[SIGSEGV] = "SIGSEGV",	[SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE",	[SIGALRM] = "SIGALRM",	[SIGTERM] = "SIGTERM",
	[SIGCHLD] = "SIGCHLD",
};

static const char *name_of(const char *const *names, long count, long n, const char *what)
{
	static char unnamed[24];

	if (n >= 0 && n < count && names[n])
		return names[n];
	snprintf(unnamed, sizeof(unnamed), "%s %ld", what, n);
	return unnamed;
}

const char *errno_name(long err)
{
	return name_of(errno_names, sizeof(errno_names) / sizeof(errno_names[0]),
		       err < 0 ? -err : err, "errno");
}

const char *signal_name(int sig)
{
	return name_of(signal_names, sizeof(signal_names) / sizeof(signal_names[0]), sig,
		       "signal");
}

/* ---- processes ---- */

long fork(void)
{
	return sys_clone(SIGCHLD, 0, 0, 0, 0);
}

long waitpid(int pid, int *status, int options)
{
	return sys_wait4(pid, status, options, 0);
}

char *describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status),
			 signal_name(WTERMSIG(status)));
	else
		snprintf(buf, size, "status 0x%x (neither exited nor killed)", status);
	return buf;
}

/* ---- threads and futexes ---- */

long thread_create(int (*fn)(void *), void *arg, void *stack, size_t stack_size, int *tid_ptr)
{
	*tid_ptr = 0;
	return clone(fn, (char *)stack + stack_size, THREAD_CLONE_FLAGS, arg, tid_ptr, 0, tid_ptr);
}

void thread_join(int *tid_ptr)
{
	int tid;

	/* The kernel stores 0 and then wakes; a wait that finds the word already changed
	   returns EAGAIN at once, so no wake is lost between the load and the wait. */
	while ((tid = atomic_load_acquire(tid_ptr)) != 0)
		futex_wait_shared(tid_ptr, tid, 0);
}

long futex_wait(int *uaddr, int val, const struct timespec *timeout)
{
	return sys_futex(uaddr, FUTEX_WAIT_PRIVATE, val, timeout, 0, 0);
}

long futex_wake(int *uaddr, int n)
{
	return sys_futex(uaddr, FUTEX_WAKE_PRIVATE, n, 0, 0, 0);
}

long futex_wait_shared(int *uaddr, int val, const struct timespec *timeout)
{
	return sys_futex(uaddr, FUTEX_WAIT, val, timeout, 0, 0);
}

long futex_wake_shared(int *uaddr, int n)
{
	return sys_futex(uaddr, FUTEX_WAKE, n, 0, 0, 0);
}

void barrier_init(struct barrier *b, int n)
{
	b->n = n;
	b->arrived = 0;
	b->round = 0;
}

int barrier_wait(struct barrier *b)
{
	/* Read the round before arriving: once we have arrived the last one may end it. */
	int round = atomic_load_acquire(&b->round);

	if (atomic_fetch_add(&b->arrived, 1) == b->n - 1) {
		/* Everyone else is waiting for round to move, so nobody touches arrived
		   until the fetch_add below publishes this reset (it is a release). */
		__atomic_store_n(&b->arrived, 0, __ATOMIC_RELAXED);
		atomic_fetch_add(&b->round, 1);
		futex_wake(&b->round, 0x7fffffff);
		return 1;
	}
	while (atomic_load_acquire(&b->round) == round)
		futex_wait(&b->round, round, 0);
	return 0;
}

/* ---- CPUs and time ---- */

int cpu_count(const cpu_set_t *s)
{
	int i, n = 0;

	/* not __builtin_popcountl: libgcc's is built for the double-float ABI */
	for (i = 0; i < CPU_SETSIZE / 64; i++) {
		unsigned long w;

		for (w = s->bits[i]; w; w &= w - 1)
			n++;
	}
	return n;
}

int allowed_cpus(int *list, int max)
{
	cpu_set_t s;
	int cpu, n = 0;
	long r;

	cpu_zero(&s);
	r = sys_sched_getaffinity(0, sizeof(s), &s);
	if (r < 0)
		return (int)r;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (cpu_isset(cpu, &s)) {
			if (list && n < max)
				list[n] = cpu;
			n++;
		}
	}
	return n;
}

long pin_to_cpu(int cpu)
{
	cpu_set_t s;

	cpu_zero(&s);
	cpu_set(cpu, &s);
	return sys_sched_setaffinity(0, sizeof(s), &s);
}

long sleep_ms(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	return sys_nanosleep(&t, 0);
}
