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
. "$(dirname "$0")/initramfs.sh"

# root, and the group septum (gid 900) that may manage VMs (VMMS).
busybox_tree "$root" "$busybox" "$init" septum-root "septum:x:900:
" usr/share/septum
module_closure "$root" "$modules"
# The VID: module_index below indexes it with the rest.
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
module_index "$root"
pack "$root" "$out" 1
