# SPDX-License-Identifier: GPL-2.0
"""The diagnose rules, each with its thresholds and options, and the windows
they judge."""

from .tree import lockdown_note, locked_down
from .text import (
    PAGE_SIZE, display_name, fmt_latency, fmt_mib, fmt_ns, fmt_rate, fmt_seconds, fmt_share,
    fmt_us, plural)
from .analysis import (
    COUNTING, EVENT_KEYS,
    SHRINK_OUTCOMES, bucket_bounds, cgroup_path, compaction_orders, is_overflow,
    is_unavailable, latency_summary, node_refaults, psi_share, shrink_outcomes,
    shrinkers_by_name, unavailable, who_rows, zone_level)


WSF_QUOTE = ('Documentation/admin-guide/sysctl/vm.rst, watermark_scale_factor: '
             '"A high rate of threads entering direct reclaim (allocstall) or '
             'kswapd going to sleep prematurely (kswapd_low_wmark_hit_quickly) '
             'can indicate that the number of free pages kswapd maintains for '
             'latency reasons is too small for the allocation bursts occurring '
             'in the system. This knob can then be used to tune kswapd '
             'aggressiveness accordingly."')

WSF_ADVICE = ('raise vm.watermark_scale_factor (default 10: the watermarks are '
              '0.1% of the node apart) so kswapd wakes earlier and sleeps later, '
              'e.g. sysctl vm.watermark_scale_factor=100, and check that this '
              'stops rising')

# A window is two readings (diagnose -i SECONDS, or --before DIR with
# --root DIR) or "since load" (one reading: every counter counts from the
# load).  Event rules count what happened in the window and must see it
# often enough: at least a count and at least a rate, so that the totals
# of a long-running quiet host never make a finding.  State rules (a
# hopeless node, a zone below min) judge the last reading: "now".

DIAGNOSE_INTERVAL = 5.0         # -i default for the live tree

KSWAPD_WAKES_PER_SLEEP = 10     # balance passes per real sleep

SHRINKER_MIN_ITEMS = 128        # objects a never-freeing shrinker holds

COMPACTION_FAIL_SHARE = 0.5     # complete + partial_skipped of finished runs

DIRTY_SHARE = 0.5               # dirty, writeback or congested share


class Option:
    """A threshold a rule owns, with its command-line option."""

    def __init__(self, dest, default, kind, unit, help_text):
        self.dest, self.default, self.kind, self.unit, self.help = (
            dest, default, kind, unit, help_text)

    @property
    def flag(self):
        return '--' + self.dest.replace('_', '-')


class Rule:
    def __init__(self, name, severity, check, options, needs, doc):
        self.name, self.severity, self.check = name, severity, check
        self.options, self.needs, self.doc = options, needs, doc

RULES = []


def rule(name, severity='warning', options=(), needs=()):
    """Register a rule: check(view, th) -> findings; @options its
    thresholds (th[dest]); @needs the items ("file.key") it reads, so it
    is skipped with a note when a hook feeding them is not attached."""
    def register(check):
        RULES.append(Rule(name, severity, check, options, needs,
                          (check.__doc__ or '').strip()))
        return check
    return register


def rule_options():
    seen, out = set(), []
    for r in RULES:
        for o in r.options:
            if o.dest not in seen:
                seen.add(o.dest)
                out.append(o)
    return out


class Window:
    """What a diagnosis judges.  kind: 'interval' (two readings @seconds
    apart) or 'since-load' (@seconds since the load, None when unknown;
    @exact False when it is an upper bound, a copy's uptime)."""

    def __init__(self, kind, seconds, exact=True, how=''):
        self.kind, self.seconds, self.exact, self.how = kind, seconds, exact, how

    def text(self):
        if self.kind == 'interval':
            return 'the %s between two readings%s' % (fmt_seconds(self.seconds),
                                                       self.how and ' (%s)' % self.how)
        if self.seconds is None:
            return 'since load (when is unknown: no proc/uptime)'
        return 'since load, %s%s ago%s' % ('' if self.exact else 'at most ',
                                           fmt_seconds(self.seconds),
                                           self.how and ' (%s)' % self.how)

    def as_json(self):
        return {'kind': self.kind, 'seconds': self.seconds, 'exact': self.exact,
                'text': self.text()}

NOW = {'kind': 'now', 'seconds': None, 'exact': True,
       'text': 'now (the state at the last reading)'}


class View:
    """A window on the data: @cur, the last reading, and @prev, the first
    (None: since load, when every counter is its own delta)."""

    def __init__(self, cur, prev, window):
        self.cur, self.prev, self.window = cur, prev, window
        self.old = {n['node']: n for n in prev['nodes']} if prev else {}

    def nodes(self):
        """(node now, node at the first reading or None)."""
        for n in self.cur['nodes']:
            yield n, self.old.get(n['node'])

    def delta(self, cur, prev):
        """A counter's growth in the window; a counter that went back was
        reset, and counts from the reset."""
        if self.prev is None or prev is None:
            return cur
        return cur - prev if cur >= prev else cur

    def node_delta(self, n, p, fname, key):
        return self.delta(n[fname].get(key, 0), p[fname].get(key, 0) if p else None)

    def vmstat(self):
        """(now, first) of /proc/vmstat, or None when the tree has none."""
        vm = self.cur['proc'].get('vmstat')
        if vm is None:
            return None
        old = self.prev['proc'].get('vmstat') if self.prev else None
        return vm, old or {}

    def vm_delta(self, key):
        vm, old = self.vmstat()
        return self.delta(vm.get(key, 0), old.get(key) if self.prev else None)

    def file_delta(self, fname, key):
        """The growth of @key of top-level file @fname (memcg_reclaim, ...)
        in the window; the file must be in the last reading."""
        old = self.prev.get(fname) if self.prev else None
        return self.delta(self.cur[fname].get(key, 0), old.get(key, 0) if old else None)

    def hist_delta(self, fname):
        """The histogram of top-level file @fname over the window (None
        without one)."""
        hist = self.cur[fname].get('latency_us')
        old = (self.prev.get(fname) or {}).get('latency_us') if self.prev else None
        if hist is None or old is None:
            return hist
        return [self.delta(a, b) for a, b in zip(hist, old)]

    def often(self, n, min_count, per_s):
        """Whether @n events in the window are a finding: at least
        @min_count, and at least @per_s a second over the window (not
        checked when the window's length is unknown)."""
        if n < min_count:
            return False
        return not self.window.seconds or n / self.window.seconds >= per_s

    def rate_text(self, n, unit=''):
        """'155 (2.0/s)' over a known window, else '155'."""
        if not self.window.seconds:
            return '%d%s' % (n, unit)
        r = n / self.window.seconds
        if r >= 0.1:
            return '%d%s (%.1f/s)' % (n, unit, r)
        return '%d%s (%.1f/h)' % (n, unit, r * 3600)


