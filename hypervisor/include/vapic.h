/*
 * A virtual local APIC in x2APIC mode, emulated through MSR intercepts only
 * (SDM vol. 3A ch. 11 "Advanced Programmable Interrupt Controller", APM
 * vol. 2 ch. 16, TLFS "Virtual Interrupts"). This is the register and
 * priority model alone: no hardware access and no globals, and time comes
 * in from the caller, so the same file runs in the hypervisor, under unit
 * tests and under a fuzzer.
 *
 * The caller's part: route the IPIs vapic_msr_write() hands back, inject
 * what vapic_pending() names and then vapic_ack() it, run vapic_timer_poll()
 * before each VM entry and wake the VP at vapic_next_deadline(), consume
 * pending_nmi / pending_init / pending_sipi, and keep a->tpr in step with
 * CR8 if the guest may use it (MOV to CR8 sets TPR[7:4], clears TPR[3:0]).
 */
#ifndef SEPTUM_VAPIC_H
#define SEPTUM_VAPIC_H

#include "types.h"

/* Timer input clock; reported to guests through HV_X64_MSR_APIC_FREQUENCY. */
#define VAPIC_BUS_HZ 1000000000ULL

#define VAPIC_MSR_APIC_BASE    0x1B  /* IA32_APIC_BASE */
#define VAPIC_MSR_TSC_DEADLINE 0x6E0 /* IA32_TSC_DEADLINE */

/* IA32_APIC_BASE fields (SDM 11.4.4, 11.12.1). */
#define VAPIC_BASE_BSP	   BIT(8)
#define VAPIC_BASE_EXTD	   BIT(10)
#define VAPIC_BASE_EN	   BIT(11)
#define VAPIC_BASE_DEFAULT 0xFEE00000ULL

/* ESR bits this model can set (SDM 11.5.3). */
#define VAPIC_ESR_SEND_ILLEGAL BIT(5)
#define VAPIC_ESR_RECV_ILLEGAL BIT(6)

/* LVT entries, in MSR order from 0x832 (SDM Table 11-6). */
enum vapic_lvt {
	VAPIC_LVT_TIMER,
	VAPIC_LVT_THERMAL,
	VAPIC_LVT_PMC,
	VAPIC_LVT_LINT0,
	VAPIC_LVT_LINT1,
	VAPIC_LVT_ERROR,
	VAPIC_LVT_NR
};

/* "Now" as the caller sees it: its clock in ns and the guest's TSC. */
struct vapic_time {
	u64 ns;
	u64 tsc;
};

enum vapic_ipi_mode { VAPIC_IPI_FIXED, VAPIC_IPI_NMI, VAPIC_IPI_INIT, VAPIC_IPI_SIPI };

enum vapic_shorthand {
	VAPIC_DEST_FIELD, /* dest, physical or logical */
	VAPIC_DEST_SELF,
	VAPIC_DEST_ALL,	  /* all including self */
	VAPIC_DEST_OTHERS /* all excluding self */
};

/* An IPI decoded from an ICR write, for the caller to route with
 * vapic_ipi_match() and hand to vapic_accept() on each target. */
struct vapic_ipi {
	enum vapic_ipi_mode mode;
	u8 vector;    /* FIXED: vector (always >= 16); SIPI: start page */
	bool level;   /* FIXED: level-triggered (sets the target's TMR) */
	bool logical; /* dest is a logical x2APIC ID (cluster << 16 | bits) */
	enum vapic_shorthand shorthand;
	u32 dest; /* 0xFFFFFFFF broadcasts in either form */
	u32 src;  /* x2APIC ID of the sender */
};

/*
 * All the state. Only the fields marked for the caller may be touched
 * outside vapic.c; everything else goes through the functions below.
 */
struct vapic {
	u32 id;	       /* x2APIC ID, read-only to the guest */
	u32 tsc_khz;   /* guest TSC rate; 0 = no TSC-deadline mode */
	u64 apic_base; /* IA32_APIC_BASE */
	u32 tpr;       /* caller may sync with CR8 */
	u32 svr;
	u32 esr;	 /* as the guest reads it */
	u32 esr_pending; /* errors since the last ESR write */
	u32 lvt[VAPIC_LVT_NR];
	u32 tmict;
	u32 tdcr;
	u64 icr;
	u64 timer_ns;	  /* next timer expiry in caller ns; 0 = not running */
	u64 tsc_deadline; /* IA32_TSC_DEADLINE as armed; 0 = disarmed */
	u32 irr[8];
	u32 isr[8];
	u32 tmr[8];
	int level_eoi;	   /* caller: last EOIed level vector, -1 = none */
	bool pending_nmi;  /* caller: inject an NMI, then clear */
	bool pending_init; /* caller: reset the VP (vapic_reset), then clear */
	bool pending_sipi; /* caller: start a VP waiting for SIPI, then clear */
	u8 sipi_vector;	   /* start page of the pending SIPI */
};

/*
 * Power-on state: x2APIC enabled from reset (IA32_APIC_BASE = 0xFEE00000 |
 * EN | EXTD, | BSP for the bootstrap VP), everything else per SDM 11.4.7.1.
 * Parameters: apic_id - x2APIC ID; bsp - sets IA32_APIC_BASE.BSP;
 * tsc_khz - guest TSC rate, 0 to offer no TSC-deadline mode (the caller
 * then clears CPUID.1:ECX[24]).
 */
void vapic_init(struct vapic *a, u32 apic_id, bool bsp, u32 tsc_khz);

/* INIT (SDM 11.4.7.3): registers back to power-on values, but the ID,
 * IA32_APIC_BASE and a SIPI that arrived after the INIT are kept. */
void vapic_reset(struct vapic *a);

/* 0x800-0x8FF, IA32_APIC_BASE, IA32_TSC_DEADLINE, HV_X64_MSR_EOI/ICR/TPR. */
bool vapic_handles_msr(u32 msr);

/* Return values: 0 done, -1 the caller injects #GP. */
int vapic_msr_read(struct vapic *a, u32 msr, u64 *val, struct vapic_time now);

/* Return values: 0 done, 1 *ipi filled (the caller routes it, this VP
 * included), -1 the caller injects #GP (the register is left as it was).
 * Both MSR calls first run vapic_timer_poll(a, now). */
int vapic_msr_write(struct vapic *a, u32 msr, u64 val, struct vapic_time now,
		    struct vapic_ipi *ipi);

/* Whether a is a target of ipi (shorthand, physical or logical dest). */
bool vapic_ipi_match(const struct vapic *a, const struct vapic_ipi *ipi);

/* An interrupt arrives: FIXED sets IRR (and TMR if level, else clears it);
 * NMI, INIT and SIPI set the pending flags. Nothing is taken while the APIC
 * is disabled, no FIXED one while software-disabled (SVR[8] = 0), and
 * vectors 0-15 only set ESR. */
void vapic_accept(struct vapic *a, enum vapic_ipi_mode mode, u8 vector, bool level);

/* Highest IRR vector whose priority class is above the PPR's, else -1. */
int vapic_pending(const struct vapic *a);

/* vector was injected: IRR -> ISR; with auto_eoi (SynIC AutoEOI SINTs,
 * TLFS "SINTx Registers") only clears IRR. */
void vapic_ack(struct vapic *a, u8 vector, bool auto_eoi);

/* Expires the LVT timer if its time has come: IRR unless masked, and a
 * periodic timer re-arms. */
void vapic_timer_poll(struct vapic *a, struct vapic_time now);

/* Caller ns of the next timer expiry, 0 = none. */
u64 vapic_next_deadline(const struct vapic *a);

#endif
