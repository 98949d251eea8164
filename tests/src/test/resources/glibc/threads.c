/*
 * threads: 8 POSIX threads (run on 4 harts) sharing a mutex, a condition variable and a
 * barrier, with results that do not depend on how they interleave. Exit status 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 8
#define ROUNDS 3
#define ADDS 2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static int turn;
static int order[THREADS];
static int ordered;
static double partial[THREADS];

static void *work(void *arg) {
	int id = (int)(long)arg;
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < ADDS; i++) {
			pthread_mutex_lock(&lock);
			counter++;
			pthread_mutex_unlock(&lock);
		}
		int serial = pthread_barrier_wait(&barrier);
		if (serial == PTHREAD_BARRIER_SERIAL_THREAD) {
			pthread_mutex_lock(&lock);
			printf("round %d: counter=%ld\n", r, counter);
			pthread_mutex_unlock(&lock);
		}
		pthread_barrier_wait(&barrier);
	}
	/* Take turns in id order through the condition variable. */
	pthread_mutex_lock(&lock);
	while (turn != id)
		pthread_cond_wait(&turn_changed, &lock);
	order[ordered++] = id;
	turn++;
	pthread_cond_broadcast(&turn_changed);
	pthread_mutex_unlock(&lock);
	double s = 0;
	for (int i = 1; i <= 1000; i++)
		s += 1.0 / ((double)i * (id + 1));
	partial[id] = s;
	return (void *)(long)(id * 10);
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_t t[THREADS];
	pthread_barrier_init(&barrier, NULL, THREADS);
	for (long i = 0; i < THREADS; i++) {
		if (pthread_create(&t[i], NULL, work, (void *)i) != 0) {
			printf("pthread_create failed\n");
			return 1;
		}
	}
	long sum = 0;
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		sum += (long)ret;
	}
	printf("counter=%ld expected=%d joined_sum=%ld\n", counter, THREADS * ROUNDS * ADDS, sum);
	printf("order:");
	for (int i = 0; i < THREADS; i++)
		printf(" %d", order[i]);
	printf("\n");
	double total = 0;
	for (int i = 0; i < THREADS; i++)
		total += partial[i];
	printf("harmonic sum %.9f\n", total);
	return counter == THREADS * ROUNDS * ADDS ? 0 : 1;
}