def finding(rule, severity, summary, evidence, advice, node=None, zone=None,
            reference=None, window=None, cgroup=None):
    return {'rule': rule, 'severity': severity, 'node': node, 'zone': zone, 'cgroup': cgroup,
            'summary': summary, 'evidence': evidence, 'advice': advice,
            'reference': reference, 'window': window}


def vmstat_or_note(v, notes, rule_name):
    vm = v.vmstat()
    if vm is None:
        notes.append('%s: not checked: no vmstat in this tree' % rule_name)
    return vm

PER_HOUR = Option('per_hour', 1.0, float, 'events/h',
                  'rare events: fewer than N an hour over the window are not a finding')


@rule('kswapd-wakes-often', options=(
    Option('kswapd_wakes_per_s', 1.0, float, 'wakes/s', 'kswapd wakes a second'),),
    needs=('kswapd.wakes', 'kswapd.sleeps'))
def rule_kswapd_wakes_often(v, th, notes):
    """wakes >= 10 and >= --kswapd-wakes-per-s (1/s) in the window, and
    wakes per sleep >= 10: kswapd keeps being pulled back before it can
    sleep."""
    out = []
    for n, p in v.nodes():
        wakes = v.node_delta(n, p, 'kswapd', 'wakes')
        sleeps = v.node_delta(n, p, 'kswapd', 'sleeps')
        per_sleep = wakes / max(sleeps, 1)
        if not v.often(wakes, 10, th['kswapd_wakes_per_s']) or \
                per_sleep < KSWAPD_WAKES_PER_SLEEP:
            continue
        out.append(finding(
            'kswapd-wakes-often', 'warning',
            'kswapd ran %s for %s (%.0f per sleep)'
            % (v.rate_text(wakes, ' balance passes'), plural(sleeps, 'real sleep'),
               per_sleep),
            ['node%d/kswapd wakes %d sleeps %d wakeup_requests %d (in the window)'
             % (n['node'], wakes, sleeps,
                v.node_delta(n, p, 'kswapd', 'wakeup_requests')),
             'thresholds: wakes >= 10 and >= %g/s (--kswapd-wakes-per-s), wakes per '
             'sleep >= %d' % (th['kswapd_wakes_per_s'], KSWAPD_WAKES_PER_SLEEP)],
            'allocations keep pulling kswapd back before it can sleep: '
            + WSF_ADVICE, node=n['node'], reference=WSF_QUOTE))
    return out


@rule('kswapd-premature-sleep', options=(
    Option('hit_quickly_min', 5, int, 'events', 'kswapd_*_wmark_hit_quickly in the window'),
    Option('hit_quickly_per_s', 0.5, float, 'events/s', 'and a second')))
def rule_kswapd_premature_sleep(v, th, notes):
    """kswapd_low_wmark_hit_quickly + kswapd_high_wmark_hit_quickly in
    /proc/vmstat: >= --hit-quickly-min (5) and >= --hit-quickly-per-s
    (0.5/s) in the window."""
    if vmstat_or_note(v, notes, 'kswapd-premature-sleep') is None:
        return []
    low = v.vm_delta('kswapd_low_wmark_hit_quickly')
    high = v.vm_delta('kswapd_high_wmark_hit_quickly')
    if not v.often(low + high, th['hit_quickly_min'], th['hit_quickly_per_s']):
        return []
    return [finding(
        'kswapd-premature-sleep', 'warning',
        'kswapd tried to sleep and was needed again within its 100 ms nap %s'
        % v.rate_text(low + high, ' times'),
        ['vmstat kswapd_low_wmark_hit_quickly %d kswapd_high_wmark_hit_quickly %d '
         'pageoutrun %d (in the window)' % (low, high, v.vm_delta('pageoutrun')),
         'thresholds: low + high >= %d (--hit-quickly-min) and >= %g/s '
         '(--hit-quickly-per-s)' % (th['hit_quickly_min'], th['hit_quickly_per_s'])],
        WSF_ADVICE, reference=WSF_QUOTE)]


@rule('allocstall', options=(
    Option('allocstall_min', 5, int, 'events', 'allocstall_* in the window'),
    Option('allocstall_per_s', 0.2, float, 'events/s', 'and a second')))
def rule_allocstall(v, th, notes):
    """The allocstall_* sum in /proc/vmstat: >= --allocstall-min (5) and
    >= --allocstall-per-s (0.2/s) in the window: tasks entered direct
    reclaim."""
    vm = vmstat_or_note(v, notes, 'allocstall')
    if vm is None:
        return []
    stalls = {k: v.vm_delta(k) for k in vm[0] if k.startswith('allocstall_')}
    total = sum(stalls.values())
    if not v.often(total, th['allocstall_min'], th['allocstall_per_s']):
        return []
    nodes = ', '.join('node%d %d' % (n['node'], v.node_delta(n, p, 'direct_reclaim', 'stalls'))
                      for n, p in v.nodes())
    return [finding(
        'allocstall', 'warning',
        'tasks entered direct reclaim %s: kswapd does not keep up'
        % v.rate_text(total, ' times'),
        ['vmstat ' + ' '.join('%s %d' % kv for kv in stalls.items() if kv[1])
         + ' (in the window)',
         'module direct_reclaim stalls in the window: ' + nodes,
         'thresholds: allocstall_* sum >= %d (--allocstall-min) and >= %g/s '
         '(--allocstall-per-s)' % (th['allocstall_min'], th['allocstall_per_s'])],
        WSF_ADVICE, reference=WSF_QUOTE)]


@rule('hopeless-node', 'critical')
def rule_hopeless(v, th, notes):
    """hopeless 1 now (failures reached 16), with zoneinfo's
    node_unreclaimable as evidence when the tree has it."""
    out = []
    unreclaimable = {}
    for z in v.cur['proc'].get('zoneinfo') or ():
        if 'node_unreclaimable' in z:
            unreclaimable[z['node']] = z['node_unreclaimable']
    for n, _ in v.nodes():
        k = n['kswapd']
        if not k['hopeless']:
            continue
        ev = ['node%d/kswapd failures %d hopeless 1' % (n['node'], k['failures'])]
        if n['node'] in unreclaimable:
            ev.append('zoneinfo node_unreclaimable %d' % unreclaimable[n['node']])
        out.append(finding(
            'hopeless-node', 'critical',
            'kswapd gave up on the node after %s that reclaimed nothing'
            % plural(k['failures'], 'pass', 'passes'), ev,
            'the node holds memory reclaim cannot free (anonymous memory without '
            'swap, tmpfs/shmem, mlocked or pinned pages): find the owner '
            '(numastat -m, per-node tmpfs usage), add swap or free it; on 6.x the '
            'state clears only when some reclaim on the node frees a page',
            node=n['node'], window=NOW))
    return out


def long_calls(v, hist, old_hist, max_ns, old_max, limit_us):
    """Calls in the window certainly longer than @limit_us: those in
    buckets wholly above it, plus the maximum when it is above the limit
    but in the bucket that holds the limit (and, with two readings, when
    it changed in the window)."""
    if v.prev is not None and old_hist is not None:
        hist = [v.delta(a, b) for a, b in zip(hist, old_hist)]
    certain = sum(c for i, c in enumerate(hist) if bucket_bounds(i)[0] >= limit_us)
    new_max = v.prev is None or old_max is None or max_ns != old_max
    if new_max and max_ns / 1000 >= limit_us and not certain:
        certain = 1
    return certain


