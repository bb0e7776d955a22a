/*
 * ioperf seqwrite|seqread|randread PATH SIZE_MIB [SECONDS]: block I/O
 * figures for the benchmarks, on a file or a block device, bypassing the
 * page cache (O_DIRECT) so that a guest's figures measure its disk and not
 * its memory.
 *
 *   seqwrite  writes the first SIZE_MIB in 1 MiB requests from offset 0,
 *             then fdatasync (timed too: that is when a write is done);
 *   seqread   reads them the same way;
 *   randread  reads 4 KiB blocks at random within the first SIZE_MIB
 *             (a fixed-seed PRNG: every run reads the same blocks) for
 *             SECONDS (default 10).
 *
 * Given SECONDS, the sequential ones go round the SIZE_MIB again and again
 * for that long (a figure over a set time, whatever the speed) and report
 * what they moved; without, they make one pass. One line on stdout:
 *
 *   ioperf: seqread 64 MiB in 1.234 s: 51.9 MiB/s
 *   ioperf: randread 4 KiB: 1234 IOPS over 10.0 s
 *
 * with " (buffered)" appended when the file system refuses O_DIRECT (tmpfs
 * before Linux 6.6) and the page cache had to be used.
 * Exit status: 0 done, 1 usage, 2 cannot open or an I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BLOCK  (1u << 20)
#define RAND_BLOCK 4096u
/* O_DIRECT wants buffers aligned to the device's logical block. */
#define ALIGN 4096u
/* Reading the clock once per this many random reads keeps it off the
 * figure. */
#define CLOCK_EVERY 16u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: fixed seed, so the same blocks in every run. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static int seq(int fd, const char *path, int write_, uint64_t size, double limit, char *buf,
	       const char *note)
{
	uint64_t done = 0;
	double t0 = now_s(), t;

	while (limit ? now_s() - t0 < limit : done < size) {
		off_t off = done % size;
		ssize_t n =
		    write_ ? pwrite(fd, buf, SEQ_BLOCK, off) : pread(fd, buf, SEQ_BLOCK, off);

		if (n != (ssize_t)SEQ_BLOCK) {
			fprintf(stderr, "ioperf: %s at %llu: %s\n", path, (unsigned long long)off,
				n < 0 ? strerror(errno)
				      : "short transfer (smaller than SIZE_MIB?)");
			return -1;
		}
		done += n;
	}
	if (write_ && fdatasync(fd)) {
		fprintf(stderr, "ioperf: %s: fdatasync: %s\n", path, strerror(errno));
		return -1;
	}
	t = now_s() - t0;
	printf("ioperf: %s %llu MiB in %.3f s: %.1f MiB/s%s\n", write_ ? "seqwrite" : "seqread",
	       (unsigned long long)(done >> 20), t, t > 0 ? done / 1048576.0 / t : 0.0, note);
	return 0;
}

static int randread(int fd, const char *path, uint64_t size, double limit, char *buf,
		    const char *note)
{
	uint64_t blocks = size / RAND_BLOCK, seed = 0x53455054554dULL, ios = 0;
	double t0 = now_s(), t = 0;

	while (t < limit) {
		off_t off = (off_t)(next_rand(&seed) % blocks) * RAND_BLOCK;
		ssize_t n = pread(fd, buf, RAND_BLOCK, off);

		if (n != (ssize_t)RAND_BLOCK) {
			fprintf(stderr, "ioperf: %s at %llu: %s\n", path, (unsigned long long)off,
				n < 0 ? strerror(errno) : "short read (smaller than SIZE_MIB?)");
			return -1;
		}
		if (++ios % CLOCK_EVERY == 0)
			t = now_s() - t0;
	}
	printf("ioperf: randread 4 KiB: %.0f IOPS over %.1f s%s\n", ios / t, t, note);
	return 0;
}

int main(int argc, char **argv)
{
	int write_, rand_, flags, buffered, fd, r;
	char *end, *buf;
	unsigned long mib;
	double limit;
	const char *path;

	if (argc < 4 || argc > 5)
		goto usage;
	write_ = !strcmp(argv[1], "seqwrite");
	rand_ = !strcmp(argv[1], "randread");
	if (!write_ && !rand_ && strcmp(argv[1], "seqread"))
		goto usage;
	path = argv[2];
	mib = strtoul(argv[3], &end, 10);
	if (*end || !mib || mib > (1ul << 30))
		goto usage;
	/* 0: one pass (sequential only). */
	limit = argc == 5 ? strtod(argv[4], &end) : (rand_ ? 10 : 0);
	if (argc == 5 && (*end || !(limit > 0)))
		goto usage;

	flags = (write_ ? O_WRONLY | O_CREAT : O_RDONLY) | O_CLOEXEC;
	fd = open(path, flags | O_DIRECT, 0644);
	buffered = fd < 0 && errno == EINVAL;
	if (buffered)
		fd = open(path, flags, 0644);
	if (fd < 0) {
		fprintf(stderr, "ioperf: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (posix_memalign((void **)&buf, ALIGN, SEQ_BLOCK)) {
		fprintf(stderr, "ioperf: out of memory\n");
		return 2;
	}
	/* Not zeros: nothing on the way may shortcut a block of zeros. */
	for (unsigned i = 0; i < SEQ_BLOCK; i++)
		buf[i] = (char)(i * 131 + 7);
	if (rand_)
		r = randread(fd, path, (uint64_t)mib << 20, limit, buf,
			     buffered ? " (buffered)" : "");
	else
		r = seq(fd, path, write_, (uint64_t)mib << 20, limit, buf,
			buffered ? " (buffered)" : "");
	return r ? 2 : 0;
usage:
	fprintf(stderr,
		"usage: ioperf seqwrite|seqread|randread FILE_OR_DEVICE SIZE_MIB [SECONDS]\n");
	return 1;
}
