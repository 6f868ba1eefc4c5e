#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make torture: insmod/rmmod cycles under memory pressure, with readers
# and a writer on the files during every cycle
# (tests/guest/scenarios/torture.sh), on multi-threaded TCG: 1000 cycles
# on Debian 6.12, and as many as fit in an hour on the KUnit debug kernel
# (KASAN, lockdep, kmemleak), the two guests at once.  Not part of make
# check, which runs a shorter form.
#
# RS_TORTURE_CYCLES (default 1000) and RS_TORTURE_SECONDS (default 3600)
# change the two budgets.  RS_TORTURE_MODE (module, minprobe, tracefs,
# kretprobe: tests/guest/scenarios/torture.sh) and RS_TORTURE_MINPROBE
# (kretprobe or kprobe) run the comparison loops instead, the same
# cycles under the same pressure without reclaimscope; minprobe loads
# tests/minprobe/rs_minprobe.ko.  RS_TORTURE_PRESSURE=held keeps memory
# full through every cycle (tests/guest/scenarios/torture.sh).
# RS_TORTURE_QEMU=host runs the guests on the host's own QEMU (bookworm's
# 7.2) instead of the one make check fetches: on it the emulator's stale
# int3 kills a guest within a few hundred cycles, with or without
# reclaimscope (Documentation/reclaimscope.rst, "Testing").  The last
# line is "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cycles=${RS_TORTURE_CYCLES:-1000}
seconds=${RS_TORTURE_SECONDS:-3600}
mode=${RS_TORTURE_MODE:-module}
minprobe=${RS_TORTURE_MINPROBE:-kretprobe}
pressure=${RS_TORTURE_PRESSURE:-bursts}
case $mode in
module | minprobe | tracefs | kretprobe) ;;
*) rs_die "RS_TORTURE_MODE=$mode: module, minprobe, tracefs or kretprobe" ;;
esac
export RS_RESULTS=$RS_CACHE/torture-results.txt
: > "$RS_RESULTS"

rs_need_pkgs $RS_BENCH_PKGS
read -r _ rel root kdir < <("$RS_TOP/scripts/kernels.sh" 6.12) ||
	rs_die "could not set up the Debian 6.12 kernel"
read -r _ kbuild < <("$RS_TOP/scripts/kunit-kernel.sh") ||
	rs_die "no KUnit kernel"
case ${RS_TORTURE_QEMU:-fetched} in
host) unset RS_QEMU RS_QEMU_DATA ;;	# qemu-run.sh's defaults: the host's
fetched) rs_use_qemu ;;
*) rs_die "RS_TORTURE_QEMU=$RS_TORTURE_QEMU: host or fetched" ;;
esac
dir=$(rs_build_module torture-6.12 "$kdir") || rs_die "module build failed (6.12)"
kdir_kunit=$(rs_build_module torture-kunit "$kbuild") ||
	rs_die "module build failed (KUnit kernel)"
files_612=$dir/reclaimscope.ko=rs/reclaimscope.ko
files_kunit=$kdir_kunit/reclaimscope.ko=rs/reclaimscope.ko
if [ "$mode" = minprobe ]; then
	mp=$(rs_build_module minprobe-6.12 "$kdir" tests/minprobe) ||
		rs_die "rs_minprobe build failed (6.12)"
	files_612=$mp/tests/minprobe/rs_minprobe.ko=rs/rs_minprobe.ko
	mp=$(rs_build_module minprobe-kunit "$kbuild" tests/minprobe) ||
		rs_die "rs_minprobe build failed (KUnit kernel)"
	files_kunit=$mp/tests/minprobe/rs_minprobe.ko=rs/rs_minprobe.ko
fi
# oops=panic: a guest whose kswapd oopsed would otherwise hang in reclaim
# until its timeout; the panic ends it at once, with the report logged.
args="rs.torture=$mode rs.minprobe=$minprobe rs.pressure=$pressure oops=panic"

t0=$SECONDS
# Each guest's timeout only catches a hang: a 6.12 cycle takes about 3 s
# under TCG, and the debug kernel's run stops starting cycles after
# $seconds.
RS_QEMU_APPEND="rs.cycles=$cycles $args" rs_guest torture-6.12 \
	"$root/boot/vmlinuz-$rel" "$root" "$rel" "virtio_pci virtio_blk" \
	torture $((cycles * 12 + 600)) "$files_612" &
RS_QEMU_APPEND="rs.cycles=100000 rs.seconds=$seconds $args" rs_guest torture-kunit \
	"$kbuild/arch/x86/boot/bzImage" - \
	"$(cat "$kbuild/include/config/kernel.release")" "" \
	torture $((seconds + 1800)) "$files_kunit" &
wait
for l in torture-6.12 torture-kunit; do
	grep -a 'RS-INFO torture_cycles' "$RS_CACHE/runs/$l/serial.log" |
		sed "s/^RS-INFO/  $l:/"
done
echo "  wall time $((SECONDS - t0)) s"
awk '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit (f > 0 || p == 0) }' \
	"$RS_RESULTS"
