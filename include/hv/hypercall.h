/*
 * TLFS hypercall interface: the control word, the result value, call codes
 * and the input/output blocks of every call Septum implements. Offsets
 * follow the TLFS and Linux's hvgdk/hvhdk headers; each block is checked.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hv/message.h"
#include "hv/types.h"

/* Hypercall input value (TLFS "Hypercall Inputs"). */
#define HV_HYPERCALL_CODE_MASK		0xFFFFULL
#define HV_HYPERCALL_FAST_BIT		(1ULL << 16)
#define HV_HYPERCALL_VARHEAD_SHIFT	17
#define HV_HYPERCALL_VARHEAD_MASK	(0x3FFULL << HV_HYPERCALL_VARHEAD_SHIFT)
#define HV_HYPERCALL_NESTED_BIT		(1ULL << 31)
#define HV_HYPERCALL_REP_COUNT_SHIFT	32
#define HV_HYPERCALL_REP_COUNT_MASK	(0xFFFULL << HV_HYPERCALL_REP_COUNT_SHIFT)
#define HV_HYPERCALL_REP_START_SHIFT	48
#define HV_HYPERCALL_REP_START_MASK	(0xFFFULL << HV_HYPERCALL_REP_START_SHIFT)
/* Bits 30:27, 47:44 and 63:60 must be zero. */
#define HV_HYPERCALL_RSVD_MASK		0xF000F00078000000ULL

/* Hypercall result value: status in 15:0, reps completed in 43:32. */
#define HV_HYPERCALL_RESULT_MASK	0xFFFFULL
#define HV_HYPERCALL_REP_COMP_SHIFT	32
#define HV_HYPERCALL_REP_COMP_MASK	(0xFFFULL << HV_HYPERCALL_REP_COMP_SHIFT)

/* Call codes (TLFS appendix A; Linux hvgdk_mini.h). */
#define HVCALL_NOTIFY_LONG_SPIN_WAIT		0x0008
#define HVCALL_CREATE_PARTITION			0x0040
#define HVCALL_INITIALIZE_PARTITION		0x0041
#define HVCALL_FINALIZE_PARTITION		0x0042
#define HVCALL_DELETE_PARTITION			0x0043
#define HVCALL_GET_PARTITION_PROPERTY		0x0044
#define HVCALL_SET_PARTITION_PROPERTY		0x0045
#define HVCALL_GET_PARTITION_ID			0x0046
#define HVCALL_DEPOSIT_MEMORY			0x0048
#define HVCALL_WITHDRAW_MEMORY			0x0049
#define HVCALL_MAP_GPA_PAGES			0x004B
#define HVCALL_UNMAP_GPA_PAGES			0x004C
#define HVCALL_INSTALL_INTERCEPT		0x004D
#define HVCALL_CREATE_VP			0x004E
#define HVCALL_DELETE_VP			0x004F
#define HVCALL_GET_VP_REGISTERS			0x0050
#define HVCALL_SET_VP_REGISTERS			0x0051
#define HVCALL_POST_MESSAGE			0x005C
#define HVCALL_SIGNAL_EVENT			0x005D
#define HVCALL_ASSERT_VIRTUAL_INTERRUPT		0x0094
#define HVCALL_SIGNAL_EVENT_DIRECT		0x00C0
#define HVCALL_POST_MESSAGE_DIRECT		0x00C1
#define HVCALL_DISPATCH_VP			0x00C2

/*
 * Septum's own calls live in 0x7E00-0x7EFF, codes the TLFS and Linux's
 * headers do not use. Root only.
 */
#define SEPTUM_HVCALL_READ_LOG			0x7E01

#define HV_PARTITION_ID_SELF	((u64)-1)
#define HV_VP_INDEX_SELF	((u32)-2)

/* HvCallCreatePartition */
struct hv_input_create_partition {
	u64 flags;
	u64 proximity_domain_info;
	u32 compatibility_version;
	u32 padding;
	u64 processor_features[2];
	u64 xsave_features;
	u64 isolation_properties;
};
HV_ASSERT_SIZE(hv_input_create_partition, 56);
HV_ASSERT_OFFSET(hv_input_create_partition, compatibility_version, 16);
HV_ASSERT_OFFSET(hv_input_create_partition, isolation_properties, 48);

struct hv_output_create_partition {
	u64 partition_id;
};

/* HvCallInitialize/Finalize/DeletePartition: fast, one qword. */
struct hv_input_partition_id {
	u64 partition_id;
};

