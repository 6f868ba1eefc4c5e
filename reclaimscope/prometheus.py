# SPDX-License-Identifier: GPL-2.0
"""Prometheus text exposition format."""

import math
import re

from .tree import CONTEXTS, NODE_FILES, TOP_FILES, is_int
from .text import PAGE_SIZE
from .analysis import (
    COUNTING, ORDER_KEY, SHRINKER_CONTEXT_COLUMNS, bucket_bounds, shrinkers_by_name, who_rows)


# Every key has a name, a type and a one-line meaning with its unit.
# Keys this version of the tool does not know are named and typed by
# rule, never "untyped": *_ns is time, converted to seconds (max_ns and
# last_* a gauge, any other a counter _seconds_total); *_total a
# counter; anything else a gauge.  Page values end in _pages.

C, G = 'counter', 'gauge'

# file -> key -> (name after reclaimscope_<prefix>_, type, help); the
# prefix is the file's, or PROM_PREFIX's.  Counters get _total added.
PROM_PREFIX = {'watermarks.zone': 'zone', 'boost.zone': 'zone',
               'compaction.zone': 'compaction_zone', 'demo_shrinker': 'demo_shrinker'}

PROM_METRICS = {
    'kswapd': {
        'wakeup_requests': ('wakeup_requests', C, 'allocations that found a zone below its '
                            'low watermark and asked kswapd to run'),
        'wakes': ('wakes', C, 'kswapd balance passes begun (mm_vmscan_kswapd_wake)'),
        'sleeps': ('sleeps', C, 'times kswapd went to sleep with the node balanced'),
        'awake': ('awake', G, '1 while kswapd is awake (a wake until the next sleep)'),
        'awake_ns_total': ('awake_seconds', C, 'seconds kswapd spent awake: its rate is '
                           'the share of time kswapd is busy'),
        'cpu_ns': ('cpu_seconds', C, 'seconds of CPU time kswapd used'),
        'last_wake_order': ('last_wake_order', G, 'allocation order of the last wake'),
        'last_wake_zoneidx': ('last_wake_zone_index', G,
                              'highest zone index of the last wake'),
        'order': ('requested_order', G, 'order kswapd was last asked to make room for '
                  '(pgdat->kswapd_order)'),
        'highest_zoneidx': ('requested_zone_index', G, 'highest zone index the waking '
                            'allocation could use (MAX_NR_ZONES: none pending)'),
        'failures': ('failures', G, 'consecutive balance passes that reclaimed nothing '
                     '(16: hopeless)'),
        'hopeless': ('hopeless', G, '1 when kswapd gave up on the node: reclaim cannot '
                     'free its memory'),
    },
    'balance_pgdat': {
        'calls': ('passes', C, 'balance_pgdat() passes completed'),
        'in_flight': ('in_flight', G, 'balance_pgdat() passes running now'),
        'order_fallbacks': ('order_fallbacks', C, 'passes that gave up the requested high '
                            'order and balanced for order 0'),
        'last_order': ('last_order', G, 'order asked of the last pass'),
        'last_highest_zoneidx': ('last_zone_index', G, 'highest zone index of the last pass'),
        'last_return_order': ('last_return_order', G, 'order the last pass returned'),
        'max_ns': ('max_seconds', G, 'longest pass since load, seconds'),
    },
    'shrink_list': dict({
        'calls': ('calls', C, 'shrink_folio_list() calls: batches reclaim decided on'),
        'in_flight': ('in_flight', G, 'shrink_folio_list() calls running now'),
        'max_ns': ('max_seconds', G, 'longest shrink_folio_list() call since load, seconds'),
        'nr_reclaimed': ('reclaimed_pages', C, 'pages freed by shrink_folio_list()'),
        'nr_dirty': ('dirty_folios', C, 'dirty folios reclaim met'),
        'nr_unqueued_dirty': ('unqueued_dirty_folios', C,
                              'dirty folios not yet queued for writeback'),
        'nr_congested': ('congested_folios', C,
                         'folios under writeback to a congested device'),
        'nr_writeback': ('writeback_folios', C, 'folios under writeback'),
        'nr_immediate': ('immediate_folios', C, 'folios marked for reclaim when writeback '
                         'completes'),
        'nr_pageout': ('pageout_folios', C, 'folios reclaim started writeback for itself'),
        'nr_activate_anon': ('activated_anon_folios', C, 'anonymous folios moved back to '
                             'the active list'),
        'nr_activate_file': ('activated_file_folios', C, 'file folios moved back to the '
                             'active list'),
        'nr_ref_keep': ('kept_referenced_folios', C, 'referenced folios kept inactive'),
        'nr_unmap_fail': ('unmap_failed_folios', C, 'mapped folios that could not be '
                          'unmapped'),
        'nr_lazyfree_fail': ('lazyfree_failed_folios', C, 'lazily freed folios written '
                             'again'),
        'nr_demoted': ('demoted_folios', C, 'folios demoted to a slower memory tier'),
        'inactive_calls': ('inactive_calls', C, 'shrink_inactive_list() (and MGLRU '
                           'eviction) calls'),
        'active_calls': ('active_calls', C, 'shrink_active_list() calls (classic LRU)'),
        'active_taken': ('active_taken_folios', C, 'folios taken off the active list'),
        'active_kept': ('active_kept_folios', C, 'folios kept on the active list'),
        'active_deactivated': ('deactivated_folios', C, 'folios moved to the inactive list'),
        'active_referenced': ('active_referenced_folios', C, 'active folios found '
                              'referenced'),
    }, **{'inactive_%s_%s' % (what, kind): ('inactive_%s_%s_folios' % (what, kind), C,
                                            '%s folios %s from the inactive list'
                                            % (kind, what))
          for what in ('scanned', 'reclaimed') for kind in ('anon', 'file')}),
    'direct_reclaim': {
        'stalls': ('stalls', C, 'direct reclaim entries: allocating tasks that reclaimed '
                   'for themselves'),
        'completed': ('completed', C, 'direct reclaim stalls that ended'),
        'in_flight': ('in_flight', G, 'tasks in direct reclaim now'),
        'nr_reclaimed': ('reclaimed_pages', C, 'pages direct reclaim freed'),
        'max_ns': ('max_seconds', G, 'longest stall since load, seconds'),
        'untracked': ('untracked', C, 'stalls that could not be timed (pairing table full)'),
        'unpaired_ends': ('unpaired_ends', C, 'stall ends without a begin'),
        'throttled_writeback': ('throttled_writeback', C, 'reclaim throttled for writeback'),
        'throttled_isolated': ('throttled_isolated', C, 'reclaim throttled: too many '
                               'folios isolated'),
        'throttled_noprogress': ('throttled_noprogress', C, 'reclaim throttled: no '
                                 'progress'),
        'throttled_congested': ('throttled_congested', C, 'reclaim throttled: congestion'),
        'throttled_other': ('throttled_other', C, 'reclaim throttled for another reason'),
        'node_reclaim_calls': ('=node_reclaim_calls', C, 'node_reclaim() calls '
                               '(vm.zone_reclaim_mode)'),
        'node_reclaim_nr_reclaimed': ('=node_reclaim_freed_pages', C,
                                      'pages node_reclaim() freed'),
        'node_reclaim_total_ns': ('=node_reclaim_seconds', C, 'seconds in node_reclaim()'),
    },
    'compaction': {
        'kcompactd_wakeup_requests': ('kcompactd_wakeup_requests', C,
                                      'requests to wake kcompactd'),
        'kcompactd_wakes': ('kcompactd_wakes', C, 'kcompactd compaction passes'),
        'kcompactd_sleeps': ('kcompactd_sleeps', C, 'kcompactd loop tops (sleeps and '
                             'proactive timeouts)'),
        'runs': ('runs', C, 'compact_zone() calls: compaction runs on a zone'),
        'max_ns': ('max_seconds', G, 'longest compact_zone() call since load, seconds'),
        'kcompactd_max_order': ('kcompactd_pending_order', G, 'order kcompactd was asked '
                                'for'),
        'kcompactd_highest_zoneidx': ('kcompactd_pending_zone_index', G,
                                      'highest zone index kcompactd was asked for'),
    },
    'compaction.zone': {
        'considered': ('considered', G, 'attempts since the last deferral '
                       '(compact_considered)'),
        'defer_shift': ('defer_shift', G, 'log2 of the attempts skipped after a failure'),
        'order_failed': ('order_failed', G, 'lowest order that failed (compact_order_failed)'),
        'deferred_events': ('deferred', C, 'attempts skipped because of deferral'),
        'defer_events': ('defer_events', C, 'failures that deferred further attempts'),
        'defer_resets': ('defer_resets', C, 'successes that cleared the deferral'),
    },
    'watermarks.zone': dict({
        k: (k + '_pages', G, text) for k, text in (
            ('free', 'free pages in the zone'),
            ('min', 'min watermark: below it allocations reclaim themselves'),
            ('low', 'low watermark: below it allocations wake kswapd'),
            ('high', 'high watermark: kswapd reclaims up to it'),
            ('promo', 'promotion watermark (memory tiering)'),
            ('boost', 'watermark boost after fragmenting fallbacks'),
            ('managed', 'pages the buddy allocator manages'),
            ('present', 'pages physically present in the zone'),
            ('spanned', 'pages the zone spans, holes included'),
            ('reserve', 'lowmem reserve against higher zones'),
            ('highatomic', 'pages reserved for high-order atomic allocations'),
            ('headroom_low', 'free pages above low + boost (negative: below)'))},
        boosted=('boosted', G, '1 while the zone\'s watermarks are boosted'),
        ok_min=('ok_min', G, '1 when free is above min + boost'),
        ok_low=('ok_low', G, '1 when free is above low + boost'),
        ok_high=('ok_high', G, '1 when free is above high + boost')),
    'watermarks': {},
    'boost': {
        'boosted_zones': ('boosted_zones', G, 'zones of the node boosted now'),
        'boosted_balance_passes': ('boosted_balance_passes', C, 'balance passes begun with '
                                   'a zone boosted'),
    },
    'boost.zone': {
        'boost': None,          # the same value as watermarks' zone boost
        'boost_events': ('boost_events', C, 'times the zone was found newly boosted'),
    },
    'dirty': {
        'file_dirty': ('file_pages', G, 'dirty file pages on the node'),
        'writeback': ('writeback_pages', G, 'pages under writeback on the node'),
        'dirtyable': ('dirtyable_pages', G, 'pages page cache could dirty on the node'),
        'dirty_limit': ('limit_pages', G, 'the node\'s dirty limit'),
        'dirty_ok': ('ok', G, '1 when the node is below its dirty limit'),
        'pgdat_dirty': ('flagged', G, '1 when reclaim found many dirty pages at the LRU '
                        'tail (PGDAT_DIRTY)'),
        'pgdat_writeback': ('writeback_flagged', G, '1 when reclaim found many pages '
                            'under writeback (PGDAT_WRITEBACK)'),
        'pgdat_reclaim_locked': ('=node_reclaim_running', G, '1 while node reclaim runs '
                                 '(PGDAT_RECLAIM_LOCKED)'),
        'writeback_throttled': ('writeback_throttled', G, 'reclaimers sleeping for '
                                'writeback now'),
    },
    'memcg_reclaim': {
        'stalls': ('stalls', C, 'memcg reclaim entries: tasks that reclaimed at their '
                   'cgroup\'s limit (memory.max, memory.high)'),
        'completed': ('completed', C, 'memcg reclaim calls that ended'),
        'in_flight': ('in_flight', G, 'tasks in memcg reclaim now'),
        'nr_reclaimed': ('reclaimed_pages', C, 'pages memcg reclaim freed'),
        'max_ns': ('max_seconds', G, 'longest memcg reclaim call since load, seconds'),
        'untracked': ('untracked', C, 'memcg reclaim calls that could not be timed (pairing '
                      'table full)'),
        'unpaired_ends': ('unpaired_ends', C, 'memcg reclaim ends without a begin'),
        'softlimit_calls': ('softlimit_calls', C, 'soft limit reclaim calls (cgroup v1)'),
        'softlimit_completed': ('softlimit_completed', C, 'soft limit reclaim calls that '
                                'ended'),
        'softlimit_in_flight': ('softlimit_in_flight', G, 'soft limit reclaim calls running '
                                'now'),
        'softlimit_nr_reclaimed': ('softlimit_reclaimed_pages', C, 'pages soft limit '
                                   'reclaim freed'),
        'softlimit_total_ns': ('softlimit_seconds', C, 'seconds in soft limit reclaim'),
        'softlimit_untracked': ('softlimit_untracked', C, 'soft limit reclaim calls that '
                                'could not be timed'),
        'softlimit_unpaired_ends': ('softlimit_unpaired_ends', C, 'soft limit reclaim ends '
                                    'without a begin'),
    },
    'direct_compaction': {
        'stalls': ('stalls', C, 'direct compaction entries: allocating tasks that compacted '
                   'memory themselves'),
        'skipped': ('skipped', C, 'direct compaction attempts skipped (deferred, or too '
                    'little free memory to compact)'),
        'completed': ('completed', C, 'direct compaction stalls that ended'),
        'in_flight': ('in_flight', G, 'tasks in direct compaction now'),
        'unpaired_ends': ('unpaired_ends', C, 'direct compaction ends without a begin'),
        'max_ns': ('max_seconds', G, 'longest direct compaction stall since load, seconds'),
    },
    'demo_shrinker': {
        'objects': ('objects', G, 'objects the demo pool holds'),
        'bytes': ('bytes', G, 'bytes the demo pool holds, in bytes'),
        'cap_objects': ('cap_objects', G, 'most objects the pool may hold'),
        'count_calls': ('count_calls', C, 'count_objects() calls'),
        'scan_calls': ('scan_calls', C, 'scan_objects() calls'),
        'nr_to_scan_total': ('scan_requested_objects', C, 'objects asked of scan_objects()'),
        'freed_total': ('freed_objects', C, 'objects scan_objects() freed'),
        'last_nr_to_scan': ('last_scan_requested_objects', G, 'objects the last scan asked'),
        'empty_returns': ('empty_returns', C, 'count_objects() answers of SHRINK_EMPTY'),
        'stop_returns': ('stop_returns', C, 'scan_objects() answers of SHRINK_STOP'),
        'seeks': ('seeks', G, 'the shrinker\'s seeks'),
        'batch': ('batch', G, 'the shrinker\'s batch'),
    },
}

