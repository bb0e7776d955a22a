# septumctl: the CLI of the VMMS API (include/septum/vmms.h), static,
# installed in the root as /usr/bin/septumctl (root/vmms/build.mk adds it
# to the image; `make vmms` builds both).
SEPTUMCTL := $(BUILD)/septumctl/septumctl
SEPTUMCTL_SRCS := $(wildcard root/septumctl/*.c)
SEPTUMCTL_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -static -Iinclude -MMD -MP

$(SEPTUMCTL): $(SEPTUMCTL_SRCS) $(wildcard root/septumctl/*.h) include/septum/vmms.h \
		root/septumctl/build.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(SEPTUMCTL_CFLAGS) -o $@ $(SEPTUMCTL_SRCS) -ljansson

.PHONY: septumctl-clean
clean: septumctl-clean
septumctl-clean:
	rm -rf $(BUILD)/septumctl