/* HvCallGet/SetPartitionProperty */
struct hv_input_get_partition_property {
	u64 partition_id;
	u32 property_code;
	u32 padding;
};
HV_ASSERT_SIZE(hv_input_get_partition_property, 16);

struct hv_output_get_partition_property {
	u64 property_value;
};

struct hv_input_set_partition_property {
	u64 partition_id;
	u32 property_code;
	u32 padding;
	u64 property_value;
};
HV_ASSERT_SIZE(hv_input_set_partition_property, 24);

/* HvCallDepositMemory (rep: PFNs) */
struct hv_input_deposit_memory {
	u64 partition_id;
	u64 gpa_page_list[];
};
HV_ASSERT_OFFSET(hv_input_deposit_memory, gpa_page_list, 8);

/* HvCallWithdrawMemory (rep: PFNs out) */
struct hv_input_withdraw_memory {
	u64 partition_id;
	u64 proximity_domain_info;
};
HV_ASSERT_SIZE(hv_input_withdraw_memory, 16);

/* HvCallMapGpaPages (rep: root PFNs) */
#define HV_MAP_GPA_READABLE		0x00000001
#define HV_MAP_GPA_WRITABLE		0x00000002
#define HV_MAP_GPA_KERNEL_EXECUTABLE	0x00000004
#define HV_MAP_GPA_USER_EXECUTABLE	0x00000008
#define HV_MAP_GPA_EXECUTABLE		0x0000000C
#define HV_MAP_GPA_PERMISSIONS_MASK	0x0000000F
#define HV_MAP_GPA_ADJUSTABLE		0x00008000
#define HV_MAP_GPA_NO_ACCESS		0x00010000
#define HV_MAP_GPA_NOT_CACHED		0x00200000
#define HV_MAP_GPA_LARGE_PAGE		0x80000000

struct hv_input_map_gpa_pages {
	u64 target_partition_id;
	u64 target_gpa_base;	/* a page number */
	u32 map_flags;
	u32 padding;
	u64 source_gpa_page_list[];
};
HV_ASSERT_OFFSET(hv_input_map_gpa_pages, source_gpa_page_list, 24);

/* HvCallUnmapGpaPages (rep, no list) */
struct hv_input_unmap_gpa_pages {
	u64 target_partition_id;
	u64 target_gpa_base;
	u32 unmap_flags;
	u32 padding;
};
HV_ASSERT_SIZE(hv_input_unmap_gpa_pages, 24);

/* HvCallInstallIntercept */
#define HV_INTERCEPT_ACCESS_MASK_READ		1
#define HV_INTERCEPT_ACCESS_MASK_WRITE		2
#define HV_INTERCEPT_ACCESS_MASK_EXECUTE	4
#define HV_INTERCEPT_TYPE_X64_IO_PORT		0x00000000
#define HV_INTERCEPT_TYPE_X64_MSR		0x00000001
#define HV_INTERCEPT_TYPE_X64_CPUID		0x00000002
#define HV_INTERCEPT_TYPE_EXCEPTION		0x00000003

struct hv_input_install_intercept {
	u64 partition_id;
	u32 access_type;
	u32 intercept_type;
	u64 intercept_parameter;
};
HV_ASSERT_SIZE(hv_input_install_intercept, 24);

/* HvCallCreateVp */
struct hv_input_create_vp {
	u64 partition_id;
	u32 vp_index;
	u8 padding[3];
	u8 subnode_type;
	u64 subnode_id;
	u64 proximity_domain_info;
	u64 flags;
};
HV_ASSERT_SIZE(hv_input_create_vp, 40);

/* HvCallDeleteVp: fast, two qwords. */
struct hv_input_delete_vp {
	u64 partition_id;
	u32 vp_index;
	u32 padding;
};
HV_ASSERT_SIZE(hv_input_delete_vp, 16);

/* HvCallGet/SetVpRegisters (rep) */
struct hv_input_get_vp_registers {
	u64 partition_id;
	u32 vp_index;
	u8 input_vtl;
	u8 padding[3];
	u32 names[];
};
HV_ASSERT_OFFSET(hv_input_get_vp_registers, names, 16);

struct hv_register_assoc {
	u32 name;
	u32 reserved1;
	u64 reserved2;
	union hv_register_value value;
};
HV_ASSERT_SIZE(hv_register_assoc, 32);

struct hv_input_set_vp_registers {
	u64 partition_id;
	u32 vp_index;
	u8 input_vtl;
	u8 padding[3];
	struct hv_register_assoc elements[];
};
HV_ASSERT_OFFSET(hv_input_set_vp_registers, elements, 16);

