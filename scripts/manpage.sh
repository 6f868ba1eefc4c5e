#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# manpage.sh: print reclaimscope(1), the command-line tool's man page, in
# roff, made with rst2man (python3-docutils) from
# Documentation/reclaimscope-cli.rst, whose text follows a man page
# header (NAME, SYNOPSIS) as DESCRIPTION; FILES and SEE ALSO close it.
# The version comes from include/reclaimscope/core.h (RS_VERSION).
# Used by `make install-cli` (and so by the reclaimscope package).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

command -v rst2man > /dev/null ||
	{ echo "manpage.sh: rst2man not found (Debian: python3-docutils)" >&2; exit 1; }
ver=$(sed -n 's/^.define[[:space:]]*RS_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$top/include/reclaimscope/core.h")
[ -n "$ver" ] || { echo "manpage.sh: no RS_VERSION in core.h" >&2; exit 1; }

{
	cat <<-EOF
	==============
	 reclaimscope
	==============

	----------------------------------------------------------------
	read, watch, diagnose and export the kernel's memory reclaim
	----------------------------------------------------------------

	:Manual section: 1
	:Manual group: reclaimscope $ver
	:Version: $ver

	SYNOPSIS
	========

	**reclaimscope** *command* [*options*]  (the commands below)

	DESCRIPTION
	===========

	EOF
	# Documentation/reclaimscope-cli.rst without its title (the lines
	# up to its second line of "="): its sections follow DESCRIPTION.
	# Installed, the tool is reclaimscope, not scripts/reclaimscope.
	# A man page shows no image: an image directive and its indented
	# options are left out.
	awk '/^\.\. image::/ { img = 1; next }
		img && /^[ \t]/ { next }
		{ img = 0 }
		n >= 2 { gsub(/``scripts\/reclaimscope``/, "``reclaimscope``"); print }
		/^=+$/ && n < 2 { n++ }' \
		"$top/Documentation/reclaimscope-cli.rst"
	# (<<- strips tabs: the definitions below are indented with spaces.)
	cat <<-'EOF'

	FILES
	=====

	``/sys/kernel/debug/reclaimscope/``
	    The module's files, read by every command (``--root`` reads a
	    copy).  The module comes from the reclaimscope-dkms package
	    (DKMS builds it for each installed kernel), and is loaded with
	    ``modprobe reclaimscope``.

	``reclaimscope-export.service``, ``reclaimscope-export.timer``
	    In ``/lib/systemd/system`` (the Debian package) or
	    ``PREFIX/lib/systemd/system`` (``make install``).  The timer
	    runs ``reclaimscope export --prometheus
	    /var/lib/prometheus/node-exporter/reclaimscope.prom`` every 15
	    seconds while the module is loaded, for node_exporter's textfile
	    collector.  It is not enabled when installed:
	    ``systemctl enable --now reclaimscope-export.timer``.

	SEE ALSO
	========

	**dkms**\ (8), **modprobe**\ (8), **prometheus-node-exporter**\ (1);
	the module's files and keys: Documentation/reclaimscope.rst in the
	source.
	EOF
} | rst2man --halt=warning --no-generator --no-datestamp
