/*
 * Two partitions at once, and neither sees the other's memory: the VMM
 * fills the RAM of each with a random marker of its own and gives the
 * other that marker to look for; each "scan" child counts the words of its
 * whole RAM that hold it (guests/child.c). A also has a page just past its
 * RAM, where B must find nothing mapped.
 */
#include "vidtest.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "septum/testdev.h"

/* Below it the page tables and the command line. */
#define FILL_GPA	(SEPTUM_TESTGUEST_CMDLINE_GPA + PAGE_SIZE)

/* A "scan" child: its RAM but the image full of mine, looking for theirs. */
static bool scan_build(struct guest *g, u64 mine, u64 theirs)
{
	const struct hv_register_assoc rdx = reg64(HV_X64_REGISTER_RDX, theirs);
	u64 image_end = SEPTUM_TESTGUEST_LOAD_GPA + image_size;
	long r;

	if (!guest_build(g, "scan"))
		return false;
	for (u64 a = FILL_GPA; a < CHILD_RAM; a += sizeof(mine))
		if (a < SEPTUM_TESTGUEST_LOAD_GPA || a >= image_end)
			memcpy(gpa(g, a), &mine, sizeof(mine));
	g->scratch = ~0U;	/* the count, once the child has one */
	r = set_regs(g->vp[0], &rdx, 1, NULL);
	if (r)
		snprintf(g->why, sizeof(g->why), "SET_REGS of RDX: %s", err_name(r));
	return !r;
}

void test_isolation(void)
{
	static struct guest a, b;
	const struct hv_x64_memory_intercept_message *m = (const void *)b.run.message.payload;
	u64 marker[2];
	u8 *past = NULL;
	int ra, rb;
	long r = -1;

	if (getrandom(marker, sizeof(marker), 0) != sizeof(marker)) {
		report(false, "isolation-build", "getrandom: %s", strerror(errno));
		return;
	}
	if (scan_build(&a, marker[0], marker[1]) && scan_build(&b, marker[1], marker[0]) &&
	    (past = late_page(marker[0])))
		r = map(a.part, CHILD_PAGES, 1, past, RWX);
	if (r) {
		report(false, "isolation-build", "A: %s; B: %s; a page past A's RAM: %s", a.why,
		       b.why, err_name(r));
		goto out;
	}
	rb = child_run(&b, 0, 0);
	ra = child_run(&a, 0, 0);
	report(rb == 0 && !b.scratch, "isolation-b-sees-nothing-of-a",
	       "B found A's marker %d times (-1: did not say); then %s", (int)b.scratch,
	       outcome(&b, rb));
	report(ra == 0 && !a.scratch, "isolation-a-sees-nothing-of-b",
	       "A found B's marker %d times (-1: did not say); then %s", (int)a.scratch,
	       outcome(&a, ra));
	report(rb == 0 && b.run.message.header.message_type == HVMSG_UNMAPPED_GPA &&
		       m->guest_physical_address == CHILD_RAM &&
		       m->header.intercept_access_type == HV_INTERCEPT_ACCESS_READ &&
		       ra == 0 && a.run.message.header.message_type == HVMSG_X64_HALT,
	       "isolation-beyond-ram-is-unmapped",
	       "B's read of GPA %llx: %s (GPA %lx); A, which has a page there, %s", CHILD_RAM,
	       outcome(&b, rb), m->guest_physical_address,
	       a.run.message.header.message_type == HVMSG_X64_HALT ? "halted" : "did not halt");
out:
	guest_close(&b);
	guest_close(&a);
	if (past)
		munmap(past, PAGE_SIZE);
}
