/* Random ioctls on every kind of fd, from two threads racing each other. */
#include "vidtest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hv/message.h"
#include "hv/partition.h"

/* Per thread; VIDTEST_FUZZ_CALLS and VIDTEST_FUZZ_SECONDS in the
 * environment make a longer soak (make run SCRIPT=...). */
#define FUZZ_CALLS	10000
#define FUZZ_SECONDS	20		/* stop early on a slow host */
#define FUZZ_RAM_PAGES	256		/* real mode reaches 1 MiB + 64 KiB */

/* ---- random ioctls on every kind of fd ---- */

static __thread u64 rng_state = 0x5E97A11CE5EEDULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const unsigned long vid_cmds[] = {
	SEPTUM_VID_GET_API_VERSION, SEPTUM_VID_CREATE_PARTITION, SEPTUM_VID_GET_STATS,
	SEPTUM_VID_MAP_MEMORY,	    SEPTUM_VID_UNMAP_MEMORY,	 SEPTUM_VID_CREATE_VP,
	SEPTUM_VID_ASSERT_INTERRUPT, SEPTUM_VID_POST_MESSAGE,	 SEPTUM_VID_SIGNAL_EVENT,
	SEPTUM_VID_INSTALL_INTERCEPT, SEPTUM_VID_GET_PROPERTY,	 SEPTUM_VID_SET_PROPERTY,
	SEPTUM_VID_GET_REGS,	    SEPTUM_VID_SET_REGS,	 SEPTUM_VID_RUN,
	SEPTUM_VID_KICK,
};

/* Random bytes, with small numbers where counts, indexes and flags sit. */
static void fuzz_fill(u8 *buf, size_t len, u8 *ram)
{
	for (size_t i = 0; i < len; i += 8) {
		u64 v = rnd();

		switch (rnd() % 8) {
		case 0:
			v = 0;
			break;
		case 1:
		case 2:
			v %= 20;
			break;
		case 3:
			v = (u64)(uintptr_t)ram + (v % FUZZ_RAM_PAGES) * PAGE_SIZE;
			break;
		case 4:
			v = (v % 64) | ((v % 64) << 32);
			break;
		}
		memcpy(buf + i, &v, 8);
	}
}

static const u32 fuzz_reg_names[] = {
	HV_X64_REGISTER_RAX,	   HV_X64_REGISTER_RCX,	      HV_X64_REGISTER_RSP,
	HV_X64_REGISTER_RIP,	   HV_X64_REGISTER_RFLAGS,    HV_X64_REGISTER_CR0,
	HV_X64_REGISTER_CR3,	   HV_X64_REGISTER_CR4,	      HV_X64_REGISTER_CR8,
	HV_X64_REGISTER_EFER,	   HV_X64_REGISTER_CS,	      HV_X64_REGISTER_SS,
	HV_X64_REGISTER_DS,	   HV_X64_REGISTER_TR,	      HV_X64_REGISTER_LDTR,
	HV_X64_REGISTER_GDTR,	   HV_X64_REGISTER_IDTR,      HV_X64_REGISTER_APIC_BASE,
	HV_X64_REGISTER_PAT,	   HV_X64_REGISTER_DR7,	      HV_X64_REGISTER_TSC,
	HV_REGISTER_SINT0,	   HV_REGISTER_SIMP,	      HV_REGISTER_SIEFP,
	HV_REGISTER_SCONTROL,	   HV_REGISTER_EOM,	      HV_REGISTER_STIMER0_CONFIG,
	HV_REGISTER_STIMER0_COUNT, HV_REGISTER_GUEST_OS_ID,   HV_REGISTER_HYPERCALL,
	HV_REGISTER_VP_ASSIST_PAGE, HV_REGISTER_REFERENCE_TSC, HV_REGISTER_EXPLICIT_SUSPEND,
	HV_REGISTER_PENDING_INTERRUPTION, HV_REGISTER_INTERRUPT_STATE, UNKNOWN_REGISTER,
};

static const u32 fuzz_properties[] = {
	HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,	 HV_PARTITION_PROPERTY_REFERENCE_TIME,
	HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, HV_PARTITION_PROPERTY_TIME_FREEZE,
	HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, SEPTUM_PARTITION_PROPERTY_HV_FREE_PAGES,
};

#define PICK(a) ((a)[rnd() % (sizeof(a) / sizeof((a)[0]))])

