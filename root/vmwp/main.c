/*
 * septum-vmwp: the worker process of one child VM (ARCHITECTURE.md §3).
 * Builds the partition through the VID (include/septum/vid.h): one guest
 * RAM mapping, ACPI tables (acpi_tables.h), a direct Linux boot
 * (linux_boot.h), one thread per VP running the RUN loop (vp.c); emulates
 * COM1 and the legacy ports (ports.c, console.c); answers its manager on a
 * control socket (control.c). A guest reset restarts the VM in this
 * process; power-off, a triple fault, an unmapped GPA or SIGTERM end it.
 *
 * Exit status: 0 the child powered off (or halted for good), 1 bad usage
 * or setup error, 2 the child reset (--no-reboot only), 3 the child's VP
 * died (triple fault), 4 unmapped GPA or another unhandled intercept,
 * 5 SIGTERM/SIGINT.
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

#include "hv/partition.h"
#include "hv/registers.h"
#include "septum/vid.h"

#include "acpi_tables.h"
#include "console.h"
#include "control.h"
#include "linux_boot.h"
#include "vmbus_host.h"
#include "vmwp.h"
#include "vsp_ic.h"
#include "vsp_net.h"
#include "vsp_storage.h"

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

bool verbose;
static char prefix[64] = "septum-vmwp";

struct vm vm = { .name = "", .dev = -1, .part = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

/* What every boot of the VM is made from. The files stay open, not in
 * memory: each boot reads them again (a reboot sees the same inodes even
 * if the paths were replaced), and between boots they cost the VMWP
 * nothing. */
static struct boot_image {
	const char *kernel_path, *initrd_path;
	int kernel_fd, initrd_fd;	/* initrd_fd -1: none */
	const char *cmdline;
} img = { .kernel_fd = -1, .initrd_fd = -1 };

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void vlog(const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s: %s\n", prefix, line);
}

void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn, format(printf, 2, 3))) die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	exit(status);
}

void vm_end(int status, const char *fmt, ...)
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

bool ending(void)
{
	bool e;

	pthread_mutex_lock(&vm.lock);
	e = vm.ending;
	pthread_mutex_unlock(&vm.lock);
	return e;
}

long vid(int fd, unsigned long cmd, void *arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

struct hv_register_assoc reg64(uint32_t name, uint64_t v)
{
	return (struct hv_register_assoc){ .name = name, .value.reg64 = v };
}

long set_regs(int vp, const struct hv_register_assoc *a, uint32_t n)
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

/* ---- arguments ---- */

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: septum-vmwp --kernel BZIMAGE [--initrd FILE] [--cmdline STRING] [--mem SIZE]\n"
		"       [--vps N] [--name NAME] [--console stdio|pty|unix:PATH] [--control PATH]\n"
		"       [--disk PATH[,ro]]... [--nic bridge:NAME] [--no-reboot] [--verbose]\n"
		"  SIZE: bytes or with K, M, G (default 256M); N: 1-%d (default 1)\n"
		"  --console: where COM1 goes (default stdio); --control: a Unix socket taking one\n"
		"  command per connection (ping, stats, shutdown, reboot, reset, kvp POOL) and\n"
		"  answering one JSON line; --disk: a raw image as the next SCSI LUN;\n"
		"  --nic: a synthetic NIC on a TAP device in the root's bridge NAME\n"
		"exit status: 0 powered off, 1 usage or setup error, 2 reset (--no-reboot),\n"
		"  3 a VP died (triple fault), 4 unhandled guest action, 5 SIGTERM/SIGINT\n",
		SEPTUM_VID_MAX_VPS);
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
static int open_file(const char *what, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		die(EXIT_SETUP, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		die(EXIT_SETUP, "%s %s: not a regular file", what, path);
	return fd;
}

/* The whole file behind fd, in an anonymous mapping of *size bytes (plus
 * one, so never empty) for the caller to unmap: freed memory of malloc's
 * could stay in the heap, and in our RSS, until the next boot. */
static uint8_t *read_file(const char *what, const char *path, int fd, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;

	if (fstat(fd, &st))
		die(EXIT_SETUP, "%s %s: %s", what, path, strerror(errno));
	buf = mmap(NULL, st.st_size + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die(EXIT_SETUP, "%s %s: %s", what, path, strerror(errno));
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + got, st.st_size - got, got);

		if (n <= 0)
			die(EXIT_SETUP, "%s %s: read: %s", what, path, n ? strerror(errno) : "short");
		got += n;
	}
	*size = got;
	return buf;
}

