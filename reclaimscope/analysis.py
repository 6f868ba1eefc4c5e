# SPDX-License-Identifier: GPL-2.0
"""Analysis: percentiles, outcomes, zone levels, rates, what hooks make unknown."""

from .tree import HIST_LAST_US, OVERFLOW, SHRINKER_COLUMNS


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


def shrinkers_by_name(rows):
    """Rows summed by name (max_ns: the largest): rows have no identity
    across readings, names do (several rows may share one)."""
    out = {}
    for row in rows:
        m = out.setdefault(row['name'], dict.fromkeys(SHRINKER_COLUMNS[1:] + ('rows',), 0))
        for key in SHRINKER_COLUMNS[1:]:
            m[key] = max(m[key], row[key]) if key == 'max_ns' else m[key] + row[key]
        m['rows'] += 1
    return out