@rule('direct-reclaim-stall', options=(
    Option('stall_ms', 10.0, float, 'ms', 'a direct reclaim stall this long'), PER_HOUR),
    needs=('direct_reclaim',))
def rule_direct_stall(v, th, notes):
    """Stalls in the window certainly longer than --stall-ms (10 ms),
    at least --per-hour (1) an hour over the window."""
    out = []
    limit_us = th['stall_ms'] * 1000
    for n, p in v.nodes():
        d = n['direct_reclaim']
        pd = p['direct_reclaim'] if p else None
        long_ = long_calls(v, d['latency_us'], pd and pd['latency_us'], d['max_ns'],
                           pd and pd['max_ns'], limit_us)
        if not long_ or not v.often(long_, 1, th['per_hour'] / 3600):
            continue
        stalls = v.node_delta(n, p, 'direct_reclaim', 'stalls')
        hist = d['latency_us'] if not pd else [v.delta(a, b) for a, b in
                                               zip(d['latency_us'], pd['latency_us'])]
        lat = latency_summary({'latency_us': hist, 'max_ns': d['max_ns'], 'total_ns': 0})
        out.append(finding(
            'direct-reclaim-stall', 'warning',
            'allocating tasks stalled in direct reclaim longer than %g ms %s'
            % (th['stall_ms'], plural(long_, 'time')),
            ['node%d/direct_reclaim %s in the window; %s' % (
                n['node'], plural(stalls, 'stall'), ', '.join(fmt_latency(lat))),
             'max_ns %d (%s, the longest since load)' % (d['max_ns'],
                                                        fmt_us(d['max_ns'] / 1000)),
             'threshold: a stall >= %g ms (--stall-ms), >= %g/h (--per-hour)'
             % (th['stall_ms'], th['per_hour'])],
            'kswapd does not keep free memory above the low watermark: '
            + WSF_ADVICE, node=n['node'], reference=WSF_QUOTE))
    return out


@rule('balance-order-fallback', options=(PER_HOUR,), needs=('balance_pgdat',))
def rule_order_fallback(v, th, notes):
    """order_fallbacks in the window >= 1 and >= --per-hour: kswapd gave
    up on a high order."""
    out = []
    for n, p in v.nodes():
        b = n['balance_pgdat']
        fallbacks = v.node_delta(n, p, 'balance_pgdat', 'order_fallbacks')
        if not v.often(fallbacks, 1, th['per_hour'] / 3600):
            continue
        calls = v.node_delta(n, p, 'balance_pgdat', 'calls')
        out.append(finding(
            'balance-order-fallback', 'warning',
            'kswapd gave up on a high order in %s of %s' % (
                v.rate_text(fallbacks), plural(calls, 'balance_pgdat pass',
                                               'balance_pgdat passes')),
            ['node%d/balance_pgdat calls %d order_fallbacks %d (in the window) last_order %d '
             'last_return_order %d' % (n['node'], calls, fallbacks,
                                       b.get('last_order', 0), b.get('last_return_order', 0)),
             'threshold: order_fallbacks >= 1, >= %g/h (--per-hour)' % th['per_hour']],
            'high-order requests (THP, network buffers) cannot be met by reclaim: '
            'memory is fragmented; check compaction (this report), '
            '/proc/buddyinfo and /sys/kernel/mm/transparent_hugepage/defrag, or '
            'raise vm.min_free_kbytes for atomic high-order users', node=n['node']))
    return out


@rule('compaction-deferred', options=(PER_HOUR,), needs=('compaction.deferred_events',))
def rule_compaction_deferred(v, th, notes):
    """deferred_events of a zone in the window >= 1 and >= --per-hour:
    compaction attempts skipped because earlier ones failed (defer_shift,
    the state now, is evidence: it alone can stay set for days on a quiet
    host)."""
    out = []
    for n, p in v.nodes():
        old = p['compaction']['zones'] if p else {}
        for zone, z in n['compaction']['zones'].items():
            o = old.get(zone, {})
            skipped = v.delta(z.get('deferred_events', 0),
                              o.get('deferred_events') if p else None)
            if not v.often(skipped, 1, th['per_hour'] / 3600):
                continue
            out.append(finding(
                'compaction-deferred', 'warning',
                'compaction at order >= %d was deferred: %s skipped'
                % (z.get('order_failed', 0), plural(skipped, 'attempt')),
                ['node%d/compaction %s.deferred_events %d (in the window); now '
                 '%s.defer_shift %d (skip 1<<%d attempts) %s.order_failed %d '
                 '%s.considered %d' % (
                     n['node'], zone, skipped, zone, z.get('defer_shift', 0),
                     z.get('defer_shift', 0), zone, z.get('order_failed', 0), zone,
                     z.get('considered', 0)),
                 'threshold: deferred_events >= 1, >= %g/h (--per-hour)' % th['per_hour']],
                'compaction keeps failing at that order: memory is pinned or '
                'unmovable, not only fragmented; look at unmovable users '
                '(/proc/pagetypeinfo), or stop asking for that order (THP defrag)',
                node=n['node'], zone=zone))
    return out


@rule('compaction-failing', options=(PER_HOUR,), needs=('compaction.runs',
                                                         'compaction.results'))
def rule_compaction_failing(v, th, notes):
    """runs >= 4 in the window (and >= --per-hour), and result_complete +
    result_partial_skipped (the results after which the kernel defers)
    >= 50% of the results in the window."""
    out = []
    for n, p in v.nodes():
        c = n['compaction']
        res = {k: v.node_delta(n, p, 'compaction', k) for k in c if k.startswith('result_')}
        failed = res.get('result_complete', 0) + res.get('result_partial_skipped', 0)
        finished = sum(res.values())
        runs = v.node_delta(n, p, 'compaction', 'runs')
        if not v.often(runs, 4, th['per_hour'] / 3600) or not finished or \
                failed / finished < COMPACTION_FAIL_SHARE:
            continue
        out.append(finding(
            'compaction-failing', 'warning',
            '%d of %d compaction runs scanned their zone without making the page'
            % (failed, finished),
            ['node%d/compaction in the window: runs %d ' % (n['node'], runs)
             + ' '.join('%s %d' % (k, res.get(k, 0)) for k in (
                 'result_complete', 'result_partial_skipped', 'result_success',
                 'result_skipped')),
             'threshold: runs >= 4 (>= %g/h, --per-hour) and complete + partial_skipped '
             '>= %d%% of finished runs' % (th['per_hour'], 100 * COMPACTION_FAIL_SHARE)],
            'each such failure defers further compaction (compaction-deferred); '
            'the high-order request cannot be met: see balance-order-fallback',
            node=n['node']))
    return out


