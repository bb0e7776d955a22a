#!/bin/sh
# Usage: image/mkchild.sh INIT MODULES BUSYBOX KMOD STAGING OUT
#
# Builds the Linux child's initramfs OUT (gzip'd newc cpio), which
# septum-vmwp boots with the same Debian kernel, in the directory STAGING
# (emptied first): BUSYBOX as /bin/busybox with its applet links, INIT
# (image/child-init) as /init, a minimal /etc, and the modules named in
# MODULES (image/child-modules.txt, installed as /etc/modules) with their
# dependency closure, taken from KMOD (image/kmod-index.sh) and indexed by
# depmod so that busybox's modprobe finds them.
#
# Reproducible as mkroot.sh's: fixed mtimes (SOURCE_DATE_EPOCH, default 0),
# owner root, a sorted file list, cpio --reproducible and gzip -n.
set -eu

[ $# -eq 6 ] || {
	echo "usage: $0 INIT MODULES BUSYBOX KMOD STAGING OUT" >&2
	exit 2
}
init=$1 modules=$2 busybox=$3 kmod=$4 root=$5 out=$6
export PATH="/usr/sbin:/sbin:$PATH"	# modprobe and depmod live in sbin
export LC_ALL=C				# byte order for sort
umask 022
epoch=${SOURCE_DATE_EPOCH:-0}

die() {
	echo "$0: $*" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rel=$(cat "$kmod/release")
index=$(cd "$kmod/lib/modules/$rel" && pwd -P)

# The image has no libc: a dynamically linked busybox could not even start.
readelf -l "$busybox" | grep -q INTERP && die "$busybox is dynamically linked; want busybox-static"

rm -rf "$root"
mkdir -p "$root"
for d in bin sbin usr/bin usr/sbin dev proc sys run etc lib/modules/"$rel"; do
	mkdir -p "$root/$d"
done
install -d -m 1777 "$root/tmp"
install -d -m 0700 "$root/root"

install -m 0755 "$busybox" "$root/bin/busybox"
install -m 0755 "$init" "$root/init"
# Applet links as in the root (mkroot.sh); the kernel itself runs
# /sbin/modprobe for modules it asks for (crypto-crc32c for ext4).
"$root/bin/busybox" --list-full >"$tmp/applets"
while read -r applet; do
	case $applet in
	bin/busybox | linuxrc) ;;
	*) ln -s /bin/busybox "$root/$applet" ;;
	esac
done <"$tmp/applets"

cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
EOF
echo septum-child >"$root/etc/hostname"
ln -s ../proc/self/mounts "$root/etc/mtab"
install -m 0644 "$modules" "$root/etc/modules"

# Each module's closure as kmod resolves it, soft dependencies included
# ("insmod PATH" lines; a built-in one prints "builtin NAME" and needs no
# file).
names=$(sed 's/#.*//' "$modules")
: >"$tmp/ko"
for m in $names; do
	modprobe -d "$kmod" -S "$rel" --show-depends "$m" >"$tmp/deps" ||
		die "$modules: $m: not a module of $rel"
	awk '$1 == "insmod" { print $2 }' "$tmp/deps" >>"$tmp/ko"
done
sort -u -o "$tmp/ko" "$tmp/ko"
while read -r ko; do
	case $ko in
	"$index"/*) ko=${ko#"$index"/} ;;
	*) die "$ko: outside $index" ;;
	esac
	mkdir -p "$root/lib/modules/$rel/${ko%/*}"
	install -m 0644 "$index/$ko" "$root/lib/modules/$rel/$ko"
done <"$tmp/ko"
install -m 0644 "$index"/modules.builtin "$index"/modules.builtin.modinfo \
	"$index"/modules.order "$root/lib/modules/$rel/"
depmod -b "$root" "$rel"

find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . -mindepth 1 -printf '%P\0') >"$tmp/files"
sort -z -o "$tmp/files" "$tmp/files"
(cd "$root" && cpio -o -0 -H newc --reproducible -R 0:0 --quiet) <"$tmp/files" >"$tmp/child.cpio"
gzip -n -9 -c "$tmp/child.cpio" >"$out.tmp"
mv "$out.tmp" "$out"
