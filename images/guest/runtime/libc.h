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

#endif
