#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: static checks, the module built for each Debian kernel line
# ($RS_KERNELS) and the KUnit kernel, the KUnit suites and the guest
# scenarios in QEMU on each kernel.  The last line is "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# The Debian kernel lines to test; make check KERNELS="6.12" runs a subset.
RS_KERNELS="5.10 6.1 6.12 7.2 7.3"
export RS_RESULTS=$RS_CACHE/results.txt
: > "$RS_RESULTS"
declare -a timings=()

rs_result() {	# LABEL OK DETAIL
	if [ "$2" = 1 ]; then
		echo "  PASS $1 $3"
		echo "$1 1 0" >> "$RS_RESULTS"
	else
		echo "  FAIL $1 $3"
		echo "$1 0 1" >> "$RS_RESULTS"
	fi
}

rs_stage() {	# NAME COMMAND...: run one stage and time it
	local name=$1 t0=$SECONDS
	shift
	echo "== $name"
	"$@"
	timings+=("$name $((SECONDS - t0))s")
}

stage_setup() {
	rs_need_pkgs $RS_BENCH_PKGS
	local want
	read -ra want <<< "${KERNELS:-$RS_KERNELS}"
	mapfile -t kernels < <("$RS_TOP/scripts/kernels.sh" "${want[@]}")
	[ "${#kernels[@]}" = "${#want[@]}" ] ||
		rs_die "could not set up the Debian kernels ${want[*]}"
	rs_use_qemu
}

stage_kunit_kernel() {
	read -r ksrc kbuild < <("$RS_TOP/scripts/kunit-kernel.sh") ||
		rs_die "no KUnit kernel"
	export RS_KUNIT_PY=$ksrc/tools/testing/kunit/kunit.py
}

# rs_sparse_runs KDIR: make C=2 can run sparse with KDIR's headers
# (a Makefile that wants scripts/checker-valid.sh needs to find it).
rs_sparse_runs() {
	local mk
	for mk in "$1/Makefile" "$1"/../linux-headers-*-common/Makefile; do
		grep -qs 'checker-valid' "$mk" || continue
		[ -e "$(dirname "$mk")/scripts/checker-valid.sh" ] || return 1
	done
	return 0
}