HIST_HELP = {
    'balance_pgdat': 'kswapd balance_pgdat() pass durations, seconds',
    'shrink_list': 'shrink_folio_list() call durations, seconds',
    'direct_reclaim': 'direct reclaim stall durations (what allocating tasks waited), seconds',
    'compaction': 'compact_zone() durations, seconds',
    'memcg_reclaim': 'memcg reclaim stall durations (tasks at their cgroup\'s limit), seconds',
    'direct_compaction': 'direct compaction stall durations (what allocating tasks waited), '
                         'seconds',
}

# The cgroups table: one series per row and column, labelled cgroup (the
# table is bounded: its rows and "other").  The tasks table is not
# exported: a label per task would be unbounded.
CGROUP_METRICS = {
    'memcg_stalls': ('memcg_stalls', C, 'memcg reclaim stalls of the cgroup\'s tasks'),
    'memcg_ns': ('memcg_seconds', C, 'seconds the cgroup\'s tasks stalled in memcg reclaim'),
    'memcg_reclaimed': ('memcg_reclaimed_pages', C, 'pages the cgroup\'s memcg reclaim '
                        'freed'),
    'direct_stalls': ('direct_stalls', C, 'direct reclaim stalls of the cgroup\'s tasks'),
    'direct_ns': ('direct_seconds', C, 'seconds the cgroup\'s tasks stalled in direct '
                  'reclaim'),
    'compact_stalls': ('compact_stalls', C, 'direct compaction stalls of the cgroup\'s '
                       'tasks'),
    'compact_ns': ('compact_seconds', C, 'seconds the cgroup\'s tasks stalled in direct '
                   'compaction'),
    'throttled': ('throttled', C, 'times the cgroup\'s tasks were throttled in reclaim'),
    'throttled_ns': ('throttled_seconds', C, 'seconds the cgroup\'s tasks slept throttled '
                     'in reclaim'),
    'max_ns': ('max_seconds', G, 'longest stall of the cgroup\'s tasks since load, seconds'),
}

