/*
 * septum-vmwp: the worker process of one child VM (ARCHITECTURE.md §3).
 * Builds the partition through the VID (include/septum/vid.h): one guest
 * RAM mapping, ACPI tables (acpi_tables.h), a direct Linux boot
 * (linux_boot.h), one thread per VP running the RUN loop; emulates COM1
 * (uart16550.h, stdout/stdin) and the ACPI power-management ports; ends the
 * VM on power-off, reset, triple fault, an unmapped GPA or SIGTERM.
 *
 * Exit status: 0 the child powered off (or halted for good), 1 bad usage
 * or setup error, 2 the child reset, 3 the child's VP died (triple
 * fault), 4 unmapped GPA or another unhandled intercept, 5 SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "hv/hypercall.h"
#include "hv/intercept.h"
#include "hv/status.h"
#include "hv/partition.h"
#include "hv/registers.h"
#include "septum/vid.h"

#include "acpi_tables.h"
#include "linux_boot.h"
#include "uart16550.h"

#define PM_PORT		0x600
#define EXIT_POWEROFF	0
#define EXIT_SETUP	1
#define EXIT_RESET	2
#define EXIT_VP_DEAD	3
#define EXIT_UNHANDLED	4
#define EXIT_SIGNAL	5

#define CR0_PE	(1ULL << 0)
#define CR0_MP	(1ULL << 1)
#define CR0_ET	(1ULL << 4)
#define CR0_NE	(1ULL << 5)
#define CR0_WP	(1ULL << 16)
#define CR0_PG	(1ULL << 31)
#define CR4_PAE	(1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

static const char *prog = "septum-vmwp";
static bool verbose;

static struct vm {
	int dev, part;
	int vp[SEPTUM_VID_MAX_VPS];
	pthread_t thread[SEPTUM_VID_MAX_VPS];
	unsigned nr_vps;
	uint8_t *ram;
	uint64_t mem_size;
	pthread_mutex_t lock;		/* the UART, stdin buffer, ending */
	struct uart16550 com1;
	uint8_t in[256];
	size_t in_len;
	uint8_t cmos_index;
	uint64_t port_count[0x10000];	/* intercepts per port (--verbose summary) */
	uint64_t intercepts;
	unsigned halted_vps;		/* halted for good (interrupts off) */
	bool ending;
	int status;
	char reason[256];
	double t0;
} vm = { .dev = -1, .part = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Ends the VM (first reason wins) and wakes every VP thread. */
static void vm_end(int status, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm.lock);
	if (!vm.ending) {
		vm.ending = true;
		vm.status = status;
		va_start(ap, fmt);
		vsnprintf(vm.reason, sizeof(vm.reason), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&vm.lock);
	for (unsigned i = 0; i < vm.nr_vps; i++) {
		ioctl(vm.vp[i], SEPTUM_VID_KICK);
		if (vm.thread[i] && !pthread_equal(vm.thread[i], pthread_self()))
			pthread_kill(vm.thread[i], SIGUSR1);
	}
}

static bool ending(void)
{
	bool e;

	pthread_mutex_lock(&vm.lock);
	e = vm.ending;
	pthread_mutex_unlock(&vm.lock);
	return e;
}

/* ---- arguments ---- */

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s --kernel BZIMAGE [--initrd FILE] [--cmdline STRING] [--mem SIZE]\n"
		"       [--vps N] [--console stdio] [--verbose]\n"
		"  SIZE: bytes or with K, M, G (default 256M); N: 1-%d (default 1)\n",
		prog, SEPTUM_VID_MAX_VPS);
	exit(status);
}

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!*s || *s == '-')
		return false;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end == 'i' || *end == 'B')
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end || v > (1ULL << 48))
		return false;
	*out = v;
	return true;
}

static uint8_t *read_file(const char *what, const char *path, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t got = 0;

	if (fd < 0)
		die(EXIT_SETUP, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		die(EXIT_SETUP, "%s %s: not a regular file", what, path);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		die(EXIT_SETUP, "%s %s: out of memory", what, path);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n <= 0)
			die(EXIT_SETUP, "%s %s: read: %s", what, path, n ? strerror(errno) : "short");
		got += n;
	}
	close(fd);
	*size = got;
	return buf;
}