/* A value that is usually in range, sometimes anything. */
static u64 small(u64 bound)
{
	return rnd() % 8 ? rnd() % bound : rnd();
}

/* A plausible argument for cmd: each field random but mostly in range. */
static void fuzz_struct(unsigned long cmd, u8 *buf, u8 *ram)
{
	union {
		struct septum_vid_create_partition cp;
		struct septum_vid_memory m;
		struct septum_vid_create_vp cv;
		struct septum_vid_interrupt i;
		struct septum_vid_message msg;
		struct septum_vid_event e;
		struct septum_vid_intercept ic;
		struct septum_vid_property p;
		struct septum_vid_regs r;
		struct septum_vid_run run;
	} *a = (void *)buf;

	memset(buf, 0, sizeof(*a));
	switch (cmd) {
	case SEPTUM_VID_CREATE_PARTITION:
		a->cp.flags = rnd() % 4 ? rnd() & (HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED |
						    HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE)
					: rnd();
		break;
	case SEPTUM_VID_MAP_MEMORY:
	case SEPTUM_VID_UNMAP_MEMORY:
		a->m.guest_pfn = small(2 * FUZZ_RAM_PAGES);
		a->m.npages = 1 + small(FUZZ_RAM_PAGES);
		if (cmd == SEPTUM_VID_MAP_MEMORY) {
			a->m.userspace_addr =
				(u64)(uintptr_t)ram + small(FUZZ_RAM_PAGES) * PAGE_SIZE;
			a->m.flags = small(8);
		}
		break;
	case SEPTUM_VID_CREATE_VP:
		a->cv.index = small(SEPTUM_VID_MAX_VPS + 2);
		break;
	case SEPTUM_VID_ASSERT_INTERRUPT:
		a->i.type = small(8);
		a->i.vector = small(256);
		a->i.dest_apic_id = small(4);
		a->i.flags = small(4);
		break;
	case SEPTUM_VID_POST_MESSAGE:
		fuzz_fill((u8 *)&a->msg, sizeof(a->msg), ram);
		a->msg.vp_index = small(3);
		a->msg.sint = small(HV_SYNIC_SINT_COUNT + 1);
		a->msg.message.header.message_type = rnd() % 2 ? 1 : (u32)rnd();
		a->msg.message.header.payload_size = rnd() % 256;
		break;
	case SEPTUM_VID_SIGNAL_EVENT:
		a->e.vp_index = small(3);
		a->e.sint = small(HV_SYNIC_SINT_COUNT + 1);
		a->e.flag = small(2100);
		break;
	case SEPTUM_VID_INSTALL_INTERCEPT:
		a->ic.type = small(4);
		a->ic.access = small(8);
		a->ic.parameter = rnd() % 2 ? 0x40000000 + rnd() % 0x20 : small(0x10000);
		break;
	case SEPTUM_VID_GET_PROPERTY:
	case SEPTUM_VID_SET_PROPERTY:
		a->p.code = rnd() % 8 ? PICK(fuzz_properties) : (u32)rnd();
		a->p.value = small(3);
		break;
	case SEPTUM_VID_GET_REGS:
	case SEPTUM_VID_SET_REGS:
		a->r.count = 1 + small(8);
		for (u32 i = 0; i < SEPTUM_VID_MAX_REGS; i++) {
			a->r.names[i] = rnd() % 16 ? PICK(fuzz_reg_names) : (u32)rnd();
			a->r.values[i].reg128.low = rnd() % 2 ? small(0x10000) : rnd();
			a->r.values[i].reg128.high = rnd() % 4 ? 0 : rnd();
		}
		break;
	case SEPTUM_VID_RUN:
		a->run.flags = small(2);
		break;
	}
	/* And now and then a flipped bit anywhere. */
	if (!(rnd() % 8))
		buf[rnd() % sizeof(*a)] ^= 1 << (rnd() % 8);
}

/* A fresh VP in real mode, CS:IP into the fuzz RAM's random bytes. */
static int fuzz_vp(int part, u32 index)
{
	int vp = create_vp(part, index);
	const struct hv_register_assoc regs[] = {
		seg(HV_X64_REGISTER_CS, 0, 0xFFFF, 0, 0x9B),
		reg64(HV_X64_REGISTER_RIP, rnd() % (FUZZ_RAM_PAGES * PAGE_SIZE)),
	};

	if (vp >= 0)
		set_regs(vp, regs, 2, NULL);
	return vp;
}

