#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-test.sh [RELEASE...]   (default: bookworm trixie bullseye; as root)
#
# The packages' life cycle, end to end:
# - `make deb` in a clean `git archive` of the checkout (HEAD plus its
#   uncommitted changes to tracked files, no .git): exactly the two .deb
#   files, .changes and .buildinfo in dist/; their fields and files;
#   lintian (no error, and every tag it prints is listed).
# - For each Debian release, a throwaway copy of its chroot
#   (scripts/chroot.sh): an overlay whose lower layer is the cached
#   chroot, mounted in a mount namespace of this script's own, so that
#   neither the cached chroot nor the host's mounts change.  There, with
#   that release's kernel headers installed:
#     bookworm  6.12 and 6.1 (6.1's headers installed after the packages:
#               the headers' hook builds the module, as on a kernel upgrade)
#     trixie    7.3 (trixie-backports)
#     bullseye  5.10: its dkms (2.8.4) is older than the 3.0.3-4 that
#               reclaimscope-dkms needs (BUILD_EXCLUSIVE_CONFIG), so apt
#               refuses that package there; the source tree's
#               `make dkms-install`, `make install` and `make uninstall`
#               are tested instead, and the CLI package.
#   `apt-get install ./dist/*.deb`: DKMS builds and installs the module
#   for every kernel with headers (dkms status, the .ko, its vermagic and
#   DKMS's signature); two fake kernels it must skip without failing the
#   install or a kernel hook: 4.19 (below the 5.10 floor) and one without
#   CONFIG_KPROBES; the CLI, its man page and its timer's command on a
#   captured tree, the timer not enabled; `apt-get purge`: nothing left
#   (no file named *reclaimscope* anywhere that was not there before, so
#   nothing under /usr/src, /var/lib/dkms or /lib/modules/*/updates).
# - What DKMS built is kept, for a QEMU guest to load exactly that, in
#   $RECLAIMSCOPE_CACHE/dkms-built/<kernel release>/reclaimscope.ko
#   (uncompressed, with DKMS's signature), beside reclaimscope.info.
#
# Prints "PASS name detail" / "FAIL name detail" lines, timings, and last
# "N passed, N failed"; exit status 1 if anything failed.  Downloads
# (dkms, python3, the second bookworm headers) are kept in
# $RECLAIMSCOPE_CACHE/dkms-test/apt/<release>/ for the next run.
# RS_KEEP=1 keeps each release's overlay (upper layer) for a look after.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

T=$RS_CACHE/dkms-test
RESULTS=$T/results
KEEP=${RS_KEEP:-}
# The fake kernels DKMS must skip.
OLD_KERNEL=4.19.0-99-amd64
NOKPROBES_KERNEL=6.1.0-99-nokprobes

rs_t() {	# NAME OK DETAIL...
	local name=$1 ok=$2
	shift 2
	if [ "$ok" = 1 ]; then
		echo "PASS $name $*" | tee -a "$RESULTS"
	else
		echo "FAIL $name $*" | tee -a "$RESULTS"
	fi
}

# The headers regex of a kernel line (as scripts/kernels.sh's rs_series).
rs_t_regex() {
	case "$1" in
	5.10) echo '^linux-headers-5\.10\.0-[0-9]+-amd64$' ;;
	6.1)  echo '^linux-headers-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) echo '^linux-headers-6\.12\.[0-9.]+\+deb12-amd64$' ;;
	7.3)  echo '^linux-headers-7\.3\.[0-9.]+\+deb13-amd64$' ;;
	esac
}

# rs_t_newest ROOT SERIES: the newest kernel release of SERIES that
# ROOT's apt knows.
rs_t_newest() {
	rs_chroot_run "$1" apt-cache search --names-only "$(rs_t_regex "$2")" |
		awk '{ print $1 }' | sed 's/^linux-headers-//' | sort -V | tail -n 1
}