CONTEXT_HELP = 'by reclaim context: kswapd, direct (reclaim), memcg (reclaim), other'

SHRINKER_METRICS = {
    'calls': ('calls', 'do_shrink_slab() calls that scanned'),
    'freed_total': ('freed_objects', 'objects freed'),
    'delta_total': ('requested_objects', 'objects reclaim asked for (delta)'),
    'total_scan_total': ('scan_objects', 'objects to scan, deferred work included'),
    'total_ns': ('seconds', 'seconds in do_shrink_slab()'),
}


def metric_by_rule(key, what):
    """(name, type, scale, help) of a key this tool does not know."""
    base, scale, kind = key, 1, G
    if key.endswith('_ns_total') or key == 'total_ns':
        base, scale, kind = key[:-len('ns_total')] + 'seconds' if key != 'total_ns' \
            else 'seconds', 1e-9, C
    elif key.endswith('_ns'):
        base, scale = key[:-3] + '_seconds', 1e-9
        kind = G if key == 'max_ns' or key.startswith('last_') else C
    elif key.endswith('_total'):
        base, kind = key[:-len('_total')], C
    return base, kind, scale, ('%s key %s (not described by this version of the tool: '
                               'see Documentation/reclaimscope.rst)%s'
                               % (what, key, ', seconds' if scale != 1 else ''))