/* Checks the kernel, or loads it and the initrd into guest memory (ram
 * non-NULL); dies with the reason if it cannot. */
static void load_image(uint8_t *ram, uint64_t rsdp, struct lb_layout *l)
{
	uint8_t *kernel, *initrd = NULL;
	size_t kernel_size, initrd_size = 0;
	struct lb_kernel k;
	char err[256];

	kernel = read_file("kernel", img.kernel_path, img.kernel_fd, &kernel_size);
	if (lb_parse(kernel, kernel_size, &k, err, sizeof(err)))
		die(EXIT_SETUP, "kernel %s: %s", img.kernel_path, err);
	if (ram && img.initrd_fd >= 0)
		initrd = read_file("initrd", img.initrd_path, img.initrd_fd, &initrd_size);
	if (ram && lb_load(ram, vm.mem_size, kernel, kernel_size, &k, img.cmdline, initrd,
			   initrd_size, rsdp, l, err, sizeof(err)))
		die(EXIT_SETUP, "%s", err);
	if (initrd)
		munmap(initrd, initrd_size + 1);
	munmap(kernel, kernel_size + 1);
}

/* ---- boot state ---- */

static struct hv_register_assoc seg(uint32_t name, uint64_t base, uint32_t limit, uint16_t sel,
				    uint16_t attr)
{
	return (struct hv_register_assoc){ .name = name, .value.segment = { base, limit, sel, attr } };
}
static struct hv_register_assoc table(uint32_t name, uint64_t base, uint16_t limit)
{
	return (struct hv_register_assoc){ .name = name, .value.table = { .limit = limit, .base = base } };
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

/* ---- COM1 ---- */

static void com1_tx(void *ctx, uint8_t byte)
{
	(void)ctx;
	console_put(byte);
}

/* COM1's line drives IOAPIC pin 4 (vm.lock held, as for every UART call). */
static void com1_irq(void *ctx, bool level)
{
	(void)ctx;
	ioapic_set_irq(&vm.ioapic, ACPI_COM1_IRQ, level);
}

/* An IOAPIC message to the local APICs (vm.lock held). Always edge in the
 * LAPIC (ioapic.h says why); its delivery modes are the TLFS's types. */
static void ioapic_deliver(void *ctx, const struct ioapic_interrupt *irq)
{
	struct septum_vid_interrupt a = {
		.type = irq->delivery_mode == IOAPIC_DELIVERY_LOWEST_PRIORITY
				? HV_X64_INTERRUPT_TYPE_FIXED : (uint32_t)irq->delivery_mode,
		.vector = irq->vector,
		.dest_apic_id = irq->destination,
		.flags = irq->logical ? SEPTUM_VID_INTERRUPT_LOGICAL : 0,
	};
	long r;

	(void)ctx;
	if (vm.part < 0 || irq->delivery_mode == IOAPIC_DELIVERY_EXTINT)
		return;
	r = vid(vm.part, SEPTUM_VID_ASSERT_INTERRUPT, &a);
	if (r && verbose)
		logmsg("IOAPIC: vector %u to APIC %u (mode %u%s) not delivered: %s", irq->vector,
		       irq->destination, irq->delivery_mode, irq->logical ? ", logical" : "",
		       strerror(-r));
}

/* ---- one boot ---- */

const char *const exit_reason_names[SEPTUM_EXIT_REASONS] = {
	"cpuid", "msr-read", "msr-write", "io", "hypercall", "npf", "hlt", "shutdown",
	"exception", "invalid-state", "interrupt", "interrupt-window", "unhandled",
};

/* Reads VP vpi's exit counters (and, if where, where it stopped). */
static int vp_exits(unsigned vpi, uint64_t count[SEPTUM_EXIT_REASONS], bool where)
{
	enum { RIP = SEPTUM_EXIT_REASONS, CR0, EFER, CS, COUNT };
	struct septum_vid_regs r = { .count = where ? COUNT : SEPTUM_EXIT_REASONS };

	for (unsigned k = 0; k < SEPTUM_EXIT_REASONS; k++)
		r.names[k] = SEPTUM_REGISTER_EXITS(k);
	r.names[RIP] = HV_X64_REGISTER_RIP;
	r.names[CR0] = HV_X64_REGISTER_CR0;
	r.names[EFER] = HV_X64_REGISTER_EFER;
	r.names[CS] = HV_X64_REGISTER_CS;
	if (vid(vm.vp[vpi], SEPTUM_VID_GET_REGS, &r))
		return -1;
	for (unsigned k = 0; k < SEPTUM_EXIT_REASONS; k++)
		count[k] = r.values[k].reg64;
	if (where)
		logmsg("VP %u stopped at %04x:%llx (cs base 0x%llx, cr0 0x%llx, efer 0x%llx)", vpi,
		       r.values[CS].segment.selector, (unsigned long long)r.values[RIP].reg64,
		       (unsigned long long)r.values[CS].segment.base,
		       (unsigned long long)r.values[CR0].reg64,
		       (unsigned long long)r.values[EFER].reg64);
	return 0;
}

int vm_exits(uint64_t sum[SEPTUM_EXIT_REASONS], bool where)
{
	uint64_t count[SEPTUM_EXIT_REASONS];

	memset(sum, 0, SEPTUM_EXIT_REASONS * sizeof(sum[0]));
	for (unsigned i = 0; i < vm.nr_vps; i++) {
		if (vp_exits(i, count, where))
			return -1;
		for (unsigned k = 0; k < SEPTUM_EXIT_REASONS; k++)
			sum[k] += count[k];
	}
	return 0;
}

/* The hypervisor's count of VM exits by reason, over every VP, and where
 * each VP stopped (the first clue to a hung guest). */
static void log_exits(void)
{
	uint64_t sum[SEPTUM_EXIT_REASONS], total = 0;
	struct septum_vid_stats st;
	char line[512] = "";
	size_t n = 0;

	if (vm_exits(sum, vm.status == EXIT_SIGNAL || verbose))
		return;
	for (unsigned k = 0; k < SEPTUM_EXIT_REASONS; k++) {
		total += sum[k];
		if (sum[k] && n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, " %s %llu", exit_reason_names[k],
				      (unsigned long long)sum[k]);
	}
	logmsg("VM exits: %llu:%s", (unsigned long long)total, line);
	if (!vid(vm.part, SEPTUM_VID_GET_STATS, &st))
		logmsg("VID: %llu dispatches, %llu intercepts to user space, %llu guest signals "
		       "completed in the VID", (unsigned long long)st.dispatches,
		       (unsigned long long)st.intercepts, (unsigned long long)st.signals);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* SIGTERM's teardown got stuck (a thread that never lets go): say so and
 * leave; closing the VID's descriptors frees the VM all the same. */
static void on_stuck(int sig)
{
	static const char msg[] = "septum-vmwp: teardown stuck for 10 s: exiting anyway\n";

	ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);

	(void)sig;
	(void)r;
	_exit(EXIT_SIGNAL);
}

/* Builds the partition, boots the kernel and runs until the VM ends;
 * returns the status. Everything it made is gone when it returns. */
static int boot_once(const sigset_t *wait_set, const char *control)
{
	struct septum_vid_create_partition cp = { .flags = HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED |
							   HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE |
							   HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED };
	struct acpi_config acfg = { .nr_vps = vm.nr_vps, .pm_port = PM_PORT };
	struct uart16550_ops ops = { .tx = com1_tx, .irq = com1_irq };
	struct ioapic_ops ioapic_ops = { .deliver = ioapic_deliver };
	struct septum_vid_memory mm;
	struct lb_layout l;
	uint64_t rsdp = 0;
	double t0, t;
	long r;
	int sig;

	t0 = now_s();
	vm.ram = mmap(NULL, vm.mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm.ram == MAP_FAILED)
		die(EXIT_SETUP, "guest memory of %llu MiB: %s", (unsigned long long)(vm.mem_size >> 20),
		    strerror(errno));
	/* Huge pages where the root has them: fewer pages to pin, and 2 MiB
	 * nested mappings for the hypervisor to use. */
	madvise(vm.ram, vm.mem_size, MADV_HUGEPAGE);
	if (acpi_build(vm.ram + LB_ACPI_GPA, LB_ACPI_LEN, LB_ACPI_GPA, &acfg, &rsdp))
		die(EXIT_SETUP, "ACPI tables for %u VPs do not fit", vm.nr_vps);
	load_image(vm.ram, rsdp, &l);
	lb_firmware(vm.ram, PM_PORT + ACPI_PM_RESET, ACPI_RESET_VALUE);

	r = vid(vm.dev, SEPTUM_VID_CREATE_PARTITION, &cp);
	if (r < 0)
		die(EXIT_SETUP, "CREATE_PARTITION: %s", strerror(-r));
	vm.part = (int)r;
	mm = (struct septum_vid_memory){ .guest_pfn = 0, .npages = vm.mem_size >> 12,
					 .userspace_addr = (uint64_t)(uintptr_t)vm.ram,
					 .flags = SEPTUM_VID_MAP_FLAGS };
	t = now_s();
	r = vid(vm.part, SEPTUM_VID_MAP_MEMORY, &mm);
	if (r)
		die(EXIT_SETUP, "MAP_MEMORY of %llu MiB: %s", (unsigned long long)(vm.mem_size >> 20),
		    strerror(-r));
	if (verbose)
		logmsg("guest memory: loaded in %.3f s, mapped in %.3f s", t - t0, now_s() - t);
	for (unsigned i = 0; i < vm.nr_vps; i++) {
		struct septum_vid_create_vp cv = { .index = i };

		r = vid(vm.part, SEPTUM_VID_CREATE_VP, &cv);
		if (r < 0)
			die(EXIT_SETUP, "CREATE_VP %u: %s", i, strerror(-r));
		vm.vp[i] = (int)r;
	}
	boot_regs(vm.vp[0], &l);
	r = vmbus_host_start();
	if (r)
		die(EXIT_SETUP, "VMBus server: %s", strerror(-r));

	pthread_mutex_lock(&vm.lock);
	uart16550_init(&vm.com1, &ops);
	ioapic_init(&vm.ioapic, &ioapic_ops);
	vm.ending = false;
	vm.status = 0;
	vm.reason[0] = '\0';
	vm.halted_vps = 0;
	vm.boots++;
	vm.boot_t0 = now_s();
	pthread_mutex_unlock(&vm.lock);

	logmsg("boot %llu: %u VPs, %llu MiB, command line '%s'", (unsigned long long)vm.boots,
	       vm.nr_vps, (unsigned long long)(vm.mem_size >> 20), img.cmdline);
	if (verbose)
		logmsg("kernel at 0x%llx entry 0x%llx, initrd at 0x%llx (%llu bytes), RSDP 0x%llx",
		       (unsigned long long)l.kernel_gpa, (unsigned long long)l.entry,
		       (unsigned long long)l.initrd_gpa, (unsigned long long)l.initrd_size,
		       (unsigned long long)rsdp);
	/* One thread per VP. The APs wait in the hypervisor (BLOCKED) until
	 * the BSP's INIT/SIPI reaches them; the VID wakes their RUN then. */
	for (unsigned i = 0; i < vm.nr_vps; i++)
		if (pthread_create(&vm.thread[i], NULL, vp_thread, (void *)(uintptr_t)i))
			die(EXIT_SETUP, "cannot start the thread of VP %u", i);
	/* The manager hears from us once the VM runs. */
	if (vm.boots == 1 && control && control_start())
		die(EXIT_SETUP, "cannot start the control thread");

	/* The main thread waits for a signal; the last VP thread sends
	 * SIGUSR2 when the VM ends. */
	for (;;) {
		if (sigwait(wait_set, &sig))
			continue;
		if (sig == SIGUSR2)
			break;
		signal(SIGALRM, on_stuck);
		alarm(10);
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
		vm.thread[i] = 0;
	}
	vmbus_host_stop();
	fflush(stdout);
	logmsg("%s (after %.2f s, %llu intercepts)", vm.reason, now_s() - vm.boot_t0,
	       (unsigned long long)vm.intercepts);
	log_exits();
	for (unsigned i = 0; i < vm.nr_vps; i++) {
		close(vm.vp[i]);
		vm.vp[i] = -1;
	}
	close(vm.part);
	vm.part = -1;
	munmap(vm.ram, vm.mem_size);
	vm.ram = NULL;
	return vm.status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "vps", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "console", required_argument, NULL, 'C' },
		{ "control", required_argument, NULL, 'S' },
		{ "no-reboot", no_argument, NULL, 'R' },
		{ "disk", required_argument, NULL, 'D' },
		{ "nic", required_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *kernel = NULL, *initrd = NULL, *console = "stdio", *control = NULL, *nic = NULL;
	uint64_t mem = 256ULL << 20, vps = 1;
	bool no_reboot = false;
	char err[256];
	struct sysinfo si;
	struct sigaction sa;
	sigset_t set;
	int c, status;

	img.cmdline = "console=ttyS0";
	while ((c = getopt_long(argc, argv, "k:i:c:m:p:n:C:S:RD:N:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kernel = optarg; break;
		case 'i': initrd = optarg; break;
		case 'c': img.cmdline = optarg; break;
		case 'm':
			if (!parse_size(optarg, &mem))
				die(EXIT_SETUP, "--mem %s: not a size (bytes, or a number with K, M or G)", optarg);
			break;
		case 'p':
			if (!parse_size(optarg, &vps) || vps < 1 || vps > SEPTUM_VID_MAX_VPS)
				die(EXIT_SETUP, "--vps %s: the VP count must be 1 to %d", optarg,
				    SEPTUM_VID_MAX_VPS);
			break;
		case 'n':
			if (!*optarg || strlen(optarg) > 32 || strpbrk(optarg, " \t\n/"))
				die(EXIT_SETUP, "--name '%s': 1 to 32 characters, no blanks or '/'", optarg);
			vm.name = optarg;
			snprintf(prefix, sizeof(prefix), "vmwp[%s]", optarg);
			break;
		case 'C': console = optarg; break;
		case 'S': control = optarg; break;
		case 'R': no_reboot = true; break;
		case 'D':
			if (vsp_storage_add_disk(optarg, err, sizeof(err)))
				die(EXIT_SETUP, "%s", err);
			break;
		case 'N': nic = optarg; break;
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

	img.kernel_path = kernel;
	img.kernel_fd = open_file("kernel", kernel);
	load_image(NULL, 0, NULL);
	if (initrd) {
		img.initrd_path = initrd;
		img.initrd_fd = open_file("initrd", initrd);
	}
	if (vsp_ic_add() || vsp_storage_start((unsigned)vps))
		die(EXIT_SETUP, "cannot register the VMBus devices");
	if (nic && vsp_net_add(nic, vm.name, err, sizeof(err)))
		die(EXIT_SETUP, "%s", err);
	if (console_open(console, err, sizeof(err)))
		die(EXIT_SETUP, "%s", err);
	if (control && control_open(control, err, sizeof(err)))
		die(EXIT_SETUP, "%s", err);

	vm.t0 = now_s();
	vm.nr_vps = (unsigned)vps;
	vm.mem_size = mem;
	vm.dev = open(SEPTUM_VID_DEVICE, O_RDWR | O_CLOEXEC);
	if (vm.dev < 0)
		die(EXIT_SETUP, "%s: %s (is septum_vid loaded?)", SEPTUM_VID_DEVICE, strerror(errno));

	/* Signals: SIGUSR1 interrupts a RUN; SIGTERM/SIGINT end the VM (the
	 * main thread waits for them with sigwait). Blocked before any thread
	 * starts, so every thread inherits the mask. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (console_start())
		die(EXIT_SETUP, "cannot start the console thread");

	for (;;) {
		status = boot_once(&set, control);
		if (status != EXIT_RESET || no_reboot)
			break;
		logmsg("restarting the child (boot %llu)", (unsigned long long)vm.boots + 1);
	}
	for (unsigned p = 0; verbose && p < 0x10000; p++)
		if (vm.port_count[p])
			logmsg("port 0x%x: %llu intercepts", p, (unsigned long long)vm.port_count[p]);
	console_close();
	control_close();
	close(vm.dev);
	return status;
}
