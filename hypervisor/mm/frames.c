#include "errno.h"
#include "frames.h"
#include "mm.h"

static struct frame *frames;
static u64 nframes;

int frames_init(u64 top)
{
	u64 bytes = (top >> PAGE_SHIFT) * sizeof(struct frame);
	u64 pa = hv_alloc_pages(ALIGN_UP(bytes, PAGE_SIZE) >> PAGE_SHIFT, 1);

	if (!pa)
		return -ENOMEM;
	frames = phys_to_virt(pa);
	nframes = top >> PAGE_SHIFT;
	return 0;
}

void frames_set(u64 pa, u64 size, enum frame_state state)
{
	for (u64 f = pa >> PAGE_SHIFT; f < (pa + size) >> PAGE_SHIFT && f < nframes; f++)
		frames[f] = (struct frame){ .state = state };
}

struct frame *frame_of(u64 pa)
{
	return pa >> PAGE_SHIFT < nframes ? &frames[pa >> PAGE_SHIFT] : NULL;
}

enum frame_state frame_state(u64 pa)
{
	struct frame *f = frame_of(pa);

	return f ? f->state : FRAME_ABSENT;
}
