# SPDX-License-Identifier: GPL-2.0
"""The snapshot report: every node at one reading, as a dict (its JSON)."""

from .tree import locked_down
from .text import PAGE_SIZE
from .analysis import (
    awake_share, compaction_orders, kswapd_cpu, latency_summary, node_refaults,
    shrink_outcomes, unavailable, who_pays, zone_level)
from .rules import diagnose


TOP_SHRINKERS = 5

TOP_WHO = 5                     # tasks and cgroups in snapshot's who pays


def node_report(node, since_load, uptime=None):
    wm = node['watermarks']['zones']
    zones = []
    for name, z in wm.items():
        zones.append({'zone': name, 'free': z['free'], 'min': z['min'],
                      'low': z['low'], 'high': z['high'], 'boost': z.get('boost', 0),
                      'managed': z.get('managed'), 'level': zone_level(z)})
    k, b, d = node['kswapd'], node['balance_pgdat'], node['direct_reclaim']
    c, sl = node['compaction'], node['shrink_list']
    results = {key[len('result_'):]: v for key, v in c.items() if key.startswith('result_')}
    deferred = [{'zone': name, 'defer_shift': z.get('defer_shift', 0),
                 'order_failed': z.get('order_failed', 0),
                 'considered': z.get('considered', 0),
                 'deferred_events': z.get('deferred_events', 0)}
                for name, z in c['zones'].items()]
    kswapd = {key: k.get(key) for key in (
        'awake', 'wakes', 'sleeps', 'wakeup_requests', 'failures', 'hopeless',
        'order', 'highest_zoneidx', 'awake_ns_total')}
    share = awake_share(k, since_load)
    kswapd.update({'awake_s': share['awake_s'], 'awake_share': share['share'],
                   'awake_share_bound': share['bound']})
    cpu = kswapd_cpu(k, None, uptime)
    if cpu is not None:
        kswapd.update({'cpu_ns': k['cpu_ns'], 'cpu_s': cpu['cpu_s'], 'cpu_share': cpu['share'],
                       'cpu_share_basis': 'uptime' if cpu['share'] is not None else None})
    return {
        'node': node['node'],
        'zones': zones,
        'kswapd': kswapd,
        'balance_pgdat': {'calls': b['calls'], 'order_fallbacks': b['order_fallbacks'],
                          'in_flight': b.get('in_flight', 0),
                          'latency': latency_summary(b)},
        'direct_reclaim': {'stalls': d['stalls'], 'completed': d['completed'],
                           'nr_reclaimed': d['nr_reclaimed'],
                           'in_flight': d.get('in_flight', 0),
                           'latency': latency_summary(d)},
        'shrink_list': dict(shrink_outcomes(sl), calls=sl['calls'],
                            latency=latency_summary(sl)),
        'compaction': {'runs': c['runs'], 'kcompactd_wakes': c['kcompactd_wakes'],
                       'kcompactd_max_order': c.get('kcompactd_max_order'),
                       'results': results, 'zones': deferred,
                       'latency': latency_summary(c)},
        'dirty': {key: v for key, v in node['dirty'].items()
                  if key not in ('zones', 'latency_us')},
        'boosted_zones': node['boost'].get('boosted_zones', 0),
        'refaults': node_refault_report(node, uptime),
    }


def node_refault_report(node, uptime):
    """Refaults of a node's vmstat since boot, as totals and rates over
    the uptime; None without node vmstat."""
    vm = node.get('vmstat')
    if vm is None:
        return None
    out = {k: vm.get(k, 0) for k in ('workingset_refault_anon', 'workingset_refault_file',
                                      'workingset_activate_anon', 'workingset_activate_file')}
    refaults, acts = node_refaults(node)
    out['refaults_per_s'] = refaults / uptime if uptime else None
    out['activated_share'] = acts / refaults if refaults else None
    return out


def memcg_report(f):
    """The memcg_reclaim file for snapshot, None without one."""
    if f is None:
        return None
    out = {key: f.get(key, 0) for key in (
        'stalls', 'completed', 'nr_reclaimed', 'in_flight', 'untracked', 'unpaired_ends',
        'softlimit_calls', 'softlimit_nr_reclaimed', 'softlimit_total_ns')}
    out['latency'] = latency_summary(f) if f.get('latency_us') else None
    return out


def direct_compaction_report(f):
    """The direct_compaction file for snapshot, None without one."""
    if f is None:
        return None
    out = {key: f.get(key, 0) for key in (
        'stalls', 'skipped', 'completed', 'in_flight', 'unpaired_ends')}
    out['orders'] = [dict(v, order=k) for k, v in compaction_orders(f).items()]
    out['latency'] = latency_summary(f) if f.get('latency_us') else None
    return out


def snapshot_report(tree, top=TOP_SHRINKERS):
    v = tree['version']
    since_load = tree.get('since_load') or {'seconds': None, 'exact': False}
    na = unavailable(tree)
    diag = diagnose(tree)           # since load: the headline
    worst = diag['findings'][0] if diag['findings'] else None
    return {
        'schema': 'reclaimscope.snapshot', 'schema_version': 1,
        'abi': v['abi'], 'module_version': v.get('version'), 'kernel': v.get('kernel'),
        'uptime_s': tree['proc']['uptime'],
        'since_load': since_load,
        'page_size': PAGE_SIZE,
        'nodes': [node_report(n, since_load, tree['proc']['uptime']) for n in tree['nodes']],
        'direct_reclaim': {'stalls': tree['direct_reclaim']['stalls'],
                           'latency': latency_summary(tree['direct_reclaim'])},
        'memcg_reclaim': memcg_report(tree.get('memcg_reclaim')),
        'direct_compaction': direct_compaction_report(tree.get('direct_compaction')),
        'who_pays': who_pays(tree, TOP_WHO),
        'thp': tree.get('thp'),
        'shrinkers': tree['shrinkers'][:top],
        'shrinker_rows': len(tree['shrinkers']),
        'top': top,
        'unavailable': na,
        'lockdown': tree.get('lockdown'),
        'reset_available': not locked_down(tree),
        'pressure': tree['proc'].get('pressure'),
        'worst': worst,
        'findings_since_load': len(diag['findings']),
    }
