#!/bin/sh
# Usage: image/mkchild.sh BUSYBOX STAGING OUT
#
# The test child's initramfs OUT (gzip'd newc cpio), built in STAGING
# (emptied first): BUSYBOX as /bin/busybox and an /init that mounts
# devtmpfs (the cpio has no /dev/console), prints "septum-child: ready" on
# the console and, a second later, powers off (ACPI S5 through the VMWP's PM ports).
# Reproducible as mkroot.sh's: fixed mtimes, sorted, cpio --reproducible,
# gzip -n. septum-vmwp boots it in tests/system/vmwp.py.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 BUSYBOX STAGING OUT" >&2; exit 2; }
busybox=$1 root=$2 out=$3
export LC_ALL=C
umask 022
epoch=${SOURCE_DATE_EPOCH:-0}
readelf -l "$busybox" | grep -q INTERP && { echo "$0: $busybox is dynamically linked" >&2; exit 1; }
rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
install -m 0755 "$busybox" "$root/bin/busybox"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox mount -t proc proc /proc
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
