/*
 * libFuzzer target: GPA map operations against a model. The input is a
 * stream of map/unmap operations in a 16 MiB window; after each one every
 * page's translation must match the model, and destroy must free every
 * table page. Table pages come from malloc (phys_to_virt is the identity).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errno.h"
#include "gpa_map.h"

#define WINDOW_PAGES 4096	/* 16 MiB */

extern const struct gpa_map_ops npt_ops;

static long live;
static int budget;

static u64 alloc_page(void *ctx)
{
	void *p;

	(void)ctx;
	if (budget == 0)
		return 0;
	budget--;
	p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	live++;
	return (u64)(uintptr_t)p;
}

static void free_page(void *ctx, u64 pa)
{
	(void)ctx;
	free((void *)(uintptr_t)pa);
	live--;
}

static const struct page_source pages = { alloc_page, free_page, NULL };

static u64 model_hpa[WINDOW_PAGES];	/* 0 = unmapped */
static u32 model_prot[WINDOW_PAGES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpa_map m;

	live = 0;
	budget = -1;
	memset(model_hpa, 0, sizeof(model_hpa));
	if (gpa_map_init(&m, &npt_ops, &pages))
		abort();
	for (size_t i = 0; i + 8 <= size; i += 8) {
		const uint8_t *op = data + i;
		u64 first = (op[1] | op[2] << 8) % WINDOW_PAGES;
		u64 n = 1 + ((op[3] | op[4] << 8) % 1024);
		u64 hpa_page = 0x40000 + ((op[5] | op[6] << 8) << 4) + (op[7] & 1 ? 0 : op[7]);
		u32 prot = GPA_READ | (op[0] & 2 ? GPA_WRITE : 0) | (op[0] & 4 ? GPA_EXEC : 0);
		int err;

		if (first + n > WINDOW_PAGES)
			n = WINDOW_PAGES - first;
		budget = op[0] & 0x80 ? op[7] % 4 : -1;
		if (op[0] & 1) {
			bool any = false;

			for (u64 p = first; p < first + n; p++)
				any |= model_hpa[p] != 0;
			err = gpa_map_map(&m, first << 12, hpa_page << 12, n << 12, prot);
			if (any && err != -EEXIST)
				abort();
			if (!err)
				for (u64 p = first; p < first + n; p++) {
					model_hpa[p] = (hpa_page + p - first) << 12;
					model_prot[p] = prot;
				}
			else if (err != -EEXIST && err != -ENOMEM)
				abort();
		} else {
			err = gpa_map_unmap(&m, first << 12, n << 12);
			if (!err)
				for (u64 p = first; p < first + n; p++)
					model_hpa[p] = 0;
			else if (err != -ENOMEM)
				abort();
		}
		budget = -1;
		for (u64 p = 0; p < WINDOW_PAGES; p++) {
			u64 hpa;
			u32 pr;
			bool mapped = gpa_map_lookup(&m, (p << 12) + 8, &hpa, &pr);

			if (mapped != (model_hpa[p] != 0))
				abort();
			if (mapped && (hpa != model_hpa[p] + 8 || pr != model_prot[p]))
				abort();
		}
	}
	gpa_map_destroy(&m, NULL, NULL);
	if (live != 0)
		abort();
	return 0;
}