stage_static() {
	local f k out n st
	for f in $(cd "$RS_TOP" && ls module/*.c include/reclaimscope/*.h \
			tests/kunit/*.c tests/kunit/*.h tests/bench/*.c tests/bench/*.h \
			tests/minprobe/*.c tests/guest/tools/*.c); do
		# Exit status 0: no error, warning or (--strict) check.
		if out=$("$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse \
			--show-types -f "$RS_TOP/$f" 2>&1); then
			rs_result "checkpatch:$f" 1 ""
		else
			rs_result "checkpatch:$f" 0 "$out"
		fi
	done
	# Documentation: reStructuredText without a warning (Debian's docutils).
	for f in $(cd "$RS_TOP" && ls Documentation/*.rst); do
		if out=$(/usr/bin/python3 -m docutils --halt=warning "$RS_TOP/$f" 2>&1 > /dev/null); then
			rs_result "rst:$f" 1 ""
		else
			rs_result "rst:$f" 0 "$out"
		fi
	done
	# Shell: the host scripts (bash) and the guest's (busybox sh, checked
	# as dash but for "local" and $RANDOM, which busybox has).
	if out=$(cd "$RS_TOP" && shellcheck -S warning -x -P scripts \
			scripts/*.sh .ci/run 2>&1); then
		rs_result "shellcheck:scripts" 1 ""
	else
		rs_result "shellcheck:scripts" 0 "$out"
	fi
	if out=$(cd "$RS_TOP" && shellcheck -S warning -s dash -e SC3043,SC3028 \
			tests/guest/init tests/guest/lib.sh tests/guest/scenarios/*.sh 2>&1); then
		rs_result "shellcheck:guest" 1 ""
	else
		rs_result "shellcheck:guest" 0 "$out"
	fi
	# make bench's module (it compiles module/*.c into itself), for
	# the kernel make bench runs on.
	for k in "${kernels[@]}"; do
		set -- $k	# series release root kdir
		[ "$1" = 6.12 ] || continue
		if rs_build_module bench "$4" tests/bench > /dev/null 2>&1; then
			rs_result "build:bench" 1 "$2"
		else
			rs_result "build:bench" 0 "$(grep -E 'error|warning' "$RS_CACHE/build/bench/build.log" | head -5)"
		fi
	done
	# make torture's comparison module (RS_TORTURE_MODE=minprobe), on
	# every kernel.
	for k in "${kernels[@]}"; do
		set -- $k	# series release root kdir
		if rs_build_module "minprobe-$1" "$4" tests/minprobe > /dev/null 2>&1 &&
		   ! grep -qi warning "$RS_CACHE/build/minprobe-$1/build.log"; then
			rs_result "build:minprobe" 1 "$2"
		else
			rs_result "build:minprobe" 0 "$2: $(grep -E 'error|warning' "$RS_CACHE/build/minprobe-$1/build.log" | head -5)"
		fi
	done
	# The command-line tool's unit tests (on tests/cli/fixtures/).
	out=$("$RS_TOP/tests/cli/run" 2>&1)
	st=$?
	echo "$out" | tail -n 1 | sed 's/^/  /'
	echo "$out" | grep -E '^(FAIL|ERROR):' | sed 's/^/  /'
	echo "$out" | tail -n 1 | awk -v st=$st '
		/^cli-unit: [0-9]+ passed, [0-9]+ failed$/ { print "cli-unit", $2, $4 + (st != 0 && $4 == 0); f = 1 }
		END { if (!f) print "cli-unit 0 1" }' >> "$RS_RESULTS"
	# The harness's own judge of a serial log (tests/check/verdict.py).
	if out=$(python3 "$RS_TOP/tests/check/test_verdict.py" 2>&1); then
		rs_result "verdict-unit" 1 "$(echo "$out" | grep '^Ran ')"
	else
		rs_result "verdict-unit" 0 "$(echo "$out" | grep -E '^(FAIL|ERROR):' | head -5)"
	fi
	# sparse, on every kernel we build for; the KUnit kernel also
	# covers tests/.
	for k in "${kernels[@]}" "kunit - - $kbuild"; do
		set -- $k	# label release root kdir
		# Debian's 7.x headers have no scripts/checker-valid.sh, so
		# C=2 checks nothing there; the same sources are checked on
		# the other kernels.
		if ! rs_sparse_runs "$4"; then
			echo "  INFO sparse:$1 skipped: its headers cannot run sparse (no scripts/checker-valid.sh)"
			continue
		fi
		if rs_build_module "sparse-$1" "$4" > /dev/null; then
			out=$(rs_kernel_make "$4" "$RS_CACHE/build/sparse-$1" "" sparse 2>&1)
			st=$?
		else
			out="build failed" st=1
		fi
		n=$(echo "$out" | grep -c ' CHECK ')
		if [ "$st" = 0 ] && [ "$n" -gt 0 ] &&
		   ! echo "$out" | grep -qE '(warning|error):'; then
			rs_result "sparse:$1" 1 "$n files checked"
		else
			rs_result "sparse:$1" 0 "$(echo "$out" | grep -E '(warning|error)' | head -20)"
		fi
	done
}

# rs_cli_check RUN LABEL...: rebuild the trees the guest of runs/RUN
# printed and run every reclaimscope command on them
# (tests/check/cli_integration.py); "series" adds the timeline.
rs_cli_check() {
	local run=$1 out=$RS_CACHE/runs/$1 trees=() series=() l
	shift
	rm -rf "$out/trees"
	if ! python3 "$RS_TOP/tests/check/trees.py" "$out/serial.log" "$out/trees" \
			"$@" > /dev/null; then
		rs_result "$run/cli:trees" 0 "the guest did not print: $*"
		return
	fi
	for l in "$@"; do
		case "$l" in
		series) series=(--series "$out/trees/series") ;;
		*) trees+=("$out/trees/$l") ;;
		esac
	done
	python3 "$RS_TOP/tests/check/cli_integration.py" --label "$run" \
		--results "$RS_RESULTS" "${series[@]}" "${trees[@]}"
}

# rs_mglru_default ROOT RELEASE: the kernel enables MGLRU at boot (its
# config, not its version, says so).
rs_mglru_default() {
	grep -qx 'CONFIG_LRU_GEN_ENABLED=y' "$1/boot/config-$2" 2>/dev/null
}

# debian_kernel SERIES RELEASE ROOT KDIR: build the module for one Debian
# kernel and run every scenario on it, one guest after another.
debian_kernel() {
	local dir ko lru='' tables=''
	if dir=$(rs_build_module "debian-$1" "$4"); then
		rs_result "build:debian-$1" 1 "$2"
	else
		rs_result "build:debian-$1" 0 "$2"
		return
	fi
	rs_result "build_warnings:debian-$1" \
		"$(grep -q 'warning:' "$dir/build.log" && echo 0 || echo 1)" \
		"$(grep 'warning:' "$dir/build.log" | head -3)"
	# Dirty folios reach shrink_folio_list() on the classic LRU only
	# (MGLRU sorts them out first): where MGLRU is on by default, the
	# dirty scenario runs with it off, and so does a second integration
	# run.
	rs_mglru_default "$3" "$2" && lru=rs.lru_gen=0
	rs_guest "debian-$1" "$3/boot/vmlinuz-$2" "$3" "$2" \
		"virtio_pci virtio_blk" integration 900 \
		"$dir/reclaimscope.ko=rs/reclaimscope.ko"
	rs_cli_check "debian-$1" idle pressure series
	rs_guest "debian-$1-nodestate" "$3/boot/vmlinuz-$2" "$3" "$2" \
		"virtio_pci virtio_blk" nodestate 900 \
		"$dir/reclaimscope.ko=rs/reclaimscope.ko"
	rs_cli_check "debian-$1-nodestate" compaction hopeless
	rs_guest "debian-$1-shrinker" "$3/boot/vmlinuz-$2" "$3" "$2" \
		"virtio_pci virtio_blk" shrinker 900 \
		"$dir/reclaimscope.ko=rs/reclaimscope.ko"
	rs_guest "debian-$1-fragment" "$3/boot/vmlinuz-$2" "$3" "$2" \
		"virtio_pci virtio_blk" fragment 900 \
		"$dir/reclaimscope.ko=rs/reclaimscope.ko"
	rs_cli_check "debian-$1-fragment" fragment
	RS_QEMU_APPEND=$lru rs_guest "debian-$1-dirty" "$3/boot/vmlinuz-$2" \
		"$3" "$2" "virtio_pci virtio_blk" dirty 900 \
		"$dir/reclaimscope.ko=rs/reclaimscope.ko"
	rs_cli_check "debian-$1-dirty" dirty
	# The tasks and cgroups tables: full ones ("other" takes the rest)
	# on two kernels, roomy ones on the others.
	case $1 in 5.10|7.2) tables="rs.task_rows=2 rs.cgroup_rows=2" ;; esac
	# With the packages stage, the module DKMS built for this kernel.
	ko=$dir/reclaimscope.ko
	if [[ $stages = *" packages "* ]] && [ "$1" != 7.2 ]; then
		ko=$RS_CACHE/dkms-built/$2/reclaimscope.ko
		if [ -e "$ko" ]; then
			rs_result "dkms-built:debian-$1" 1 "$(awk '$1 == "sha256" { print "sha256", $2 }' "${ko%.ko}.info")"
		else
			rs_result "dkms-built:debian-$1" 0 "DKMS built no module for $2"
		fi
	fi
	RS_QEMU_APPEND=$tables rs_guest "debian-$1-memcg" "$3/boot/vmlinuz-$2" "$3" "$2" \
		"virtio_pci virtio_blk" memcg 900 \
		"$ko=rs/reclaimscope.ko"
	rs_cli_check "debian-$1-memcg" memcg
	# The classic LRU's counters; the load/unload cycles under pressure
	# ran in the first integration run of this kernel.
	if [ -n "$lru" ]; then
		RS_QEMU_APPEND="$lru rs.load_cycles=0" rs_guest "debian-$1-classic-lru" \
			"$3/boot/vmlinuz-$2" "$3" "$2" "virtio_pci virtio_blk" \
			integration 900 "$dir/reclaimscope.ko=rs/reclaimscope.ko"
		rs_cli_check "debian-$1-classic-lru" idle pressure series
	fi
}

# Two kernels at once (each guest takes one core); each kernel's output
# is shown when all are done, in order.
# The packages (scripts/dkms-test.sh): make deb from a git archive,
# lintian, install/purge in clean chroots of bookworm, trixie and
# bullseye with DKMS building the module for each kernel's headers.  What
# DKMS built is then what the memcg guests of those kernels load.
stage_packages() {
	local log=$RS_CACHE/runs/packages.log out
	mkdir -p "$RS_CACHE/runs"
	rm -rf "$RS_CACHE/dkms-built"
	"$RS_TOP/scripts/dkms-test.sh" > "$log" 2>&1
	grep -E '^(FAIL|# TIME total)' "$log" | sed 's/^/  /'
	out=$(tail -n 1 "$log")
	echo "  $out"
	echo "$out" | awk '/^[0-9]+ passed, [0-9]+ failed$/ { print "packages", $1, $3; f = 1 }
		END { if (!f) print "packages 0 1" }' >> "$RS_RESULTS"
}

stage_debian() {
	local k log logs=()
	# A cold cache has no runs/ yet: without it every kernel's log
	# redirection failed and the stage ran nothing, silently.
	mkdir -p "$RS_CACHE/runs"
	for k in "${kernels[@]}"; do
		set -- $k	# series release root kdir
		logs+=("$RS_CACHE/runs/debian-$1.log")
		while [ "$(jobs -rp | wc -l)" -ge 2 ]; do
			wait -n
		done
		debian_kernel "$@" > "${logs[-1]}" 2>&1 &
	done
	wait
	cat "${logs[@]}"
	# Every kernel must have run: a kernel that left no log, or a log
	# without one check, is a failure, never a silent gap.
	for log in "${logs[@]}"; do
		if ! grep -q '^  \(PASS\|FAIL\) ' "$log" 2>/dev/null; then
			rs_result "ran:${log##*/}" 0 "no checks from this kernel"
		fi
	done
}

