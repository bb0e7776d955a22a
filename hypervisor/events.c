/* Interrupt delivery for child VPs. */
#include "events.h"

void events_update(struct vp *vp)
{
	(void)vp;
}

bool events_wake(struct vp *vp)
{
	(void)vp;
	return false;
}

void events_inject(struct vp *vp)
{
	(void)vp;
}

u64 events_next_deadline(struct vp *vp)
{
	(void)vp;
	return 0;
}
