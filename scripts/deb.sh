#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian packages, with Debian's own tools (dpkg-buildpackage,
# debhelper, dh_dkms), into dist/:
#   dist/reclaimscope-dkms_<version>_all.deb   the module's source for DKMS
#   dist/reclaimscope_<version>_all.deb        the command-line tool
#   dist/reclaimscope_<version>_<arch>.changes, .buildinfo
# and nothing else (dist/ is emptied first).  <version> is RS_VERSION of
# include/reclaimscope/core.h; debian/changelog is written from it here,
# in a copy of the tree, so that the version lives in one place.  Works
# from a checkout or from an unpacked `git archive` (no .git), as root or
# not; installs the build dependencies it lacks; runs no test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rs_need_pkgs dpkg-dev debhelper dh-dkms python3-docutils rsync

ver=$(sed -n 's/^.define[[:space:]]*RS_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$RS_TOP/include/reclaimscope/core.h")
[ -n "$ver" ] || rs_die "no RS_VERSION in include/reclaimscope/core.h"
maint=$(sed -n 's/^Maintainer: //p' "$RS_TOP/debian/control")

stage=$(mktemp -d "$RS_CACHE/deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
src=$stage/reclaimscope-$ver
# The tree without git's data, dist/ and what git ignores (objects and
# modules of a build in the checkout).
rsync -a --exclude /.git --exclude /dist --filter=':- .gitignore' \
	"$RS_TOP/" "$src/"

# The changelog's date: the commit's, in a checkout; else core.h's
# modification time (in an unpacked git archive, the commit's too).
if git -C "$RS_TOP" rev-parse --git-dir > /dev/null 2>&1; then
	when=$(git -C "$RS_TOP" log -1 --format=%ct)
else
	when=$(stat -c %Y "$RS_TOP/include/reclaimscope/core.h")
fi
cat > "$src/debian/changelog" <<EOF
reclaimscope ($ver) unstable; urgency=medium

  * reclaimscope $ver, packaged from its source tree by scripts/deb.sh.
    Its history is the project's git log.

 -- $maint  $(LC_ALL=C date -u -R -d "@$when")
EOF

rs_log "dpkg-buildpackage (reclaimscope $ver, log: dist/build.log until it succeeds)"
rm -rf "$RS_TOP/dist"
mkdir -p "$RS_TOP/dist"
# A clean environment: no python3 but Debian's for rst2man, the date of
# the changelog for every timestamp in the packages.
if ! (cd "$src" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$stage" \
		LC_ALL=C.UTF-8 SOURCE_DATE_EPOCH="$when" \
		dpkg-buildpackage --build=all -us -uc) > "$RS_TOP/dist/build.log" 2>&1; then
	tail -n 30 "$RS_TOP/dist/build.log" >&2
	rs_die "dpkg-buildpackage failed (log: dist/build.log)"
fi
for f in "$stage"/*.deb "$stage"/*.changes "$stage"/*.buildinfo; do
	mv "$f" "$RS_TOP/dist/"
done
rm -f "$RS_TOP/dist/build.log"
for f in "reclaimscope-dkms_${ver}_all.deb" "reclaimscope_${ver}_all.deb"; do
	[ -e "$RS_TOP/dist/$f" ] || rs_die "dpkg-buildpackage made no $f"
done
ls -1 "$RS_TOP/dist" | sed 's|^|dist/|'
