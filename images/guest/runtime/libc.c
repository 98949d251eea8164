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