/* What RUN came back with: how far into the hypervisor the fuzz got. */
static const struct {
	u32 type;
	const char *name;
} outcomes[] = {
	{ HVMSG_X64_IO_PORT_INTERCEPT, "io" },	    { HVMSG_UNMAPPED_GPA, "unmapped-gpa" },
	{ HVMSG_X64_HALT, "halt" },		    { HVMSG_X64_MSR_INTERCEPT, "msr" },
	{ HVMSG_X64_CPUID_INTERCEPT, "cpuid" },	    { HVMSG_HYPERCALL_INTERCEPT, "hypercall" },
	{ HVMSG_X64_EXCEPTION_INTERCEPT, "exception" },
	{ HVMSG_UNRECOVERABLE_EXCEPTION, "unrecoverable" },
	{ HVMSG_INVALID_VP_REGISTER_VALUE, "invalid-state" },
	{ HVMSG_UNSUPPORTED_FEATURE, "unsupported" }, { 0, "blocked" }, { ~0U, "other" },
};
#define NOUTCOMES (sizeof(outcomes) / sizeof(outcomes[0]))

/* One fuzzing thread: its own VPs, the shared partition and /dev/septum. */
struct fuzzer {
	int part;
	u32 first_vp;		/* its VPs: first_vp, first_vp + 1 */
	int vps[2];
	u8 *ram;
	u64 seed;
	u32 max_calls;
	double max_seconds;
	u32 calls, ok, errs, runs, intercepts, fdsmade, vps_made;
	u32 seen[NOUTCOMES];
};

/* SIGALRM every 20 ms to this thread: anything that would wait (a RUN of
 * a halted or spinning VP) ends with EINTR. */
static bool thread_ticker(timer_t *t)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };

	sev._sigev_un._tid = gettid();	/* glibc 2.36 names no sigev_notify_thread_id */
	return !timer_create(CLOCK_MONOTONIC, &sev, t) && !timer_settime(*t, 0, &its, NULL);
}

static void count_outcome(struct fuzzer *fz, const struct septum_vid_run *run)
{
	u32 type = run->dispatch_state == HV_DISPATCH_STATE_BLOCKED
			   ? 0 : run->message.header.message_type;
	u32 i = 0;

	while (i < NOUTCOMES - 1 && outcomes[i].type != type)
		i++;
	fz->seen[i]++;
}

static void *fuzz_thread(void *arg)
{
	static u8 bufs[2][2 * 4096] __attribute__((aligned(4096)));
	struct fuzzer *fz = arg;
	u8 *buf = bufs[fz->first_vp ? 1 : 0];
	double t0 = now_s();
	int fds[4];
	timer_t ticker;

	rng_state = fz->seed;
	if (!thread_ticker(&ticker))
		return NULL;
	for (int i = 0; i < 2; i++)
		fz->vps[i] = fuzz_vp(fz->part, fz->first_vp + i);
	for (; fz->calls < fz->max_calls && now_s() - t0 < fz->max_seconds; fz->calls++) {
		unsigned long cmd;
		void *a = buf;
		u32 how = rnd() % 10;
		int fd;
		long r;

		/* Fresh VPs now and then: random state ends most of them soon. */
		if (fz->calls % 500 == 499) {
			for (int i = 0; i < 2; i++) {
				if (fz->vps[i] >= 0)
					close(fz->vps[i]);
				fz->vps[i] = fuzz_vp(fz->part, fz->first_vp + i);
				fz->vps_made += fz->vps[i] >= 0;
			}
		}
		fds[0] = dev;
		fds[1] = fz->part;
		fds[2] = fz->vps[0];
		fds[3] = fz->vps[1];
		if (how == 0)
			cmd = (u32)rnd();
		else if (how == 1)	/* ours, another size or direction */
			cmd = _IOC(rnd() % 4, SEPTUM_VID_IOCTL, rnd() % 0x30, rnd() % 2048);
		else
			cmd = PICK(vid_cmds);
		if (how < 5) {
			fuzz_fill(buf, 2 * 4096, fz->ram);
			switch (rnd() % 6) {
			case 0:
				a = NULL;
				break;
			case 1:
				a = (void *)(uintptr_t)rnd();
				break;
			case 2:
				a = buf + 4096 - (rnd() % 64);	/* straddles a page */
				break;
			}
		} else {
			fuzz_struct(cmd, buf, fz->ram);
		}
		/* Mostly the fd the command is for, sometimes any. */
		if (rnd() % 4 == 0)
			fd = fds[rnd() % 4];
		else if (cmd == SEPTUM_VID_CREATE_PARTITION || cmd == SEPTUM_VID_GET_API_VERSION)
			fd = dev;
		else if (_IOC_NR(cmd) >= 0x20)
			fd = fds[2 + rnd() % 2];
		else
			fd = fz->part;
		r = vid(fd, cmd, a);
		fz->runs += cmd == SEPTUM_VID_RUN;
		fz->intercepts += cmd == SEPTUM_VID_RUN && r == 0;
		if (cmd == SEPTUM_VID_RUN && r == 0 && a == buf)
			count_outcome(fz, a);
		if (r < 0) {
			fz->errs++;
			continue;
		}
		fz->ok++;
		/* CREATE_PARTITION and CREATE_VP hand out fds: give them back. */
		if ((cmd == SEPTUM_VID_CREATE_PARTITION || cmd == SEPTUM_VID_CREATE_VP) && r > 2 &&
		    r != dev && r != fz->part && r != fz->vps[0] && r != fz->vps[1]) {
			fz->fdsmade++;
			close(r);
		}
	}
	timer_delete(ticker);
	for (int i = 0; i < 2; i++)
		if (fz->vps[i] >= 0)
			close(fz->vps[i]);
	return NULL;
}

