#!/bin/sh
# Usage: image/mkdisk.sh INIT BUSYBOX KVP_SCRIPTS SIZE_MIB STAGING OUT [MODE:DEST=SRC ...]
#
# Builds the Linux child's root disk OUT, a raw ext4 image of SIZE_MIB MiB
# that the child's initramfs mounts for root=/dev/sdX, from the directory
# STAGING (emptied first): BUSYBOX as /bin/busybox with its applet links,
# INIT (image/disk-init) as /sbin/init, a minimal /etc, the KVP daemon's
# scripts from the directory KVP_SCRIPTS (installed at the same path, where
# hv_kvp_daemon looks for them), and each MODE:DEST=SRC as /DEST with octal
# MODE (image/build.mk's IMAGE_CHILD_DISK_FILES: the hyperv-daemons
# programs). A dynamically linked program brings its dynamic loader and
# the shared libraries it needs, found from its ELF NEEDED entries
# recursively in this machine's library directories.
#
# mke2fs -d fills the file system without root privileges or a loop mount.
# The same inputs give the same bytes: a fixed UUID and directory hash seed,
# every time stamp SOURCE_DATE_EPOCH (at least 1: E2FSPROGS_FAKE_TIME=0
# means the real time), every file owned by root.
set -eu

[ $# -ge 6 ] || {
	echo "usage: $0 INIT BUSYBOX KVP_SCRIPTS SIZE_MIB STAGING OUT [MODE:DEST=SRC ...]" >&2
	exit 2
}
init=$1 busybox=$2 kvp=$3 size=$4 root=$5 out=$6
shift 6
export PATH="/usr/sbin:/sbin:$PATH"	# mke2fs, debugfs and e2fsck live in sbin
export LC_ALL=C				# byte order for sort
umask 022
epoch=${SOURCE_DATE_EPOCH:-0}
[ "$epoch" -ge 1 ] || epoch=1
export E2FSPROGS_FAKE_TIME="$epoch"
uuid=5e97a0c1-d15c-4a4e-8000-000000000001
hash_seed=5e97a0c1-d15c-4a4e-8000-000000000002
# Where the dynamic loader looks without an /etc/ld.so.cache, in its order
# (ld.so --help): the libraries go to the same place on the disk.
libdirs="/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib /usr/lib"

die() {
	echo "$0: $*" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case $kvp in
/*) ;;
*) die "$kvp: want an absolute path (the one hv_kvp_daemon looks in)" ;;
esac
[ -d "$kvp" ] || die "$kvp: no such directory"
case $size in
'' | *[!0-9]*) die "$size: not a size in MiB" ;;
esac
readelf -l "$busybox" | grep -q INTERP && die "$busybox is dynamically linked; want busybox-static"

rm -rf "$root"
mkdir -p "$root"
for d in bin sbin usr/bin usr/sbin dev proc sys run etc var/lib/hyperv; do
	mkdir -p "$root/$d"
done
install -d -m 1777 "$root/tmp"
install -d -m 0700 "$root/root"

install -m 0755 "$busybox" "$root/bin/busybox"
# sbin/init is ours; linuxrc is the old initrd entry point.
"$root/bin/busybox" --list-full >"$tmp/applets"
while read -r applet; do
	case $applet in
	bin/busybox | linuxrc | sbin/init) ;;
	*) ln -s /bin/busybox "$root/$applet" ;;
	esac
done <"$tmp/applets"
install -m 0755 "$init" "$root/sbin/init"

cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
EOF
echo septum-child >"$root/etc/hostname"
# What hv_kvp_daemon reports to the host as the guest's OS.
cat >"$root/etc/os-release" <<EOF
PRETTY_NAME="Septum child (busybox on Debian's Linux 6.1)"
NAME="Septum child"
ID=septum-child
VERSION_ID=1
EOF
# The initramfs mounts / and the disk's init the rest.
printf 'UUID=%s\t/\text4\trw\t0\t1\n' "$uuid" >"$root/etc/fstab"
ln -s ../proc/self/mounts "$root/etc/mtab"

# The scripts are examples for bash, but use nothing busybox's sh lacks.
mkdir -p "$root$kvp"
for f in "$kvp"/*; do
	[ -f "$f" ] || continue
	sed '1s|^#!/bin/bash$|#!/bin/sh|' "$f" >"$root$kvp/${f##*/}"
	chmod 0755 "$root$kvp/${f##*/}"
