# septum-vmwp: the per-VM worker process, static, run inside the root
# (image/mkroot.sh installs it as /usr/bin/septum-vmwp; tests/system/vmwp.py).
# hypervisor/include only for quoted includes (types.h for include/hv), as
# root/vidtest does: its errno.h, time.h &c. must not stand in for libc's.
VMWP := $(BUILD)/vmwp/septum-vmwp
VMWP_SRCS := root/vmwp/main.c root/vmwp/vp.c root/vmwp/ports.c root/vmwp/console.c \
	root/vmwp/control.c root/vmwp/channel.c root/vmwp/linux_boot.c root/vmwp/acpi_tables.c root/vmwp/aml.c \
	root/vmwp/uart16550.c root/vmwp/ioapic.c root/vmwp/mmio.c root/vmwp/mmio_insn.c root/vmbus/ring.c root/vmbus/packet.c \
	root/vmwp/vmbus_host.c root/vmwp/vsp_ic.c root/vmbus/server.c root/vmbus/gpadl.c \
	root/vmbus/channel_msg.c $(wildcard root/vsp/ic/*.c) root/vmwp/vsp_storage.c \
	root/vsp/storvsp.c root/vsp/scsi.c root/vmwp/vsp_net.c root/vsp/netvsp.c root/vsp/rndis.c
VMWP_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread \
	-Iinclude -iquote hypervisor/include -Iroot/vmbus -Iroot/vsp -MMD -MP

.PHONY: vmwp
vmwp: $(VMWP)

$(VMWP): $(VMWP_SRCS) $(wildcard root/vmwp/*.h root/vmbus/*.h root/vsp/*.h root/vsp/ic/*.h include/hv/*.h) \
		root/vmwp/build.mk
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(VMWP_CFLAGS) -o $@ $(VMWP_SRCS) -luring

.PHONY: vmwp-clean
clean: vmwp-clean
vmwp-clean:
	rm -rf $(BUILD)/vmwp

# Units of the worker with their own tests and fuzz targets.
UNIT_HOSTED += mmio_insn ioapic
UNIT_SRCS_mmio_insn := root/vmwp/mmio_insn.c
UNIT_SRCS_ioapic := root/vmwp/ioapic.c
