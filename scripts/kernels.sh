#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernels.sh SERIES...   (SERIES: 5.10, 6.1, 6.12, 7.2 or 7.3)
#
# Finds the newest Debian stock amd64 kernel of each series, installs its
# headers and unpacks its image packages, without installing them, into
# $RECLAIMSCOPE_CACHE/debian/<release>/root.  Prints one line per series:
#   <series> <release> <unpacked image dir> <headers dir>
# The unpacked image dir always has boot/vmlinuz-<release> (and
# boot/config-<release>) and lib/modules/<release>/ with modules.dep.
#
# Where the headers build:
# - 6.1 and 6.12 (bookworm, the host's release): on the host.  The
#   headers package is installed on the host (it only builds where the
#   package puts it: its Makefile and scripts link to /usr/src and
#   /usr/lib/linux-kbuild-* by absolute path).
# - 5.10 (bullseye), 7.2 (sid) and 7.3 (trixie-backports): their headers
#   need their own release's gcc and glibc, so they are installed in a
#   chroot of that release (scripts/chroot.sh) and the headers dir printed
#   is the path on the host, under $RECLAIMSCOPE_CACHE/chroot/<release>/.
#   rs_build_module (lib.sh) sees that and builds inside the chroot.
#   Their packages are also fetched with the chroot's apt.
#
# Images: up to 6.x a kernel is one linux-image-<rel>-unsigned package
# (vmlinuz in boot/); Debian's 7.x kernels have no -unsigned image and
# are split into linux-binary-<rel> (vmlinuz in usr/lib/modules/<rel>/),
# linux-modules-<rel> and linux-base-<rel> (config, System.map).  Which
# form a kernel has is read from the archive, not from its version.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# rs_series SERIES: "<Debian release or host> <headers package regex>"
rs_series() {
	case "$1" in
	5.10) echo 'bullseye ^linux-headers-5\.10\.0-[0-9]+-amd64$' ;;
	6.1)  echo 'host ^linux-headers-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) echo 'host ^linux-headers-6\.12\.[0-9.]+\+deb12-amd64$' ;;
	7.2)  echo 'sid ^linux-headers-7\.2\.[0-9.]+\+deb14-amd64$' ;;
	7.3)  echo 'trixie ^linux-headers-7\.3\.[0-9.]+\+deb13-amd64$' ;;
	*) rs_die "unknown kernel series $1 (want 5.10, 6.1, 6.12, 7.2 or 7.3)" ;;
	esac
}

# rs_apt_cmd ROOT COMMAND...: an apt/dpkg command on the host (ROOT
# "host", as root) or in the chroot at ROOT.
rs_apt_cmd() {
	local root=$1
	shift
	if [ "$root" = host ]; then
		rs_as_root "$@"
	else
		rs_chroot_run "$root" "$@"
	fi
}

# rs_newest_release ROOT REGEX: the newest headers package's release.
rs_newest_release() {
	rs_apt_cmd "$1" apt-cache search --names-only "$2" |
		awk '{ print $1 }' | sed 's/^linux-headers-//' | sort -V | tail -n 1
}

# rs_pkg_exists ROOT PACKAGE
rs_pkg_exists() {
	rs_apt_cmd "$1" apt-cache show --no-all-versions "$2" > /dev/null 2>&1
}

