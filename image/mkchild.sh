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
. "$(dirname "$0")/initramfs.sh"

# The kernel itself runs /sbin/modprobe for modules it asks for
# (crypto-crc32c for ext4): the applet links provide it.
busybox_tree "$root" "$busybox" "$init" septum-child ""
module_closure "$root" "$modules"
module_index "$root"
pack "$root" "$out" 9