@rule('shrink-list-dirty', options=(
    Option('dirty_min_folios', 1024, int, 'folios', 'folios reclaim met in the window'),),
    needs=('shrink_list',))
def rule_shrink_list_dirty(v, th, notes):
    """nr_dirty, nr_writeback or nr_congested >= 50% of the folios reclaim
    met in the window, of at least --dirty-min-folios (1024)."""
    out = []
    for n, p in v.nodes():
        sl = {k: v.node_delta(n, p, 'shrink_list', k) for k in n['shrink_list']
              if k not in ('zones', 'latency_us')}
        o = shrink_outcomes(sl)
        if o['base'] < th['dirty_min_folios']:
            continue
        worst = max(('dirty', 'writeback', 'congested'), key=lambda k: o['counts'][k])
        if o['counts'][worst] / o['base'] < DIRTY_SHARE:
            continue
        dirty = n['dirty']
        out.append(finding(
            'shrink-list-dirty', 'warning',
            '%.0f%% of the folios reclaim looked at were %s'
            % (o['percent'][worst], worst),
            ['node%d/shrink_list in the window, of %s: ' % (
                n['node'], '%s %s' % (plural(o['base'], 'folio'), o['basis']))
             + ', '.join('%s %.1f%%' % (k, o['percent'][k]) for k, _ in SHRINK_OUTCOMES),
             'node%d/dirty now: file_dirty %s, writeback %s, dirty_limit %s' % (
                 n['node'], fmt_mib(dirty.get('file_dirty', 0)),
                 fmt_mib(dirty.get('writeback', 0)),
                 fmt_mib(dirty['dirty_limit']) if 'dirty_limit' in dirty else '?'),
             'threshold: dirty, writeback or congested >= %d%% of >= %d folios '
             '(--dirty-min-folios)' % (100 * DIRTY_SHARE, th['dirty_min_folios'])],
            'writeback does not keep up with reclaim, which then throttles: '
            'lower vm.dirty_background_ratio / vm.dirty_ratio (or the _bytes '
            'forms) so flushing starts earlier, and check the device\'s throughput',
            node=n['node']))
    return out


@rule('shrinker-slow', options=(
    Option('shrinker_ms', 10.0, float, 'ms', 'one do_shrink_slab() call this long'),
    PER_HOUR), needs=('shrinkers',))
def rule_shrinker_slow(v, th, notes):
    """A do_shrink_slab() call in the window longer than --shrinker-ms
    (10 ms): max_ns above it (with two readings: max_ns changed, or the
    mean call in the window is above it), at least --per-hour."""
    out = []
    limit_ns = th['shrinker_ms'] * 1e6
    old = shrinkers_by_name(v.prev['shrinkers']) if v.prev else {}
    for name, s in shrinkers_by_name(v.cur['shrinkers']).items():
        o = old.get(name)
        calls = v.delta(s['calls'], o['calls'] if o else None)
        total = v.delta(s['total_ns'], o['total_ns'] if o else None)
        slow = s['max_ns'] >= limit_ns and (v.prev is None or o is None or
                                            s['max_ns'] != o['max_ns'])
        if not slow and calls and total / calls >= limit_ns:
            slow = True
        if not slow or not v.often(1, 1, th['per_hour'] / 3600):
            continue
        out.append(finding(
            'shrinker-slow', 'warning',
            'shrinker %s took up to %s in one call' % (name, fmt_us(s['max_ns'] / 1000)),
            ['shrinkers %s: %s, %s in the window; max_ns %s (since load)%s' % (
                name, plural(calls, 'call'), fmt_us(total / 1000), fmt_us(s['max_ns'] / 1000),
                ', %d rows' % s['rows'] if s['rows'] > 1 else ''),
             'threshold: a call >= %g ms (--shrinker-ms), >= %g/h (--per-hour)'
             % (th['shrinker_ms'], th['per_hour'])],
            'every reclaimer waits for it (direct reclaim included): find its owner '
            '(/sys/kernel/debug/shrinker/ with CONFIG_SHRINKER_DEBUG) and why its '
            'scan is slow (lock contention, large batches)'))
    return out


@rule('shrinker-never-frees', options=(PER_HOUR,), needs=('shrinkers',))
def rule_shrinker_never_frees(v, th, notes):
    """A shrinker row called >= 10 times in the window (>= --per-hour)
    that freed nothing there and holds >= 128 objects now (a default
    batch: smaller caches are asked for little)."""
    out = []
    if v.prev is None:
        rows = [dict(r, rows=1) for r in v.cur['shrinkers']]
        old = {}
    else:
        rows = [dict(s, name=name) for name, s in shrinkers_by_name(v.cur['shrinkers']).items()]
        old = shrinkers_by_name(v.prev['shrinkers'])
    for s in rows:
        o = old.get(s['name'])
        calls = v.delta(s['calls'], o['calls'] if o else None)
        freed = v.delta(s['freed_total'], o['freed_total'] if o else None)
        if not v.often(calls, 10, th['per_hour'] / 3600) or freed or \
                s['cache_items'] < SHRINKER_MIN_ITEMS:
            continue
        out.append(finding(
            'shrinker-never-frees', 'warning',
            'shrinker %s was called %s and freed nothing while holding %s'
            % (s['name'], plural(calls, 'time'), plural(s['cache_items'], 'object')),
            ['shrinkers %s calls %d freed_total 0 (in the window) cache_items %d '
             'total_scan_total %d deferred %d (now)' % (
                 s['name'], calls, s['cache_items'], s['total_scan_total'], s['deferred']),
             'threshold: calls >= 10 (>= %g/h, --per-hour), freed 0, cache_items >= %d'
             % (th['per_hour'], SHRINKER_MIN_ITEMS)],
            'its objects are busy or it answers SHRINK_STOP: reclaim pressure '
            'on it is wasted; a growing deferred means the work piles up'))
    return out


@rule('zone-below-min', 'critical')
def rule_zone_below_min(v, th, notes):
    """free < min + boost now."""
    out = []
    for n, _ in v.nodes():
        for zone, z in n['watermarks']['zones'].items():
            if zone_level(z) != '<min':
                continue
            out.append(finding(
                'zone-below-min', 'critical',
                '%s free, below the min watermark %s%s' % (
                    fmt_mib(z['free']), fmt_mib(z['min']),
                    ' + boost %s' % fmt_mib(z['boost']) if z.get('boost') else ''),
                ['node%d/watermarks %s.free %d min %d low %d high %d boost %d ok_min %s '
                 '(pages)' % (n['node'], zone, z['free'], z['min'], z['low'], z['high'],
                              z.get('boost', 0), z.get('ok_min', '?'))],
                'allocations from this zone stall in direct reclaim now; if it '
                'persists, reclaim cannot free enough: see hopeless-node and '
                'allocstall, or raise vm.min_free_kbytes for atomic users',
                node=n['node'], zone=zone, window=NOW))
    return out


