#!/bin/sh
# Usage: image/mkroot.sh INIT MODULES BUSYBOX KMOD STAGING OUT VID_KO [MODE:DEST=SRC ...]
#
# Builds the root partition's initramfs OUT (gzip'd newc cpio) in the
# directory STAGING (emptied first): BUSYBOX as /bin/busybox with its applet
# links, INIT as /init, a minimal /etc, and the modules named in MODULES
# with their dependency closure, taken from KMOD (image/kmod-index.sh).
# The virtualization stack: VID_KO (the VID, root/vid/) as
# /lib/modules/REL/extra/septum_vid.ko (modprobe septum_vid), and each
# MODE:DEST=SRC installs SRC as /DEST with octal MODE (image/build.mk's
# IMAGE_ROOT_FILES: the programs on PATH, the demo child under
# /usr/share/septum/). A program (mode with an x bit) must be static: the
# image has no libc.
#
# The same inputs give the same bytes: fixed mtimes (SOURCE_DATE_EPOCH,
# default 0), owner root, a sorted file list, cpio --reproducible and
# gzip -n (no name or time in the header).
set -eu

[ $# -ge 7 ] || {
	echo "usage: $0 INIT MODULES BUSYBOX KMOD STAGING OUT VID_KO [MODE:DEST=SRC ...]" >&2
	exit 2
}
init=$1 modules=$2 busybox=$3 kmod=$4 root=$5 out=$6 vid_ko=$7
shift 7
export PATH="/usr/sbin:/sbin:$PATH"	# modprobe and depmod live in sbin
export LC_ALL=C				# byte order for sort
umask 022
epoch=${SOURCE_DATE_EPOCH:-0}

die() {
	echo "$0: $*" >&2
	exit 1
}

# Lists and the bare archive are kept apart from the staging tree.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rel=$(cat "$kmod/release")
index=$(cd "$kmod/lib/modules/$rel" && pwd -P)

# A dynamically linked busybox (package busybox, not busybox-static) would
# find no libc in the image and /init would not even start.
readelf -l "$busybox" | grep -q INTERP && die "$busybox is dynamically linked; want busybox-static"

rm -rf "$root"
mkdir -p "$root"
for d in bin sbin usr/bin usr/sbin dev proc sys run etc usr/share/septum \
	lib/modules/"$rel"; do
	mkdir -p "$root/$d"
done
install -d -m 1777 "$root/tmp"
install -d -m 0700 "$root/root"

install -m 0755 "$busybox" "$root/bin/busybox"
install -m 0755 "$init" "$root/init"
# --list-full names each applet's place (bin/sh, usr/sbin/chroot, ...),
# bin/busybox itself among them. linuxrc, the only one at the top, is the
# old initrd entry point: /init is ours.
"$root/bin/busybox" --list-full >"$tmp/applets"
while read -r applet; do
	case $applet in
	bin/busybox | linuxrc) ;;
	*) ln -s /bin/busybox "$root/$applet" ;;
	esac
done <"$tmp/applets"

# root, and the group septum (gid 900): later pieces give it the device
# nodes of the virtualization stack.
cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
septum:x:900:
EOF
echo septum-root >"$root/etc/hostname"
ln -s ../proc/self/mounts "$root/etc/mtab"
# /init loads what this names; comments and blank lines are ignored there too.
install -m 0644 "$modules" "$root/etc/modules"

# kmod resolves each module to its .ko and those of its dependencies and
# soft dependencies (e.g. sd_mod -> t10-pi -> crc-t10dif, which wants a
# crct10dif implementation), as "insmod PATH" lines; built-in ones print
# "builtin NAME" and need no file.
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
# The VID: depmod below indexes it with the rest.
mkdir -p "$root/lib/modules/$rel/extra"
install -m 0644 "$vid_ko" "$root/lib/modules/$rel/extra/septum_vid.ko"
for spec in "$@"; do
	mode=${spec%%:*} rest=${spec#*:}
	dest=${rest%%=*} src=${rest#*=}
	case $mode in
	*[1357]) readelf -l "$src" | grep -q INTERP && die "$src is dynamically linked" ;;
	esac
	mkdir -p "$root/${dest%/*}"
	install -m "$mode" "$src" "$root/$dest"
done
# modules.builtin* let modprobe succeed quietly for built-in drivers;
# depmod then writes the image's own modules.dep, modules.alias & co.
install -m 0644 "$index"/modules.builtin "$index"/modules.builtin.modinfo \
	"$index"/modules.order "$root/lib/modules/$rel/"
depmod -b "$root" "$rel"

find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . -mindepth 1 -printf '%P\0') >"$tmp/files"
sort -z -o "$tmp/files" "$tmp/files"
(cd "$root" && cpio -o -0 -H newc --reproducible -R 0:0 --quiet) <"$tmp/files" >"$tmp/root.cpio"
gzip -n -1 -c "$tmp/root.cpio" >"$out.tmp"
mv "$out.tmp" "$out"
