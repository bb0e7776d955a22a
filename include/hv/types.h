/* Base types for the ABI headers: the same header serves the hypervisor,
 * the VID (Linux kernel) and user space. */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#define HV_ASSERT_SIZE(s, n) _Static_assert(sizeof(struct s) == (n), "size of " #s)
#define HV_ASSERT_OFFSET(s, f, n) \
	_Static_assert(__builtin_offsetof(struct s, f) == (n), "offset of " #s "." #f)

/* TLFS HV_X64_SEGMENT_REGISTER; attributes are descriptor bytes 5-6:
 * type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15. */
struct hv_x64_segment_register {
	u64 base;
	u32 limit;
	u16 selector;
	u16 attributes;
};
HV_ASSERT_SIZE(hv_x64_segment_register, 16);

struct hv_x64_table_register {
	u16 pad[3];
	u16 limit;
	u64 base;
};
HV_ASSERT_SIZE(hv_x64_table_register, 16);

/* HV_REGISTER_VALUE: 128 bits whatever the register. */
union hv_register_value {
	struct {
		u64 low, high;
	} reg128;
	u64 reg64;
	u32 reg32;
	u16 reg16;
	u8 reg8;
	struct hv_x64_segment_register segment;
	struct hv_x64_table_register table;
};
_Static_assert(sizeof(union hv_register_value) == 16, "hv_register_value");

#endif
