# Septum: `make` builds everything into build/; `make run` boots it under
# QEMU; `make check` runs every test suite. See README.md.

BUILD := build
Q ?= @

DEPS_STAMP = $(BUILD)/deps/.stamp-$(shell sha256sum scripts/deps.sh | cut -c1-16)

CC := gcc
LD := ld
OBJCOPY := objcopy

# Freestanding code (hypervisor and test guests): no libc, no SSE, no red
# zone (interrupts and exits use the stack), identity-placed below 2 GiB.
FREESTANDING_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-tree-loop-distribute-patterns \
	-MMD -MP
FREESTANDING_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

.PHONY: all run check fuzz bench clean deps
all: hypervisor guests vid vidtest vmwp vmms image unit-tests-build fuzz-build

# The README's two commands install what they need first (scripts/deps.sh
# is a no-op when its stamp matches), then build and go.
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	scripts/deps.sh

# make run: the hypervisor, the Debian root on this terminal; SCRIPT=FILE
# runs FILE in the root instead and exits with its status.
run: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory hypervisor image
	$(Q)SCRIPT="$(SCRIPT)" scripts/run.sh

check: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/check.sh

bench: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory hypervisor guests image
	$(Q)python3 bench/boot.py
	$(Q)python3 bench/root.py
	$(Q)python3 bench/child.py
	$(Q)python3 bench/vmbus.py

include hypervisor/build.mk
include guests/build.mk
include tests/unit/build.mk
include tests/fuzz/build.mk
# Each root/ component brings its own build.mk (before image/, which
# packs their outputs).
include $(sort $(wildcard root/*/build.mk root/*/*/build.mk))
include tests/tools/build.mk
include image/build.mk
include tests/system/build.mk

clean:
	rm -rf $(BUILD)/hypervisor $(BUILD)/guests $(BUILD)/tests $(BUILD)/image $(BUILD)/run

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
