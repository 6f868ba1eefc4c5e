#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# chroot.sh RELEASE                 make (once) and print the chroot's root
# chroot.sh RELEASE -- COMMAND...   run COMMAND inside it (made if need be)
#
# RELEASE: bullseye, bookworm, trixie (with trixie-backports) or sid.
# (bookworm is the host's own release: its chroot is for testing the
# packages in a clean system, scripts/dkms-test.sh, not for building.)
#
# A kernel's headers only build with its own release's gcc and glibc, so
# the module for a kernel that is not the host's release is built in a
# `debootstrap --variant=minbase` chroot of that release, kept in
# $RECLAIMSCOPE_CACHE/chroot/<release>/.  It is made from the Debian
# mirror the host's apt uses (read from /etc/apt each time; no host name
# is written anywhere but into the chroot's own sources.list), and holds
# what the kernel's Kbuild needs (make, gcc, libc6-dev, libelf-dev, ...).
# The kernel headers themselves are installed by scripts/kernels.sh.
#
# <release>.stamp beside the root marks a finished chroot; a chroot
# without it (an interrupted run) is made again from scratch.  Nothing is
# mounted on the host: commands run in their own mount and PID
# namespaces, with a /proc of their own (the 7.x objtool reads it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || rs_die "usage: chroot.sh RELEASE [-- COMMAND...]"
release=$1
shift

# What Kbuild needs to build an external module against a headers
# package (the headers package brings its own gcc version and kbuild
# tools): make, a C compiler and libc headers, libelf (objtool, resolve
# BTF ids), and sparse for `make C=2`.
pkgs="make gcc libc6-dev libelf-dev sparse xz-utils kmod ca-certificates"

case "$release" in
bullseye | bookworm | trixie | sid) ;;
*) rs_die "unknown release $release (want bullseye, bookworm, trixie or sid)" ;;
esac

# rs_apt_uris KIND: the host apt's http(s) URIs; KIND "security" gives
# the ones serving a *-security suite, "main" the others.  One-line
# sources (*.list) and deb822 (*.sources) are both read.
rs_apt_uris() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk -v kind="$1" '$1 == "deb" {
			line = $0
			sub(/\[[^]]*\]/, "", line)	# [ options ]
			split(line, w, " ")
			sec = w[3] ~ /-security$/
			if (w[2] ~ /^https?:/ && sec == (kind == "security"))
				print w[2]
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v kind="$1" 'BEGIN { RS = ""; FS = "\n" } {
			uris = ""; suites = ""; enabled = 1
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^URIs:/) uris = $i
				if ($i ~ /^Suites:/) suites = $i
				if ($i ~ /^Enabled: *no/) enabled = 0
			}
			if (!enabled || $0 !~ /(^|\n)Types:[^\n]*deb( |$|\n)/) next
			sec = suites ~ /-security/
			if (sec != (kind == "security")) next
			n = split(uris, u, " ")
			for (j = 2; j <= n; j++) if (u[j] ~ /^https?:/) print u[j]
		}' "$f"
	done
}

# The host's Debian mirror (KIND main) or security mirror (KIND
# security): the first such URI with "debian" in it.
rs_mirror() {
	local uri
	for uri in $(rs_apt_uris "$1"); do
		uri=${uri%/}
		case "$uri" in
		*debian*) echo "$uri"; return 0 ;;
		esac
	done
	return 1
}

top=$RS_CACHE/chroot
root=$top/$release
stamp=$top/$release.stamp
mkdir -p "$top"
# One run at a time per release (make and remake under a lock).
exec 9> "$top/$release.lock"
flock 9

rs_chroot_write_apt() {
	local mirror=$1 security=$2
	{
		case "$release" in
		bullseye)
			echo "deb $mirror bullseye main"
			echo "deb $mirror bullseye-updates main"
			[ -z "$security" ] || echo "deb $security bullseye-security main"
			;;
		bookworm)
			echo "deb $mirror bookworm main"
			echo "deb $mirror bookworm-updates main"
			[ -z "$security" ] || echo "deb $security bookworm-security main"
			;;
		trixie)
			echo "deb $mirror trixie main"
			echo "deb $mirror trixie-updates main"
			echo "deb $mirror trixie-backports main"
			[ -z "$security" ] || echo "deb $security trixie-security main"
			;;
		sid)
			echo "deb $mirror sid main"
			;;
		esac
	} > "$root/etc/apt/sources.list"
}