def reclaim_time(v):
    """Task-seconds a second the module saw in direct reclaim and in
    compaction over the window (None when its length is unknown)."""
    if not v.window.seconds:
        return None, None
    dr = sum(v.node_delta(n, p, 'direct_reclaim', 'total_ns') for n, p in v.nodes())
    comp = sum(v.node_delta(n, p, 'compaction', 'total_ns') for n, p in v.nodes())
    return dr / 1e9 / v.window.seconds, comp / 1e9 / v.window.seconds


def memcg_time(v):
    """Task-seconds a second in memcg reclaim over the window (None when
    its length is unknown, or the module has no memcg_reclaim or its hooks
    did not attach)."""
    if not v.window.seconds or v.cur.get('memcg_reclaim') is None or \
            is_unavailable(unavailable(v.cur), 'memcg_reclaim'):
        return None
    return v.file_delta('memcg_reclaim', 'total_ns') / 1e9 / v.window.seconds


def refaults_in_window(v):
    """[(node or None, refaults, activations, pages reclaimed)] in the
    window: per node from node<N>/vmstat when every node has one, else
    one entry for all nodes from /proc/vmstat; reclaimed pages are the
    module's shrink_list nr_reclaimed.  [] without either vmstat."""
    nodes = list(v.nodes())
    if all(n.get('vmstat') is not None for n, _ in nodes):
        out = []
        for n, p in nodes:
            now, then = node_refaults(n), p and node_refaults(p)
            out.append((n['node'], v.delta(now[0], then[0] if then else None),
                        v.delta(now[1], then[1] if then else None),
                        v.node_delta(n, p, 'shrink_list', 'nr_reclaimed')))
        return out
    if v.vmstat() is None:
        return []
    refaults = v.vm_delta('workingset_refault_anon') + v.vm_delta('workingset_refault_file')
    acts = v.vm_delta('workingset_activate_anon') + v.vm_delta('workingset_activate_file')
    reclaimed = sum(v.node_delta(n, p, 'shrink_list', 'nr_reclaimed') for n, p in nodes)
    return [(None, refaults, acts, reclaimed)]


@rule('thrashing', options=(
    Option('refaults_per_s', 100.0, float, 'pages/s', 'refaults a second'),
    Option('refault_share', 20.0, float, '%', 'refaults as a share of pages reclaimed')),
    needs=('shrink_list',))
def rule_thrashing(v, th, notes):
    """Refaults (workingset_refault_anon + _file: pages read back soon
    after reclaim evicted them) >= 256 and >= --refaults-per-s (100/s)
    in the window, while reclaim is busy: >= 256 pages reclaimed, and
    refaults >= --refault-share (20%) of them."""
    entries = refaults_in_window(v)
    if not entries:
        notes.append('thrashing: not checked: no vmstat in this tree')
        return []
    out = []
    for nid, refaults, acts, reclaimed in entries:
        if not v.often(refaults, 256, th['refaults_per_s']) or reclaimed < 256 or \
                100 * refaults / reclaimed < th['refault_share']:
            continue
        where = 'node%d/vmstat' % nid if nid is not None else 'vmstat (all nodes)'
        out.append(finding(
            'thrashing', 'warning',
            'thrashing: %s came back soon after reclaim evicted them, %.0f%% of '
            'what reclaim freed' % (v.rate_text(refaults, ' pages'),
                                    100 * refaults / reclaimed),
            ['%s workingset_refault_* %d, workingset_activate_* %d (%.0f%% of the '
             'refaults were of the active working set) in the window'
             % (where, refaults, acts, 100 * acts / refaults if refaults else 0),
             'module shrink_list nr_reclaimed %d%s in the window' % (
                 reclaimed, '' if nid is None else ' on node %d' % nid),
             'thresholds: refaults >= 256 and >= %g/s (--refaults-per-s), >= %g%% of '
             'pages reclaimed (--refault-share)' % (th['refaults_per_s'],
                                                    th['refault_share'])],
            'the working set does not fit in memory: reclaim evicts pages that are '
            'needed again at once.  Find who grew (smem, per-cgroup memory.current), '
            'add memory or lower the load; a memory.low/min protection for the '
            'important cgroup keeps its pages; with anonymous refaults, swap '
            'speed matters (zram, faster swap)', node=nid))
    return out

PSI_QUOTE = ('Documentation/accounting/psi.rst: "The some line indicates the share of '
             'time in which at least some tasks are stalled on a given resource. The '
             'full line indicates the share of time in which all non-idle tasks are '
             'stalled on a given resource simultaneously."')

PSI_AVG_WINDOW = {'kind': 'psi-avg60', 'seconds': 60.0, 'exact': True,
                  'text': 'the minute before the reading (PSI avg60)'}


@rule('memory-stall', options=(
    Option('psi_some_pct', 10.0, float, '%', 'PSI memory some: time any task stalled'),
    Option('psi_full_pct', 5.0, float, '%', 'PSI memory full: time all tasks stalled')))
def rule_memory_stall(v, th, notes):
    """PSI (/proc/pressure/memory): tasks stalled on memory >= --psi-some-pct
    (10%) of the window (some), or all non-idle tasks >= --psi-full-pct (5%)
    (full); from the growth of PSI's total with two readings, else its
    avg60.  The finding ties the stall to its cause in the module's data:
    the time tasks spent in direct reclaim and compaction, and the
    refaults, over the window."""
    psi = v.cur['proc'].get('pressure')
    if psi is None:
        notes.append('memory-stall: not checked: no /proc/pressure/memory (PSI) in '
                      'this tree')
        return []
    before = v.prev['proc'].get('pressure') if v.prev else None
    if before is not None and v.window.kind == 'interval' and v.window.seconds:
        some = psi_share(v.prev, v.cur, v.window.seconds, 'some')
        full = psi_share(v.prev, v.cur, v.window.seconds, 'full')
        window, how = None, 'PSI total'
    else:
        some = psi['some']['avg60'] / 100
        full = psi['full']['avg60'] / 100 if psi.get('full') else None
        window, how = PSI_AVG_WINDOW, 'PSI avg60'
    some = some or 0.0
    if 100 * some < th['psi_some_pct'] and (full is None or 100 * full < th['psi_full_pct']):
        return []
    dr, comp = reclaim_time(v)
    mc = memcg_time(v)
    refaults = sum(e[1] for e in refaults_in_window(v))
    refault_rate = refaults / v.window.seconds if v.window.seconds else None
    ev = ['%s: some %s%s of the time' % (how, fmt_share(some), '' if full is None else
                                         ', full %s' % fmt_share(full))]
    if dr is not None:
        ev.append('module, %s: direct reclaim %.2f task-seconds a second, %scompaction '
                  '%.2f, refaults %s pages/s' % (
                      'since load' if v.prev is None else 'same window', dr,
                      '' if mc is None else 'memcg reclaim %.2f, ' % mc, comp,
                      fmt_rate(refault_rate)))
    mc_ = mc or 0.0
    if dr is None:
        cause, advice = ('the module\'s data has no window to compare',
                         'read it over a window: reclaimscope diagnose -i 10')
    elif dr + comp + mc_ >= 0.5 * some and mc_ > max(dr, comp):
        cause, advice = ('mostly memcg reclaim: tasks reclaim at their cgroup\'s limit',
                         'see cgroup-memcg-stall: the cgroups whose limit is below their '
                         'working set (reclaimscope top shows them as it happens)')
    elif dr + comp + mc_ >= 0.5 * some and dr >= comp:
        cause, advice = ('mostly direct reclaim: allocating tasks reclaim for '
                         'themselves', WSF_ADVICE)
    elif dr + comp + mc_ >= 0.5 * some:
        cause, advice = ('mostly compaction: high-order allocations compact memory',
                         'make fewer high-order requests wait for compaction: '
                         '/sys/kernel/mm/transparent_hugepage/defrag (defer or '
                         'madvise), and see compaction-failing')
    elif refault_rate and refault_rate >= th['refaults_per_s']:
        cause, advice = ('mostly refaults: the working set does not fit (thrashing)',
                         'see thrashing: the working set does not fit in memory')
    else:
        cause, advice = ('not in the module\'s data (direct reclaim%s and compaction '
                         'account for %s of it)' % (
                             '' if mc is None else ', memcg reclaim',
                             fmt_share(min(1.0, (dr + comp + mc_) / some) if some else 0)),
                         'look for memory.high throttling and swap-in per cgroup (each '
                         'cgroup\'s memory.pressure and memory.events high), and for '
                         'refaults (this report\'s thrashing, vmstat workingset_*)')
    ev.append('thresholds: some >= %g%% (--psi-some-pct) or full >= %g%% '
              '(--psi-full-pct)' % (th['psi_some_pct'], th['psi_full_pct']))
    severity = 'critical' if full is not None and 100 * full >= 4 * th['psi_full_pct'] \
        else 'warning'
    return [finding(
        'memory-stall', severity,
        'tasks stalled on memory %s of the time: %s' % (fmt_share(some), cause), ev,
        advice, window=window, reference=PSI_QUOTE)]

