/* Log lines (log.h). */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

void vmms_log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vmms: %s\n", line);
}
