#!/bin/sh
# make run: the hypervisor under QEMU TCG with its test partitions; the log
# is COM1. Later issues boot the Debian root and a child here instead.
cd "$(dirname "$0")/.." || exit 1
g=build/guests/hvtest.bin
qemu-system-x86_64 -accel tcg -cpu max -m 256M -display none -no-reboot -nodefaults \
	-serial stdio -monitor none -device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel build/hypervisor/septum.elf -append "exit=qemu ${SEPTUM_ARGS:-}" \
	-initrd "$g npf,$g triple,$g"
# isa-debug-exit reports the hypervisor's status s as (s << 1) | 1.
rc=$?
[ $((rc & 1)) -eq 1 ] && exit $((rc >> 1))
exit "$rc"
