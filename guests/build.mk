# Test guests: flat images loaded by the hypervisor (include/septum/testdev.h),
# and bzImages septum-vmwp boots like a Linux child.
GUEST_LIB_SRCS := guests/lib/start.S guests/lib/guest.c guests/lib/hvcall.c \
	hypervisor/lib/printf.c hypervisor/lib/string.c
GUEST_INCLUDES := -Iguests/lib -Ihypervisor/include -Ihypervisor/arch/x86/include -Iinclude
GUEST_NAMES := hvtest testroot child
GUEST_BINS := $(patsubst %,$(BUILD)/guests/%.bin,$(GUEST_NAMES))

# A bzImage is the flat guest behind one setup sector (guests/lib/bzimage.S):
# guests/bzimage.ld lays both out, objcopy writes them back to back.
GUEST_BZ_HOSTILE := $(BUILD)/guests/vmbus-hostile.bzimage

.PHONY: guests
guests: $(GUEST_BINS) $(GUEST_BZ_HOSTILE)

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

$(BUILD)/guests/vmbus_hostile.bz.elf: $(BUILD)/guests/obj/guests/vmbus_hostile.c.o \
		$(GUEST_LIB_OBJS) $(BUILD)/guests/obj/guests/lib/bzimage.S.o guests/bzimage.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(FREESTANDING_LDFLAGS) -T guests/bzimage.ld -o $@ $(filter %.o,$^)

$(GUEST_BZ_HOSTILE): $(BUILD)/guests/vmbus_hostile.bz.elf
	$(Q)$(OBJCOPY) -O binary $< $@

# Booted by tests/system/vmbus_hostile.py (image/build.mk comes after us).
IMAGE_ROOT_FILES += 0644:usr/share/septum/vmbus-hostile.bzimage=$(BUILD)/guests/vmbus-hostile.bzimage
