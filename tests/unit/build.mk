# Hosted unit tests (cmocka, ASan + UBSan): one binary per unit.
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Itests/unit -MMD -MP
# Hypervisor units see its headers first; the root's user-space units
# (named in UNIT_HOSTED by their component's build.mk) see libc's, with the
# hypervisor's only for quoted includes, as their real builds do.
ROOT_INCLUDES := -Iinclude -iquote hypervisor/include -Iroot/vmwp -Iroot/vmbus -Iroot/vsp \
	-Iroot/vmms
UNIT_HOSTED := uart16550 acpi_tables aml linux_boot
unit_includes = $(if $(filter $(1),$(UNIT_HOSTED)),$(ROOT_INCLUDES),$(HV_INCLUDES) -Iroot/vmwp)
UNIT_TESTS := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))

# Hypervisor sources each test links against.
UNIT_SRCS_insn_len := hypervisor/arch/x86/insn_len.c
UNIT_SRCS_multiboot := hypervisor/boot/multiboot.c
UNIT_SRCS_page_alloc := hypervisor/mm/page_alloc.c
UNIT_SRCS_gpa_map := hypervisor/mm/gpa_map.c hypervisor/mm/page_alloc.c \
	hypervisor/arch/x86/svm/npt.c
UNIT_SRCS_printf := hypervisor/lib/printf.c
UNIT_SRCS_hc_input := hypervisor/hc_input.c
UNIT_SRCS_acpi := hypervisor/boot/acpi.c
UNIT_SRCS_uart16550 := root/vmwp/uart16550.c
UNIT_SRCS_acpi_tables := root/vmwp/acpi_tables.c root/vmwp/aml.c
UNIT_SRCS_aml := root/vmwp/aml.c
UNIT_SRCS_linux_boot := root/vmwp/linux_boot.c
UNIT_SRCS_bzimage := hypervisor/boot/bzimage.c hypervisor/lib/printf.c
UNIT_SRCS_vapic := hypervisor/vapic.c
UNIT_SRCS_synic := hypervisor/synic.c hypervisor/stimer.c
UNIT_SRCS_stimer := hypervisor/synic.c hypervisor/stimer.c

UNIT_BINS := $(patsubst %,$(BUILD)/tests/unit/test_%,$(UNIT_TESTS))

.PHONY: unit-tests-build unit-tests
unit-tests-build: $(UNIT_BINS)

.SECONDEXPANSION:
$(BUILD)/tests/unit/test_%: tests/unit/test_%.c $$(UNIT_SRCS_$$*) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(UNIT_CFLAGS) $(call unit_includes,$*) -o $@ $^ -lcmocka $(UNIT_LIBS_$*)

unit-tests: $(UNIT_BINS)
	$(Q)tests/unit/run.sh $(UNIT_BINS)
