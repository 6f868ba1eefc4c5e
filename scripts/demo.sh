#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot Debian's stock 6.12 kernel in QEMU (2 vCPUs, 2 NUMA
# nodes), load reclaimscope, make memory pressure and print what its
# debugfs files say.  Needs no test kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rs_need_pkgs $RS_BENCH_PKGS
read -r _ rel root kdir < <("$RS_TOP/scripts/kernels.sh" 6.12)
rs_log "building reclaimscope for $rel"
dir=$(rs_build_module demo "$kdir")
out=$RS_CACHE/runs/demo
mkdir -p "$out"
"$RS_TOP/scripts/mkinitramfs.sh" "$out/initrd.gz" "$root" "$rel" \
	"virtio_pci virtio_blk" "$dir/reclaimscope.ko=rs/reclaimscope.ko"
rs_log "booting Debian $rel under QEMU (TCG, about a minute)"
"$RS_TOP/scripts/qemu-run.sh" "$root/boot/vmlinuz-$rel" "$out/initrd.gz" demo \
	"$out/serial.log" 600 || true
sed -n 's/^RS-DEMO \{0,1\}//p' "$out/serial.log"
if grep -q '^RS-CHECK FAIL' "$out/serial.log" || ! grep -q '^RS-DONE' "$out/serial.log"; then
	rs_die "the demo guest did not finish cleanly; log: $out/serial.log"
fi
