#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-fetch.sh
#
# Fetches (once) the newest qemu-system-x86 of bookworm-backports into
# $RECLAIMSCOPE_CACHE/qemu/<version>/ and prints "<qemu binary> <data dir>".
# Nothing is installed on the host and its apt configuration is not
# touched: a private sources list names the host's own Debian mirror (read
# from /etc/apt) and backports suite, and apt-get download fetches the
# three packages, unpacked with dpkg-deb -x.  The binary runs on the
# libraries Debian 12's own qemu-system-x86 (installed by make check)
# brings.
#
# Why not bookworm's QEMU 7.2: with multi-threaded TCG it runs code that
# another vCPU has just rewritten from a stale translation (see
# Documentation/reclaimscope.rst, "Testing"), which crashes guests that
# patch kernel text under load, with or without reclaimscope.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The host's Debian mirror: the first http(s) URI that serves bookworm.
rs_debian_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 == "deb" && $3 ~ /^bookworm(-updates)?$/ { print $2; exit }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		     /Suites:[^\n]*bookworm( |$|\n)/ && !/debian-security/ {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^URIs:/) { split($i, u, " "); print u[2]; exit }
		     }' "$f"
	done
}

top=$RS_CACHE/qemu
mirror=$(rs_debian_mirror | head -n 1)
[ -n "$mirror" ] || rs_die "no bookworm mirror found in /etc/apt"
apt_dir=$top/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb $mirror bookworm-backports main" > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list"
	-o "Dir::Etc::sourceparts=-" -o "Dir::State::lists=$apt_dir/lists"
	-o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root" -q)

version() {
	apt-cache "${apt_opts[@]}" show qemu-system-x86 2>/dev/null |
		awk '/^Version:/ { print $2 }' | grep 'bpo12' | sort -V | tail -n 1
}

ver=$(version || true)
if [ -z "$ver" ]; then
	rs_log "apt-get update (bookworm-backports, for QEMU; private lists in $apt_dir)"
	apt-get "${apt_opts[@]}" update > /dev/null ||
		rs_die "apt-get update of bookworm-backports failed"
	ver=$(version)
fi
[ -n "$ver" ] || rs_die "no qemu-system-x86 in bookworm-backports"

dest=$top/${ver//[:~+]/_}
if [ ! -e "$dest/.unpacked" ]; then
	rs_log "downloading and unpacking qemu-system-x86 $ver (bookworm-backports)"
	rm -rf "$dest"
	mkdir -p "$dest/deb" "$dest/root"
	(cd "$dest/deb" && apt-get "${apt_opts[@]}" download \
		"qemu-system-x86=$ver" "qemu-system-common=$ver" \
		"qemu-system-data=$ver" > /dev/null) ||
		rs_die "apt-get download of QEMU $ver failed"
	for d in "$dest"/deb/*.deb; do
		dpkg-deb -x "$d" "$dest/root"
	done
	rm -rf "$dest/deb"
	"$dest/root/usr/bin/qemu-system-x86_64" --version > /dev/null ||
		rs_die "QEMU $ver does not run here (missing libraries?)"
	touch "$dest/.unpacked"
fi
echo "$dest/root/usr/bin/qemu-system-x86_64 $dest/root/usr/share/qemu"