def prom_metric(fname, key, what):
    """(full name, type, scale, help) of @key of file @fname, or None
    when it is not exported."""
    table = PROM_METRICS.get(fname, {})
    prefix = 'reclaimscope_' + PROM_PREFIX.get(fname, fname)
    if key in table:
        entry = table[key]
        if entry is None:
            return None
        base, kind, text = entry
        scale = 1e-9 if key.endswith('_ns') or key.endswith('_ns_total') else 1
    else:
        base, kind, scale, text = metric_by_rule(key, what)
    name = 'reclaimscope_' + base[1:] if base.startswith('=') else '%s_%s' % (prefix, base)
    if kind == C:
        name += '_total'
    return name, kind, scale, text


class Family:
    def __init__(self, name, kind, help_text):
        self.name, self.kind, self.help = name, kind, help_text
        self.samples = []       # (suffix, labels, value)


class Exposition:
    """Metric families in first-seen order, each with its samples."""

    def __init__(self):
        self.families = {}

    def add(self, name, kind, help_text, labels, value, suffix=''):
        fam = self.families.get(name)
        if fam is None:
            fam = self.families[name] = Family(name, kind, help_text)
        fam.samples.append((suffix, labels, value))

    def render(self):
        out = []
        for fam in self.families.values():
            out.append('# HELP %s %s' % (fam.name, fam.help.replace('\\', '\\\\')
                                         .replace('\n', '\\n')))
            out.append('# TYPE %s %s' % (fam.name, fam.kind))
            for suffix, labels, value in fam.samples:
                out.append('%s%s%s %s' % (fam.name, suffix, prom_labels(labels),
                                          prom_value(value)))
        return '\n'.join(out) + '\n'


