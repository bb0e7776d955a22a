/* MemAvailable (meminfo.h). */
#include <errno.h>
#include <stdio.h>

#include "meminfo.h"

int meminfo_available_mib(unsigned long long *mib)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kib;
	char line[128];
	int r = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
			*mib = kib / 1024;
			r = 0;
			break;
		}
	}
	fclose(f);
	if (r)
		errno = ENODATA;
	return r;
}