# The chroot's own apt settings, and the host's resolver (written at
# every run: both may have changed since the chroot was made).
rs_chroot_conf() {
	# A mirror snapshot serves Release files past their Valid-Until
	# (sid's is a week): accept them, in this chroot only.  No pty for
	# dpkg's log: the chroot has no /dev/pts.
	cat > "$root/etc/apt/apt.conf.d/90reclaimscope" <<-EOF
	Acquire::Check-Valid-Until "false";
	APT::Install-Recommends "false";
	APT::Install-Suggests "false";
	Acquire::Languages "none";
	Dpkg::Use-Pty "false";
	EOF
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

# Install what is missing of $pkgs (a stamped chroot made before a
# package was added to the list gets it here).
rs_chroot_pkgs() {
	local missing
	# shellcheck disable=SC2086 # word splitting of the list is wanted
	missing=$(rs_chroot_run "$root" dpkg-query -W -f='${Package} ${Status}\n' \
			$pkgs 2>/dev/null | awk '$NF == "installed" { ok[$1] = 1 }
			END { n = split(p, a, " "); for (i = 1; i <= n; i++)
				if (!ok[a[i]]) printf "%s ", a[i] }' p="$pkgs")
	[ -n "$missing" ] || return 0
	rs_log "chroot $release: installing $missing"
	rs_chroot_run "$root" apt-get update -q > /dev/null ||
		rs_die "chroot $release: apt-get update failed"
	# shellcheck disable=SC2086
	rs_chroot_run "$root" apt-get install -y -q $missing > /dev/null ||
		rs_die "chroot $release: apt-get install $missing failed"
}

if [ ! -e "$stamp" ]; then
	rs_need_pkgs debootstrap
	mirror=$(rs_mirror main) || rs_die "no Debian mirror found in /etc/apt"
	security=
	[ "$release" = sid ] || security=$(rs_mirror security || true)
	rs_log "creating the $release chroot in $root from $mirror (takes minutes)"
	t0=$SECONDS
	rm -rf "$root"
	mkdir -p "$top"
	# debootstrap has no script for a release newer than itself: sid's
	# script bootstraps every release since bullseye.
	script=
	[ -e "/usr/share/debootstrap/scripts/$release" ] ||
		script=/usr/share/debootstrap/scripts/sid
	debootstrap --variant=minbase --include="${pkgs// /,}" \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		"$release" "$root" "$mirror" $script > "$top/$release.log" 2>&1 || {
		tail -n 20 "$top/$release.log" >&2
		rs_die "debootstrap $release failed (log: $top/$release.log)"
	}
	rs_chroot_write_apt "$mirror" "$security"
	rs_chroot_conf
	rs_chroot_run "$root" apt-get update -q > /dev/null ||
		rs_die "chroot $release: apt-get update failed"
	rs_chroot_run "$root" apt-get clean
	printf 'release %s\nmirror %s\nsecurity %s\nseconds %d\ncreated %s\n' \
		"$release" "$mirror" "${security:--}" $((SECONDS - t0)) \
		"$(date -u +%FT%TZ)" > "$stamp"
	rs_log "chroot $release made in $((SECONDS - t0)) s"
fi
rs_chroot_conf
# Package lists older than a day are fetched again, so that the newest
# kernel of a line is seen (scripts/kernels.sh).
if [ -z "$(find "$root/var/lib/apt/lists" -maxdepth 1 -name '*Release' \
		-mmin -1440 2>/dev/null | head -n 1)" ]; then
	rs_log "chroot $release: apt-get update"
	rs_chroot_run "$root" apt-get update -q > /dev/null ||
		rs_die "chroot $release: apt-get update failed"
fi
rs_chroot_pkgs

if [ $# -eq 0 ]; then
	echo "$root"
	exit 0
fi
[ "$1" = -- ] || rs_die "usage: chroot.sh RELEASE [-- COMMAND...]"
shift
rs_chroot_run "$root" "$@"