def prom_labels(labels):
    if not labels:
        return ''
    return '{%s}' % ','.join('%s="%s"' % (k, str(v).replace('\\', '\\\\')
                                          .replace('"', '\\"').replace('\n', '\\n'))
                             for k, v in labels.items())


def prom_value(v):
    if isinstance(v, float):
        if math.isinf(v):
            return '+Inf' if v > 0 else '-Inf'
        return repr(v)
    return str(v)


def export_keys(exp, fname, values, labels, what):
    for key, value in values.items():
        if key in ('zones', 'latency_us') or not is_int(value):
            continue
        m = prom_metric(fname, key, what)
        if m is None:
            continue
        name, kind, scale, text = m
        exp.add(name, kind, text, labels, value * scale if scale != 1 else value)


def export_histogram(exp, fname, f, labels):
    hist = f['latency_us']
    name = 'reclaimscope_%s_duration_seconds' % fname
    help_text = HIST_HELP.get(fname, '%s durations, seconds' % fname)
    cum = 0
    for i, n in enumerate(hist):
        cum += n
        upper = bucket_bounds(i)[1]
        le = '+Inf' if upper is None else repr(upper / 1e6)
        exp.add(name, 'histogram', help_text, dict(labels, le=le), cum, '_bucket')
    exp.add(name, 'histogram', help_text, labels, f.get('total_ns', 0) / 1e9, '_sum')
    exp.add(name, 'histogram', help_text, labels, cum, '_count')


