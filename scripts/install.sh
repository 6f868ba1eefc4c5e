#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh STEP...: what `make install`, `make dkms-install`,
# `make uninstall` (and debian/rules, through `make install-cli` and
# `make install-dkms-src`) do.  Steps, run in the order given:
#
#   cli        the command-line tool, its man page and its systemd units
#              into DESTDIR: BINDIR/reclaimscope, MANDIR/man1/reclaimscope.1,
#              UNITDIR/reclaimscope-export.{service,timer} (not enabled)
#   dkms-src   the module's source and dkms.conf into
#              DESTDIR/usr/src/reclaimscope-<version>/
#   module     the module built for KDIR (make modules) into
#              DESTDIR/lib/modules/<release>/updates/ (Kbuild's
#              modules_install, which runs depmod)
#   dkms       dkms-src, then dkms add, build and install for kernel KVER
#   uninstall  undo all of the above (every kernel, every version that
#              was added to DKMS from a source tree), never touching a
#              file that a Debian package owns
#
# Settings come from the environment (the Makefile passes its own):
# DESTDIR, PREFIX (/usr/local), BINDIR, MANDIR, UNITDIR, KDIR, KVER.
# The version is RS_VERSION in include/reclaimscope/core.h.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
BINDIR=${BINDIR:-$PREFIX/bin}
MANDIR=${MANDIR:-$PREFIX/share/man}
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
KVER=${KVER:-$(uname -r)}
KDIR=${KDIR:-/lib/modules/$KVER/build}

