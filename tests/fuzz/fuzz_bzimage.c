/* libFuzzer target: the bzImage header checks never read past the file and
 * only accept headers whose layout the loader can trust. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bzimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *img = malloc(size ? size : 1);
	struct bzimage bz;
	char err[160];

	memcpy(img, data, size);
	if (bzimage_parse(img, size, &bz, err, sizeof(err)) == 0) {
		if (bz.pm_offset >= size || bz.pm_size > size - bz.pm_offset || !bz.pm_size)
			abort();
		if (bz.header_end > size || bz.init_size < bz.pm_size)
			abort();
	} else if (!err[0]) {
		abort();
	}
	free(img);
	return 0;
}
