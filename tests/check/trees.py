#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rebuild the trees a guest printed with rs_export (tests/guest/lib.sh).

    trees.py SERIAL_LOG OUTDIR [LABEL...]

Every "RS-TREE-FILE <label> <path>" line starts a file OUTDIR/<label>/<path>;
every "RS-TREE <label> <path> <line>" line appends <line> to it.  Prints the
labels written, one per line.  A LABEL also selects the labels under it
("series" selects "series/000", ...).  Exit status 1 when a wanted label
matches nothing or a line belongs to a file that was never announced.
"""
import os
import sys


def parse(lines):
    trees = {}
    for raw in lines:
        line = raw.rstrip('\r\n')
        if line.startswith('RS-TREE-FILE '):
            _, label, path = line.split(' ', 2)
            trees.setdefault(label, {})[path] = []
        elif line.startswith('RS-TREE '):
            parts = line.split(' ', 3)
            if len(parts) < 3:
                raise ValueError('short RS-TREE line: %r' % line)
            label, path = parts[1], parts[2]
            text = parts[3] if len(parts) == 4 else ''
            try:
                trees[label][path].append(text)
            except KeyError:
                raise ValueError('line for unannounced file %s/%s' % (label, path))
    return trees


def selected(label, wanted):
    return not wanted or any(label == w or label.startswith(w + '/') for w in wanted)


def write(trees, outdir, wanted=None):
    for label, files in trees.items():
        if not selected(label, wanted):
            continue
        for path, lines in files.items():
            if path.startswith('/') or '..' in path.split('/'):
                raise ValueError('bad path %r' % path)
            dest = os.path.join(outdir, label, path)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, 'w') as f:
                f.writelines(l + '\n' for l in lines)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], errors='replace') as f:
        try:
            trees = parse(f)
        except ValueError as e:
            sys.stderr.write('%s: %s\n' % (argv[1], e))
            return 1
    wanted = set(argv[3:])
    write(trees, argv[2], wanted)
    missing = {w for w in wanted if not any(selected(l, {w}) for l in trees)}
    for label in sorted(trees):
        if selected(label, wanted):
            print(label)
    if missing:
        sys.stderr.write('%s: no tree %s\n' % (argv[1], ' '.join(sorted(missing))))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