name=reclaimscope
ver=$(sed -n 's/^.define[[:space:]]*RS_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$top/include/reclaimscope/core.h")

say() { printf 'reclaimscope: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
[ -n "$ver" ] || die "no RS_VERSION in include/reclaimscope/core.h"

# What DKMS builds from: Kbuild, the Makefile (for `make` and DKMS's
# default clean), module/, include/ and the feature probes.  Not tests/
# (dkms.conf's MAKE keeps Kbuild out of it).
dkms_files() {
	(cd "$top" && ls Kbuild Makefile module/*.c include/reclaimscope/*.h \
		scripts/probes.mk)
}

# owned PATH: a Debian package owns PATH.
owned() {
	command -v dpkg-query > /dev/null && dpkg-query -S "$1" > /dev/null 2>&1
}

step_cli() {
	local units=$DESTDIR$UNITDIR man=", no man page"
	install -D -m 0755 "$top/scripts/reclaimscope" "$DESTDIR$BINDIR/reclaimscope"
	install -d "$DESTDIR$MANDIR/man1" "$units"
	if command -v rst2man > /dev/null; then
		"$top/scripts/manpage.sh" > "$DESTDIR$MANDIR/man1/reclaimscope.1"
		chmod 0644 "$DESTDIR$MANDIR/man1/reclaimscope.1"
		man=", $MANDIR/man1/reclaimscope.1"
	else
		say "rst2man not found (Debian: python3-docutils): no man page installed"
	fi
	sed "s|@BINDIR@|$BINDIR|g" "$top/systemd/reclaimscope-export.service.in" \
		> "$units/reclaimscope-export.service"
	install -m 0644 "$top/systemd/reclaimscope-export.timer" "$units/"
	chmod 0644 "$units/reclaimscope-export.service"
	if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
	say "installed $BINDIR/reclaimscope$man and" \
		"$UNITDIR/reclaimscope-export.{service,timer} (not enabled)"
}

step_dkms_src() {
	local dst=$DESTDIR/usr/src/$name-$ver f
	for f in $(dkms_files); do
		install -D -m 0644 "$top/$f" "$dst/$f"
	done
	sed "s/#MODULE_VERSION#/$ver/g" "$top/dkms.conf" > "$dst/dkms.conf"
	chmod 0644 "$dst/dkms.conf"
}

step_module() {
	local rel
	[ -e "$KDIR/Makefile" ] || die "no kernel headers in $KDIR"
	# The release as the kernel reports it (vermagic, /lib/modules/):
	# Debian's 5.10 and 6.1 headers have the upstream version (5.10.262)
	# in include/config/kernel.release, which Kbuild would install under.
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$KDIR/include/generated/utsrelease.h" 2>/dev/null)
	[ -n "$rel" ] || die "$KDIR has no include/generated/utsrelease.h"
	# Unsigned (CONFIG_MODULE_SIG_ALL=): a distribution's headers have
	# no signing key.  For Secure Boot use make dkms-install (DKMS signs
	# with its MOK key on Debian) or sign it yourself.
	make -C "$KDIR" M="$top" KERNELRELEASE="$rel" INSTALL_MOD_DIR=updates \
		CONFIG_MODULE_SIG_ALL= ${DESTDIR:+INSTALL_MOD_PATH="$DESTDIR"} \
		modules_install
	# Kbuild skips depmod without the kernel's System.map, which a
	# headers package does not have.
	[ -n "$DESTDIR" ] || depmod "$rel"
	say "installed /lib/modules/$rel/updates/$name.ko (unsigned): modprobe $name loads it"
}

# The versions added to DKMS, newest last.
dkms_versions() {
	local d
	for d in /var/lib/dkms/$name/*/; do
		[ -d "$d" ] && [ ! -L "${d%/}" ] && basename "$d"
	done | sort -V
}

step_dkms() {
	local v st
	[ -z "$DESTDIR" ] || die "make dkms-install works on this system only (no DESTDIR)"
	command -v dkms > /dev/null || die "dkms is not installed (apt install dkms)"
	owned "/usr/src/$name-$ver/dkms.conf" &&
		die "the reclaimscope-dkms package provides $name $ver: use it, or apt purge it first"
	[ -e "/lib/modules/$KVER/build/include" ] ||
		die "no headers for kernel $KVER (apt install linux-headers-$KVER)"
	# Whatever a source tree added before, this version included, goes
	# first, so that DKMS builds these sources.
	for v in $(dkms_versions); do
		owned "/usr/src/$name-$v/dkms.conf" && continue
		dkms remove -m "$name" -v "$v" --all || true
		rm -rf "/usr/src/$name-$v"
	done
	step_dkms_src
	dkms add -m "$name" -v "$ver"
	st=0
	dkms build -m "$name" -v "$ver" -k "$KVER" || st=$?
	# 77: a BUILD_EXCLUSIVE directive of dkms.conf excludes the kernel.
	[ $st = 77 ] && die "kernel $KVER is not supported (dkms.conf's BUILD_EXCLUSIVE_*);" \
		"$name stays added to DKMS for the kernels that are"
	[ $st = 0 ] || die "dkms build failed (log: /var/lib/dkms/$name/$ver/build/make.log)"
	dkms install -m "$name" -v "$ver" -k "$KVER"
	say "DKMS built and installed $name $ver for $KVER, and rebuilds it" \
		"for every kernel whose headers are installed later"
}

step_uninstall() {
	local v f rel
	# DKMS: every version a source tree added (not a package's), on
	# this system only.
	if [ -z "$DESTDIR" ] && command -v dkms > /dev/null; then
		for v in $(dkms_versions); do
			if owned "/usr/src/$name-$v/dkms.conf"; then
				say "$name $v in DKMS belongs to the reclaimscope-dkms package: apt purge reclaimscope-dkms"
				continue
			fi
			dkms remove -m "$name" -v "$v" --all || true
		done
	fi
	for f in "$DESTDIR"/usr/src/$name-*; do
		[ -e "$f/dkms.conf" ] || continue
		owned "${f#"$DESTDIR"}/dkms.conf" && continue
		rm -rf "$f"
	done
	# make install's module (DKMS's are in updates/dkms/, and gone).
	for f in "$DESTDIR"/lib/modules/*/updates/$name.ko*; do
		[ -e "$f" ] || continue
		owned "${f#"$DESTDIR"}" && continue
		rm -f "$f"
		rel=${f#"$DESTDIR"/lib/modules/}
		rel=${rel%%/*}
		if [ -z "$DESTDIR" ] && [ -e "/lib/modules/$rel/modules.dep" ]; then
			depmod "$rel"
		fi
	done
	# The timer, if someone enabled it, goes off first.
	if [ -z "$DESTDIR" ] && [ -e "$UNITDIR/reclaimscope-export.timer" ] &&
			! owned "$UNITDIR/reclaimscope-export.timer"; then
		if [ -d /run/systemd/system ]; then
			systemctl disable --now reclaimscope-export.timer || true
		fi
		rm -f /etc/systemd/system/timers.target.wants/reclaimscope-export.timer
	fi
	for f in "$BINDIR/reclaimscope" "$MANDIR/man1/reclaimscope.1" \
			"$MANDIR/man1/reclaimscope.1.gz" \
			"$UNITDIR/reclaimscope-export.service" \
			"$UNITDIR/reclaimscope-export.timer"; do
		[ -e "$DESTDIR$f" ] || continue
		if owned "$f"; then
			say "$f belongs to the reclaimscope package: apt purge reclaimscope"
			continue
		fi
		rm -f "$DESTDIR$f"
	done
	# What the timer wrote (a package's purge removes it as well).
	rm -f "$DESTDIR/var/lib/prometheus/node-exporter/reclaimscope.prom"
	say "uninstalled"
}

[ $# -ge 1 ] || die "usage: install.sh cli|dkms-src|module|dkms|uninstall..."
for s in "$@"; do
	case "$s" in
	cli) step_cli ;;
	dkms-src) step_dkms_src ;;
	module) step_module ;;
	dkms) step_dkms ;;
	uninstall) step_uninstall ;;
	*) die "unknown step $s" ;;
	esac
done
