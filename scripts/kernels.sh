#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh SERIES...   (SERIES: 6.1 or 6.12)
#
# Finds the newest Debian stock amd64 kernel of each series, installs its
# headers (they only build where the package puts them: their Makefile and
# scripts link to /usr/src and /usr/lib/linux-kbuild-* by absolute path),
# and unpacks the image package, without installing it, into
# $RECLAIMSCOPE_CACHE/debian/<release>/.  Prints one line per series:
#   <series> <release> <unpacked image dir> <headers dir>
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rs_image_pattern() {
	case "$1" in
	6.1)  echo '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9.]+\+deb12-amd64-unsigned$' ;;
	*) rs_die "unknown kernel series $1 (want 6.1 or 6.12)" ;;
	esac
}

rs_newest_release() {
	apt-cache search --names-only "$(rs_image_pattern "$1")" |
		awk '{ print $1 }' | sed 's/^linux-image-//; s/-unsigned$//' |
		sort -V | tail -n 1
}

for series in "$@"; do
	rel=$(rs_newest_release "$series")
	if [ -z "$rel" ]; then
		rs_apt_update
		rel=$(rs_newest_release "$series")
	fi
	[ -n "$rel" ] || rs_die "no Debian $series kernel found by apt-cache"

	rs_need_pkgs "linux-headers-$rel"
	kdir=/usr/src/linux-headers-$rel

	dest=$RS_CACHE/debian/$rel
	if [ ! -e "$dest/.unpacked" ]; then
		rs_log "downloading and unpacking linux-image-$rel-unsigned"
		rm -rf "$dest"
		mkdir -p "$dest/deb" "$dest/root"
		(cd "$dest/deb" && apt-get download -q "linux-image-$rel-unsigned" >/dev/null) ||
			rs_die "apt-get download linux-image-$rel-unsigned failed"
		dpkg-deb -x "$dest"/deb/*.deb "$dest/root"
		rm -rf "$dest/deb"
		# depmod gives modules.dep, from which the initramfs takes
		# the modules a scenario needs in dependency order.
		depmod -b "$dest/root" "$rel"
		touch "$dest/.unpacked"
	fi
	echo "$series $rel $dest/root $kdir"
done
