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


def memory_stall(root):
    """proc/pressure/memory: PSI saying tasks stalled on memory 24.8% of the
    last minute (full 9.7%).  No capture has PSI yet (the guests' rs_capture
    does not copy /proc/pressure/memory): the numbers are made up, larger
    than the source's direct reclaim and compaction time accounts for, so
    the finding says the cause is not in the module's data."""
    os.makedirs(os.path.join(root, 'proc', 'pressure'))
    with open(os.path.join(root, 'proc', 'pressure', 'memory'), 'w') as f:
        f.write('some avg10=31.20 avg60=24.80 avg300=9.10 total=18660000\n'
                'full avg10=12.40 avg60=9.70 avg300=3.50 total=7420000\n')


def thrashing(root):
    """sys/devices/system/node/node<N>/vmstat: per-node workingset counters
    where refaults are 40% of the pages the node's shrink_list reclaimed
    (activations half of those): a working set that does not fit.  No
    capture has node vmstat yet, nor a thrashing workload."""
    for d in sorted(os.listdir(root)):
        if not d.startswith('node'):
            continue
        with open(os.path.join(root, d, 'shrink_list')) as f:
            reclaimed = int(dict(l.split() for l in f)['nr_reclaimed'])
        refaults = reclaimed * 2 // 5
        path = os.path.join(root, 'sys', 'devices', 'system', 'node', d)
        os.makedirs(path)
        with open(os.path.join(path, 'vmstat'), 'w') as f:
            f.write('workingset_nodes 0\nworkingset_refault_anon 0\n'
                    'workingset_refault_file %d\nworkingset_activate_anon 0\n'
                    'workingset_activate_file %d\n' % (refaults, refaults // 2))


DERIVED = {
    'shrinker-never-frees': shrinker_never_frees,
    'memory-stall': memory_stall,
    'thrashing': thrashing,
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