# ---------------------------------------------------------------------
# Inside the mount namespace: one release.

# rs_in ROOT COMMAND...: run in the chroot, output to the step's log.
rs_in() {
	local root=$1
	shift
	rs_chroot_run "$root" "$@" >> "$LOG" 2>&1
}

# rs_t_module ROOT REL KREL HOW: the module DKMS built for KREL is
# installed, and a copy goes to $RS_CACHE/dkms-built/KREL/.
rs_t_module() {
	local root=$1 rel=$2 k=$3 how=$4 ko st vm signer out
	st=$(rs_chroot_run "$root" dkms status -m reclaimscope -k "$k" 2>/dev/null | tr '\n' ' ')
	ko=$(cd "$root" && ls lib/modules/"$k"/updates/dkms/reclaimscope.ko* 2>/dev/null | head -n 1)
	if [ -z "$ko" ] || ! echo "$st" | grep -q 'installed'; then
		rs_t "$rel:dkms:$k" 0 "no module installed ($how); dkms status: ${st:-nothing}"
		return
	fi
	out=$RS_CACHE/dkms-built/$k
	rm -rf "$out"
	mkdir -p "$out"
	case "$ko" in
	*.xz) xz -dc "$root/$ko" > "$out/reclaimscope.ko" ;;
	*.zst) zstd -qdc "$root/$ko" > "$out/reclaimscope.ko" ;;
	*.gz) gzip -dc "$root/$ko" > "$out/reclaimscope.ko" ;;
	*) cp "$root/$ko" "$out/reclaimscope.ko" ;;
	esac
	vm=$(modinfo -F vermagic "$out/reclaimscope.ko" 2>/dev/null)
	signer=$(modinfo -F signer "$out/reclaimscope.ko" 2>/dev/null)
	{
		echo "kernel $k"
		echo "release $rel"
		echo "dkms $(rs_chroot_run "$root" dpkg-query -W -f='${Version}' dkms 2>/dev/null)"
		echo "installed_as /$ko"
		echo "vermagic $vm"
		echo "signer ${signer:-none}"
		echo "sha256 $(sha256sum < "$out/reclaimscope.ko" | cut -d' ' -f1)"
		echo "built $(date -u +%FT%TZ)"
	} > "$out/reclaimscope.info"
	if [ "${vm%% *}" != "$k" ]; then
		rs_t "$rel:dkms:$k" 0 "/$ko has vermagic '$vm'"
		return
	fi
	rs_t "$rel:dkms:$k" 1 "$how: /$ko (dkms status: ${st% }), kept in $out"
	# On Debian, DKMS signs what it builds with its own key
	# (/var/lib/dkms/mok.key), the one to enrol for Secure Boot; not
	# Debian 11's dkms 2.8.4, which signs nothing.
	if [ "$rel" = bullseye ]; then
		echo "INFO $rel: $k's module is ${signer:+signed by $signer}${signer:-unsigned} (dkms 2.8.4 signs nothing)" >> "$T/timings"
	elif [ -n "$signer" ]; then
		rs_t "$rel:signed:$k" 1 "signer '$signer'"
	else
		rs_t "$rel:signed:$k" 0 "DKMS did not sign /$ko"
	fi
}

# rs_t_fake ROOT KREL WITHOUT: a headers directory DKMS accepts as one
# (an include/ and a .config), for a kernel release that must be
# skipped: its .config is a real one without the option WITHOUT.
rs_t_fake() {
	local root=$1 k=$2 without=$3 d cfg
	d=$root/lib/modules/$k/build
	mkdir -p "$d/include"
	cfg=$(ls "$root"/usr/src/linux-headers-*-amd64/.config | head -n 1)
	grep -v "^$without=" "$cfg" > "$d/.config"
}

