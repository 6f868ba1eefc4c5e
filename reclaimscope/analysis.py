# SPDX-License-Identifier: GPL-2.0
"""Analysis: percentiles, outcomes, zone levels, rates, what hooks make unknown."""

import re

from .tree import CONTEXTS, HIST_LAST_US, OVERFLOW, SHRINKER_COLUMNS, WHO_TABLES


PERCENTILES = (('p50', 50), ('p90', 90), ('p99', 99), ('max', 100))

# Analysis: percentiles, outcomes, zone levels, rates.


def bucket_bounds(i):
    """(lower, upper) microseconds of bucket i: lower < duration <= upper;
    upper is None for the overflow bucket."""
    if i == OVERFLOW:
        return HIST_LAST_US, None
    return (0 if i == 0 else 1 << (i - 1)), 1 << i


def percentile(hist, p, max_ns=0):
    """The p-th percentile (nearest rank) of a log2 histogram.

    The rank is ceil(p/100 * count) (at least 1); the answer is the upper
    bound of the first bucket whose cumulative count reaches it, as
    {'le_us': bound}.  When max_ns falls inside that bucket it is the
    tighter bound and is returned instead.  In the overflow bucket the
    answer is {'le_us': max_ns/1000} if max_ns lies beyond 2^20 us, else
    {'gt_us': 1048576}.  None for an empty histogram.
    """
    count = sum(hist)
    if not count:
        return None
    rank = max(1, -(-p * count // 100))
    cum = 0
    for i, n in enumerate(hist):
        cum += n
        if cum >= rank:
            break
    lower, upper = bucket_bounds(i)
    max_us = max_ns / 1000
    if max_us > lower and (upper is None or max_us <= upper):
        if p == 100:        # the maximum itself, not a bound
            return {'le_us': max_us, 'exact': True}
        return {'le_us': max_us}
    if upper is None:
        return {'gt_us': lower}
    return {'le_us': upper}


def latency_summary(f):
    """count, sum, mean and percentiles of a file with a histogram."""
    hist = f['latency_us']
    count = sum(hist)
    total_ns = f.get('total_ns', 0)
    out = {'count': count, 'total_ns': total_ns, 'max_ns': f.get('max_ns', 0),
           'mean_us': round(total_ns / 1000 / count, 3) if count else None}
    for name, p in PERCENTILES:
        out[name] = percentile(hist, p, out['max_ns'])
    return out


def zone_level(z):
    """'<min', '<low', '<high' or 'ok': free against watermark + boost."""
    boost = z.get('boost', 0)
    for mark in ('min', 'low', 'high'):
        if z['free'] < z[mark] + boost:
            return '<' + mark
    return 'ok'

SHRINK_OUTCOMES = (('reclaimed', ('nr_reclaimed',)),
                   ('dirty', ('nr_dirty',)),
                   ('writeback', ('nr_writeback',)),
                   ('congested', ('nr_congested',)),
                   ('activated', ('nr_activate_anon', 'nr_activate_file')),
                   ('kept', ('nr_ref_keep',)))


def shrink_outcomes(sl):
    """shrink_list outcomes as counts and percentages of a base.

    The base is the folios scanned (inactive_scanned_*), or, when that is
    smaller, the folios with a final outcome (reclaimed + activated +
    kept): 6.1's MGLRU emits no scan event.  Categories overlap (a dirty
    folio may be under writeback too), so percentages need not add to 100.
    """
    counts = {name: sum(sl.get(k, 0) for k in keys) for name, keys in SHRINK_OUTCOMES}
    scanned = sl.get('inactive_scanned_anon', 0) + sl.get('inactive_scanned_file', 0)
    settled = counts['reclaimed'] + counts['activated'] + counts['kept']
    base, basis = (scanned, 'scanned') if scanned >= settled else (settled, 'settled')
    percent = {name: (round(100 * n / base, 1) if base else None)
               for name, n in counts.items()}
    return {'base': base, 'basis': basis, 'counts': counts, 'percent': percent}


def counter_delta(prev, cur):
    """cur - prev, or None when the counter went back (a reset)."""
    return cur - prev if cur >= prev else None

# Per-node rates for watch: (output key, file, counter).
RATES = (('wakes', 'kswapd', 'wakes'),
         ('balance_passes', 'balance_pgdat', 'calls'),
         ('pages_reclaimed', 'shrink_list', 'nr_reclaimed'),
         ('stalls', 'direct_reclaim', 'stalls'),
         ('compactions', 'compaction', 'runs'))


def shrinker_freed(tree):
    return sum(row['freed_total'] for row in tree['shrinkers'])


def node_refaults(node):
    """(refaults, activations) of a node's vmstat, or None without one."""
    vm = node.get('vmstat')
    if vm is None:
        return None
    return (vm.get('workingset_refault_anon', 0) + vm.get('workingset_refault_file', 0),
            vm.get('workingset_activate_anon', 0) + vm.get('workingset_activate_file', 0))


def psi_share(prev, cur, dt, kind):
    """The share of @dt with tasks stalled on memory (PSI @kind 'some' or
    'full'), from the growth of its total; None without both readings."""
    a = (prev['proc'].get('pressure') or {}).get(kind)
    b = (cur['proc'].get('pressure') or {}).get(kind)
    if a is None or b is None or dt <= 0 or b['total_us'] < a['total_us']:
        return None
    return min(1.0, (b['total_us'] - a['total_us']) / 1e6 / dt)


def rates(prev, cur, dt):
    """Per-second rates from two samples @dt seconds apart (dicts from
    sample()).  A counter that went back (reset) gives None."""
    def per_s(a, b):
        d = counter_delta(a, b)
        return None if d is None or dt <= 0 else d / dt

    old = {n['node']: n for n in prev['nodes']}
    nodes = []
    for node in cur['nodes']:
        entry = {'node': node['node']}
        before = old.get(node['node'])
        for key, fname, counter in RATES:
            entry[key + '_per_s'] = (per_s(before[fname][counter], node[fname][counter])
                                     if before else None)
        busy = (per_s(before['kswapd'].get('awake_ns_total', 0),
                      node['kswapd'].get('awake_ns_total', 0)) if before else None)
        entry['kswapd_busy'] = None if busy is None else min(1.0, busy / 1e9)
        now, then = node_refaults(node), before and node_refaults(before)
        entry['refaults_per_s'] = per_s(then[0], now[0]) if now and then else None
        entry['activations_per_s'] = per_s(then[1], now[1]) if now and then else None
        nodes.append(entry)
    return {'interval_s': dt, 'nodes': nodes,
            'shrinker_freed_per_s': per_s(shrinker_freed(prev), shrinker_freed(cur)),
            'psi_some': psi_share(prev, cur, dt, 'some'),
            'psi_full': psi_share(prev, cur, dt, 'full')}

# Hooks that did not attach: the numbers they feed are not zeros but
# unknown ("n/a").  Items are "file" or "file.key".

HOOK_FEEDS = {
    'mm_vmscan_wakeup_kswapd': ('kswapd.wakeup_requests',),
    'mm_vmscan_kswapd_wake': ('kswapd.wakes', 'kswapd.awake', 'kswapd.awake_ns_total'),
    'mm_vmscan_kswapd_sleep': ('kswapd.sleeps', 'kswapd.awake', 'kswapd.awake_ns_total'),
    'balance_pgdat': ('balance_pgdat',),
    'shrink_folio_list': ('shrink_list',),
    'mm_vmscan_lru_shrink_inactive': ('shrink_list.inactive',),
    'mm_vmscan_lru_shrink_active': ('shrink_list.active',),
    'mm_vmscan_direct_reclaim_begin': ('direct_reclaim',),
    'mm_vmscan_direct_reclaim_end': ('direct_reclaim',),
    'mm_vmscan_node_reclaim_begin': ('direct_reclaim.node_reclaim',),
    'mm_vmscan_node_reclaim_end': ('direct_reclaim.node_reclaim',),
    'mm_vmscan_throttled': ('direct_reclaim.throttled',),
    'mm_compaction_wakeup_kcompactd': ('compaction.kcompactd_wakeup_requests',),
    'mm_compaction_kcompactd_wake': ('compaction.kcompactd_wakes',),
    'mm_compaction_kcompactd_sleep': ('compaction.kcompactd_sleeps',),
    'mm_compaction_begin': ('compaction.runs',),
    'mm_compaction_end': ('compaction.results', 'compaction.latency'),
    'mm_compaction_deferred': ('compaction.deferred_events',),
    'mm_compaction_defer_compaction': ('compaction.defer_events',),
    'mm_compaction_defer_reset': ('compaction.defer_resets',),
    'mm_page_alloc_extfrag': ('boost',),
    'mm_shrink_slab_start': ('shrinkers',),
    'mm_shrink_slab_end': ('shrinkers',),
    'mm_vmscan_memcg_reclaim_begin': ('memcg_reclaim',),
    'mm_vmscan_memcg_reclaim_end': ('memcg_reclaim',),
    'mm_vmscan_memcg_softlimit_reclaim_begin': ('memcg_reclaim.softlimit',),
    'mm_vmscan_memcg_softlimit_reclaim_end': ('memcg_reclaim.softlimit',),
}


# A hook on standby has its job done by others (balance_pgdat's kretprobe
# behind the 7.x balance_pgdat tracepoints): what it feeds is counted.
COUNTING = ('attached', 'standby')


def unavailable(tree):
    """{item: 'hook <name> <state>'} for every item fed by a hook that is
    neither attached nor on standby (missing, failed:<ERRNO> or disabled)."""
    out = {}
    for h in tree['hooks']:
        if h['state'] not in COUNTING:
            for item in HOOK_FEEDS.get(h['name'], ()):
                out.setdefault(item, 'hook %s %s' % (h['name'], h['state']))
    return out


def is_unavailable(na, item):
    """Whether @item ('file.key') or its file is fed by a hook not attached."""
    return item in na or item.split('.', 1)[0] in na


def awake_share(k, since_load):
    """kswapd's awake time since load: {'awake_s', 'share', 'bound'}; share
    None when the time since load is unknown.  bound: 'exact', or 'at
    least' when the time since load is an upper bound (a copy's uptime)."""
    awake_s = k.get('awake_ns_total', 0) / 1e9
    window = since_load['seconds']
    if not window:
        return {'awake_s': awake_s, 'share': None, 'bound': None}
    return {'awake_s': awake_s, 'share': min(1.0, awake_s / window),
            'bound': 'exact' if since_load['exact'] else 'at least'}


SHRINKER_CONTEXT_COLUMNS = tuple('%s_%s' % (c, w) for c in CONTEXTS for w in ('calls', 'ns'))


def shrinkers_by_name(rows):
    """Rows summed by name (max_ns: the largest): rows have no identity
    across readings, names do (several rows may share one).  The
    per-context columns (kswapd_ns, ...) are summed too where the rows
    have them."""
    out = {}
    for row in rows:
        m = out.setdefault(row['name'], dict.fromkeys(SHRINKER_COLUMNS[1:] + ('rows',), 0))
        for key in SHRINKER_COLUMNS[1:]:
            m[key] = max(m[key], row[key]) if key == 'max_ns' else m[key] + row[key]
        for key in SHRINKER_CONTEXT_COLUMNS:
            if isinstance(row.get(key), int):
                m[key] = m.get(key, 0) + row[key]
        m['rows'] += 1
    return out

# Who pays for reclaim: the tasks and cgroups tables.  A row's stall time
# is its time in direct reclaim, memcg reclaim and direct compaction:
# three stalls that never nest.  throttled_ns is not added: a reclaimer
# throttled in reclaim_throttle() sleeps inside one of them.

STALL_KINDS = (('direct', 'direct reclaim'), ('memcg', 'memcg reclaim'),
               ('compact', 'direct compaction'))

ORDER_KEY = re.compile(r'^order(\d+)_(calls|stalls)$')


def stall_ns(row):
    return sum(row.get(kind + '_ns', 0) for kind, _ in STALL_KINDS)


def stall_count(row):
    return sum(row.get(kind + '_stalls', 0) for kind, _ in STALL_KINDS)


def is_overflow(row):
    """The overflow row of a table: tasks' pid '-', cgroups' 'other'."""
    return row.get('pid') == '-' if 'pid' in row else row.get('cgroup') == 'other'


def who_key(name, row):
    """A row's identity across readings: pid and comm for a task, the
    cgroup for a cgroup."""
    return (row['pid'], row['comm']) if name == 'tasks' else row['cgroup']


def who_rows(name, rows):
    """{key: row} of table @name: rows with the same key merged (counts
    summed, max_ns the largest)."""
    counts = WHO_TABLES[name][1]
    out = {}
    for row in rows or ():
        k = who_key(name, row)
        m = out.get(k)
        if m is None:
            out[k] = dict(row)
            continue
        for col in counts:
            if col in row:
                m[col] = max(m.get(col, 0), row[col]) if col == 'max_ns' else \
                    m.get(col, 0) + row[col]
    return out


def counts_went_back(name, prev_rows, cur_rows):
    """Whether a column of table @name summed over all its rows (the
    overflow row included, which keeps what leaves the table), or the
    overflow row itself, went back: only a reset does that."""
    if prev_rows is None or cur_rows is None:
        return False
    for col in WHO_TABLES[name][1]:
        if col == 'max_ns':
            continue
        if sum(r.get(col, 0) for r in cur_rows) < sum(r.get(col, 0) for r in prev_rows):
            return True
        a = [r.get(col, 0) for r in prev_rows if is_overflow(r)]
        b = [r.get(col, 0) for r in cur_rows if is_overflow(r)]
        if a and b and b[0] < a[0]:
            return True
    return False


RESET_KEYS = (('direct_reclaim', ('stalls', 'total_ns')),
              ('memcg_reclaim', ('stalls', 'total_ns')),
              ('direct_compaction', ('stalls', 'total_ns')))


def went_back(prev, cur):
    """Whether the module was reset between two readings (dicts from
    read_tree): a stall total, or a who-pays table's column total, is
    lower than before."""
    for fname, keys in RESET_KEYS:
        a, b = prev.get(fname), cur.get(fname)
        if a and b and any(b.get(k, 0) < a.get(k, 0) for k in keys):
            return True
    return any(counts_went_back(name, prev.get(name), cur.get(name)) for name in WHO_TABLES)


def who_delta(name, prev_rows, cur_rows, reset=False):
    """The rows of table @name over a window: each current row's counts
    minus those of the same row (who_key) at @prev_rows.  A row not
    there before counts from zero (it is new in the table); so does a
    row whose counts went back without a reset (a pid used again by a
    task of the same name); after a @reset every row does (counts
    restart at the reset).  @prev_rows None: since load.  max_ns stays
    the row's longest since load.  Each row gains 'stall_ns'."""
    counts = [c for c in WHO_TABLES[name][1] if c != 'max_ns']
    old = {} if reset or prev_rows is None else who_rows(name, prev_rows)
    out = []
    for k, row in who_rows(name, cur_rows).items():
        d = dict(row)
        p = old.get(k)
        if p is not None and all(row.get(c, 0) >= p.get(c, 0) for c in counts):
            for c in counts:
                if c in row:
                    d[c] = row[c] - p.get(c, 0)
        d['stall_ns'] = stall_ns(d)
        out.append(d)
    return out


def rank_who(name, rows):
    """(rows with stall time or throttling, slowest first, without the
    overflow row; the overflow row or None)."""
    main = [r for r in rows if not is_overflow(r) and
            (r['stall_ns'] or r.get('throttled_ns', 0) or stall_count(r))]
    other = next((r for r in rows if is_overflow(r)), None)
    main.sort(key=lambda r: (-r['stall_ns'], -r.get('throttled_ns', 0), -stall_count(r),
                             str(who_key(name, r))))
    return main, other


def cgroup_path(tree, label):
    """The path to show for cgroup @label: an id:<N> the tool resolved
    (live) becomes the path."""
    return (tree.get('cgroup_paths') or {}).get(label, label)


EVENT_KEYS = ('high', 'max', 'oom', 'oom_kill')


def cgroup_psi(files, old, dt):
    """A cgroup's memory.pressure over the interval (from its totals, when
    the previous reading has them) else its avg10: {'some', 'full' (0..1
    or None), 'basis': 'interval' | 'avg10'}; None when unreadable."""
    psi = (files or {}).get('pressure')
    if psi is None:
        return None
    before = (old or {}).get('pressure')
    if before is not None and dt:
        wrap_ = {'proc': {'pressure': before}}
        now = {'proc': {'pressure': psi}}
        some = psi_share(wrap_, now, dt, 'some')
        if some is not None:
            return {'some': some, 'full': psi_share(wrap_, now, dt, 'full'),
                    'basis': 'interval'}
    full = psi.get('full')
    return {'some': psi['some']['avg10'] / 100, 'full': full['avg10'] / 100 if full else None,
            'basis': 'avg10'}


def cgroup_events(files, old):
    """memory.events' high, max, oom and oom_kill: their growth since the
    previous reading ('basis': 'interval') or their totals since the
    cgroup was made ('total'); None when unreadable."""
    ev = (files or {}).get('events')
    if ev is None:
        return None
    before = (old or {}).get('events')
    if before is not None and all(ev.get(k, 0) >= before.get(k, 0) for k in EVENT_KEYS):
        out = {k: ev.get(k, 0) - before.get(k, 0) for k in EVENT_KEYS}
        out['basis'] = 'interval'
        return out
    out = {k: ev.get(k, 0) for k in EVENT_KEYS}
    out['basis'] = 'total'
    return out


def who_pays(tree, n):
    """Snapshot's who pays: for 'tasks' and 'cgroups', None without the
    file, else {'rows': the @n slowest since load, 'other': the overflow
    row, 'more_rows', 'more_stall_ns': the rows not shown, 'stall_ns':
    the table's total}; each row with 'stall_ns' and 'share' (of the
    total), a task row with its 'cgroup_path', a cgroup row with its
    'path' and what memory.pressure and memory.events said."""
    out = {}
    for name in WHO_TABLES:
        if tree.get(name) is None:
            out[name] = None
            continue
        rows = who_delta(name, None, tree[name])
        main, other = rank_who(name, rows)
        total = sum(r['stall_ns'] for r in rows)
        for r in main + ([other] if other else []):
            r['share'] = r['stall_ns'] / total if total else None
            if name == 'tasks':
                r['cgroup_path'] = cgroup_path(tree, r['cgroup'])
            else:
                r['path'] = cgroup_path(tree, r['cgroup'])
                files = (tree.get('cgroup_files') or {}).get(r['cgroup'])
                r['pressure'] = cgroup_psi(files, None, None)
                r['events'] = cgroup_events(files, None)
        out[name] = {'rows': main[:n], 'other': other, 'more_rows': max(0, len(main) - n),
                     'more_stall_ns': sum(r['stall_ns'] for r in main[n:]),
                     'stall_ns': total}
    return out


def compaction_orders(f):
    """{order: {'calls', 'stalls'}} of a direct_compaction file, by order."""
    out = {}
    for key, value in f.items():
        m = ORDER_KEY.match(key)
        if m:
            out.setdefault(int(m.group(1)), {'calls': 0, 'stalls': 0})[m.group(2)] = value
    return dict(sorted(out.items()))


def kswapd_cpu(k, prev_k, seconds):
    """kswapd's CPU time over a window: {'cpu_s', 'share' (of one CPU,
    None when @seconds is unknown)}; None without cpu_ns, or when it went
    back (another kswapd: the node's memory was offlined and onlined).
    @prev_k None: cpu_ns itself, since kswapd started (boot)."""
    if not isinstance(k.get('cpu_ns'), int):
        return None
    before = prev_k.get('cpu_ns') if prev_k is not None else 0
    if not isinstance(before, int) or k['cpu_ns'] < before:
        return None
    cpu_s = (k['cpu_ns'] - before) / 1e9
    return {'cpu_s': cpu_s, 'share': cpu_s / seconds if seconds else None}