/* HvCallAssertVirtualInterrupt */
#define HV_X64_INTERRUPT_TYPE_FIXED		0
#define HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY	1
#define HV_X64_INTERRUPT_TYPE_NMI		4
#define HV_X64_INTERRUPT_TYPE_INIT		5
#define HV_X64_INTERRUPT_TYPE_SIPI		6
#define HV_X64_INTERRUPT_TYPE_EXTINT		7

struct hv_input_assert_virtual_interrupt {
	u64 partition_id;
	u32 interrupt_type;	/* interrupt control: type, then bits */
	u32 control_flags;	/* bit 0 level triggered, bit 1 logical destination */
	u64 dest_addr;		/* APIC id */
	u32 vector;
	u8 target_vtl;
	u8 rsvd[3];
};
HV_ASSERT_SIZE(hv_input_assert_virtual_interrupt, 32);
HV_ASSERT_OFFSET(hv_input_assert_virtual_interrupt, vector, 24);

/* HvCallPostMessage (guest) */
#define HV_MESSAGE_PAYLOAD_BYTES 240
struct hv_input_post_message {
	u32 connection_id;
	u32 reserved;
	u32 message_type;
	u32 payload_size;
	u64 payload[HV_MESSAGE_PAYLOAD_BYTES / 8];
};
HV_ASSERT_SIZE(hv_input_post_message, 256);

/* HvCallSignalEventDirect */
struct hv_input_signal_event_direct {
	u64 target_partition;
	u32 target_vp;
	u8 target_vtl;
	u8 target_sint;
	u16 flag_number;
};
HV_ASSERT_SIZE(hv_input_signal_event_direct, 16);

struct hv_output_signal_event_direct {
	u8 newly_signaled;
	u8 reserved[7];
};

/* HvCallPostMessageDirect */
struct hv_input_post_message_direct {
	u64 partition_id;
	u32 vp_index;
	u8 vtl;
	u8 padding[3];
	u32 sint_index;
	u8 message[256];
	u32 padding2;
};
HV_ASSERT_OFFSET(hv_input_post_message_direct, sint_index, 16);
HV_ASSERT_OFFSET(hv_input_post_message_direct, message, 20);

/* HvCallDispatchVp (root scheduler). */
#define HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND	0x1
#define HV_DISPATCH_VP_FLAG_ENABLE_CALLER_INTERRUPTS	0x2
#define HV_DISPATCH_STATE_INVALID	0
#define HV_DISPATCH_STATE_BLOCKED	1
#define HV_DISPATCH_STATE_READY		2
#define HV_DISPATCH_EVENT_NONE		0
#define HV_DISPATCH_EVENT_SUSPEND	1
#define HV_DISPATCH_EVENT_INTERCEPT	2

struct hv_input_dispatch_vp {
	u64 partition_id;
	u32 vp_index;
	u32 flags;
	u64 time_slice;		/* 100 ns units; 0 = until an event */
	u64 spec_ctrl;
};
HV_ASSERT_SIZE(hv_input_dispatch_vp, 32);

/*
 * Septum's DispatchVp output. The first 8 bytes are mshv's; where mshv
 * reads the intercept from a separately mapped page, Septum returns the
 * message in the output block itself, with the VP's next timer deadline
 * (reference time, 100 ns; 0 = none) so the root knows when to dispatch a
 * halted VP again, and the other VPs of the partition this run sent
 * interrupts to (the hypervisor has no way to wake a root thread itself).
 */
struct hv_output_dispatch_vp {
	u32 dispatch_state;
	u32 dispatch_event;
	u64 next_timer_deadline;
	u64 signaled_vps;	/* VPs (bit = index) this run sent an IPI to: wake them */
	struct hv_message message;
};
HV_ASSERT_OFFSET(hv_output_dispatch_vp, message, 24);
HV_ASSERT_SIZE(hv_output_dispatch_vp, 280);

/* SEPTUM_HVCALL_READ_LOG: the hypervisor's log ring from byte `from` on. */
struct septum_input_read_log {
	u64 from;
};

struct septum_output_read_log {
	u64 next;	/* where the next read continues */
	u64 lost;	/* bytes before `from` already overwritten */
	u32 length;	/* bytes in data */
	u32 reserved;
	char data[4072];
};
HV_ASSERT_SIZE(septum_output_read_log, 4096);

#endif