def prometheus(tree, demo=False):
    """The tree as Prometheus text exposition format (version 0.0.4)."""
    exp = Exposition()
    v = tree['version']
    exp.add('reclaimscope_info', G, 'always 1: the module version, abi and kernel as labels',
            {'version': v.get('version'), 'abi': v['abi'], 'kernel': v.get('kernel')}, 1)
    exp.add('reclaimscope_page_size_bytes', G, 'bytes in a page: multiply *_pages by it '
            '(this machine\'s page size)', {}, PAGE_SIZE)
    for h in tree['hooks']:
        labels = {'hook': h['name'], 'kind': h['kind']}
        exp.add('reclaimscope_hook_attached', G, '1 when what the hook counts is counted '
                '(attached, or standby behind another hook); 0: unknown, not 0', labels,
                int(h['state'] in COUNTING))
        exp.add('reclaimscope_hook_hits_total', C, 'times the probe ran', labels, h['hits'])
        exp.add('reclaimscope_hook_missed_total', C, 'kretprobe calls not measured '
                '(maxactive)', labels, h['missed'])
    for fname in NODE_FILES:
        for n in tree['nodes']:
            f, labels = n[fname], {'node': n['node']}
            scalars = {k: v for k, v in f.items() if not k.startswith('result_')}
            if fname == 'shrink_list':
                export_contexts(exp, 'reclaimscope_shrink_list_context', scalars, labels,
                                'shrink_folio_list()')
            if f['latency_us'] is not None:
                scalars.pop('total_ns', None)
                export_histogram(exp, fname, f, labels)
            export_keys(exp, fname, scalars, labels, fname)
            for key, value in f.items():
                if key.startswith('result_'):
                    exp.add('reclaimscope_compaction_results_total', C,
                            'compact_zone() results by status',
                            dict(labels, status=key[len('result_'):]), value)
            for zone, fields in f['zones'].items():
                export_keys(exp, fname + '.zone', fields, dict(labels, zone=zone),
                            fname + ' zone')
    for fname in TOP_FILES:
        f = tree.get(fname)
        if f is None:
            continue
        scalars = {k: v for k, v in f.items() if not ORDER_KEY.match(k)}
        if f.get('latency_us') is not None:
            scalars.pop('total_ns', None)
            export_histogram(exp, fname, f, {})
        export_keys(exp, fname, scalars, {}, fname)
        for key, value in f.items():
            m = ORDER_KEY.match(key)
            if m and is_int(value):
                what = 'attempts' if m.group(2) == 'calls' else 'stalls'
                exp.add('reclaimscope_direct_compaction_order_%s_total' % m.group(2), C,
                        'direct compaction %s by allocation order' % what,
                        {'order': int(m.group(1))}, value)
    export_cgroups(exp, tree.get('cgroups'))
    export_shrinkers(exp, tree['shrinkers'])
    demo_stats = tree['demo_shrinker']
    if demo and demo_stats is not None:
        per_node = re.compile(r'^objects_node(\d+)$')
        for key, value in demo_stats.items():
            m = per_node.match(key)
            if m:
                exp.add('reclaimscope_demo_shrinker_node_objects', G,
                        'objects the demo pool holds on the node', {'node': int(m.group(1))},
                        value)
        export_keys(exp, 'demo_shrinker',
                    {k: v for k, v in demo_stats.items() if not per_node.match(k)}, {},
                    'demo_shrinker/stats')
    return exp.render()