done

# findlib NAME: the path of shared library NAME on this machine.
findlib() {
	for d in $libdirs; do
		[ -f "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}

# Programs first; each dynamically linked one queues its loader and NEEDED
# entries, and each library installed queues its own.
: >"$tmp/elfs"
: >"$tmp/libs"
: >"$tmp/interps"
for spec in "$@"; do
	mode=${spec%%:*} rest=${spec#*:}
	dest=${rest%%=*} src=${rest#*=}
	mkdir -p "$root/${dest%/*}"
	install -m "$mode" "$src" "$root/$dest"
	readelf -h "$src" >/dev/null 2>&1 && echo "$src" >>"$tmp/elfs"
done
while [ -s "$tmp/elfs" ]; do
	mv "$tmp/elfs" "$tmp/scan"
	: >"$tmp/elfs"
	while read -r elf; do
		interp=$(readelf -l "$elf" | sed -n 's/.*program interpreter: \(.*\)\]$/\1/p')
		if [ -n "$interp" ]; then
			echo "$interp" >>"$tmp/interps"
			echo "${interp##*/}" >"$tmp/needed"
		else
			: >"$tmp/needed"
		fi
		readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' >>"$tmp/needed"
		while read -r lib; do
			grep -qxF "$lib" "$tmp/libs" && continue
			echo "$lib" >>"$tmp/libs"
			path=$(findlib "$lib") || die "$elf needs $lib: not in $libdirs"
			mkdir -p "$root${path%/*}"
			install -m 0755 "$path" "$root$path"
			echo "$path" >>"$tmp/elfs"
		done <"$tmp/needed"
	done <"$tmp/scan"
done
# The loader at the path the programs name (/lib64/...), as Debian links it.
sort -u "$tmp/interps" | while read -r interp; do
	[ -e "$root$interp" ] && continue
	path=$(findlib "${interp##*/}")
	mkdir -p "$root${interp%/*}"
	ln -s "$path" "$root$interp"
done

find "$root" -exec touch -h -d "@$epoch" {} +

# mke2fs -d copies each file's owner and its change and access times, which
# touch cannot set: debugfs sets them afterwards, file by file.
(cd "$root" && find . -printf '%P\n') | sort >"$tmp/files"
grep -q '[[:space:]"]' "$tmp/files" && die "$root: a file name with a blank or a quote"
while read -r f; do
	for field in uid gid; do
		echo "set_inode_field /$f $field 0"
	done
	for field in atime ctime; do
		echo "set_inode_field /$f $field @$epoch"
	done
done <"$tmp/files" >"$tmp/fixup"

rm -f "$out.tmp"
truncate -s "${size}M" "$out.tmp"
# 4 KiB blocks and an inode per 16 KiB, not the 1 KiB and 4 KiB mke2fs
# picks for a small file system; nothing reserved for root.
mke2fs -q -t ext4 -b 4096 -i 16384 -m 0 -L septum-child -U "$uuid" \
	-E "hash_seed=$hash_seed,root_owner=0:0" -d "$root" "$out.tmp"
debugfs -w -f "$tmp/fixup" "$out.tmp" >/dev/null 2>"$tmp/debugfs.err"
grep -v '^debugfs [0-9.]* (' "$tmp/debugfs.err" >&2 && die "debugfs failed on $out.tmp"
e2fsck -fn "$out.tmp" >"$tmp/e2fsck.out" 2>&1 || {
	cat "$tmp/e2fsck.out" >&2
	die "$out.tmp: e2fsck finds errors"
}
mv "$out.tmp" "$out"