# rs_t_skipped ROOT REL KREL LOGFILE WHY: DKMS said it skips KREL and
# built nothing for it.
rs_t_skipped() {
	local root=$1 rel=$2 k=$3 log=$4 why=$5 st
	st=$(rs_chroot_run "$root" dkms status -m reclaimscope -k "$k" 2>/dev/null | grep -F "$k")
	# (dkms 3.0 says it on one line, 3.2 over three)
	if grep -A2 -F "/$k/" "$log" | grep -q 'BUILD_EXCLUSIVE directive' &&
			[ -z "$st" ]; then
		rs_t "$rel:skip:$k" 1 "$why: DKMS skipped it (BUILD_EXCLUSIVE), install went on"
	else
		rs_t "$rel:skip:$k" 0 "$why: no BUILD_EXCLUSIVE message, or dkms status '$st' (log $log)"
	fi
}

# rs_t_hook ROOT REL KREL: the kernel's headers hook (what a headers
# package's postinst runs) succeeds for a kernel DKMS skips.
rs_t_hook() {
	local root=$1 rel=$2 k=$3 out st=0
	out=$(rs_chroot_run "$root" /etc/kernel/header_postinst.d/dkms "$k" 2>&1) || st=$?
	echo "$out" >> "$LOG"
	if [ $st = 0 ] && echo "$out" | grep -q BUILD_EXCLUSIVE &&
			[ -z "$(rs_chroot_run "$root" dkms status -m reclaimscope -k "$k" 2>/dev/null | grep -F "$k")" ]; then
		rs_t "$rel:hook:$k" 1 "the headers' hook skips it and exits 0: '$(echo "$out" | grep BUILD_EXCLUSIVE | head -n 1)'"
	elif [ $st = 0 ]; then
		rs_t "$rel:hook:$k" 0 "the headers' hook exits 0 but did not say BUILD_EXCLUSIVE, or built it"
	else
		rs_t "$rel:hook:$k" 0 "the headers hook exits $st: a kernel upgrade would fail: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
}

# rs_t_names ROOT: every path on the chroot's file system with
# reclaimscope in its name, but the test's own files.
rs_t_names() {
	(cd "$1" && find . -xdev \( -path ./proc -o -path ./tmp/rs -o -path ./build \) \
		-prune -o -iname '*reclaimscope*' -print) | sed 's|^\.||' | sort
}

# rs_t_cli ROOT REL: the installed tool runs with the release's python3.
rs_t_cli() {
	local root=$1 rel=$2 py cmd out wants
	py=$(rs_chroot_run "$root" python3 --version 2>&1)
	if rs_in "$root" reclaimscope --help &&
			rs_in "$root" reclaimscope snapshot --root /tmp/rs/fixture; then
		rs_t "$rel:cli" 1 "/usr/bin/reclaimscope --help and snapshot run on $py"
	else
		rs_t "$rel:cli" 0 "/usr/bin/reclaimscope fails on $py (log $LOG)"
	fi
	# grep reads it all: with pipefail, grep -q would stop early and
	# zcat's SIGPIPE fail the test once the page outgrows a pipe.
	if zcat "$root/usr/share/man/man1/reclaimscope.1.gz" 2>/dev/null |
			grep '^\.TH "RECLAIMSCOPE" 1' > /dev/null; then
		rs_t "$rel:man" 1 "/usr/share/man/man1/reclaimscope.1.gz"
	else
		rs_t "$rel:man" 0 "no reclaimscope(1)"
	fi
	# The timer's service, its command run on a captured tree.
	cmd=$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/reclaimscope-export.service")
	out=/var/lib/prometheus/node-exporter/reclaimscope.prom
	wants=$root/etc/systemd/system/timers.target.wants/reclaimscope-export.timer
	# shellcheck disable=SC2086 # the unit's command line, split as systemd would
	if [ -e "$root/lib/systemd/system/reclaimscope-export.timer" ] &&
			grep -q '^OnCalendar=.*/15$' "$root/lib/systemd/system/reclaimscope-export.timer" &&
			rs_in "$root" mkdir -p "${out%/*}" &&
			rs_in "$root" $cmd --root /tmp/rs/fixture &&
			grep -q '^reclaimscope_info{' "$root$out" && [ ! -e "$wants" ] &&
			[ ! -L "$wants" ]; then
		rs_t "$rel:timer" 1 "units in /lib/systemd/system, timer not enabled; '$cmd' wrote $(grep -vc '^#' "$root$out") samples"
	else
		rs_t "$rel:timer" 0 "units missing, timer enabled, or '$cmd' failed (log $LOG)"
	fi
}

