#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make the derived fixtures: captured trees with the fewest edits that
show a problem no capture shows, for the diagnose rules that need one.

    tests/cli/derive.py          # rewrites tests/cli/fixtures/derived/

Each derived tree is a copy of a captured one (SOURCE below) with the
edits its function makes, and nothing else.  Never edit a derived tree by
hand: test_diagnose regenerates each one and compares.
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, 'fixtures')
SOURCE = '6.1/pressure'


def edit_shrinkers(root, change):
    """Rewrite the shrinkers table: change(rows) edits its rows (dicts of
    strings) in place.  Row order is kept."""
    path = os.path.join(root, 'shrinkers')
    with open(path) as f:
        lines = f.read().splitlines()
    header = lines[0].split()
    rows = [dict(zip(header, line.split())) for line in lines[1:]]
    change(rows)
    with open(path, 'w') as f:
        f.write('\n'.join([lines[0]] + [' '.join(r[c] for c in header) for r in rows]) + '\n')


def shrinker_never_frees(root):
    """shrinkers: the row with the most calls gets freed_total 0 and at
    least 1024 cache_items (a shrinker whose objects are all busy)."""
    def change(rows):
        busiest = max(rows, key=lambda r: int(r['calls']))
        busiest['freed_total'] = '0'
        busiest['cache_items'] = str(max(int(busiest['cache_items']), 1024))
    edit_shrinkers(root, change)


DERIVED = {
    'shrinker-never-frees': shrinker_never_frees,
}


def make(name, dest):
    """Write derived tree @name to @dest (which must not exist)."""
    shutil.copytree(os.path.join(FIXTURES, SOURCE), dest)
    DERIVED[name](dest)


def main():
    for name in DERIVED:
        dest = os.path.join(FIXTURES, 'derived', name)
        shutil.rmtree(dest, ignore_errors=True)
        make(name, dest)
        print(os.path.relpath(dest, HERE))
    return 0


if __name__ == '__main__':
    sys.exit(main())
