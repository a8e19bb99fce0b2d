/* Target of the uprobe and USDT tests.
 * usage: uprobe_target N STRING [MARKER]
 * Fires USDT probes (sys/sdt.h, every one with a semaphore) whose arguments the compiler puts in
 * registers, in memory and as constants, prints the guarded probe's semaphore ("sema=N"), then
 * calls octagon_uprobe_target(N, STRING), which creates MARKER (when given) in its body and
 * returns N * 2 + strlen(STRING), then octagon_uprobe_suffix(STRING), which returns a pointer
 * to the part after the first '-'. Exit status 0.
 * With OCTAGON_UPROBE_LOOPS=K in the environment it then calls the function K more times and
 * prints "ns_per_call=X" (probe overhead measurements). */
#define _SDT_HAS_SEMAPHORES 1
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <time.h>
#include <unistd.h>

#define SEMAPHORE(p, n) \
	__extension__ unsigned short p##_##n##_semaphore __attribute__((unused, section(".probes")))
SEMAPHORE(octagon, args);
SEMAPHORE(octagon, mem);
SEMAPHORE(octagon, guarded);
SEMAPHORE(test, usdt3);

static const char *marker;

__attribute__((noinline, noclone, visibility("default"))) int octagon_uprobe_target(int n, const char *s)
{
	if (marker) {
		int fd = open(marker, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
	}
	return n * 2 + (int)strlen(s);
}

/* The part of s after its first '-' (s itself without one): a returned string pointer. */
__attribute__((noinline, noclone, visibility("default"))) const char *octagon_uprobe_suffix(const char *s)
{
	const char *dash = strchr(s, '-');

	return dash ? dash + 1 : s;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s N STRING [MARKER]\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[1]);
	const char *s = argv[2];
	volatile long in_memory = 100L + n;
	int neg = -n;
	long neg8 = -8L * n;

	marker = argc > 3 ? argv[3] : NULL;
	printf("sema=%u\n", (unsigned)octagon_guarded_semaphore);
	fflush(stdout);
	STAP_PROBE3(octagon, args, n, s, neg8);
	STAP_PROBE2(octagon, mem, in_memory, 42);
	if (octagon_guarded_semaphore)
		STAP_PROBE1(octagon, guarded, n);
	STAP_PROBE3(test, usdt3, neg, neg8, (unsigned long)8 * n);
	if (octagon_uprobe_target(n, s) != n * 2 + (int)strlen(s))
		return 1;
	if (!octagon_uprobe_suffix(s))
		return 1;
	const char *loops = getenv("OCTAGON_UPROBE_LOOPS");
	if (loops) {
		long k = atol(loops), sum = 0;
		struct timespec a, b;

		marker = NULL;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < k; i++)
			sum += octagon_uprobe_target(n, s);
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("ns_per_call=%.1f sum=%ld\n",
		       ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)(k > 0 ? k : 1), sum);
	}
	return 0;
}
