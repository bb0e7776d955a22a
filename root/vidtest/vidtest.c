/* vidtest: main, reporting, the device, memory accounting (vidtest.h). */
#include "vidtest.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CHILD_IMAGE	"/usr/share/septum/child.bin"
/* Per-CPU page lists and slabs come and go; the leaks looked for are 4 MiB
 * guests, a 64 MiB map and the fuzz's tens of MiB of deposits. */
#define MEMFREE_SLACK_KB 4096

int passed, failed;
int dev = -1;
u8 *image;
size_t image_size;
volatile sig_atomic_t alarms;

/* ---- reporting ---- */

void report(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS vid/%s\n", name);
		passed++;
	} else {
		printf("FAIL vid/%s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
		failed++;
	}
	fflush(stdout);
}

const char *err_name(long err)
{
	static __thread char bufs[8][24];
	static __thread unsigned next;
	char *buf = bufs[next++ % 8];
	const char *name = err < 0 ? strerrorname_np(-err) : NULL;

	if (name)
		snprintf(buf, sizeof(bufs[0]), "%s", name);
	else
		snprintf(buf, sizeof(bufs[0]), "%ld", err);
	return buf;
}

long vid(int fd, unsigned long cmd, void *arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

void expect_errno(int fd, unsigned long cmd, void *arg, int want, const char *name)
{
	long r = vid(fd, cmd, arg);

	report(r == -want, name, "got %s, want %s", err_name(r), err_name(-want));
}

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

void sleep_ms(unsigned ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

void arm_alarm_ms(unsigned ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static long meminfo_kb(const char *key)
{
	char line[128];
	long val = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			val = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return val;
}

bool stats(int fd, struct septum_vid_stats *s)
{
	memset(s, 0, sizeof(*s));
	return vid(fd, SEPTUM_VID_GET_STATS, s) == 0;
}

/* ---- registers ---- */

long set_regs(int vp, const struct hv_register_assoc *a, u32 n, u32 *done)
{
	static struct septum_vid_regs r;
	long err;

	memset(&r, 0, sizeof(r));
	r.count = n;
	for (u32 i = 0; i < n && i < SEPTUM_VID_MAX_REGS; i++) {
		r.names[i] = a[i].name;
		r.values[i] = a[i].value;
	}
	err = vid(vp, SEPTUM_VID_SET_REGS, &r);
	if (done)
		*done = r.done;
	return err;
}

long get_regs(int vp, const u32 *names, u32 n, union hv_register_value *vals)
{
	static struct septum_vid_regs r;
	long err;

	memset(&r, 0, sizeof(r));
	r.count = n;
	memcpy(r.names, names, n * sizeof(u32));
	err = vid(vp, SEPTUM_VID_GET_REGS, &r);
	memcpy(vals, r.values, n * sizeof(*vals));
	return err;
}

long get_reg(int vp, u32 name, u64 *val)
{
	union hv_register_value v = { 0 };
	long err = get_regs(vp, &name, 1, &v);

	*val = v.reg64;
	return err;
}

/* ---- /dev/septum ---- */

/* The hypervisor's log ring through READ_LOG: its boot lines are there,
 * a read from the end returns nothing, reserved fields are refused. */
static void test_read_log(void)
{
	static struct septum_vid_log log;
	long r;

	memset(&log, 0, sizeof(log));
	r = vid(dev, SEPTUM_VID_READ_LOG, &log);
	report(!r && log.length > 0 && log.length <= sizeof(log.data) && log.next == log.length &&
		       !log.lost && !strncmp(log.data, "septum: Septum hypervisor", 25),
	       "read-log", "READ_LOG: %s, length %u, next %llu, starts '%.25s'", err_name(r),
	       log.length, (unsigned long long)log.next, log.data);
	for (log.from = log.next; !r && log.length == sizeof(log.data); log.from = log.next)
		r = vid(dev, SEPTUM_VID_READ_LOG, &log);
	log.from = 1ULL << 62;
	r = vid(dev, SEPTUM_VID_READ_LOG, &log);
	report(!r && log.length == 0, "read-log-at-end", "READ_LOG far ahead: %s, length %u",
	       err_name(r), log.length);
	log.reserved = 1;
	r = vid(dev, SEPTUM_VID_READ_LOG, &log);
	report(r == -EINVAL, "read-log-reserved", "got %s", err_name(r));
}

static bool test_device(void)
{
	FILE *f = fopen("/proc/modules", "r");
	char line[256];
	bool loaded = false;
	struct stat st;
	long v;

	while (f && fgets(line, sizeof(line), f))
		loaded |= !strncmp(line, "septum_vid ", 11);
	if (f)
		fclose(f);
	report(loaded, "module-loaded", "no septum_vid in /proc/modules");
	report(!stat(SEPTUM_VID_DEVICE, &st) && S_ISCHR(st.st_mode), "device-node",
	       "%s: %s", SEPTUM_VID_DEVICE, strerror(errno));
	dev = open(SEPTUM_VID_DEVICE, O_RDWR | O_CLOEXEC);
	report(dev >= 0, "device-open", "%s", strerror(errno));
	if (dev < 0)
		return false;
	v = vid(dev, SEPTUM_VID_GET_API_VERSION, NULL);
	report(v == SEPTUM_VID_API_VERSION, "api-version", "GET_API_VERSION: %ld", v);
	test_read_log();
	return true;
}

/* ---- everything back ---- */

struct mem_snapshot {
	long memfree_kb;
	u64 hv_free_pages;
};

static void snapshot(struct mem_snapshot *m)
{
	struct septum_vid_stats s;

	stats(dev, &s);
	m->hv_free_pages = s.hv_free_pages;
	m->memfree_kb = meminfo_kb("MemFree");
}

static void check_memory_back(const struct mem_snapshot *before, const char *name)
{
	struct mem_snapshot after;
	struct septum_vid_stats s;
	long delta;

	sync();
	snapshot(&after);
	stats(dev, &s);
	delta = after.memfree_kb - before->memfree_kb;
	report(after.hv_free_pages == before->hv_free_pages && s.partitions == 0 &&
		       s.deposited_pages == 0 && s.mapped_pages == 0 && s.vps == 0 &&
		       delta > -MEMFREE_SLACK_KB,
	       name,
	       "hypervisor heap %lu -> %lu pages free; MemFree %ld -> %ld kB (%+ld); VID: %u "
	       "partitions, %u VPs, %llu deposited, %llu mapped",
	       before->hv_free_pages, after.hv_free_pages, before->memfree_kb, after.memfree_kb,
	       delta, s.partitions, s.vps, (unsigned long long)s.deposited_pages,
	       (unsigned long long)s.mapped_pages);
	printf("vid: memory: hypervisor heap %lu -> %lu pages free, MemFree %ld -> %ld kB\n",
	       before->hv_free_pages, after.hv_free_pages, before->memfree_kb, after.memfree_kb);
}

static bool load_image(void)
{
	FILE *f = fopen(CHILD_IMAGE, "rb");
	long n;

	if (!f) {
		report(false, "child-image", "%s: %s", CHILD_IMAGE, strerror(errno));
		return false;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	image = n > 0 && (u64)n <= CHILD_RAM / 2 ? malloc(n) : NULL;
	image_size = image && fread(image, 1, n, f) == (size_t)n ? n : 0;
	fclose(f);
	report(image_size, "child-image", "%s: %ld bytes", CHILD_IMAGE, n);
	return image_size;
}

/* 64 MiB of guest RAM in one MAP_MEMORY, and back. */
static void test_big_map(void)
{
	const u64 npages = (64ULL << 20) / PAGE_SIZE;
	struct septum_vid_stats st0, st1, st2;
	u8 *ram = mmap(NULL, npages * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int part = create_partition();
	double t0, t1, t2;
	long r1 = -1, r2 = -1;

	if (ram == MAP_FAILED || part < 0) {
		report(false, "map-64mib", "mmap %s, CREATE_PARTITION %s",
		       ram == MAP_FAILED ? strerror(errno) : "ok", err_name(part));
		return;
	}
	madvise(ram, npages * PAGE_SIZE, MADV_HUGEPAGE);
	stats(part, &st0);
	t0 = now_s();
	r1 = map(part, 0x100000, npages, ram, RWX);	/* at 4 GiB */
	t1 = now_s();
	stats(part, &st1);
	r2 = unmap(part, 0x100000, npages);
	t2 = now_s();
	stats(part, &st2);
	report(!r1 && !r2 && st1.mapped_pages == npages && !st2.mapped_pages &&
		       st1.deposited_pages > st0.deposited_pages,
	       "map-64mib", "map %s, unmap %s; mapped %llu then %llu pages; deposited %llu -> %llu",
	       err_name(r1), err_name(r2), (unsigned long long)st1.mapped_pages,
	       (unsigned long long)st2.mapped_pages, (unsigned long long)st0.deposited_pages,
	       (unsigned long long)st1.deposited_pages);
	printf("vid: 64 MiB: MAP_MEMORY %.1f ms (%llu pages deposited for its tables), "
	       "UNMAP_MEMORY %.1f ms\n", (t1 - t0) * 1e3,
	       (unsigned long long)(st1.deposited_pages - st0.deposited_pages), (t2 - t1) * 1e3);
	close(part);
	munmap(ram, npages * PAGE_SIZE);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	static struct guest synic;
	struct mem_snapshot start;
	long fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGALRM, &sa, NULL);
	if (!test_device() || !load_image())
		goto out;
	snapshot(&start);
	printf("vid: start: hypervisor heap %lu pages free, MemFree %ld kB\n", start.hv_free_pages,
	       start.memfree_kb);
	test_device_bad_ioctls();
	test_main_child();
	test_isolation();
	test_big_map();
	check_memory_back(&start, "close-returns-memory");
	test_synic_child(&synic);
	test_fuzz();
	fd = create_partition();
	report(fd >= 0, "alive-after-fuzz", "CREATE_PARTITION: %s", err_name(fd));
	if (fd >= 0)
		close(fd);
	check_memory_back(&start, "all-memory-back");
	close(dev);
out:
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

