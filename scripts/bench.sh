#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot Debian's stock 6.12 in QEMU and time a page-cache
# workload with and without the module loaded (tests/guest/scenarios/
# bench.sh).  Prints the RS-BENCH lines.  Not a test: nothing is asserted
# about speed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rs_need_pkgs $RS_BENCH_PKGS
read -r _ rel root kdir < <("$RS_TOP/scripts/kernels.sh" 6.12)
dir=$(rs_build_module bench "$kdir")
out=$RS_CACHE/runs/bench
mkdir -p "$out"
"$RS_TOP/scripts/mkinitramfs.sh" "$out/initrd.gz" "$root" "$rel" \
	"virtio_pci virtio_blk" "$dir/reclaimscope.ko=rs/reclaimscope.ko"
"$RS_TOP/scripts/qemu-run.sh" "$root/boot/vmlinuz-$rel" "$out/initrd.gz" bench \
	"$out/serial.log" 1200 || true
grep '^RS-BENCH' "$out/serial.log" || rs_die "no bench output; log: $out/serial.log"