# rs_kunit_guest LABEL SCENARIO FILE...: boot the KUnit (debug) kernel
# on SCENARIO; it has everything built in, so no modules root.  The
# timeout only catches a hung guest: the kunit scenario has taken from
# 1036 s to 1559 s here (lockdep, KASAN and kmemleak under TCG, sharing
# the two cores with the workload guest).
rs_kunit_guest() {
	local label=$1 scenario=$2
	shift 2
	rs_guest "$label" "$kbuild/arch/x86/boot/bzImage" - \
		"$(cat "$kbuild/include/config/kernel.release")" "" \
		"$scenario" 2700 "$@"
}

# kunit_workloads DIR: the fragmentation and dirty scenarios on the
# debug kernel, so their probes also run under lockdep, KASAN and the
# atomic-sleep checks.
kunit_workloads() {
	local s
	for s in fragment dirty; do
		rs_kunit_guest "kunit-$s" $s "$1/reclaimscope.ko=rs/reclaimscope.ko"
		rs_cli_check "kunit-$s" $s
	done
}

stage_kunit() {
	local dir suites bg wl=$RS_CACHE/kunit-workloads
	if dir=$(rs_build_module kunit "$kbuild") &&
	   [ -e "$dir/tests/reclaimscope_kunit.ko" ]; then
		rs_result "build:kunit" 1 ""
	else
		rs_result "build:kunit" 0 "module or KUnit module did not build"
		return
	fi
	# In a second QEMU (each takes one core) while the KUnit guest runs,
	# with results of its own, added once it is done.
	(RS_RESULTS=$wl.results; : > "$RS_RESULTS"; kunit_workloads "$dir") \
		> "$wl.log" 2>&1 &
	bg=$!
	# The .name of every struct kunit_suite in tests/kunit/.
	suites=$(awk '/struct kunit_suite .* = \{/ { s = 1 }
		s && /\.name = "/ { sub(/.*\.name = "/, ""); sub(/".*/, ""); print; s = 0 }' \
		"$RS_TOP"/tests/kunit/*_kunit.c | paste -sd,)
	RS_EXPECT_SUITES=$suites rs_kunit_guest kunit kunit \
		"$dir/reclaimscope.ko=rs/reclaimscope.ko" \
		"$dir/tests/reclaimscope_kunit.ko=rs/reclaimscope_kunit.ko"
	rs_cli_check kunit idle pressure series
	wait "$bg"
	cat "$wl.log"
	if [ -s "$wl.results" ]; then
		cat "$wl.results" >> "$RS_RESULTS"
	else
		rs_result kunit-workloads 0 "no results (see $wl.log)"
	fi
}

# The short form of make torture (scripts/torture.sh): the fuzzing,
# disable= and load/unload cycles under pressure on the debug kernel
# (KASAN, lockdep, kmemleak) and on Debian 6.12, the two guests at once.
stage_torture() {
	local dir kdir_kunit k t612=
	for k in "${kernels[@]}"; do
		set -- $k	# series release root kdir
		[ "$1" = 6.12 ] || continue
		t612=1
		# Built by the debian stage; built here when it did not run.
		if ! dir=$(rs_build_module debian-6.12 "$4"); then
			rs_result "build:torture-6.12" 0 "$2"
			continue
		fi
		RS_QEMU_APPEND="rs.cycles=60" rs_guest torture-6.12 \
			"$3/boot/vmlinuz-$2" "$3" "$2" "virtio_pci virtio_blk" \
			torture 1800 "$dir/reclaimscope.ko=rs/reclaimscope.ko" &
	done
	# Built by the kunit stage; built here when it did not run.
	kdir_kunit=$(rs_build_module kunit "$kbuild") ||
		rs_result "build:torture-kunit" 0 "see $RS_CACHE/build/kunit/build.log"
	# Fault injection at every 8th allocation of a load: make torture
	# tries every one (about 670 loads, 17 minutes).
	RS_QEMU_APPEND="rs.cycles=30 rs.faults_stride=8" \
		rs_kunit_guest torture-kunit torture \
		"$kdir_kunit/reclaimscope.ko=rs/reclaimscope.ko"
	wait
	# Lockdown comes last in the 6.12 guest (the KUnit kernel has no
	# lockdown LSM): snapshot and diagnose on the tree it printed; doctor
	# on the tree it printed with hooks disabled.
	[ -n "$t612" ] && rs_cli_check torture-6.12 lockdown disabled
	grep -ah 'RS-INFO torture_cycles' "$RS_CACHE"/runs/torture-*/serial.log |
		sed 's/^RS-INFO/ /'
}

# make check STAGES="static debian" runs only those (setup and the KUnit
# kernel always come first); the default is every stage.
stages=" ${STAGES:-static packages debian kunit torture} "
rs_stage setup stage_setup
rs_stage kunit-kernel stage_kunit_kernel
for st in static packages debian kunit torture; do
	[[ $stages = *" $st "* ]] && rs_stage "$st" "stage_$st"
done

echo "== stage times"
printf '  %s\n' "${timings[@]}"
awk '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit (f > 0 || p == 0) }' \
	"$RS_RESULTS"
