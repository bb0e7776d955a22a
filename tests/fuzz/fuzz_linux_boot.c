/* libFuzzer target: the VMWP's direct Linux boot (root/vmwp/linux_boot.c)
 * over hostile bzImage headers. lb_parse() never reads past the file and
 * accepts only layouts it can trust; lb_load() of what it accepted never
 * writes outside guest RAM (ASan watches the exact buffer) and, when it
 * succeeds, puts the kernel, initrd and boot_params where the header allows.
 * The input's first 4 bytes choose the initrd size and command-line length;
 * the rest is the image. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linux_boot.h"

#define MEM LB_MIN_MEM

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	static char cmdline[0x1000];
	struct lb_kernel k;
	struct lb_layout l;
	uint8_t *img;
	uint64_t rd_size;
	size_t cl;
	char err[200];

	if (size < 4)
		return 0;
	if (!ram)
		ram = malloc(MEM);
	rd_size = (uint64_t)(data[0] | data[1] << 8) << 8;
	cl = (size_t)(data[2] | data[3] << 8) % sizeof(cmdline);
	memset(cmdline, 'c', cl);
	cmdline[cl] = '\0';
	data += 4;
	size -= 4;
	img = malloc(size ? size : 1);
	memcpy(img, data, size);
	err[0] = '\0';
	if (lb_parse(img, size, &k, err, sizeof(err)) == 0) {
		if (k.pm_offset >= size || k.pm_size > size - k.pm_offset || k.pm_size <= 0x200)
			abort();
		if (k.header_end > 0x290 || k.init_size < k.pm_size)
			abort();
		err[0] = '\0';
		/* The initrd's bytes: guest RAM itself will do (lb_load copies). */
		if (lb_load(ram, MEM, img, size, &k, cmdline, ram, rd_size, 0xE0000, &l, err,
			    sizeof(err)) == 0) {
			if (l.kernel_gpa < (16 << 20) || l.kernel_gpa + k.init_size > MEM ||
			    l.entry != l.kernel_gpa + 0x200)
				abort();
			if (rd_size && (l.initrd_gpa < l.kernel_gpa + k.init_size ||
					l.initrd_gpa + rd_size > MEM))
				abort();
			if (ram[LB_BOOT_PARAMS + 0x210] != 0xFF)
				abort();
		} else if (!err[0]) {
			abort();
		}
	} else if (!err[0]) {
		abort();
	}
	free(img);
	return 0;
}