static u32 env_or(const char *name, u32 fallback)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : fallback;
}

/* Two threads of random ioctls on every kind of fd, racing each other. */
void test_fuzz(void)
{
	u8 *ram = mmap(NULL, FUZZ_RAM_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct fuzzer fz[2] = {
		{ .first_vp = 0, .seed = 0x5E97A11CE5EEDULL },
		{ .first_vp = 2, .seed = 0xC0FFEE5EED5ULL },
	};
	int part = create_partition();
	struct septum_vid_stats st;
	double t0 = now_s();
	pthread_t t[2];
	u32 calls = 0, ok = 0, errs = 0;

	if (part < 0 || ram == MAP_FAILED) {
		report(false, "fuzz-ioctls", "setup: partition %s", err_name(part));
		return;
	}
	rng_state = 0xF00D;
	for (u32 i = 0; i < FUZZ_RAM_PAGES * PAGE_SIZE / 8; i++)
		((u64 *)ram)[i] = rnd();
	map(part, 0, FUZZ_RAM_PAGES, ram, RWX);
	for (int i = 0; i < 2; i++) {
		fz[i].part = part;
		fz[i].ram = ram;
		fz[i].max_calls = env_or("VIDTEST_FUZZ_CALLS", FUZZ_CALLS);
		fz[i].max_seconds = env_or("VIDTEST_FUZZ_SECONDS", FUZZ_SECONDS);
		if (pthread_create(&t[i], NULL, fuzz_thread, &fz[i]))
			fz[i].calls = ~0U;
	}
	for (int i = 0; i < 2; i++) {
		if (fz[i].calls == ~0U) {
			fz[i].calls = 0;
			continue;
		}
		pthread_join(t[i], NULL);
		calls += fz[i].calls;
		ok += fz[i].ok;
		errs += fz[i].errs;
		printf("vid: fuzz thread %d: %u calls: %u succeeded, %u errors, %u RUNs "
		       "(%u returned an intercept), %u fds made and closed, %u VPs recreated\n",
		       i, fz[i].calls, fz[i].ok, fz[i].errs, fz[i].runs, fz[i].intercepts,
		       fz[i].fdsmade, fz[i].vps_made);
	}
	close(part);
	munmap(ram, FUZZ_RAM_PAGES * PAGE_SIZE);
	printf("vid: fuzz: RUN answers:");
	for (u32 i = 0; i < NOUTCOMES; i++)
		printf(" %s %u", outcomes[i].name, fz[0].seen[i] + fz[1].seen[i]);
	printf("\n");
	report(calls >= fz[0].max_calls && stats(dev, &st) && st.partitions == 0 && st.vps == 0,
	       "fuzz-ioctls",
	       "%u calls in two threads: %u succeeded, %u errors; then %u partitions and %u VPs "
	       "left",
	       calls, ok, errs, st.partitions, st.vps);
	printf("vid: fuzz: %u calls in %.1f s\n", calls, now_s() - t0);
}

