#!/bin/sh
# Usage: image/mkchild.sh BUSYBOX HV_VMBUS_KO STAGING OUT
#
# The test child's initramfs OUT (gzip'd newc cpio), built in STAGING
# (emptied first): BUSYBOX as /bin/busybox, the kernel's hv_vmbus.ko, and
# an /init that mounts devtmpfs (the cpio has no /dev/console), reports
# what the child sees ("septum-child: ..." lines: clocksource, CPUs, timer
# interrupts, hv_vmbus), prints "septum-child: ready" and, a second later,
# powers off (ACPI S5 through the VMWP's PM ports).
# Reproducible as mkroot.sh's: fixed mtimes, sorted, cpio --reproducible,
# gzip -n. septum-vmwp boots it in tests/system/vmwp.py.
set -eu
[ $# -eq 4 ] || { echo "usage: $0 BUSYBOX HV_VMBUS_KO STAGING OUT" >&2; exit 2; }
busybox=$1 vmbus=$2 root=$3 out=$4
export LC_ALL=C
umask 022
epoch=${SOURCE_DATE_EPOCH:-0}
readelf -l "$busybox" | grep -q INTERP && { echo "$0: $busybox is dynamically linked" >&2; exit 1; }
rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
install -m 0755 "$busybox" "$root/bin/busybox"
install -m 0644 "$vmbus" "$root/hv_vmbus.ko"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
bb=/bin/busybox
$bb mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
echo "septum-child: clocksource $($bb cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
# Local timer interrupts per CPU, twice, 0.2 s apart: both must advance.
ticks() { $bb grep -E '^ *(LOC|HVS):' /proc/interrupts | $bb tr -s ' ' | $bb tr '\n' ' '; }
echo "septum-child: ticks $(ticks)"
$bb sleep 0.2
echo "septum-child: ticks $(ticks)"
# No VMBus server yet: report what hv_vmbus makes of our ACPI device.
$bb insmod /hv_vmbus.ko 2>&1 | $bb sed 's/^/septum-child: insmod: /'
$bb dmesg | $bb grep -i vmbus | $bb sed 's/^/septum-child: dmesg: /'
echo "septum-child: ready (uptime $(/bin/busybox cut -d' ' -f1 /proc/uptime) s, cpus $(/bin/busybox grep -c ^processor /proc/cpuinfo))"
# The tty drains to the polled UART asynchronously: let it, then power off.
/bin/busybox sleep 1
/bin/busybox poweroff -f
INIT
chmod 0755 "$root/init"
find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . -mindepth 1 -printf '%P\0' | sort -z |
	cpio -o -0 -H newc --reproducible -R 0:0 --quiet) | gzip -n -9 >"$out.tmp"
mv "$out.tmp" "$out"