# Who pays for reclaim: cgroups at their limit, direct compaction, and
# kswapd's CPU.

def fmt_limit(v):
    """A memory.max / memory.high / memory.current value: 'max' or MiB."""
    return 'max' if v == 'max' else '%s MiB' % fmt_mib(v / PAGE_SIZE, False)


@rule('cgroup-memcg-stall', options=(
    Option('memcg_stall_pct', 5.0, float, '%',
           'a cgroup\'s tasks in memcg reclaim: share of the window'),
    Option('memcg_stall_ms', 100.0, float, 'ms', 'and at least this long in all')),
    needs=('memcg_reclaim',))
def rule_cgroup_memcg_stall(v, th, notes):
    """A cgroup (a row of the cgroups table, "other" aside) whose tasks
    spent >= --memcg-stall-ms (100 ms) in memcg reclaim in the window, and
    >= --memcg-stall-pct (5%) of the window's length (task-seconds: a
    cgroup of many tasks can pass 100%).  Its memory.events (high, max,
    oom, oom_kill) and limits are the evidence."""
    rows = v.cur.get('cgroups')
    if rows is None:
        notes.append('cgroup-memcg-stall: not checked: no cgroups file (the module '
                     'predates it)')
        return []
    before = v.prev.get('cgroups') if v.prev else None
    old = who_rows('cgroups', before) if before is not None else {}
    files_now = v.cur.get('cgroup_files') or {}
    files_then = (v.prev.get('cgroup_files') or {}) if v.prev else {}
    out = []
    for key, row in who_rows('cgroups', rows).items():
        if is_overflow(row):
            continue
        o = old.get(key)
        if o is not None and any(row.get(c, 0) < o.get(c, 0) for c in
                                 ('memcg_stalls', 'memcg_ns', 'memcg_reclaimed')):
            o = None            # the row went back: a reset, counting from it
        ns = row.get('memcg_ns', 0) - (o.get('memcg_ns', 0) if o else 0)
        stalls = row.get('memcg_stalls', 0) - (o.get('memcg_stalls', 0) if o else 0)
        pages = row.get('memcg_reclaimed', 0) - (o.get('memcg_reclaimed', 0) if o else 0)
        share = ns / 1e9 / v.window.seconds if v.window.seconds else None
        if ns < th['memcg_stall_ms'] * 1e6 or \
                (share is not None and 100 * share < th['memcg_stall_pct']):
            continue
        name = cgroup_path(v.cur, key)
        ev = ['cgroups %s: memcg_stalls %d memcg_ns %d (%s%s) memcg_reclaimed %d (%s) in the '
              'window; max_ns %s (since load)' % (
                  display_name(key), stalls, ns, fmt_ns(ns),
                  '' if share is None else ', %s of the window' % fmt_share(share),
                  pages, fmt_mib(pages), fmt_ns(row.get('max_ns', 0)))]
        files = files_now.get(key)
        events = (files or {}).get('events')
        if events is not None:
            text = 'memory.events ' + ' '.join('%s %d' % (k, events.get(k, 0))
                                               for k in EVENT_KEYS)
            text += ' (since the cgroup was made)'
            then = (files_then.get(key) or {}).get('events')
            if then is not None and all(events.get(k, 0) >= then.get(k, 0) for k in EVENT_KEYS):
                text += '; in the window ' + ' '.join(
                    '%s +%d' % (k, events.get(k, 0) - then.get(k, 0)) for k in EVENT_KEYS)
            ev.append(text)
        elif key.startswith('id:') and key == cgroup_path(v.cur, key):
            ev.append('memory.events: none: the kernel gave the cgroup\'s id, not its path '
                      '(the cgroup was removed, or the kernel cannot name it), and no '
                      'directory under /sys/fs/cgroup has that inode')
        else:
            ev.append('memory.events: not readable (no sys/fs/cgroup%s: the cgroup was '
                      'removed, or this copy does not have it)'
                      % display_name(name.rstrip('/')))
        limits = ['memory.%s %s' % (k, fmt_limit(files[k])) for k in ('max', 'high', 'current')
                  if files and files.get(k) is not None]
        if limits:
            ev.append(', '.join(limits))
        ev.append('thresholds: memcg_ns >= %g ms (--memcg-stall-ms) and >= %g%% of the window '
                  '(--memcg-stall-pct)' % (th['memcg_stall_ms'], th['memcg_stall_pct']))
        which = []
        if events is not None:
            if events.get('max', 0):
                which.append('memory.max is reached (max %d)' % events['max'])
            if events.get('high', 0):
                which.append('memory.high throttles it (high %d)' % events['high'])
            if events.get('oom', 0):
                which.append('reclaim at the limit failed %s (oom; oom_kill %d)'
                             % (plural(events['oom'], 'time'), events.get('oom_kill', 0)))
        out.append(finding(
            'cgroup-memcg-stall', 'warning',
            'its tasks stalled %s in memcg reclaim%s: the cgroup\'s memory limit is below '
            'its working set' % (fmt_ns(ns), '' if share is None else
                                 ' (%s of the window)' % fmt_share(share)), ev,
            '%sraise the cgroup\'s memory.high or memory.max (systemd: MemoryHigh= and '
            'MemoryMax=, e.g. systemctl set-property UNIT MemoryMax=2G; a container: its '
            'runtime\'s memory limit), or make its working set smaller. memory.events '
            'says which limit bites: high counts throttling at memory.high, max reclaim at '
            'memory.max, oom reclaim that failed (the OOM killer follows)'
            % ('; '.join(which) + ': ' if which else ''), cgroup=name))
    return out


