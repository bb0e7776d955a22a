#include "lib.h"
#include "log.h"

enum log_level log_level = LOG_INFO;

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
