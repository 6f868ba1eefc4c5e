# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared shell helpers for reclaimscope's scripts.  Source, do not run.

RS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RS_CACHE=${RECLAIMSCOPE_CACHE:-$HOME/.cache/reclaimscope}
mkdir -p "$RS_CACHE"

rs_log() { printf 'reclaimscope: %s\n' "$*" >&2; }
rs_die() { rs_log "error: $*"; exit 1; }

rs_as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		rs_die "need root for: $*"
	fi
}

# apt-get update at most once per run of make (the flag is exported).
rs_apt_update() {
	[ -n "${RS_APT_UPDATED:-}" ] && return 0
	rs_log "apt-get update"
	rs_as_root apt-get update -q >/dev/null || rs_die "apt-get update failed"
	export RS_APT_UPDATED=1
}

rs_pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# Install the Debian packages that are not installed yet, and say so.
rs_need_pkgs() {
	local missing="" p
	for p in "$@"; do
		rs_pkg_installed "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	rs_log "installing missing Debian packages:$missing"
	rs_apt_update
	rs_as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $missing >/dev/null ||
		rs_die "apt-get install$missing failed"
}

# What the bench needs on the host (python3-docutils checks the
# Documentation; gnuplot-nox lets the CLI's PNG plot be tested).
# shellcheck disable=SC2034 # used by the scripts that source this file
RS_BENCH_PKGS="make gcc libc6-dev python3 qemu-system-x86 busybox-static \
cpio gzip xz-utils kmod sparse flex bison bc libelf-dev libssl-dev dwarves \
rsync linux-source-6.12 perl python3-docutils gnuplot-nox shellcheck"

# rs_use_qemu: run every guest on bookworm-backports' QEMU
# (scripts/qemu-fetch.sh says why), through RS_QEMU and RS_QEMU_DATA.
rs_use_qemu() {
	local q
	q=$("$RS_TOP/scripts/qemu-fetch.sh") || rs_die "no usable QEMU"
	read -r RS_QEMU RS_QEMU_DATA <<< "$q"
	export RS_QEMU RS_QEMU_DATA
}

# rs_chroot_run ROOT COMMAND...: run COMMAND inside the chroot at ROOT
# (made by scripts/chroot.sh), in mount and PID namespaces of its own
# with a fresh /proc (the 7.x objtool reads /proc/self), so nothing stays
# mounted on the host; a clean environment with the chroot's PATH.
rs_chroot_run() {
	local root=$1
	shift
	rs_as_root unshare -fp --mount-proc="$root/proc" chroot "$root" \
		/usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 TERM=dumb \
		DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		"$@"
}

# rs_kdir_chroot KDIR: the root of the chroot whose headers KDIR is (a
# path under $RS_CACHE/chroot/<release>/, as scripts/kernels.sh prints
# it), or nothing (status 1) for headers that build on the host.
rs_kdir_chroot() {
	local rest=${1#"$RS_CACHE/chroot/"}
	[ "$rest" != "$1" ] && [ -n "$rest" ] || return 1
	echo "$RS_CACHE/chroot/${rest%%/*}"
}

# rs_kernel_make KDIR DIR SUBDIR MAKEARGS...: where KDIR's headers
# build (on the host, or in their chroot), run make MAKEARGS for the tree
# copy in DIR: with SUBDIR empty, `make -C DIR KDIR=KDIR` (the top
# Makefile: modules, sparse, clean); else Kbuild's external module in
# DIR/SUBDIR, `make -C KDIR M=DIR/SUBDIR`.  In a chroot, DIR is copied to
# /build/<name of DIR> inside it, made there and copied back whole
# (objects, .ko), so the caller finds the result in DIR either way.
rs_kernel_make() {
	local kdir=$1 dir=$2 sub=$3 root in st
	shift 3
	if ! root=$(rs_kdir_chroot "$kdir"); then
		if [ -n "$sub" ]; then
			make -C "$kdir" M="$dir/$sub" "$@"
		else
			make -C "$dir" KDIR="$kdir" "$@"
		fi
		return
	fi
	in=/build/$(basename "$dir")
	kdir=${kdir#"$root"}
	mkdir -p "$root$in"
	# build.log (rs_build_module's, being written) stays outside.
	rsync -a --delete --exclude /build.log "$dir/" "$root$in/"
	st=0
	if [ -n "$sub" ]; then
		rs_chroot_run "$root" make -C "$kdir" M="$in/$sub" "$@" || st=$?
	else
		rs_chroot_run "$root" make -C "$in" KDIR="$kdir" "$@" || st=$?
	fi
	rsync -a --delete --exclude /build.log "$root$in/" "$dir/"
	return $st
}

# rs_build_module LABEL KDIR [SUBDIR]: build the module (and, where the
# kernel has CONFIG_KUNIT, the test module), or only the external module
# in SUBDIR (tests/bench), in a copy of the tree, so builds for several
# kernels do not overwrite each other.  Headers in a chroot
# (scripts/kernels.sh 5.10, 7.2, 7.3) build inside it, with that
# release's compiler (rs_kernel_make).  Prints the build dir,
# $RS_CACHE/build/LABEL; its build.log has make's output.
rs_build_module() {
	local label=$1 kdir=$2 sub=${3:-} dir=$RS_CACHE/build/$1
	mkdir -p "$dir"
	# What git ignores (build output of a build in the checkout itself:
	# objects, *.mod, Module.symvers, ...) is not copied.
	rsync -a --delete --exclude .git --filter=':- .gitignore' \
		"$RS_TOP/" "$dir/"
	rs_kernel_make "$kdir" "$dir" "$sub" modules > "$dir/build.log" 2>&1 || {
		cat "$dir/build.log" >&2
		return 1
	}
	echo "$dir"
}

# rs_guest LABEL KERNEL MODROOT KVER KMODS SCENARIO TIMEOUT FILES...
# Pack an initramfs, boot it and judge the log (tests/check/verdict.py).
# Uses $RS_RESULTS and, when set, $RS_KUNIT_PY and $RS_EXPECT_SUITES.
rs_guest() {
	local label=$1 kernel=$2 modroot=$3 kver=$4 kmods=$5 scenario=$6 tmo=$7
	shift 7
	local out=$RS_CACHE/runs/$label
	mkdir -p "$out"
	"$RS_TOP/scripts/mkinitramfs.sh" "$out/initrd.gz" "$modroot" "$kver" \
		"$kmods" "$@" || return 1
	"$RS_TOP/scripts/qemu-run.sh" "$kernel" "$out/initrd.gz" "$scenario" \
		"$out/serial.log" "$tmo"
	python3 "$RS_TOP/tests/check/verdict.py" "$out/serial.log" \
		--label "$label" ${RS_RESULTS:+--results "$RS_RESULTS"} \
		${RS_KUNIT_PY:+--kunit-py "$RS_KUNIT_PY"} \
		${RS_EXPECT_SUITES:+--expect-suites "$RS_EXPECT_SUITES"}
}