THP_ORDER = 9                   # 2 MiB huge pages of 4 KiB pages (x86-64)


def thp_order(thp):
    """The order of a transparent huge page: from hpage_pmd_size when the
    tree has it, else THP_ORDER."""
    size = (thp or {}).get('hpage_pmd_size')
    if isinstance(size, int) and size > PAGE_SIZE:
        return (size // PAGE_SIZE).bit_length() - 1
    return THP_ORDER


@rule('direct-compaction-stall', options=(
    Option('compact_stalls_min', 5, int, 'stalls',
           'direct compaction stalls at order >= 1 in the window'),
    Option('compact_stalls_per_s', 0.05, float, 'stalls/s', 'and a second')))
def rule_direct_compaction_stall(v, th, notes):
    """Direct compaction stalls at an order >= 1 (the order<K>_stalls keys;
    the stalls key when the file has none) >= --compact-stalls-min (5)
    and >= --compact-stalls-per-s (0.05/s) in the window: allocating tasks
    waited for compaction.  The advice is about THP defrag, with
    transparent_hugepage/defrag's current value as evidence."""
    f = v.cur.get('direct_compaction')
    if f is None:
        notes.append('direct-compaction-stall: not checked: no direct_compaction file (the '
                     'module predates it)')
        return []
    before = v.prev.get('direct_compaction') if v.prev else None
    now, then = compaction_orders(f), compaction_orders(before) if before else {}
    orders = {}
    for k, c in now.items():
        o = then.get(k) if v.prev else None
        orders[k] = {w: v.delta(c[w], o[w] if o else None) for w in ('calls', 'stalls')}
    high = {k: c for k, c in orders.items() if k >= 1 and (c['stalls'] or c['calls'])}
    stalls = sum(c['stalls'] for c in high.values()) if orders else \
        v.file_delta('direct_compaction', 'stalls')
    if not v.often(stalls, th['compact_stalls_min'], th['compact_stalls_per_s']):
        return []
    total = v.file_delta('direct_compaction', 'total_ns')
    completed = v.file_delta('direct_compaction', 'completed')
    hist = v.hist_delta('direct_compaction')
    ev = ['direct_compaction in the window: %s; %s, %d skipped, %s stalled%s' % (
        ', '.join('order %d %d stalls of %s' % (k, c['stalls'], plural(c['calls'], 'call'))
                  for k, c in high.items()) or 'no order keys',
        plural(v.file_delta('direct_compaction', 'stalls'), 'stall'),
        v.file_delta('direct_compaction', 'skipped'), fmt_ns(total),
        ' (mean %s)' % fmt_ns(total / completed) if completed else '')]
    if hist is not None and sum(hist):
        lat = latency_summary({'latency_us': hist, 'max_ns': f['max_ns'], 'total_ns': total})
        ev.append('durations in the window: ' + ', '.join(fmt_latency(lat)))
    thp = v.cur.get('thp') or {}
    order = thp_order(thp)
    defrag = thp.get('defrag')
    ev.append('transparent_hugepage/defrag %s (a huge page is order %d)' % (
        '[%s]' % defrag if defrag else 'not readable here', order))
    ev.append('thresholds: stalls at order >= 1 >= %d (--compact-stalls-min) and >= %g/s '
              '(--compact-stalls-per-s)' % (th['compact_stalls_min'],
                                            th['compact_stalls_per_s']))
    thp_stalls = sum(c['stalls'] for k, c in high.items() if k >= order)
    low = sorted(k for k, c in high.items() if k < order and c['stalls'])
    advice = []
    if thp_stalls or not high:
        if defrag in ('defer', 'never'):
            advice.append('defrag is %s, which does not compact on a huge page fault: the '
                          'order >= %d stalls come from elsewhere (hugetlbfs pages asked for '
                          'at run time, drivers)' % (defrag, order))
        else:
            advice.append('huge page faults compact memory while the task waits: set '
                          '/sys/kernel/mm/transparent_hugepage/defrag to defer (kcompactd '
                          'compacts in the background; faults take small pages until huge '
                          'ones are ready) or madvise (only regions that asked with '
                          'madvise(MADV_HUGEPAGE) wait)%s' % (
                              ', e.g. echo defer > /sys/kernel/mm/transparent_hugepage/defrag'
                              if defrag != 'madvise' else
                              '; it is madvise already, so these are regions that asked '
                              '(a JVM with -XX:+UseTransparentHugePages, QEMU): defer stops '
                              'them waiting too'))
    if low:
        advice.append('order%s %s %s the kernel\'s own allocations (network buffers, slab, '
                      'stacks): keep more free memory for them (vm.min_free_kbytes, '
                      'vm.watermark_scale_factor) or let proactive compaction work ahead '
                      '(vm.compaction_proactiveness)' % (
                          's' if len(low) > 1 else '', ', '.join(map(str, low)),
                          'are' if len(low) > 1 else 'is'))
    stalled = [k for k, c in high.items() if c['stalls']]
    return [finding(
        'direct-compaction-stall', 'warning',
        'allocating tasks stalled in direct compaction %s at order%s %s' % (
            v.rate_text(stalls, ' times'), 's' if len(stalled) > 1 else '',
            ', '.join(map(str, stalled)) or '>= 1'), ev, '; '.join(advice))]


KSWAPD_CPU_MIN_S = 0.5          # kswapd CPU in the window, all nodes

KSWAPD_CPU_MIN_SHARE = 0.05     # and as a share of one CPU over the window


@rule('kswapd-shrinker-cpu', options=(
    Option('shrinker_kswapd_pct', 50.0, float, '%',
           'a shrinker\'s time in kswapd: share of kswapd\'s CPU time'),),
    needs=('shrinkers',))
def rule_kswapd_shrinker_cpu(v, th, notes):
    """A shrinker (by name) whose time in kswapd (the shrinkers table's
    kswapd_ns column; total_ns, every context, on a module without it)
    in the window is >= --shrinker-kswapd-pct (50%) of kswapd's CPU time
    (cpu_ns, all nodes: shrinkers are not per node), when kswapd used at
    least 0.5 s and 5% of a CPU over the window."""
    cpu, per_node = 0, []
    for n, p in v.nodes():
        now = n['kswapd'].get('cpu_ns')
        then = p['kswapd'].get('cpu_ns') if p else None
        if not isinstance(now, int) or (v.prev is not None and not isinstance(then, int)):
            continue
        d = now - then if isinstance(then, int) else now
        if d < 0:
            continue            # another kswapd (memory offlined and onlined)
        cpu += d
        per_node.append((n, p, d))
    if not per_node:
        notes.append('kswapd-shrinker-cpu: not checked: no cpu_ns in node<N>/kswapd (the '
                     'module predates it)')
        return []
    if cpu / 1e9 < KSWAPD_CPU_MIN_S or (v.window.seconds and
                                        cpu / 1e9 / v.window.seconds < KSWAPD_CPU_MIN_SHARE):
        return []
    now = shrinkers_by_name(v.cur['shrinkers'])
    old = shrinkers_by_name(v.prev['shrinkers']) if v.prev else {}
    out = []
    for name, s in now.items():
        key = 'kswapd_ns' if 'kswapd_ns' in s else 'total_ns'
        calls_key = 'kswapd_calls' if key == 'kswapd_ns' else 'calls'
        o = old.get(name)
        ns = v.delta(s[key], o.get(key) if o else None)
        calls = v.delta(s.get(calls_key, 0), o.get(calls_key) if o else None)
        if ns < th['shrinker_kswapd_pct'] / 100 * cpu:
            continue
        ev = ['shrinkers %s: %s %d (%s) in %s in the window%s' % (
            name, key, ns, fmt_ns(ns), plural(calls, 'call'),
            '' if key == 'kswapd_ns' else ': every reclaim context, the table has no '
            'kswapd_ns column (an older module), so kswapd\'s part is at most this')]
        ev.append('kswapd on a CPU in the window: %s%s' % (
            ', '.join('node%d cpu_ns +%d (%s)' % (n['node'], d, fmt_ns(d))
                      for n, _, d in per_node),
            '' if v.prev else ' (cpu_ns counts from boot, not from the load: the share '
            'is at least what it says)'))
        lru = [(n['node'], v.node_delta(n, p, 'shrink_list', 'kswapd_ns'))
               for n, p, _ in per_node if 'kswapd_ns' in n['shrink_list']]
        if lru:
            ev.append('kswapd\'s LRU reclaim (shrink_list kswapd_ns) in the window: '
                      + ', '.join('node%d %s' % (nid, fmt_ns(d)) for nid, d in lru))
        if ns > cpu:
            ev.append('a shrinker\'s time is wall time in do_shrink_slab(), cpu_ns is time '
                      'on a CPU: more than 100% means the shrinker waited (locks, I/O)')
        ev.append('thresholds: >= %g%% of kswapd\'s CPU time (--shrinker-kswapd-pct), kswapd '
                  'CPU >= %g s and >= %s of a CPU over the window' % (
                      th['shrinker_kswapd_pct'], KSWAPD_CPU_MIN_S,
                      fmt_share(KSWAPD_CPU_MIN_SHARE)))
        advice = ('kswapd spends its time in this shrinker rather than on the LRU lists, '
                  'so it falls behind and allocations stall: find the shrinker\'s owner '
                  '(/sys/kernel/debug/shrinker/ with CONFIG_SHRINKER_DEBUG, or the '
                  'function\'s name) and why its scan is slow (lock contention, large '
                  'batches, I/O in the scan)')
        if name.startswith('super_cache_scan') or name.startswith('sb-'):
            advice += ('; %s is a filesystem\'s dentry and inode cache: many cached inodes '
                       '(find who walks the filesystem), a filesystem whose inode reclaim '
                       'waits for writeback, and vm.vfs_cache_pressure (below 100 reclaim '
                       'asks less of these caches)' % name)
        out.append(finding(
            'kswapd-shrinker-cpu', 'warning',
            'shrinker %s took %s of kswapd\'s %s on a CPU (%s)' % (
                name, fmt_ns(ns), fmt_ns(cpu), fmt_share(ns / cpu)), ev, advice))
    return out

SEVERITY_ORDER = {'critical': 0, 'warning': 1}

# Within a severity, findings (and snapshot's "worst" line) go by what a
# user feels first: tasks waiting, then what makes them wait.
IMPACT = ('zone-below-min', 'hopeless-node', 'memory-stall', 'cgroup-memcg-stall',
          'direct-reclaim-stall', 'direct-compaction-stall', 'allocstall', 'thrashing',
          'shrink-list-dirty', 'kswapd-wakes-often', 'kswapd-premature-sleep',
          'kswapd-shrinker-cpu', 'balance-order-fallback', 'compaction-failing',
          'compaction-deferred', 'shrinker-slow', 'shrinker-never-frees')


def diagnose(cur, prev=None, window=None, **overrides):
    """Run every rule on the window from @prev (None: since load) to @cur:
    {'window', 'findings' (worst first), 'notes', 'thresholds'}."""
    if window is None:
        sl = cur.get('since_load') or {'seconds': None, 'exact': False}
        window = Window('since-load', sl['seconds'], sl['exact'])
    th = {o.dest: o.default for o in rule_options()}
    th.update({k: val for k, val in overrides.items() if val is not None})
    view = View(cur, prev, window)
    na = unavailable(cur)
    notes, findings = [], []
    for r in RULES:
        missing = [item for item in r.needs if is_unavailable(na, item)]
        if missing:
            notes.append('%s: not checked: %s' % (r.name, na.get(missing[0]) or
                                                  na.get(missing[0].split('.')[0])))
            continue
        for f in r.check(view, th, notes):
            if f['window'] is None:
                f['window'] = window.as_json()
            findings.append(f)
    rank = {r.name: i for i, r in enumerate(RULES)}
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f['severity'], 9),
                                 IMPACT.index(f['rule']) if f['rule'] in IMPACT
                                 else len(IMPACT) + rank.get(f['rule'], 0)))
    if window.seconds is None and window.kind == 'since-load':
        notes.append('the time since load is unknown (no proc/uptime): rates not checked, '
                     'counts alone decide')
    if locked_down(cur):
        notes.append(lockdown_note(cur))
    for h in cur['hooks']:
        if h['state'] not in COUNTING:
            notes.append('hook %s is %s: what it counts is unknown (n/a), not 0'
                         % (h['name'], h['state']))
        elif h.get('missed'):
            notes.append('hook %s missed %s (kretprobe maxactive)'
                         % (h['name'], plural(h['missed'], 'call')))
    return {'schema': 'reclaimscope.diagnose', 'schema_version': 2,
            'window': window.as_json(), 'findings': findings, 'notes': notes,
            'thresholds': th}


def finding_place(f):
    return ' '.join(x for x in ('node %d' % f['node'] if f['node'] is not None else '',
                                f['zone'] or '',
                                'cgroup %s' % display_name(f['cgroup'])
                                if f.get('cgroup') else '') if x)


def count_findings(findings):
    if not findings:
        return 'nothing found'
    by = {}
    for f in findings:
        by[f['severity']] = by.get(f['severity'], 0) + 1
    return '%s (%s)' % (plural(len(findings), 'finding'),
                        ', '.join('%d %s' % (n, s) for s, n in sorted(
                            by.items(), key=lambda kv: SEVERITY_ORDER.get(kv[0], 9))))
