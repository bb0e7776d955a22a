#!/bin/sh
# make run: Septum under QEMU TCG with the Debian root partition. COM1 is
# the root's console (this terminal); the hypervisor's log goes to COM2,
# i.e. build/run/septum.log. With SCRIPT=FILE the root runs FILE instead
# of a shell, prints its output and the run exits with FILE's status.
set -u
cd "$(dirname "$0")/.." || exit 1
initrd=build/image/root.cpio.gz
append="console=ttyS0 panic=-1"
mkdir -p build/run
if [ -n "${SCRIPT:-}" ]; then
	if [ ! -f "$SCRIPT" ]; then
		echo "run: no such script: $SCRIPT" >&2
		exit 2
	fi
	scripts/mkscript-initrd.sh "$SCRIPT" build/run/script.cpio.gz
	cat "$initrd" build/run/script.cpio.gz >build/run/initrd
	initrd=build/run/initrd
	append="$append quiet septum.script=/septum/script"
fi
qemu-system-x86_64 -accel tcg -cpu max -m 1G -smp 1 -display none -no-reboot -nodefaults \
	-serial stdio -serial file:build/run/septum.log -monitor none \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
	-kernel build/hypervisor/septum.elf -append "exit=qemu tsc=invariant ${SEPTUM_ARGS:-}" \
	-initrd "build/deps/vmlinuz $append,$initrd"
rc=$?
# isa-debug-exit reports status s as (s << 1) | 1; an ACPI power-off is 0.
if [ $((rc & 1)) -eq 1 ]; then
	exit $((rc >> 1))
fi
exit "$rc"