# rs_t_purged ROOT REL BEFORE WHAT: nothing of ours is left.
rs_t_purged() {
	local root=$1 rel=$2 before=$3 what=$4 left
	left=$(comm -13 "$before" <(rs_t_names "$root"))
	left+=$(cd "$root" && ls -d usr/src/reclaimscope* var/lib/dkms/reclaimscope 2>/dev/null)
	left+=$(cd "$root" && find lib/modules/*/updates -name 'reclaimscope*' 2>/dev/null)
	left+=$(cd "$root" && grep -l reclaimscope lib/modules/*/modules.dep 2>/dev/null)
	if [ -z "$left" ]; then
		rs_t "$rel:purge" 1 "$what leaves nothing (/usr/src, /var/lib/dkms, /lib/modules/*/updates, modules.dep, any *reclaimscope*)"
	else
		rs_t "$rel:purge" 0 "$what left: $(echo "$left" | tr '\n' ' ')"
	fi
}

rs_t_timed() {	# NAME COMMAND...: run and note the time taken
	local t0=$SECONDS name=$1 st=0
	shift
	"$@" || st=$?
	echo "TIME $rel:$name $((SECONDS - t0))s" >> "$T/timings"
	return $st
}

inner() {
	local rel=$1 base w root series k dkms_v
	local -a kernels=()
	w=$T/$rel
	LOG=$w/test.log
	base=$RS_CACHE/chroot/$rel
	case "$rel" in
	bookworm) series="6.12 6.1" ;;
	trixie) series="7.3" ;;
	bullseye) series="5.10" ;;
	esac
	for s in $series; do
		k=$(rs_t_newest "$base" "$s")
		[ -n "$k" ] || { rs_t "$rel:headers" 0 "no $s headers in the $rel archive"; return; }
		kernels+=("$k")
	done
	# The first kernel's headers live in the cached chroot (as
	# scripts/kernels.sh installs them for the builds); the others are
	# installed in the overlay, after the packages.
	if [ ! -e "$base/usr/src/linux-headers-${kernels[0]}/Makefile" ]; then
		rs_log "installing linux-headers-${kernels[0]} in the $rel chroot"
		rs_chroot_run "$base" apt-get install -y -q "linux-headers-${kernels[0]}" \
			> "$T/$rel.headers.log" 2>&1 ||
			{ rs_t "$rel:headers" 0 "apt-get install linux-headers-${kernels[0]} failed"; return; }
		rs_chroot_run "$base" apt-get clean
	fi

	root=$w/root
	rm -rf "$w"
	mkdir -p "$w/upper" "$w/work" "$root" "$T/apt/$rel/partial"
	: > "$LOG"
	mount -t overlay overlay \
		-o "lowerdir=$base,upperdir=$w/upper,workdir=$w/work" "$root" ||
		{ rs_t "$rel:overlay" 0 "cannot mount an overlay on $base"; return; }
	mount --bind "$T/apt/$rel" "$root/var/cache/apt/archives"
	mkdir -p "$root/tmp/rs"
	cp -a "$T/src/dist" "$T/src/tests/cli/fixtures/6.1/idle" "$root/tmp/rs/"
	mv "$root/tmp/rs/idle" "$root/tmp/rs/fixture"

	rs_t_fake "$root" "$OLD_KERNEL" CONFIG_NOTHING
	rs_t_fake "$root" "$NOKPROBES_KERNEL" CONFIG_KPROBES
	rs_t_names "$root" > "$w/names.before"
	if [ "$rel" = bullseye ]; then
		inner_source "$rel" "$root" "${kernels[0]}"
	else
		inner_packages "$rel" "$root" "${kernels[@]}"
	fi
	dkms_v=$(rs_chroot_run "$root" dpkg-query -W -f='${Version}' dkms 2>/dev/null)
	echo "INFO $rel: dkms ${dkms_v:-not installed}, kernels ${kernels[*]}" >> "$T/timings"
	umount "$root/var/cache/apt/archives"
	umount "$root"
	[ -n "$KEEP" ] || rm -rf "$w/upper" "$w/work"
}

