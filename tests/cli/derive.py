#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make the derived fixtures: captured trees with the fewest edits that
show a problem no capture shows, for the diagnose rules that need one,
and (containers) the module's files no capture has yet.

    tests/cli/derive.py          # rewrites tests/cli/fixtures/derived/

Each derived tree is a copy of a captured one (SOURCE below, or its
entry of SOURCES) with the edits its function makes, and nothing else.  Never edit a derived tree by
hand: test_diagnose regenerates each one and compares.
"""
import os
import random
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


# "Who pays for reclaim": the module's newer files, which no capture has
# yet.  One row per (task, kind of stall): (pid, comm, cgroup, kind,
# stalls, ns, pages reclaimed, longest stall ns, order of a compaction).
# comm and cgroup are as a person reads them; write_who() escapes them as
# the module does.  The direct reclaim rows add up to the source's
# direct_reclaim file (94 stalls, 656374600 ns, 12032 pages, the longest
# 30624980 ns); memcg_reclaim, direct_compaction, tasks and cgroups are
# all made from these rows, so the tables' rows plus their "other" row
# add up to the files' totals.
OTHER = ('-', 'other', '-')
PG = '/system.slice/postgresql.service'
JOB = '/batch/nightly job'
SESSION = '/user.slice/user-1000.slice/session-2.scope'
BACKUP = '/system.slice/system-backup.slice/backup@srv\\x2ddata.service'
STALLS = (
    (2101, 'postgres', PG, 'direct', 8, 61000000, 1024, 14200000, None),
    (2101, 'postgres', PG, 'memcg', 1400, 6100000000, 98304, 212345678, None),
    (2107, 'postgres', PG, 'memcg', 620, 3300000000, 43520, 187654321, None),
    (3301, 'nightly job', JOB, 'memcg', 150, 1600000000, 20480, 98765432, None),
    (3301, 'nightly job', JOB, 'compact', 30, 410000000, 0, 61234567, 9),
    (1544, 'tmux: server', SESSION, 'direct', 12, 95000000, 1536, 21000000, None),
    (2950, 'stress-ng-vm', SESSION, 'direct', 60, 420000000, 7680, 30624980, None),
    (2950, 'stress-ng-vm', SESSION, 'compact', 2, 25000000, 0, 14900000, 3),
    (3030, 'restic', BACKUP, 'direct', 4, 20000000, 512, 7400000, None),
    (3030, 'restic', BACKUP, 'memcg', 30, 300000000, 3840, 41000000, None),
    (3999, 'C2 CompilerThre', 'id:4242', 'memcg', 10, 400000000, 1280, 88000000, None),
    (3999, 'C2 CompilerThre', 'id:4242', 'compact', 10, 150000000, 0, 27500000, 9),
    ('-', 'other', '-', 'direct', 10, 60374600, 1280, 9800000, None),
    ('-', 'other', '-', 'memcg', 4, 50000000, 512, 23456789, None),
)
# The cgroup of the stalls of the tasks' "other" row: its direct reclaim
# was in the root cgroup, its memcg reclaim in cgroups past the table.
OTHER_CGROUP = {'direct': '/', 'memcg': 'other'}
# Direct compaction attempts that were skipped (deferred, or too little
# free memory to compact), by order: calls = stalls + skipped.
COMPACT_SKIPPED = {3: 1, 9: 12}
KSWAPD_CPU_NS = {0: 4213567890, 1: 5102345678}
# node<N>/shrink_list: (calls, ns) of each reclaim context; they add up to
# the node's calls and total_ns.
SHRINK_LIST_CONTEXTS = {
    0: {'kswapd': (1690, 3201000000), 'direct': (198, 402000000),
        'memcg': (26, 61042120), 'other': (0, 0)},
    1: {'kswapd': (1380, 2490000000), 'direct': (171, 311000000),
        'memcg': (16, 33144950), 'other': (0, 0)},
}
# shrinkers: (name, calls, cache_items, delta_total, total_scan_total,
# freed_total, deferred, max_ns, {context: (calls, ns)}), slowest first.
# The first super_cache_scan row (a filesystem's inode and dentry cache)
# became the slow one: 5.5 s, most of it in kswapd; calls stay as
# captured (the hooks file's mm_shrink_slab_start hits add up to them).
SHRINKERS = (
    ('super_cache_scan', 852, 182443, 61200, 63904, 48211, 2, 41730100,
     {'kswapd': (760, 5012000000), 'direct': (80, 486000000), 'memcg': (12, 36320000),
      'other': (0, 0)}),
    ('kfree_rcu_shrink_scan', 850, 10, 20, 20, 10, 0, 4267560,
     {'kswapd': (800, 16900000), 'direct': (50, 1104630), 'memcg': (0, 0), 'other': (0, 0)}),
    ('super_cache_scan', 299, 4, 8, 8, 4, 0, 1206730,
     {'kswapd': (280, 2100000), 'direct': (19, 215630), 'memcg': (0, 0), 'other': (0, 0)}),
    ('super_cache_scan', 299, 6, 897, 906, 6, 3, 595850,
     {'kswapd': (290, 900000), 'direct': (9, 61170), 'memcg': (0, 0), 'other': (0, 0)}),
)
CONTEXTS = ('kswapd', 'direct', 'memcg', 'other')
# What the cgroup hierarchy shows of each cgroup (a copy of the files
# under sys/fs/cgroup): id:4242 was removed, so it has none.
CGROUP_FILES = {
    '/': {'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
          'memory.pressure': None},     # the same as proc/pressure/memory
    PG: {'memory.max': '1073741824\n', 'memory.high': 'max\n',
         'memory.current': '1072693248\n',
         'memory.events': 'low 0\nhigh 0\nmax 2087\noom 3\noom_kill 1\n'
                          'oom_group_kill 0\n',
         'memory.pressure': 'some avg10=31.02 avg60=24.37 avg300=9.12 total=9188000\n'
                            'full avg10=22.50 avg60=17.80 avg300=6.60 total=6723000\n'},
    JOB: {'memory.max': 'max\n', 'memory.high': '536870912\n',
          'memory.current': '549453824\n',
          'memory.events': 'low 0\nhigh 1544\nmax 0\noom 0\noom_kill 0\n'
                           'oom_group_kill 0\n',
          'memory.pressure': 'some avg10=4.10 avg60=3.20 avg300=1.05 total=1711000\n'
                             'full avg10=2.00 avg60=1.40 avg300=0.50 total=804000\n'},
    SESSION: {'memory.max': 'max\n', 'memory.high': 'max\n',
              'memory.current': '734003200\n',
              'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n'
                               'oom_group_kill 0\n',
              'memory.pressure': 'some avg10=0.80 avg60=0.95 avg300=0.30 total=522000\n'
                                 'full avg10=0.10 avg60=0.20 avg300=0.05 total=98000\n'},
    BACKUP: {'memory.max': '268435456\n', 'memory.high': 'max\n',
             'memory.current': '265289728\n',
             'memory.events': 'low 0\nhigh 0\nmax 61\noom 0\noom_kill 0\n'
                              'oom_group_kill 0\n',
             'memory.pressure': 'some avg10=1.20 avg60=0.70 avg300=0.25 total=331000\n'
                                'full avg10=0.90 avg60=0.50 avg300=0.18 total=240000\n'},
}
PSI = ('some avg10=18.40 avg60=15.20 avg300=6.10 total=11980000\n'
       'full avg10=7.10 avg60=5.30 avg300=2.00 total=4410000\n')
THP = {'enabled': '[always] madvise never\n',
       'defrag': '[always] defer defer+madvise madvise never\n',
       'hpage_pmd_size': '2097152\n'}
MEMCG_HOOKS = ('mm_vmscan_memcg_reclaim_begin', 'mm_vmscan_memcg_reclaim_end',
               'mm_vmscan_memcg_softlimit_reclaim_begin',
               'mm_vmscan_memcg_softlimit_reclaim_end')


def escape(name):
    """A name as the module prints it: space, tab, newline and backslash
    as \\ooo (as /proc/mounts)."""
    return ''.join('\\%03o' % ord(c) if c in ' \t\n\\' else c for c in name)


def durations(seed, n, total, longest):
    """@n durations (ns) adding up to @total, the longest @longest: one
    of them, the others spread (deterministically) below it."""
    if n == 1:
        return [total]
    rnd = random.Random(seed)
    weights = [rnd.lognormvariate(0, 0.8) for _ in range(n - 1)]
    rest = total - longest
    out = [max(1000, int(w / sum(weights) * rest)) for w in weights]
    while True:
        over = [i for i, d in enumerate(out) if d > longest]
        for i in over:
            out[i] = longest
        diff = rest - sum(out)
        if not diff:
            break
        room = [i for i, d in enumerate(out) if (d < longest if diff > 0 else d > 1000)]
        step = max(1, abs(diff) // len(room))
        for i in room:
            if not diff:
                break
            change = min(step, abs(diff), longest - out[i] if diff > 0 else out[i] - 1000)
            out[i] += change if diff > 0 else -change
            diff += -change if diff > 0 else change
    return [longest] + out


def histogram(values):
    """The module's 22 latency_us_* keys for durations in ns."""
    buckets = [0] * 22
    for ns in values:
        us = -(-ns // 1000)
        i = next((i for i in range(21) if us <= 1 << i), 21)
        buckets[i] += 1
    return ['latency_us_le_%d %d' % (1 << i, c) for i, c in enumerate(buckets[:21])] + \
        ['latency_us_gt_1048576 %d' % buckets[21]]


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def kv_lines(pairs):
    return ''.join('%s %s\n' % kv for kv in pairs)


def insert_after(root, rel, key, lines):
    """Insert @lines ("key value") after the line of @key in file @rel."""
    path = os.path.join(root, rel)
    with open(path) as f:
        old = f.read().splitlines()
    i = next(i for i, l in enumerate(old) if l.split()[0] == key) + 1
    with open(path, 'w') as f:
        f.write('\n'.join(old[:i] + lines + old[i:]) + '\n')


def containers(root):
    """The module's "who pays for reclaim" files on a host running
    containers and services under cgroup limits: memcg_reclaim,
    direct_compaction, tasks and cgroups (from STALLS: rows plus "other"
    add up to the files' totals; names escaped as the module escapes
    them: a space in "nightly job", "tmux: server" and "C2 CompilerThre",
    a backslash in systemd's "\\x2d"; a removed cgroup shown as
    id:4242), kswapd's cpu_ns per node, shrink_list's and the shrinkers
    table's per-context keys and columns (the first super_cache_scan row
    made the slow one, mostly in kswapd), the memcg hooks; and the host
    files the tool reads beside them: PSI, each cgroup's memory.* files
    under sys/fs/cgroup, and transparent_hugepage's defrag.  What the
    capture counted before stays as it was: its vmstat knows nothing of
    this memcg reclaim or direct compaction."""
    seed = 0
    by_kind = {'direct': [], 'memcg': [], 'compact': []}
    tasks, cgroups = {}, {}
    orders = {}
    for pid, comm, cgroup, kind, n, ns, pages, longest, order in STALLS:
        seed += 1
        by_kind[kind] += durations(seed, n, ns, longest)
        t = tasks.setdefault((pid, comm), {'cgroup': cgroup, 'max_ns': 0,
                                           'nr_reclaimed': 0})
        if comm == 'other' and pid == '-':
            cgroup = OTHER_CGROUP[kind]
        c = cgroups.setdefault(cgroup, {'max_ns': 0, 'memcg_reclaimed': 0})
        for row in (t, c):
            row[kind + '_stalls'] = row.get(kind + '_stalls', 0) + n
            row[kind + '_ns'] = row.get(kind + '_ns', 0) + ns
            row['max_ns'] = max(row['max_ns'], longest)
        t['nr_reclaimed'] += pages
        if kind == 'memcg':
            c['memcg_reclaimed'] += pages
        if order is not None:
            o = orders.setdefault(order, [COMPACT_SKIPPED.get(order, 0), 0])
            o[0] += n
            o[1] += n
    for kind, values in by_kind.items():
        rows = [r for r in STALLS if r[3] == kind]
        assert len(values) == sum(r[4] for r in rows) and sum(values) == sum(r[5] for r in rows)
        assert max(values) == max(r[7] for r in rows)

    def total(kind, i):
        return sum(r[i] for r in STALLS if r[3] == kind)

    def stall(row):
        return sum(row.get(k + '_ns', 0) for k in ('direct', 'memcg', 'compact'))

    memcg = [('stalls', total('memcg', 4)), ('untracked', 0),
             ('completed', total('memcg', 4)), ('unpaired_ends', 0),
             ('nr_reclaimed', total('memcg', 6)), ('total_ns', total('memcg', 5))] + \
        [('softlimit_' + k, 0) for k in ('calls', 'untracked', 'completed', 'unpaired_ends',
                                        'nr_reclaimed', 'total_ns')] + \
        [('in_flight', 0), ('softlimit_in_flight', 0), ('max_ns', max(by_kind['memcg']))]
    write(root, 'memcg_reclaim', kv_lines(memcg) + '\n'.join(histogram(by_kind['memcg'])) + '\n')
    compact = [('stalls', total('compact', 4)), ('skipped', sum(COMPACT_SKIPPED.values())),
               ('unpaired_ends', 0), ('completed', total('compact', 4)),
               ('total_ns', total('compact', 5)), ('max_ns', max(by_kind['compact'])),
               ('in_flight', 0)]
    for order in sorted(orders):
        compact += [('order%d_calls' % order, orders[order][0]),
                    ('order%d_stalls' % order, orders[order][1])]
    write(root, 'direct_compaction',
          kv_lines(compact) + '\n'.join(histogram(by_kind['compact'])) + '\n')

    head = ('pid comm cgroup direct_stalls direct_ns memcg_stalls memcg_ns compact_stalls '
            'compact_ns throttled throttled_ns max_ns nr_reclaimed').split()
    rows = sorted(((k, v) for k, v in tasks.items() if k != OTHER[:2]),
                  key=lambda kv: -stall(kv[1])) + [(OTHER[:2], tasks[OTHER[:2]])]
    lines = [' '.join(head)]
    for (pid, comm), t in rows:
        t = dict(t, pid=pid, comm=escape(comm), cgroup=escape(t['cgroup']))
        lines.append(' '.join(str(t.get(c, 0)) for c in head))
    write(root, 'tasks', '\n'.join(lines) + '\n')
    head = ('cgroup memcg_stalls memcg_ns memcg_reclaimed direct_stalls direct_ns '
            'compact_stalls compact_ns throttled throttled_ns max_ns').split()
    rows = sorted(((k, v) for k, v in cgroups.items() if k != 'other'),
                  key=lambda kv: -stall(kv[1])) + [('other', cgroups['other'])]
    lines = [' '.join(head)]
    for cgroup, c in rows:
        lines.append(' '.join([escape(cgroup)] + [str(c.get(k, 0)) for k in head[1:]]))
    write(root, 'cgroups', '\n'.join(lines) + '\n')

    for nid, cpu in KSWAPD_CPU_NS.items():
        insert_after(root, 'node%d/kswapd' % nid, 'awake_ns_total', ['cpu_ns %d' % cpu])
    for nid, contexts in SHRINK_LIST_CONTEXTS.items():
        with open(os.path.join(root, 'node%d/shrink_list' % nid)) as f:
            kv = dict(l.split() for l in f)
        assert sum(c[0] for c in contexts.values()) == int(kv['calls'])
        assert sum(c[1] for c in contexts.values()) == int(kv['total_ns'])
        insert_after(root, 'node%d/shrink_list' % nid, 'nr_reclaimed', [
            '%s_%s %d' % (ctx, what, contexts[ctx][i])
            for ctx in CONTEXTS for i, what in enumerate(('calls', 'ns'))])
    head = ('name calls cache_items delta_total total_scan_total freed_total deferred '
            'total_ns max_ns').split() + ['%s_%s' % (c, w) for c in CONTEXTS
                                           for w in ('calls', 'ns')]
    lines = [' '.join(head)]
    for name, calls, items, delta, scan, freed, deferred, longest, ctx in SHRINKERS:
        assert sum(c[0] for c in ctx.values()) == calls
        lines.append(' '.join(map(str, [name, calls, items, delta, scan, freed, deferred,
                                        sum(c[1] for c in ctx.values()), longest] +
                                  [ctx[c][i] for c in CONTEXTS for i in (0, 1)])))
    write(root, 'shrinkers', '\n'.join(lines) + '\n')
    with open(os.path.join(root, 'hooks'), 'a') as f:
        for hook in MEMCG_HOOKS:
            hits = total('memcg', 4) if 'softlimit' not in hook else 0
            f.write('%s tracepoint attached %d 0 %s\n' % (hook, hits, hook))

    write(root, 'proc/pressure/memory', PSI)
    for cgroup, files in CGROUP_FILES.items():
        for name, text in files.items():
            write(root, os.path.join('sys/fs/cgroup' + cgroup.rstrip('/'), name),
                  PSI if text is None else text)
    for name, text in THP.items():
        write(root, os.path.join('sys/kernel/mm/transparent_hugepage', name), text)


DERIVED = {
    'shrinker-never-frees': shrinker_never_frees,
    'memory-stall': memory_stall,
    'thrashing': thrashing,
    'containers': containers,
}

# The captured tree each derived tree is made from (SOURCE unless named).
SOURCES = {'containers': '6.12/pressure'}


def source_of(name):
    return SOURCES.get(name, SOURCE)


def make(name, dest):
    """Write derived tree @name to @dest (which must not exist)."""
    shutil.copytree(os.path.join(FIXTURES, source_of(name)), dest)
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
