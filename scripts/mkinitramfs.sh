#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT MODROOT KVER KMODS [SRC=DST ...]
#
# Builds a gzip'd cpio initramfs for a reclaimscope guest: busybox-static,
# tests/guest/ (init, helpers, scenarios, and the programs in
# tests/guest/tools/ built static into /bin), the kernel modules named in
# KMODS (space separated) with everything they depend on, decompressed and
# listed in load order in /rs/kmods, and extra files given as SRC=DST.
# MODROOT is an unpacked Debian image (with modules.dep), or "-" for a
# kernel that has the drivers built in.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1 modroot=$2 kver=$3 kmods=$4
shift 4

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,mnt,rs/kmod}
cp /bin/busybox "$stage/bin/busybox"
cp -r "$RS_TOP/tests/guest/." "$stage/rs/"
mv "$stage/rs/init" "$stage/init"
chmod +x "$stage/init"
rm -rf "$stage/rs/tools"
for c in "$RS_TOP"/tests/guest/tools/*.c; do
	t=$(basename "$c" .c)
	gcc -static -O2 -Wall -Werror -o "$stage/bin/$t" "$c" ||
		rs_die "cannot build guest tool $t"
done
: > "$stage/rs/kmods"

# Resolve module names to files through modules.dep, dependencies first.
declare -A seen=()
rs_add_kmod() {
	local name=$1 path deps d line
	name=${name//-/_}
	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	if grep -qE "/${name}\.ko(\.xz)?\$" "$moddir/modules.builtin" 2>/dev/null; then
		return 0
	fi
	line=$(grep -E "^([^:]*/)?${name}\.ko(\.xz)?:" "$moddir/modules.dep" || true)
	if [ -z "$line" ]; then
		line=$(grep -E "^([^:]*/)?${name//_/-}\.ko(\.xz)?:" "$moddir/modules.dep" || true)
	fi
	[ -n "$line" ] || rs_die "module $name not found for $kver"
	path=${line%%:*}
	deps=${line#*:}
	for d in $deps; do
		d=${d##*/}
		rs_add_kmod "${d%%.ko*}"
	done
	case "$path" in
	*.xz) xz -dc "$moddir/$path" > "$stage/rs/kmod/$name.ko" ;;
	*) cp "$moddir/$path" "$stage/rs/kmod/$name.ko" ;;
	esac
	echo "$name" >> "$stage/rs/kmods"
}

if [ "$modroot" != - ]; then
	moddir=$modroot/lib/modules/$kver
	for m in $kmods; do
		rs_add_kmod "$m"
	done
fi

for spec in "$@"; do
	src=${spec%%=*}
	dst=${spec#*=}
	mkdir -p "$(dirname "$stage/$dst")"
	cp "$src" "$stage/$dst"
done

(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