inner_packages() {
	local rel=$1 root=$2 st k
	shift 2
	local first=$1
	shift
	local debs="/tmp/rs/dist/reclaimscope-dkms_${VER}_all.deb /tmp/rs/dist/reclaimscope_${VER}_all.deb"
	st=0
	# shellcheck disable=SC2086
	rs_t_timed install rs_in "$root" apt-get install -y -q $debs || st=$?
	cp "$LOG" "$T/$rel.install.log"
	if [ $st != 0 ]; then
		rs_t "$rel:apt-install" 0 "apt-get install ./dist/*.deb failed ($st): $(tail -n 3 "$LOG" | tr '\n' ' ')"
		return
	fi
	rs_t "$rel:apt-install" 1 "both packages, dkms $(rs_chroot_run "$root" dpkg-query -W -f='${Version}' dkms) and $(rs_chroot_run "$root" dpkg-query -W -f='${Version}' python3 | sed 's/^/python3 /') from their Depends"
	rs_t_module "$root" "$rel" "$first" "built by the package's postinst"
	rs_t_skipped "$root" "$rel" "$OLD_KERNEL" "$T/$rel.install.log" "4.19 (below 5.10)"
	rs_t_skipped "$root" "$rel" "$NOKPROBES_KERNEL" "$T/$rel.install.log" "no CONFIG_KPROBES"
	rs_t_hook "$root" "$rel" "$OLD_KERNEL"
	rs_t_hook "$root" "$rel" "$NOKPROBES_KERNEL"
	# A new kernel's headers after the package: DKMS's kernel hook
	# builds the module for it.
	for k in "$@"; do
		if rs_t_timed "headers-$k" rs_in "$root" apt-get install -y -q "linux-headers-$k"; then
			rs_t_module "$root" "$rel" "$k" "built by the headers' hook (a kernel upgrade)"
		else
			rs_t "$rel:dkms:$k" 0 "apt-get install linux-headers-$k failed (log $LOG)"
		fi
	done
	rs_t_cli "$root" "$rel"
	if rs_t_timed purge rs_in "$root" apt-get purge -y -q reclaimscope reclaimscope-dkms; then
		rs_t_purged "$root" "$rel" "$w/names.before" "apt-get purge"
	else
		rs_t "$rel:purge" 0 "apt-get purge failed (log $LOG)"
	fi
}

