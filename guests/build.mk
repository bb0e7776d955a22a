# Test guests: flat images loaded by the hypervisor (include/septum/testdev.h).
GUEST_LIB_SRCS := guests/lib/start.S guests/lib/guest.c guests/lib/hvcall.c \
	hypervisor/lib/printf.c hypervisor/lib/string.c
GUEST_INCLUDES := -Iguests/lib -Ihypervisor/include -Ihypervisor/arch/x86/include -Iinclude
GUEST_NAMES := hvtest testroot child
GUEST_BINS := $(patsubst %,$(BUILD)/guests/%.bin,$(GUEST_NAMES))

.PHONY: guests
guests: $(GUEST_BINS)

$(BUILD)/guests/obj/%.o: %
	@mkdir -p $(@D)
	@echo "  CC      $< (guest)"
	$(Q)$(CC) $(FREESTANDING_CFLAGS) $(GUEST_INCLUDES) -c $< -o $@

GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/guests/obj/%.o,$(GUEST_LIB_SRCS))

$(BUILD)/guests/%.elf: $(BUILD)/guests/obj/guests/%.c.o $(GUEST_LIB_OBJS) guests/guest.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(FREESTANDING_LDFLAGS) -T guests/guest.ld -o $@ $(filter %.o,$^)

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	$(Q)$(OBJCOPY) -O binary $< $@
