# The hypervisor image: build/hypervisor/septum.elf
HV_SRCS := $(wildcard hypervisor/*.c hypervisor/lib/*.c hypervisor/mm/*.c \
	hypervisor/boot/*.c hypervisor/arch/x86/*.c hypervisor/arch/x86/svm/*.c)
HV_ASMS := $(wildcard hypervisor/boot/*.S hypervisor/arch/x86/*.S hypervisor/arch/x86/svm/*.S)
HV_OBJS := $(patsubst %,$(BUILD)/%.o,$(HV_SRCS) $(HV_ASMS))
HV_INCLUDES := -Ihypervisor/include -Ihypervisor/arch/x86/include -Ihypervisor/arch/x86 \
	-Ihypervisor/arch/x86/svm -Ihypervisor/boot -Iinclude
HV_ELF := $(BUILD)/hypervisor/septum.elf

.PHONY: hypervisor
hypervisor: $(HV_ELF)

$(BUILD)/hypervisor/%.o: hypervisor/%
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(FREESTANDING_CFLAGS) $(HV_INCLUDES) -c $< -o $@

$(HV_ELF): $(HV_OBJS) hypervisor/septum.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(FREESTANDING_LDFLAGS) -T hypervisor/septum.ld -o $@ $(HV_OBJS)
