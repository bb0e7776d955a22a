#!/usr/bin/env bash
# Septum's one dependency installer: Debian bookworm packages only, idempotent.
# A stamp keyed on this script's content makes a second run finish at once.
set -euo pipefail

# The Debian kernel ABI that root and child boot and the VID builds against.
# This is the only place it is named; everything else reads build/deps/kernel.mk.
KERNEL_ABI=6.1.0-56

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build/deps"
stamp="$deps/.stamp-$(sha256sum "$0" | cut -c1-16)"
[ -e "$stamp" ] && exit 0

packages=(
	qemu-system-x86 qemu-utils    # the platform: TCG with emulated SVM + NPT
	binutils gcc make python3     # hypervisor and tools
	clang libclang-rt-14-dev      # libFuzzer, sanitizers
	libcmocka-dev pkg-config      # unit tests
	libjansson-dev liburing-dev   # VMMS API, storage backend
	busybox-static cpio kmod e2fsprogs iproute2 hyperv-daemons # images
	grub-pc-bin grub-common xorriso mtools  # the multiboot2 path GRUB takes on hardware
	acpica-tools                  # iasl, acpiexec: the child's ACPI tables are checked with them
	"linux-headers-$KERNEL_ABI-amd64"   # the VID's build tree
)

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive

echo "deps: apt-get update" >&2
$sudo apt-get update -q >/dev/null
if ! apt-cache show "linux-image-$KERNEL_ABI-amd64" >/dev/null 2>&1; then
	now=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: linux-image-\(.*\)-amd64/\1/p')
	echo "deps: linux-image-$KERNEL_ABI-amd64 is not in this machine's archive" >&2
	echo "deps: the archive offers ABI '${now:-none}'; update KERNEL_ABI in scripts/deps.sh" >&2
	exit 1
fi
echo "deps: apt-get install ${#packages[@]} packages" >&2
$sudo apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null

# The kernel image is extracted, not installed: the build host runs another kernel.
mkdir -p "$deps"
kdeb="linux-image-$KERNEL_ABI-amd64"
if [ ! -e "$deps/vmlinuz" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q "$kdeb" >/dev/null)
	rm -rf "$deps/kernel"
	dpkg-deb -x "$tmp"/"$kdeb"_*.deb "$deps/kernel"
	cp "$deps/kernel/boot/vmlinuz-$KERNEL_ABI-amd64" "$deps/vmlinuz"
fi
cat >"$deps/kernel.mk" <<MK
KERNEL_ABI := $KERNEL_ABI
KERNEL_RELEASE := $KERNEL_ABI-amd64
KERNEL_HEADERS := /usr/src/linux-headers-$KERNEL_ABI-amd64
MK

rm -f "$deps"/.stamp-*
touch "$stamp"
echo "deps: ready" >&2