/* ---- VID helpers ---- */

static long vid(int fd, unsigned long cmd, void *arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

static struct hv_register_assoc reg64(uint32_t name, uint64_t v)
{
	return (struct hv_register_assoc){ .name = name, .value.reg64 = v };
}

static struct hv_register_assoc seg(uint32_t name, uint64_t base, uint32_t limit, uint16_t sel,
				    uint16_t attr)
{
	return (struct hv_register_assoc){ .name = name, .value.segment = { base, limit, sel, attr } };
}

static struct hv_register_assoc table(uint32_t name, uint64_t base, uint16_t limit)
{
	return (struct hv_register_assoc){ .name = name, .value.table = { .limit = limit, .base = base } };
}

static long set_regs(int vp, const struct hv_register_assoc *a, uint32_t n)
{
	struct septum_vid_regs r;

	memset(&r, 0, sizeof(r));
	r.count = n;
	for (uint32_t i = 0; i < n; i++) {
		r.names[i] = a[i].name;
		r.values[i] = a[i].value;
	}
	return vid(vp, SEPTUM_VID_SET_REGS, &r);
}

static void boot_regs(int vp, const struct lb_layout *l)
{
	const struct hv_register_assoc regs[] = {
		reg64(HV_X64_REGISTER_CR0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG),
		reg64(HV_X64_REGISTER_CR3, l->cr3),
		reg64(HV_X64_REGISTER_CR4, CR4_PAE),
		reg64(HV_X64_REGISTER_EFER, EFER_LME | EFER_LMA | EFER_NXE),
		reg64(HV_X64_REGISTER_RFLAGS, 2),
		reg64(HV_X64_REGISTER_RIP, l->entry),
		reg64(HV_X64_REGISTER_RSI, l->boot_params),
		seg(HV_X64_REGISTER_CS, 0, 0xFFFFFFFF, LB_CS_SEL, 0xA09B),
		seg(HV_X64_REGISTER_SS, 0, 0xFFFFFFFF, LB_DS_SEL, 0xC093),
		seg(HV_X64_REGISTER_DS, 0, 0xFFFFFFFF, LB_DS_SEL, 0xC093),
		seg(HV_X64_REGISTER_ES, 0, 0xFFFFFFFF, LB_DS_SEL, 0xC093),
		seg(HV_X64_REGISTER_FS, 0, 0xFFFFFFFF, LB_DS_SEL, 0xC093),
		seg(HV_X64_REGISTER_GS, 0, 0xFFFFFFFF, LB_DS_SEL, 0xC093),
		seg(HV_X64_REGISTER_TR, 0, 0x67, 0, 0x008B),
		seg(HV_X64_REGISTER_LDTR, 0, 0, 0, 0x0082),
		table(HV_X64_REGISTER_GDTR, l->gdt_base, l->gdt_limit),
		table(HV_X64_REGISTER_IDTR, 0, 0),
	};
	long r = set_regs(vp, regs, sizeof(regs) / sizeof(regs[0]));

	if (r)
		die(EXIT_SETUP, "SET_REGS of the boot state: %s", strerror(-r));
}

/* ---- devices ---- */

static void com1_tx(void *ctx, uint8_t byte)
{
	(void)ctx;
	fputc(byte, stdout);
	if (byte == '\n')
		fflush(stdout);
}

/* Feeds buffered stdin into the UART (under vm.lock). */
static void com1_feed(void)
{
	size_t n;

	if (!vm.in_len)
		return;
	n = uart16550_receive(&vm.com1, vm.in, vm.in_len);
	memmove(vm.in, vm.in + n, vm.in_len - n);
	vm.in_len -= n;
}

static void *stdin_thread(void *arg)
{
	(void)arg;
	for (;;) {
		uint8_t buf[64];
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
		size_t off = 0;

		if (n <= 0)
			return NULL;
		while (off < (size_t)n) {
			pthread_mutex_lock(&vm.lock);
			size_t room = sizeof(vm.in) - vm.in_len, k = (size_t)n - off;

			if (k > room)
				k = room;
			memcpy(vm.in + vm.in_len, buf + off, k);
			vm.in_len += k;
			off += k;
			com1_feed();
			pthread_mutex_unlock(&vm.lock);
			if (off < (size_t)n)
				usleep(10000);
		}
	}
}

static uint8_t bcd(unsigned v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

/* A read-only CMOS clock (ports 0x70/0x71): the root's UTC time in BCD,
 * 24-hour, never updating (UIP clear). Linux reads the wall clock from it
 * at boot even with the FADT's NO_CMOS_RTC; floating ports (0xFF, UIP
 * forever set) cost it seconds of polling and "Unable to read current
 * time from RTC". */
static uint8_t cmos_read(uint8_t index)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (index & 0x7F) {
	case 0x00: return bcd(tm.tm_sec);
	case 0x02: return bcd(tm.tm_min);
	case 0x04: return bcd(tm.tm_hour);
	case 0x06: return bcd(tm.tm_wday + 1);
	case 0x07: return bcd(tm.tm_mday);
	case 0x08: return bcd(tm.tm_mon + 1);
	case 0x09: return bcd(tm.tm_year % 100);
	case 0x32: return bcd(19 + tm.tm_year / 100);
	case 0x0A: return 0x26;		/* 32.768 kHz, 1024 Hz, UIP clear */
	case 0x0B: return 0x02;		/* 24-hour, BCD, no interrupts */
	case 0x0D: return 0x80;		/* VRT: the battery is fine */
	}
	return 0;
}

/* One port access; returns the value read (in) or nothing. */
static uint32_t port_io(unsigned vpi, uint16_t port, bool in, unsigned size, uint32_t val)
{
	uint32_t r = 0xFFFFFFFF;

	if (port >= ACPI_COM1_PORT && port < ACPI_COM1_PORT + ACPI_COM1_PORTS) {
		pthread_mutex_lock(&vm.lock);
		if (in) {
			r = uart16550_read(&vm.com1, port - ACPI_COM1_PORT);
			com1_feed();
		} else {
			uart16550_write(&vm.com1, port - ACPI_COM1_PORT, (uint8_t)val);
		}
		pthread_mutex_unlock(&vm.lock);
		return r;
	}
	if (port == 0x70 || port == 0x71) {
		pthread_mutex_lock(&vm.lock);
		if (port == 0x70 && !in)
			vm.cmos_index = (uint8_t)val;
		else if (port == 0x70)
			r = vm.cmos_index;
		else if (in)
			r = cmos_read(vm.cmos_index);
		pthread_mutex_unlock(&vm.lock);
		return r;
	}
	if (port >= PM_PORT && port < PM_PORT + ACPI_PM_PORTS) {
		unsigned off = port - PM_PORT;

		if (in)
			return off == ACPI_PM_SLEEP_STATUS ? ACPI_WAK_STS : 0;
		if (off == ACPI_PM_SLEEP_CONTROL && (val & ACPI_SLP_EN) &&
		    ((val & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT) == ACPI_SLP_TYP_S5)
			vm_end(EXIT_POWEROFF, "the child powered off (ACPI S5 from VP %u)", vpi);
		else if (off == ACPI_PM_RESET && (val & 0xFF) == ACPI_RESET_VALUE)
			vm_end(EXIT_RESET, "the child reset (ACPI reset register, VP %u)", vpi);
		return 0;
	}
	if (!in && port == 0xCF9 && (val & 0x4))
		vm_end(EXIT_RESET, "the child reset (port 0xCF9, VP %u)", vpi);
	if (!in && port == 0x64 && (val & 0xFF) == 0xFE)
		vm_end(EXIT_RESET, "the child reset (i8042 pulse, VP %u)", vpi);
	(void)size;	/* unclaimed: reads float, writes vanish */
	return r;
}

static const char *msg_name(uint32_t t)
{
	switch (t) {
	case HVMSG_UNMAPPED_GPA: return "unmapped GPA";
	case HVMSG_GPA_INTERCEPT: return "GPA intercept";
	case HVMSG_INVALID_VP_REGISTER_VALUE: return "invalid VP register value";
	case HVMSG_UNRECOVERABLE_EXCEPTION: return "unrecoverable exception (triple fault)";
	case HVMSG_UNSUPPORTED_FEATURE: return "unsupported feature";
	case HVMSG_HYPERCALL_INTERCEPT: return "hypercall intercept";
	case HVMSG_X64_IO_PORT_INTERCEPT: return "I/O port intercept";
	case HVMSG_X64_MSR_INTERCEPT: return "MSR intercept";
	case HVMSG_X64_CPUID_INTERCEPT: return "CPUID intercept";
	case HVMSG_X64_EXCEPTION_INTERCEPT: return "exception intercept";
	case HVMSG_X64_HALT: return "halt";
	}
	return "unknown message";
}

/* Handles one intercept; false ends this VP's loop. */
static bool intercept(unsigned vpi, const struct hv_message *msg)
{
	const struct hv_x64_intercept_message_header *h = (const void *)msg->payload;
	uint32_t type = msg->header.message_type, len = h->instruction_length_cr8 & 0xF;
	struct hv_register_assoc regs[4];
	long r;

	__atomic_fetch_add(&vm.intercepts, 1, __ATOMIC_RELAXED);
	switch (type) {
	case HVMSG_X64_IO_PORT_INTERCEPT: {
		const struct hv_x64_io_port_intercept_message *m = (const void *)msg->payload;
		unsigned size = m->access_info & HV_X64_IO_PORT_ACCESS_SIZE_MASK;
		uint32_t mask = size >= 4 ? 0xFFFFFFFF : (1U << (size * 8)) - 1;
		bool in = h->intercept_access_type == HV_INTERCEPT_ACCESS_READ;
		uint32_t val;

		if (!len || (m->access_info & (HV_X64_IO_PORT_ACCESS_STRING | HV_X64_IO_PORT_ACCESS_REP))) {
			vm_end(EXIT_UNHANDLED, "VP %u: string or unknown-length port I/O at port 0x%x (access 0x%x, rip 0x%llx)",
			       vpi, m->port_number, m->access_info, (unsigned long long)h->rip);
			return false;
		}
		__atomic_fetch_add(&vm.port_count[m->port_number], 1, __ATOMIC_RELAXED);
		val = port_io(vpi, m->port_number, in, size, (uint32_t)m->rax & mask);
		regs[0] = reg64(HV_X64_REGISTER_RIP, h->rip + len);
		regs[1] = reg64(HV_X64_REGISTER_RAX, (m->rax & ~(uint64_t)mask) | (val & mask));
		r = set_regs(vm.vp[vpi], regs, in ? 2 : 1);
		break;
	}
	case HVMSG_X64_CPUID_INTERCEPT: {
		const struct hv_x64_cpuid_intercept_message *m = (const void *)msg->payload;

		regs[0] = reg64(HV_X64_REGISTER_RIP, h->rip + len);
		regs[1] = reg64(HV_X64_REGISTER_RAX, m->default_result_rax);
		regs[2] = reg64(HV_X64_REGISTER_RCX, m->default_result_rcx);
		regs[3] = reg64(HV_X64_REGISTER_RDX, m->default_result_rdx);
		r = set_regs(vm.vp[vpi], regs, 4);
		if (!r) {
			regs[0] = reg64(HV_X64_REGISTER_RBX, m->default_result_rbx);
			r = set_regs(vm.vp[vpi], regs, 1);
		}
		break;
	}
	case HVMSG_X64_MSR_INTERCEPT: {
		const struct hv_x64_msr_intercept_message *m = (const void *)msg->payload;
		bool rd = h->intercept_access_type == HV_INTERCEPT_ACCESS_READ;

		if (verbose)
			logmsg("VP %u: %s of MSR 0x%x ignored", vpi, rd ? "read" : "write", m->msr_number);
		regs[0] = reg64(HV_X64_REGISTER_RIP, h->rip + len);
		regs[1] = reg64(HV_X64_REGISTER_RAX, 0);
		regs[2] = reg64(HV_X64_REGISTER_RDX, 0);
		r = set_regs(vm.vp[vpi], regs, rd ? 3 : 1);
		break;
	}
	case HVMSG_HYPERCALL_INTERCEPT: {
		/* HvPostMessage / HvSignalEvent for the VMBus server, which is
		 * not there yet: an unknown connection, as Hyper-V answers. */
		const struct hv_x64_hypercall_intercept_message *m = (const void *)msg->payload;

		if (verbose)
			logmsg("VP %u: hypercall 0x%llx: no VMBus server yet", vpi,
			       (unsigned long long)(m->rcx & 0xFFFF));
		regs[0] = reg64(HV_X64_REGISTER_RIP, h->rip + len);
		regs[1] = reg64(HV_X64_REGISTER_RAX, HV_STATUS_INVALID_CONNECTION_ID);
		r = set_regs(vm.vp[vpi], regs, 2);
		break;
	}
	case HVMSG_X64_HALT: {
		/* That VP is done (Linux parks its other CPUs this way before it
		 * powers off); the child has stopped once all of them are. */
		bool all;

		pthread_mutex_lock(&vm.lock);
		all = ++vm.halted_vps == vm.nr_vps;
		pthread_mutex_unlock(&vm.lock);
		if (all)
			vm_end(EXIT_POWEROFF, "every VP halted with interrupts off (VP %u last, at rip "
			       "0x%llx): the child stopped", vpi, (unsigned long long)h->rip);
		else if (verbose)
			logmsg("VP %u halted with interrupts off at rip 0x%llx", vpi,
			       (unsigned long long)h->rip);
		return false;
	}
	case HVMSG_UNMAPPED_GPA:
	case HVMSG_GPA_INTERCEPT: {
		const struct hv_x64_memory_intercept_message *m = (const void *)msg->payload;

		vm_end(EXIT_UNHANDLED, "VP %u: %s access to unmapped GPA 0x%llx (gva 0x%llx) at rip 0x%llx",
		       vpi, h->intercept_access_type == HV_INTERCEPT_ACCESS_WRITE ? "write" :
		       h->intercept_access_type == HV_INTERCEPT_ACCESS_EXECUTE ? "execute" : "read",
		       (unsigned long long)m->guest_physical_address,
		       (unsigned long long)m->guest_virtual_address, (unsigned long long)h->rip);
		return false;
	}
	case HVMSG_UNRECOVERABLE_EXCEPTION:
		vm_end(EXIT_VP_DEAD, "VP %u: triple fault (unrecoverable exception) at rip 0x%llx",
		       vpi, (unsigned long long)h->rip);
		return false;
	default:
		vm_end(EXIT_UNHANDLED, "VP %u: unhandled %s (message 0x%x) at rip 0x%llx", vpi,
		       msg_name(type), type, (unsigned long long)h->rip);
		return false;
	}
	if (r) {
		vm_end(EXIT_UNHANDLED, "VP %u: SET_REGS completing a %s: %s", vpi, msg_name(type),
		       strerror(-r));
		return false;
	}
	return true;
}

static void *vp_thread(void *arg)
{
	unsigned vpi = (unsigned)(uintptr_t)arg;
	struct septum_vid_run run;

	while (!ending()) {
		long r;

		memset(&run, 0, sizeof(run));
		r = vid(vm.vp[vpi], SEPTUM_VID_RUN, &run);
		if (r == -EINTR)
			continue;
		if (r) {
			vm_end(r == -EBADFD ? EXIT_VP_DEAD : EXIT_UNHANDLED, "VP %u: RUN: %s", vpi,
			       strerror(-r));
			break;
		}
		if (run.dispatch_event == HV_DISPATCH_EVENT_INTERCEPT &&
		    !intercept(vpi, &run.message))
			break;
	}
	/* A VP that halted for good ends only its thread, not the VM. */
	if (ending())
		kill(getpid(), SIGUSR2);
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "vps", required_argument, NULL, 'p' },
		{ "console", required_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *kernel = NULL, *initrd = NULL, *cmdline = "console=ttyS0";
	uint64_t mem = 256ULL << 20, vps = 1, rsdp = 0;
	uint8_t *img, *rd = NULL;
	size_t img_size, rd_size = 0;
	struct lb_kernel k;
	struct lb_layout l;
	char err[256];
	struct sysinfo si;
	struct septum_vid_create_partition cp = { .flags = HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED |
							   HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE |
							   HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED };
	struct septum_vid_memory mm;
	struct acpi_config acfg = { 0 };
	struct sigaction sa;
	sigset_t set;
	pthread_t in_thread;
	long r;
	int c, sig;

	while ((c = getopt_long(argc, argv, "k:i:c:m:p:C:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kernel = optarg; break;
		case 'i': initrd = optarg; break;
		case 'c': cmdline = optarg; break;
		case 'm':
			if (!parse_size(optarg, &mem))
				die(EXIT_SETUP, "--mem %s: not a size (bytes, or a number with K, M or G)", optarg);
			break;
		case 'p':
			if (!parse_size(optarg, &vps) || vps < 1 || vps > SEPTUM_VID_MAX_VPS)
				die(EXIT_SETUP, "--vps %s: the VP count must be 1 to %d", optarg,
				    SEPTUM_VID_MAX_VPS);
			break;
		case 'C':
			if (strcmp(optarg, "stdio"))
				die(EXIT_SETUP, "--console %s: only 'stdio' is supported", optarg);
			break;
		case 'v': verbose = true; break;
		case 'h': usage(0); break;
		default: usage(EXIT_SETUP);
		}
	}
	if (optind != argc)
		die(EXIT_SETUP, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!kernel)
		die(EXIT_SETUP, "no kernel given (--kernel BZIMAGE)");
	if (mem < LB_MIN_MEM || mem > LB_MAX_MEM || (mem & 0xFFF))
		die(EXIT_SETUP, "--mem: %llu MiB is out of range (%llu MiB to %llu MiB, whole pages)",
		    (unsigned long long)(mem >> 20), LB_MIN_MEM >> 20, LB_MAX_MEM >> 20);
	if (!sysinfo(&si) && mem > (uint64_t)si.totalram * si.mem_unit)
		die(EXIT_SETUP, "--mem: %llu MiB is more than the root has (%llu MiB)",
		    (unsigned long long)(mem >> 20),
		    (unsigned long long)((uint64_t)si.totalram * si.mem_unit >> 20));

	img = read_file("kernel", kernel, &img_size);
	if (lb_parse(img, img_size, &k, err, sizeof(err)))
		die(EXIT_SETUP, "kernel %s: %s", kernel, err);
	if (initrd)
		rd = read_file("initrd", initrd, &rd_size);

	vm.t0 = now_s();
	vm.nr_vps = (unsigned)vps;
	vm.mem_size = mem;
	vm.ram = mmap(NULL, mem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm.ram == MAP_FAILED)
		die(EXIT_SETUP, "guest memory of %llu MiB: %s", (unsigned long long)(mem >> 20),
		    strerror(errno));

	acfg.nr_vps = vm.nr_vps;
	acfg.pm_port = PM_PORT;
	if (acpi_build(vm.ram + LB_ACPI_GPA, LB_ACPI_LEN, LB_ACPI_GPA, &acfg, &rsdp))
		die(EXIT_SETUP, "ACPI tables for %u VPs do not fit", vm.nr_vps);
	if (lb_load(vm.ram, mem, img, img_size, &k, cmdline, rd, rd_size, rsdp, &l, err, sizeof(err)))
		die(EXIT_SETUP, "%s", err);
	free(img);
	free(rd);

	vm.dev = open(SEPTUM_VID_DEVICE, O_RDWR | O_CLOEXEC);
	if (vm.dev < 0)
		die(EXIT_SETUP, "%s: %s (is septum_vid loaded?)", SEPTUM_VID_DEVICE, strerror(errno));
	r = vid(vm.dev, SEPTUM_VID_CREATE_PARTITION, &cp);
	if (r < 0)
		die(EXIT_SETUP, "CREATE_PARTITION: %s", strerror(-r));
	vm.part = (int)r;
	mm = (struct septum_vid_memory){ .guest_pfn = 0, .npages = mem >> 12,
					 .userspace_addr = (uint64_t)(uintptr_t)vm.ram,
					 .flags = SEPTUM_VID_MAP_FLAGS };
	r = vid(vm.part, SEPTUM_VID_MAP_MEMORY, &mm);
	if (r)
		die(EXIT_SETUP, "MAP_MEMORY of %llu MiB: %s", (unsigned long long)(mem >> 20),
		    strerror(-r));
	for (unsigned i = 0; i < vm.nr_vps; i++) {
		struct septum_vid_create_vp cv = { .index = i };

		r = vid(vm.part, SEPTUM_VID_CREATE_VP, &cv);
		if (r < 0)
			die(EXIT_SETUP, "CREATE_VP %u: %s", i, strerror(-r));
		vm.vp[i] = (int)r;
	}
	boot_regs(vm.vp[0], &l);

	struct uart16550_ops ops = { .tx = com1_tx };
	uart16550_init(&vm.com1, &ops);

	/* Signals: SIGUSR1 interrupts a RUN; SIGTERM/SIGINT end the VM (main
	 * waits for them with sigwait). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (verbose)
		logmsg("kernel at 0x%llx entry 0x%llx, initrd at 0x%llx (%llu bytes), RSDP 0x%llx, %u VPs, %llu MiB",
		       (unsigned long long)l.kernel_gpa, (unsigned long long)l.entry,
		       (unsigned long long)l.initrd_gpa, (unsigned long long)l.initrd_size,
		       (unsigned long long)rsdp, vm.nr_vps, (unsigned long long)(mem >> 20));
	/* One thread per VP. The APs wait in the hypervisor (BLOCKED) until
	 * the BSP's INIT/SIPI reaches them; the VID wakes their RUN then. */
	for (unsigned i = 0; i < vm.nr_vps; i++)
		if (pthread_create(&vm.thread[i], NULL, vp_thread, (void *)(uintptr_t)i))
			die(EXIT_SETUP, "cannot start the thread of VP %u", i);
	if (!pthread_create(&in_thread, NULL, stdin_thread, NULL))
		pthread_detach(in_thread);

	/* The main thread waits for a signal; the VP thread sends SIGUSR2
	 * when it ends. */
	for (;;) {
		if (sigwait(&set, &sig))
			continue;
		if (sig == SIGUSR2)
			break;
		vm_end(EXIT_SIGNAL, "stopped by %s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	}
	/* A SIGUSR1 that landed just before a VP thread entered RUN is lost:
	 * interrupt it again until it is out. */
	for (unsigned i = 0; i < vm.nr_vps; i++) {
		for (;;) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			if (!pthread_timedjoin_np(vm.thread[i], NULL, &ts))
				break;
			ioctl(vm.vp[i], SEPTUM_VID_KICK);
			pthread_kill(vm.thread[i], SIGUSR1);
		}
	}
	fflush(stdout);
	logmsg("%s (after %.2f s, %llu intercepts)", vm.reason, now_s() - vm.t0,
	       (unsigned long long)vm.intercepts);
	for (unsigned p = 0; verbose && p < 0x10000; p++)
		if (vm.port_count[p])
			logmsg("port 0x%x: %llu intercepts", p, (unsigned long long)vm.port_count[p]);
	for (unsigned i = 0; i < vm.nr_vps; i++)
		close(vm.vp[i]);
	close(vm.part);
	close(vm.dev);
	munmap(vm.ram, mem);
	return vm.status;
}
