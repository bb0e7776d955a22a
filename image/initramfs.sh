# What image/mkroot.sh and image/mkchild.sh share, sourced by both: a
# busybox tree with a kernel module closure, packed reproducibly. The
# caller sets -eu, LC_ALL=C and umask 022, and defines die(), $tmp (a
# scratch directory), $epoch (SOURCE_DATE_EPOCH), $rel and $index (the
# kernel release and its module index, from image/kmod-index.sh).
export PATH="/usr/sbin:/sbin:$PATH"	# modprobe and depmod live in sbin

# busybox_tree ROOT BUSYBOX INIT HOSTNAME GROUPS DIR...: ROOT emptied, then
# DIR... and the usual ones, BUSYBOX as /bin/busybox with its applet links,
# INIT as /init, /etc with root and GROUPS (group file lines) and HOSTNAME.
busybox_tree() {
	r=$1 bb=$2 init=$3 host=$4 groups=$5
	shift 5
	# A dynamically linked busybox (package busybox, not busybox-static)
	# would find no libc in the image and /init would not even start.
	readelf -l "$bb" | grep -q INTERP && die "$bb is dynamically linked; want busybox-static"
	rm -rf "$r"
	mkdir -p "$r"
	for d in bin sbin usr/bin usr/sbin dev proc sys run etc lib/modules/"$rel" "$@"; do
		mkdir -p "$r/$d"
	done
	install -d -m 1777 "$r/tmp"
	install -d -m 0700 "$r/root"
	install -m 0755 "$bb" "$r/bin/busybox"
	install -m 0755 "$init" "$r/init"
	# --list-full names each applet's place (bin/sh, usr/sbin/chroot, ...),
	# bin/busybox itself among them. linuxrc, the only one at the top, is
	# the old initrd entry point: /init is ours.
	"$r/bin/busybox" --list-full >"$tmp/applets"
	while read -r applet; do
		case $applet in
		bin/busybox | linuxrc) ;;
		*) ln -s /bin/busybox "$r/$applet" ;;
		esac
	done <"$tmp/applets"
	echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
	printf 'root:x:0:\n%s' "$groups" >"$r/etc/group"
	echo "$host" >"$r/etc/hostname"
	ln -s ../proc/self/mounts "$r/etc/mtab"
}

# module_closure ROOT MODULES: the modules MODULES names (installed as
# /etc/modules, which the inits load; comments and blank lines ignored)
# with everything kmod resolves them to: dependencies and soft
# dependencies (e.g. sd_mod -> t10-pi -> crc-t10dif, which wants a
# crct10dif implementation), as "insmod PATH" lines; built-in ones print
# "builtin NAME" and need no file.
module_closure() {
	r=$1 mods=$2
	install -m 0644 "$mods" "$r/etc/modules"
	: >"$tmp/ko"
	for m in $(sed 's/#.*//' "$mods"); do
		modprobe -d "$kmod" -S "$rel" --show-depends "$m" >"$tmp/deps" ||
			die "$mods: $m: not a module of $rel"
		awk '$1 == "insmod" { print $2 }' "$tmp/deps" >>"$tmp/ko"
	done
	sort -u -o "$tmp/ko" "$tmp/ko"
	while read -r ko; do
		case $ko in
		"$index"/*) ko=${ko#"$index"/} ;;
		*) die "$ko: outside $index" ;;
		esac
		mkdir -p "$r/lib/modules/$rel/${ko%/*}"
		install -m 0644 "$index/$ko" "$r/lib/modules/$rel/$ko"
	done <"$tmp/ko"
}

# module_index ROOT: modules.builtin* let modprobe succeed quietly for
# built-in drivers; depmod then writes the image's own modules.dep,
# modules.alias & co, over every module installed by then.
module_index() {
	install -m 0644 "$index"/modules.builtin "$index"/modules.builtin.modinfo \
		"$index"/modules.order "$1/lib/modules/$rel/"
	depmod -b "$1" "$rel"
}

# pack ROOT OUT LEVEL: ROOT as a gzip'd newc cpio, the same bytes for the
# same tree: fixed mtimes, owner root, a sorted file list, cpio
# --reproducible and gzip -n (no name or time in the header).
pack() {
	find "$1" -exec touch -h -d "@$epoch" {} +
	(cd "$1" && find . -mindepth 1 -printf '%P\0') >"$tmp/files"
	sort -z -o "$tmp/files" "$tmp/files"
	(cd "$1" && cpio -o -0 -H newc --reproducible -R 0:0 --quiet) <"$tmp/files" >"$tmp/image.cpio"
	gzip -n "-$3" -c "$tmp/image.cpio" >"$2.tmp"
	mv "$2.tmp" "$2"
}