def export_contexts(exp, base, values, labels, what):
    """Pop the <context>_calls and <context>_ns keys of @values into
    @base_calls_total and @base_seconds_total with a context label."""
    for ctx in CONTEXTS:
        for kind in ('calls', 'ns'):
            value = values.pop('%s_%s' % (ctx, kind), None)
            if not is_int(value):
                continue
            if kind == 'calls':
                exp.add(base + '_calls_total', C, '%s calls %s' % (what, CONTEXT_HELP),
                        dict(labels, context=ctx), value)
            else:
                exp.add(base + '_seconds_total', C, 'seconds in %s %s' % (what, CONTEXT_HELP),
                        dict(labels, context=ctx), value / 1e9)


def export_cgroups(exp, rows):
    """The cgroups table: per cgroup (rows of one cgroup summed, the
    overflow row as cgroup="other")."""
    if rows is None:
        return
    for label, row in who_rows('cgroups', rows).items():
        for col, (base, kind, text) in CGROUP_METRICS.items():
            if col not in row:
                continue
            value = row[col] / 1e9 if col.endswith('_ns') else row[col]
            exp.add('reclaimscope_cgroup_%s%s' % (base, '_total' if kind == C else ''), kind,
                    text + ' (cgroup="other": the cgroups past the table)',
                    {'cgroup': label}, value)


def export_shrinkers(exp, rows, demo=False):
    """All rows summed into counters (a sum over every row never falls but
    at a reset: rows are kept for the module's life), and per name the
    same values as gauges: a row takes another name when a shrinker is
    freed and another allocated at its address, so a per-name sum can
    fall, which a counter must not."""
    totals = dict.fromkeys(SHRINKER_METRICS, 0)
    for row in rows:
        for key in totals:
            totals[key] += row[key]
    for key, (base, text) in SHRINKER_METRICS.items():
        value = totals[key] / 1e9 if key == 'total_ns' else totals[key]
        exp.add('reclaimscope_shrinkers_%s_total' % base, C,
                'all shrinkers: %s' % text, {}, value)
    contexts = {}
    for row in rows:
        for key in SHRINKER_CONTEXT_COLUMNS:
            if is_int(row.get(key)):
                contexts[key] = contexts.get(key, 0) + row[key]
    export_contexts(exp, 'reclaimscope_shrinkers_context', contexts, {},
                    'all shrinkers: do_shrink_slab()')
    for name, s in shrinkers_by_name(rows).items():
        labels = {'shrinker': name}
        for key, (base, text) in SHRINKER_METRICS.items():
            value = s[key] / 1e9 if key == 'total_ns' else s[key]
            exp.add('reclaimscope_shrinker_%s' % base, G,
                    '%s since load by the rows of this name (a gauge: a row can change '
                    'name; rate() the reclaimscope_shrinkers_* counters)' % text,
                    labels, value)
        exp.add('reclaimscope_shrinker_cache_objects', G, 'objects the shrinker said it '
                'could free at its last count', labels, s['cache_items'])
        exp.add('reclaimscope_shrinker_deferred_objects', G, 'work left for the next call',
                labels, s['deferred'])
        exp.add('reclaimscope_shrinker_max_seconds', G, 'longest do_shrink_slab() call '
                'since load, seconds', labels, s['max_ns'] / 1e9)
        exp.add('reclaimscope_shrinker_rows', G, 'rows of the shrinkers table with this '
                'name', labels, s['rows'])
        for key in SHRINKER_CONTEXT_COLUMNS:
            if key in s:
                ctx, kind = key.rsplit('_', 1)
                exp.add('reclaimscope_shrinker_context_%s' % ('calls' if kind == 'calls'
                                                              else 'seconds'), G,
                        '%s since load by the rows of this name, %s (a gauge, as '
                        'reclaimscope_shrinker_calls)' % (
                            'do_shrink_slab() calls' if kind == 'calls' else
                            'seconds in do_shrink_slab()', CONTEXT_HELP),
                        dict(labels, context=ctx), s[key] / 1e9 if kind == 'ns' else s[key])
