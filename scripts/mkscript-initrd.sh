#!/bin/sh
# Usage: scripts/mkscript-initrd.sh FILE OUT
#
# Writes OUT, a gzip'd newc cpio holding FILE as /septum/script (0755,
# owner root) for make run SCRIPT=FILE: appended to the root's initramfs,
#
#	cat build/image/root.cpio.gz OUT >initrd
#
# the kernel unpacks both archives in turn (concatenated archives are
# supported), and the root's /init runs it when booted with
# septum.script=/septum/script. Same FILE, same bytes.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 FILE OUT" >&2; exit 2; }
file=$1 out=$2
[ -f "$file" ] || { echo "$0: $file: no such file" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 022

# The directory entry comes first: the kernel creates no missing parents.
mkdir "$tmp/septum"
install -m 0755 "$file" "$tmp/septum/script"
touch -d "@${SOURCE_DATE_EPOCH:-0}" "$tmp/septum/script" "$tmp/septum"
printf 'septum\nseptum/script\n' |
	(cd "$tmp" && cpio -o -H newc --reproducible -R 0:0 --quiet) >"$tmp/script.cpio"
gzip -n -1 -c "$tmp/script.cpio" >"$out.tmp"
mv "$out.tmp" "$out"