# Debian 11: its dkms cannot take the package; the source tree's make
# targets can (they need no BUILD_EXCLUSIVE_CONFIG).  And the CLI package.
inner_source() {
	local rel=$1 root=$2 k=$3 st out
	local dkmsdeb=/tmp/rs/dist/reclaimscope-dkms_${VER}_all.deb
	out=$(rs_chroot_run "$root" apt-get install -s -q "$dkmsdeb" 2>&1)
	if echo "$out" | grep -q 'Depends: dkms (>= 3.0.3-4~)'; then
		rs_t "$rel:dkms-deb-refused" 1 "apt refuses reclaimscope-dkms: dkms $(rs_chroot_run "$root" apt-cache policy dkms | awk '/Candidate/ { print $2 }') < 3.0.3-4 (no BUILD_EXCLUSIVE_CONFIG)"
	else
		rs_t "$rel:dkms-deb-refused" 0 "apt would install reclaimscope-dkms here: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
	if rs_t_timed install rs_in "$root" apt-get install -y -q "/tmp/rs/dist/reclaimscope_${VER}_all.deb"; then
		rs_t "$rel:apt-install" 1 "reclaimscope (the CLI), $(rs_chroot_run "$root" dpkg-query -W -f='${Version}' python3 | sed 's/^/python3 /') from its Depends"
		rs_t_cli "$root" "$rel"
		if rs_in "$root" apt-get purge -y -q reclaimscope; then
			rs_t_purged "$root" "$rel" "$w/names.before" "apt-get purge reclaimscope"
		else
			rs_t "$rel:purge" 0 "apt-get purge reclaimscope failed (log $LOG)"
		fi
	else
		rs_t "$rel:apt-install" 0 "apt-get install ./dist/reclaimscope_${VER}_all.deb failed (log $LOG)"
	fi

	# The source tree: make dkms-install for kernel k, then uninstall.
	cp -a "$T/src" "$root/tmp/rs/src"
	rm -rf "$root/tmp/rs/src/dist"
	if ! rs_t_timed dkms-deps rs_in "$root" apt-get install -y -q dkms; then
		rs_t "$rel:make-dkms-install" 0 "apt-get install dkms failed (log $LOG)"
		return
	fi
	st=0
	rs_t_timed make-dkms-install rs_in "$root" make -C /tmp/rs/src dkms-install KVER="$k" || st=$?
	if [ $st = 0 ] && [ -e "$root/usr/local/bin/reclaimscope" ]; then
		rs_t_module "$root" "$rel" "$k" "make dkms-install (dkms $(rs_chroot_run "$root" dpkg-query -W -f='${Version}' dkms))"
	else
		rs_t "$rel:make-dkms-install" 0 "make dkms-install KVER=$k failed ($st, log $LOG)"
	fi
	# dkms 2.8.4 honours BUILD_EXCLUSIVE_KERNEL (the pattern)...
	out=$(rs_chroot_run "$root" dkms build -m reclaimscope -v "$VER" -k "$OLD_KERNEL" 2>&1)
	st=$?
	echo "$out" >> "$LOG"
	if echo "$out" | grep -q 'BUILD_EXCLUSIVE directive'; then
		rs_t "$rel:skip:$OLD_KERNEL" 1 "dkms $(rs_chroot_run "$root" dpkg-query -W -f='${Version}' dkms) skips 4.19 by BUILD_EXCLUSIVE_KERNEL (exit $st)"
	else
		rs_t "$rel:skip:$OLD_KERNEL" 0 "dkms build for 4.19 did not say BUILD_EXCLUSIVE (exit $st)"
	fi
	rs_t_hook "$root" "$rel" "$OLD_KERNEL"
	rs_t_timed make-uninstall rs_in "$root" make -C /tmp/rs/src uninstall
	# (the dkms package itself stays: it is not ours)
	rs_t_purged "$root" "$rel" "$w/names.before" "make dkms-install + make uninstall"

	# make install: Kbuild's modules_install into updates/, and the CLI.
	st=0
	rs_t_timed make-install rs_in "$root" make -C /tmp/rs/src install KDIR="/lib/modules/$k/build" || st=$?
	if [ $st = 0 ] && [ -e "$root/lib/modules/$k/updates/reclaimscope.ko" ] &&
			[ -e "$root/usr/local/bin/reclaimscope" ] &&
			grep -q 'updates/reclaimscope.ko' "$root/lib/modules/$k/modules.dep"; then
		rs_t "$rel:make-install" 1 "/lib/modules/$k/updates/reclaimscope.ko (in modules.dep), /usr/local/bin/reclaimscope"
	else
		rs_t "$rel:make-install" 0 "make install KDIR=/lib/modules/$k/build failed ($st, log $LOG)"
	fi
	rs_in "$root" make -C /tmp/rs/src uninstall
	rs_t_purged "$root" "$rel" "$w/names.before" "make install + make uninstall"
}