# rs_unpack ROOT REL DEST: the image packages of REL, downloaded by ROOT's
# apt and unpacked into DEST/root with the layout described above.
rs_unpack() {
	local root=$1 rel=$2 dest=$3 pkgs p debs m
	if rs_pkg_exists "$root" "linux-image-$rel-unsigned"; then
		pkgs="linux-image-$rel-unsigned"
	else
		pkgs="linux-binary-$rel linux-modules-$rel linux-base-$rel"
		for p in $pkgs; do
			rs_pkg_exists "$root" "$p" ||
				rs_die "neither linux-image-$rel-unsigned nor $p in the archive"
		done
	fi
	rs_log "downloading and unpacking $pkgs"
	rm -rf "$dest"
	mkdir -p "$dest/root"
	if [ "$root" = host ]; then
		debs=$dest/deb
		mkdir -p "$debs"
		# shellcheck disable=SC2086 # one word per package
		(cd "$debs" && apt-get download -q $pkgs > /dev/null) ||
			rs_die "apt-get download $pkgs failed"
	else
		debs=$root/tmp/rs-debs
		rm -rf "$debs"
		mkdir -p "$debs"
		# apt fetches as its own user (_apt) into it.
		chmod 0777 "$debs"
		# shellcheck disable=SC2086
		rs_chroot_run "$root" sh -c "cd /tmp/rs-debs && apt-get download -q $pkgs" \
			> /dev/null || rs_die "apt-get download $pkgs failed"
	fi
	for p in "$debs"/*.deb; do
		dpkg-deb -x "$p" "$dest/root"
	done
	rm -rf "$debs"

	m=$dest/root
	# A merged-/usr package has usr/lib/modules only: lib/ as on a
	# merged-/usr system, for every reader of lib/modules/<rel>.
	if [ ! -e "$m/lib" ] && [ -d "$m/usr/lib" ]; then
		ln -s usr/lib "$m/lib"
	fi
	[ -d "$m/lib/modules/$rel" ] || rs_die "$pkgs: no lib/modules/$rel"
	# The 7.x packages keep vmlinuz, config and System.map in
	# lib/modules/<rel>/: linked into boot/ under the usual names.
	mkdir -p "$m/boot"
	for p in vmlinuz config System.map; do
		[ -e "$m/boot/$p-$rel" ] || [ ! -f "$m/lib/modules/$rel/$p" ] ||
			ln -f "$m/lib/modules/$rel/$p" "$m/boot/$p-$rel" 2>/dev/null ||
			cp "$m/lib/modules/$rel/$p" "$m/boot/$p-$rel"
	done
	[ -e "$m/boot/vmlinuz-$rel" ] || rs_die "$pkgs: no vmlinuz"
	# depmod gives modules.dep, from which the initramfs takes the
	# modules a scenario needs in dependency order.
	depmod -b "$m" "$rel"
	[ -s "$m/lib/modules/$rel/modules.dep" ] || rs_die "depmod $rel gave no modules.dep"
	touch "$dest/.unpacked"
}

for series in "$@"; do
	read -r where regex <<< "$(rs_series "$series")"
	if [ "$where" = host ]; then
		root=host
	else
		root=$("$RS_TOP/scripts/chroot.sh" "$where") ||
			rs_die "no $where chroot"
	fi

	rel=$(rs_newest_release "$root" "$regex")
	if [ -z "$rel" ]; then
		if [ "$root" = host ]; then
			rs_apt_update
		else
			rs_chroot_run "$root" apt-get update -q > /dev/null ||
				rs_die "apt-get update in the $where chroot failed"
		fi
		rel=$(rs_newest_release "$root" "$regex")
	fi
	[ -n "$rel" ] || rs_die "no Debian $series kernel found by apt-cache"

	if [ "$root" = host ]; then
		rs_need_pkgs "linux-headers-$rel"
		kdir=/usr/src/linux-headers-$rel
	else
		if ! rs_chroot_run "$root" dpkg-query -W -f='${Status}' \
				"linux-headers-$rel" 2>/dev/null | grep -q 'ok installed'; then
			rs_log "installing linux-headers-$rel in the $where chroot"
			rs_chroot_run "$root" apt-get install -y -q "linux-headers-$rel" \
				> /dev/null || {
				rs_chroot_run "$root" apt-get update -q > /dev/null
				rs_chroot_run "$root" apt-get install -y -q \
					"linux-headers-$rel" > /dev/null
			} || rs_die "apt-get install linux-headers-$rel failed in the $where chroot"
			rs_chroot_run "$root" apt-get clean
		fi
		kdir=$root/usr/src/linux-headers-$rel
	fi
	[ -e "$kdir/Makefile" ] || rs_die "no headers in $kdir"

	dest=$RS_CACHE/debian/$rel
	[ -e "$dest/.unpacked" ] || rs_unpack "$root" "$rel" "$dest"
	echo "$series $rel $dest/root $kdir"
done
