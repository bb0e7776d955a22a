/*
 * What the parts of septum-vmwp share: the one VM this process runs, its
 * VID handles and the calls every part uses (log, end the VM, ioctl).
 */
#ifndef SEPTUM_VMWP_H
#define SEPTUM_VMWP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hv/hypercall.h"
#include "hv/registers.h"
#include "septum/vid.h"

#include "ioapic.h"
#include "uart16550.h"

/* Exit status of septum-vmwp (usage() and README.md list them). */
#define EXIT_POWEROFF	0
#define EXIT_SETUP	1
#define EXIT_RESET	2	/* only with --no-reboot; otherwise the VM restarts */
#define EXIT_VP_DEAD	3
#define EXIT_UNHANDLED	4
#define EXIT_SIGNAL	5

#define PM_PORT		0x600

struct vm {
	const char *name;
	int dev, part;
	int vp[SEPTUM_VID_MAX_VPS];
	pthread_t thread[SEPTUM_VID_MAX_VPS];
	unsigned nr_vps;
	uint8_t *ram;
	uint64_t mem_size;
	pthread_mutex_t lock;		/* the UART, IOAPIC, CMOS, ending */
	struct uart16550 com1;
	struct ioapic ioapic;
	uint8_t cmos_index;
	uint64_t port_count[0x10000];	/* intercepts per port (--verbose summary) */
	uint64_t intercepts, boots;
	unsigned halted_vps;		/* halted for good (interrupts off) */
	bool ending;
	int status;
	char reason[256];
	double t0, boot_t0;
};

extern struct vm vm;
extern bool verbose;

double now_s(void);
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends this run of the VM (the first reason wins) and wakes every VP. */
void vm_end(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool ending(void);
/* ioctl returning -errno on failure. */
long vid(int fd, unsigned long cmd, void *arg);

/* VM exits by reason over every VP (the hypervisor's counters), named by
 * exit_reason_names; where: log where each VP is. */
extern const char *const exit_reason_names[SEPTUM_EXIT_REASONS];
int vm_exits(uint64_t sum[SEPTUM_EXIT_REASONS], bool where);

struct hv_register_assoc reg64(uint32_t name, uint64_t v);
long set_regs(int vp, const struct hv_register_assoc *a, uint32_t n);

/* vp.c: the RUN loop of VP vpi (a pthread start routine). */
void *vp_thread(void *arg);
/* ports.c: one port access; returns the value read (in) or nothing. */
uint32_t port_io(unsigned vpi, uint16_t port, bool in, unsigned size, uint32_t val);

#endif