if [ "${1:-}" = --inner ]; then
	VER=$2
	inner "$3"
	exit 0
fi

# ---------------------------------------------------------------------
# Outside: the packages, then each release in a namespace of its own.

[ "$(id -u)" = 0 ] || rs_die "dkms-test.sh runs as root (chroots, mounts)"
releases=${*:-bookworm trixie bullseye}
mkdir -p "$T"
: > "$RESULTS"
: > "$T/timings"
t_all=$SECONDS

rs_need_pkgs lintian dpkg-dev debhelper dh-dkms python3-docutils rsync kmod xz-utils

# A clean tree: git archive of HEAD with the uncommitted changes to
# tracked files (git stash create), or the tree itself without .git.
t0=$SECONDS
rm -rf "$T/src"
mkdir -p "$T/src"
if git -C "$RS_TOP" rev-parse --git-dir > /dev/null 2>&1; then
	tree=$(git -C "$RS_TOP" stash create)
	git -C "$RS_TOP" archive "${tree:-HEAD}" | tar -x -C "$T/src"
else
	rsync -a --exclude /dist --filter=':- .gitignore' "$RS_TOP/" "$T/src/"
fi
VER=$(sed -n 's/^.define[[:space:]]*RS_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$T/src/include/reclaimscope/core.h")
if (cd "$T/src" && make deb) > "$T/deb.log" 2>&1; then
	got=$(cd "$T/src/dist" && ls | sort | tr '\n' ' ')
	want="reclaimscope-dkms_${VER}_all.deb reclaimscope_${VER}_all.buildinfo reclaimscope_${VER}_all.changes reclaimscope_${VER}_all.deb "
	if [ "$got" = "$want" ]; then
		rs_t deb:build 1 "make deb in a git archive: dist/ holds $got"
	else
		rs_t deb:build 0 "dist/ holds '$got', not '$want'"
	fi
else
	rs_t deb:build 0 "make deb failed: $(tail -n 5 "$T/deb.log" | tr '\n' ' ')"
	echo "$(grep -c '^PASS' "$RESULTS") passed, $(grep -c '^FAIL' "$RESULTS") failed"
	exit 1
fi
echo "TIME make-deb $((SECONDS - t0))s" >> "$T/timings"

# The packages' shape, as the issue states it.
t0=$SECONDS
dd=$T/src/dist/reclaimscope-dkms_${VER}_all.deb
cd_=$T/src/dist/reclaimscope_${VER}_all.deb
conf=$(dpkg-deb --fsys-tarfile "$dd" | tar -xO "./usr/src/reclaimscope-$VER/dkms.conf" 2>/dev/null)
bad=
for want in 'PACKAGE_NAME="reclaimscope"' "PACKAGE_VERSION=\"$VER\"" \
		'BUILT_MODULE_NAME\[0\]="reclaimscope"' 'AUTOINSTALL="yes"' \
		'BUILD_EXCLUSIVE_KERNEL_MIN="5.10"' 'BUILD_EXCLUSIVE_KERNEL="' \
		'BUILD_EXCLUSIVE_CONFIG="CONFIG_TRACEPOINTS CONFIG_KPROBES CONFIG_DEBUG_FS"' \
		'DEST_MODULE_LOCATION\[0\]='; do
	echo "$conf" | grep -q "^$want" || bad+=" $want"
done
[ "$(dpkg-deb -f "$dd" Architecture)" = all ] || bad+=" Architecture"
dpkg-deb -f "$dd" Depends | grep -q '^dkms' || bad+=" Depends:dkms"
list=$(dpkg-deb -c "$dd")
for f in Kbuild Makefile scripts/probes.mk module/main.c include/reclaimscope/core.h; do
	echo "$list" | grep -q " \./usr/src/reclaimscope-$VER/$f\$" || bad+=" $f"
done
if [ -z "$bad" ]; then
	rs_t deb:dkms-shape 1 "/usr/src/reclaimscope-$VER/dkms.conf (name, version, module, autoinstall, BUILD_EXCLUSIVE_*), Architecture all, Depends $(dpkg-deb -f "$dd" Depends)"
else
	rs_t deb:dkms-shape 0 "reclaimscope-dkms lacks:$bad"
fi
bad=
list=$(dpkg-deb -c "$cd_")
for f in usr/bin/reclaimscope usr/share/man/man1/reclaimscope.1.gz \
		lib/systemd/system/reclaimscope-export.service \
		lib/systemd/system/reclaimscope-export.timer; do
	echo "$list" | grep -q " \./$f\$" || bad+=" $f"
done
dpkg-deb -f "$cd_" Depends | grep -q 'python3' || bad+=" Depends:python3"
[ "$(dpkg-deb -f "$cd_" Architecture)" = all ] || bad+=" Architecture"
# The units as systemd reads them (ExecStart's program is checked in the
# chroots, where it is installed).
ud=$(mktemp -d)
dpkg-deb -x "$cd_" "$ud"
if command -v systemd-analyze > /dev/null; then
	out=$(cd "$ud" && systemd-analyze verify --man=no \
		lib/systemd/system/reclaimscope-export.service \
		lib/systemd/system/reclaimscope-export.timer 2>&1 |
		grep -v 'is not executable: No such file')
	[ -z "$out" ] || bad+=" systemd-analyze:$out"
fi
rm -rf "$ud"
if [ -z "$bad" ]; then
	rs_t deb:cli-shape 1 "/usr/bin/reclaimscope, reclaimscope.1.gz, units in /lib/systemd/system (systemd-analyze verify), Architecture all, Depends $(dpkg-deb -f "$cd_" Depends)"
else
	rs_t deb:cli-shape 0 "reclaimscope lacks or fails:$bad"
fi

# lintian, everything it has (pedantic, info, experimental): no error.
out=$(lintian --pedantic --info --display-experimental --tag-display-limit 0 \
	"$dd" "$cd_" 2>&1 | grep -v '^running with root privileges')
n_e=$(echo "$out" | grep -c '^E:')
n_w=$(echo "$out" | grep -c '^W:')
n_o=$(echo "$out" | grep -c '^[IPX]:')
echo "$out" > "$T/lintian.txt"
if [ "$n_e" = 0 ]; then
	rs_t deb:lintian 1 "lintian $(lintian --version | awk '{ print $2 }'): $n_e errors, $n_w warnings, $n_o info/pedantic/experimental$( [ -z "$out" ] || echo ": $(echo "$out" | tr '\n' ';')")"
else
	rs_t deb:lintian 0 "lintian: $(echo "$out" | grep '^E:' | tr '\n' ';')"
fi
echo "TIME checks+lintian $((SECONDS - t0))s" >> "$T/timings"

for rel in $releases; do
	t0=$SECONDS
	case "$rel" in
	bookworm | trixie | bullseye) ;;
	*) rs_t "$rel" 0 "not a release this test knows (bookworm, trixie, bullseye)"; continue ;;
	esac
	if ! "$RS_TOP/scripts/chroot.sh" "$rel" > /dev/null; then
		rs_t "$rel:chroot" 0 "scripts/chroot.sh $rel failed"
		continue
	fi
	unshare -m --propagation private "$0" --inner "$VER" "$rel"
	echo "TIME $rel $((SECONDS - t0))s" >> "$T/timings"
done

echo "TIME total $((SECONDS - t_all))s" >> "$T/timings"
sed 's/^/# /' "$T/timings"
p=$(grep -c '^PASS' "$RESULTS")
f=$(grep -c '^FAIL' "$RESULTS")
echo "$p passed, $f failed"
[ "$f" = 0 ]
