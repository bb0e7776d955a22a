#include "lib.h"
#include "log.h"

enum log_level log_level = LOG_INFO;

#define LOG_RING_SIZE (64 * 1024)

static char ring[LOG_RING_SIZE];
static u64 ring_head;	/* bytes ever written */

static void ring_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ring[(ring_head + i) % LOG_RING_SIZE] = s[i];
	ring_head += n;
}

size_t log_ring_read(u64 from, char *buf, size_t len, u64 *next, u64 *lost)
{
	u64 oldest = ring_head > LOG_RING_SIZE ? ring_head - LOG_RING_SIZE : 0;
	size_t n;

	*lost = from < oldest ? oldest - from : 0;
	from = MAX(from, oldest);
	from = MIN(from, ring_head);
	n = MIN(len, ring_head - from);
	for (size_t i = 0; i < n; i++)
		buf[i] = ring[(from + i) % LOG_RING_SIZE];
	*next = from + n;
	return n;
}

static const char *const level_tag[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

static void vlog(const char *tag, const char *fmt, va_list ap)
{
	char line[256];
	int n;

	n = hv_snprintf(line, sizeof(line), "septum: %s", tag);
	n += hv_vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (n == 0 || line[n - 1] != '\n')
		line[n++] = '\n';
	ring_write(line, n);
	console_write(line, n);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vlog(level_tag[level], fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("PANIC: ", fmt, ap);
	va_end(ap);
	panic_hook();
	platform_halt(1);
}
