/*
 * compute: a compute-bound benchmark. No system calls in the loop, little memory
 * (about 50 KiB), so its run time measures the emulated CPU alone.
 *
 *   compute [N]    runs N rounds (default 600), prints "compute: rounds=N checksum=0x..."
 *
 * Each round mixes five kernels with different instruction profiles: a sieve of
 * Eratosthenes (byte stores, branches), table-driven CRC32 (loads, shifts, xor), a
 * 32x32 integer matrix multiply (mul), a quicksort of pseudo-random numbers (compares,
 * unpredictable branches, calls) and string formatting and hashing (snprintf, byte
 * loads). Everything is seeded from the round number, so the checksum is a function of
 * N alone: the same under hartlab and qemu-riscv64.
 */
#include "libc.h"

#define DEFAULT_ROUNDS	600

static uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h << 7 | h >> 57) ^ v;
	return h * 0x9e3779b97f4a7c15ull;
}

static uint32_t lcg_state;

static uint32_t lcg(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state;
}

/* ---- sieve of Eratosthenes: how many primes below limit ---- */

#define SIEVE_MAX 8448
static unsigned char composite[SIEVE_MAX];

static uint64_t sieve(unsigned limit)
{
	unsigned i, j, count = 0;

	memset(composite, 0, limit);
	for (i = 2; i * i < limit; i++) {
		if (!composite[i]) {
			for (j = i * i; j < limit; j += i)
				composite[j] = 1;
		}
	}
	for (i = 2; i < limit; i++)
		count += !composite[i];
	return count;
}

/* ---- CRC-32 (the zlib/Ethernet polynomial, reflected), byte at a time ---- */

static uint32_t crc_table[256];
static unsigned char crc_buf[4096];

static void crc_init(void)
{
	uint32_t c;
	unsigned i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	for (i = 0; i < sizeof(crc_buf); i++)
		crc_buf[i] = (unsigned char)(i * 7 + (i >> 5));
}

static uint32_t crc32(const unsigned char *p, unsigned long n)
{
	uint32_t c = 0xffffffffu;

	while (n-- > 0)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

/* ---- 32x32 matrix multiply ---- */

#define DIM 32
static uint32_t ma[DIM][DIM], mb[DIM][DIM], mc[DIM][DIM];

static uint64_t matmul(void)
{
	uint64_t h = 0;
	unsigned i, j, k;

	for (i = 0; i < DIM; i++) {
		for (j = 0; j < DIM; j++) {
			ma[i][j] = lcg() >> 16;
			mb[i][j] = lcg() >> 16;
		}
	}
	for (i = 0; i < DIM; i++) {
		for (j = 0; j < DIM; j++) {
			uint32_t s = 0;

			for (k = 0; k < DIM; k++)
				s += ma[i][k] * mb[k][j];
			mc[i][j] = s;
		}
	}
	for (i = 0; i < DIM; i++)
		h = mix(h, mc[i][i] ^ mc[i][DIM - 1 - i]);
	return h;
}

/* ---- quicksort (median of three, insertion sort below 16) ---- */

#define NSORT 1024
static uint32_t arr[NSORT];

static void insertion_sort(uint32_t *a, long n)
{
	long i, j;

	for (i = 1; i < n; i++) {
		uint32_t v = a[i];

		for (j = i - 1; j >= 0 && a[j] > v; j--)
			a[j + 1] = a[j];
		a[j + 1] = v;
	}
}

static void swap(uint32_t *a, uint32_t *b)
{
	uint32_t t = *a;

	*a = *b;
	*b = t;
}

static void quicksort(uint32_t *a, long n)
{
	while (n > 16) {
		long i = 0, j = n - 1, mid = n / 2;
		uint32_t pivot;

		if (a[mid] < a[0])
			swap(&a[mid], &a[0]);
		if (a[n - 1] < a[0])
			swap(&a[n - 1], &a[0]);
		if (a[n - 1] < a[mid])
			swap(&a[n - 1], &a[mid]);
		pivot = a[mid];
		for (;;) {		/* Hoare partition */
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			swap(&a[i++], &a[j--]);
		}
		/* recurse into the smaller side, loop on the larger: depth stays O(log n) */
		if (j + 1 < n - j - 1) {
			quicksort(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			quicksort(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	insertion_sort(a, n);
}

static uint64_t sort_round(void)
{
	uint64_t h = 0;
	unsigned i;

	for (i = 0; i < NSORT; i++)
		arr[i] = lcg();
	quicksort(arr, NSORT);
	for (i = 1; i < NSORT; i++) {
		if (arr[i - 1] > arr[i]) {
			printf("compute: sort is wrong at index %u\n", i);
			exit(1);
		}
	}
	for (i = 0; i < NSORT; i += 64)
		h = mix(h, arr[i]);
	return h;
}

/* ---- string formatting and hashing (FNV-1a, 64 bits) ---- */

static uint64_t strings(unsigned round)
{
	char s[48];
	uint64_t h = 0;
	unsigned i;

	for (i = 0; i < 64; i++) {
		uint64_t f = 0xcbf29ce484222325ull;
		const char *p;

		snprintf(s, sizeof(s), "item-%u-%x-%08lx", round, i, (unsigned long)lcg() * 977);
		for (p = s; *p; p++)
			f = (f ^ (unsigned char)*p) * 0x100000001b3ull;
		h ^= f;
	}
	return h;
}

int main(int argc, char **argv)
{
	long rounds = DEFAULT_ROUNDS;
	uint64_t sum = 0;
	long r;

	if (argc > 2 || (argc == 2 && (parse_long(argv[1], &rounds) != 0 || rounds < 0))) {
		puts("usage: compute [ROUNDS]");
		return 2;
	}
	crc_init();
	for (r = 0; r < rounds; r++) {
		lcg_state = (uint32_t)r * 2654435761u;
		sum = mix(sum, sieve(8192 + (unsigned)(r & 255)));
		crc_buf[(r * 37) & 4095] ^= (unsigned char)r;
		sum = mix(sum, crc32(crc_buf, sizeof(crc_buf)));
		sum = mix(sum, matmul());
		sum = mix(sum, sort_round());
		sum = mix(sum, strings((unsigned)r));
	}
	printf("compute: rounds=%ld checksum=0x%016lx\n", rounds, sum);
	return 0;
}
