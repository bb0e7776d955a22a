#!/bin/sh
# Usage: image/kmod-index.sh KERNEL_MK KERNEL_ROOT OUT
#
# Runs depmod over the kernel extracted by scripts/deps.sh (KERNEL_ROOT,
# release from KERNEL_MK), without writing into it: OUT/lib/modules/REL/
# links to the extracted kernel/ tree and gets its own modules.dep & co.
# image/mkroot.sh takes the closure of root-modules.txt from there with
# kmod's own resolution (dependencies and soft dependencies).
# Writes OUT/release last: it is the make target.
set -eu

[ $# -eq 3 ] || { echo "usage: $0 KERNEL_MK KERNEL_ROOT OUT" >&2; exit 2; }
kernel_mk=$1 kroot=$2 out=$3
export PATH="/usr/sbin:/sbin:$PATH"	# depmod is in sbin, not on a user's PATH

rel=$(sed -n 's/^KERNEL_RELEASE := //p' "$kernel_mk")
[ -n "$rel" ] || { echo "$0: no KERNEL_RELEASE in $kernel_mk" >&2; exit 1; }
src=$kroot/lib/modules/$rel
[ -d "$src/kernel" ] || { echo "$0: $src/kernel: no such directory" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/lib/modules/$rel"
# Relative, so the build tree can move.
ln -sr "$src/kernel" "$out/lib/modules/$rel/kernel"
cp "$src"/modules.builtin "$src"/modules.builtin.modinfo "$src"/modules.order \
	"$out/lib/modules/$rel/"
depmod -b "$out" "$rel"
echo "$rel" >"$out/release"
