# SPDX-License-Identifier: GPL-2.0
"""Text output: snapshot, diagnose and watch for a person, and the terminal
watch draws on."""

import os
import signal
import time

from .tree import lockdown_note
from .text import (
    GLUE, PAGE_SIZE, fields, fmt_big, fmt_interval, fmt_latency, fmt_mib, fmt_ns, fmt_rate,
    fmt_seconds, fmt_share, fmt_us, plural, table, text_width, wrap)
from .analysis import SHRINK_OUTCOMES, is_unavailable, unavailable
from .rules import count_findings, finding_place
from .top import who_lines


def zone_bar(z, width=32):
    """free as '#' on a scale of 0 to 4 x (high + boost), with m, l and h
    at min, low and high (+ boost); '>' when free is beyond the scale."""
    boost = z['boost']
    marks = [(z['min'] + boost, 'm'), (z['low'] + boost, 'l'), (z['high'] + boost, 'h')]
    scale = max(4 * marks[-1][0], 1)
    fill = min(width, round(width * z['free'] / scale))
    bar = ['#'] * fill + ['.'] * (width - fill)
    for value, ch in marks:
        bar[min(width - 1, int(width * value / scale))] = ch
    if z['free'] > scale:
        bar[-1] = '>'
    return '[' + ''.join(bar) + ']'


def since_load_text(since_load):
    """'loaded 47 s ago', 'loaded at most 47 s ago' or 'load time unknown'."""
    if since_load['seconds'] is None:
        return 'load time unknown'
    return 'loaded %s%s ago' % ('' if since_load['exact'] else 'at most ',
                                fmt_seconds(since_load['seconds']))


def kswapd_time_text(k):
    """'awake 19.3 s since load, 41% of the time' (at least, for a copy)."""
    text = 'awake %s since load' % fmt_seconds(k['awake_s'])
    if k['awake_share'] is not None:
        text += ', %s%s of the time' % ('' if k['awake_share_bound'] == 'exact'
                                        else 'at least ', fmt_share(k['awake_share']))
    return text


def kswapd_cpu_text(k):
    """'4.21 s on a CPU since boot, 7% of the uptime' (cpu_ns), or ''."""
    if k.get('cpu_ns') is None:
        return ''
    text = '%s on a CPU since boot' % fmt_seconds(k['cpu_ns'] / 1e9)
    if k.get('cpu_share') is not None:
        text += ', %s of the uptime' % fmt_share(k['cpu_share'])
    return text


def render_snapshot(rep, width=None):
    width = width or text_width()
    na = rep['unavailable']

    def num(item, text):
        return 'n/a' if is_unavailable(na, item) else text

    worst = rep.get('worst')
    if worst:
        place = finding_place(worst)
        out = wrap('worst: [%s] %s%s (%s; diagnose says more)' % (
            worst['severity'], place + ': ' if place else '', worst['summary'],
            worst['rule']), width, '  ', first='')
    else:
        out = wrap('worst: nothing found since load (diagnose -i judges the last '
                   'seconds)', width, '  ', first='')
    out += wrap('reclaimscope %s (abi %d), kernel %s, %s, %s' % (
        rep['module_version'], rep['abi'], rep['kernel'],
        plural(len(rep['nodes']), 'node').replace(' ', GLUE),
        since_load_text(rep['since_load']).replace(' ', GLUE)), width, '  ', first='')
    psi = rep.get('pressure')
    if psi:
        def avgs(kind):
            e = psi.get(kind)
            return e and '%s %.1f%% %.1f%% %.1f%%' % (kind, e['avg10'], e['avg60'],
                                                        e['avg300'])
        out += fields('memory pressure (PSI, last 10 s, 1 min, 5 min): ',
                      [avgs('some'), avgs('full')], width, '  ')
    if not rep['reset_available']:
        out += wrap(lockdown_note(rep), width, '  ', first='')
    for item, why in sorted(na.items()):
        out += wrap('n/a: %s (%s): not counted' % (item, why), width, '  ', first='')
    for n in rep['nodes']:
        k = n['kswapd']
        out.append('')
        state = 'HOPELESS' if k['hopeless'] else ('awake' if k['awake'] else 'asleep')
        out += fields('node %d: kswapd %s, ' % (n['node'], state), [
            num('kswapd.awake_ns_total', kswapd_time_text(k)), kswapd_cpu_text(k)],
            width, '  ')
        out += fields('  ', [
            num('kswapd.wakes', plural(k['wakes'], 'wake')),
            num('kswapd.sleeps', plural(k['sleeps'], 'sleep')),
            num('kswapd.wakeup_requests', plural(k['wakeup_requests'], 'wakeup request')),
            plural(k['failures'], 'failure'),
            plural(n['boosted_zones'], 'boosted zone') if n['boosted_zones'] else ''],
            width, '  ')
        rows = []
        for z in n['zones']:
            rows.append([z['zone'], fmt_mib(z['free'], False), fmt_mib(z['min'], False),
                         fmt_mib(z['low'], False), fmt_mib(z['high'], False),
                         fmt_mib(z['boost'], False), z['level']])
        head = ['zone', 'free MiB', 'min', 'low', 'high', 'boost', 'level']
        lines = table(head, rows, width, indent='  ', right=(1, 2, 3, 4, 5))
        used = max(len(l) for l in lines)
        bar_w = max(10, min(48, width - used - 4))
        lines[0] = lines[0].ljust(used) + '  ' + 'free vs m(in) l(ow) h(igh)'[:bar_w + 2]
        for i, z in enumerate(n['zones'], 1):
            lines[i] = lines[i].ljust(used) + '  ' + zone_bar(z, bar_w)
        out += lines
        b, d = n['balance_pgdat'], n['direct_reclaim']
        if is_unavailable(na, 'balance_pgdat'):
            out.append('  balance_pgdat: n/a')
        else:
            out += fields('  balance_pgdat: ', [
                plural(b['calls'], 'pass', 'passes'),
                plural(b['order_fallbacks'], 'order fallback')] + fmt_latency(b['latency']),
                width, '    ')
        if is_unavailable(na, 'direct_reclaim'):
            out.append('  direct reclaim: n/a')
        else:
            out += fields('  direct reclaim: ', [
                plural(d['stalls'], 'stall'), '%s reclaimed' % fmt_mib(d['nr_reclaimed'])]
                + (fmt_latency(d['latency']) if d['stalls'] else []), width, '    ')
        sl = n['shrink_list']
        if is_unavailable(na, 'shrink_list'):
            out.append('  shrink_list: n/a')
        elif sl['base']:
            out += fields('  shrink_list: ', [
                plural(sl['calls'], 'call'), '%s %s' % (plural(sl['base'], 'folio'),
                                                       sl['basis'])]
                + ['%s %.1f%%' % (name, sl['percent'][name]) for name, _ in SHRINK_OUTCOMES],
                width, '    ')
        else:
            out.append('  shrink_list: %s, no folios' % plural(sl['calls'], 'call'))
        c = n['compaction']
        res = ['%s %d' % (st, v) for st, v in c['results'].items() if v]
        items = [num('compaction.runs', plural(c['runs'], 'run'))]
        if res and not is_unavailable(na, 'compaction.results'):
            items[0] += ' (%s)' % ', '.join(res)
        items.append('kcompactd %s' % num('compaction.kcompactd_wakes',
                                          plural(c['kcompactd_wakes'], 'wake')))
        if c['kcompactd_max_order']:
            items.append('pending order %d' % c['kcompactd_max_order'])
        for z in c['zones']:
            if z['defer_shift'] or z['deferred_events']:
                items.append('%s deferred at order >= %d: 1 in %d tries, %s' % (
                    z['zone'], z['order_failed'], 1 << z['defer_shift'],
                    plural(z['deferred_events'], 'skip')))
        out += fields('  compaction: ', items, width, '    ')
        rf = n.get('refaults')
        if rf is not None:
            total = rf['workingset_refault_anon'] + rf['workingset_refault_file']
            items = ['%s since boot' % plural(total, 'page'),
                     '%s/s' % fmt_rate(rf['refaults_per_s'])
                     if rf['refaults_per_s'] is not None else '',
                     'anon %d, file %d' % (rf['workingset_refault_anon'],
                                           rf['workingset_refault_file'])]
            if rf['activated_share'] is not None:
                items.append('%s activated' % fmt_share(rf['activated_share']))
            out += fields('  refaults: ', items, width, '    ')
    out += render_who_pays(rep, width)
    out.append('')
    if is_unavailable(na, 'shrinkers'):
        out.append('shrinkers: n/a (%s)' % na.get('shrinkers'))
    elif rep['shrinkers']:
        out.append('top shrinkers by time in do_shrink_slab():')
        rows = [[s['name'], (str(s['calls']), fmt_big(s['calls'])),
                 (str(s['freed_total']), fmt_big(s['freed_total'])),
                 (str(s['cache_items']), fmt_big(s['cache_items'])),
                 (str(s['deferred']), fmt_big(s['deferred'])),
                 fmt_us(s['total_ns'] / 1000), fmt_us(s['max_ns'] / 1000)]
                for s in rep['shrinkers']]
        out += table(['name', 'calls', 'freed', 'items', 'deferred', 'time', 'max'],
                     rows, width)
    elif rep['shrinker_rows']:
        out.append('%s not shown (--top 0)' % plural(rep['shrinker_rows'], 'shrinker row'))
    else:
        out.append('no shrinker has been called since the module was loaded')
    return '\n'.join(out)


def render_who_pays(rep, width):
    """snapshot's memcg reclaim, direct compaction and who pays: the
    slowest tasks and cgroups since load; nothing for a module without
    those files."""
    na, out = rep['unavailable'], []
    m, dc = rep.get('memcg_reclaim'), rep.get('direct_compaction')
    if m is not None or dc is not None:
        out.append('')
    if m is not None and is_unavailable(na, 'memcg_reclaim'):
        out.append('memcg reclaim: n/a (%s)' % na.get('memcg_reclaim'))
    elif m is not None:
        out += fields('memcg reclaim: ', [
            plural(m['stalls'], 'stall'), '%s reclaimed' % fmt_mib(m['nr_reclaimed'])]
            + (fmt_latency(m['latency']) if m['latency'] and m['stalls'] else [])
            + (['soft limit %s' % plural(m['softlimit_calls'], 'call')]
               if m['softlimit_calls'] else []), width, '  ')
    if dc is not None:
        orders = ['order %d: %d of %s stalled' % (o['order'], o['stalls'],
                                                  plural(o['calls'], 'call'))
                  for o in dc['orders'] if o['calls'] or o['stalls']]
        out += fields('direct compaction: ', [
            plural(dc['stalls'], 'stall'), '%d skipped' % dc['skipped']] + orders
            + (fmt_latency(dc['latency']) if dc['latency'] and dc['stalls'] else []),
            width, '  ')
    who = rep.get('who_pays') or {}
    for name in ('tasks', 'cgroups'):
        w = who.get(name)
        if w is None:
            continue
        out.append('')
        if not w['rows'] and not (w['other'] and w['other']['stall_ns']):
            out.append('who pays: no %s stalled since load' % name[:-1])
            continue
        out += wrap('who pays: the %s stalled longest since load (%s in all; STALL: direct '
                    '+ memcg reclaim + direct compaction)%s' % (
                        name, fmt_ns(w['stall_ns']),
                        ', %d more %s: %s' % (w['more_rows'],
                                              'row' if w['more_rows'] == 1 else 'rows',
                                              fmt_ns(w['more_stall_ns']))
                        if w['more_rows'] else ''), width, '  ', first='')
        out += who_lines(name, w['rows'], w['other'] if w['other'] and
                         (w['other']['stall_ns'] or w['other'].get('throttled_ns')) else None,
                         width, 'share', 'SHARE', indent='  ')
    return out


def psi_now_text(cur, r):
    """'some 1.2% full 0.3%' over the interval, else the kernel's avg10."""
    psi = cur['proc'].get('pressure')
    if psi is None:
        return None
    if r is not None and r.get('psi_some') is not None:
        text = 'some %s' % fmt_share(r['psi_some'])
        if r.get('psi_full') is not None:
            text += ' full %s' % fmt_share(r['psi_full'])
        return text + ' of the interval'
    text = 'some %.1f%%' % psi['some']['avg10']
    if psi.get('full'):
        text += ' full %.1f%%' % psi['full']['avg10']
    return text + ' (avg10)'


def render_watch(cur, r, interval, width=None, height=None, first=False):
    """The lines of one screen: @r the rates (None on the first screen)."""
    width = width or text_width()
    head = 'reclaimscope watch, every %s, %s' % (fmt_interval(interval),
                                                 time.strftime('%H:%M:%S'))
    if first:
        head += ', rates in %s' % fmt_interval(interval)
    out = [head]
    extra = []
    psi = psi_now_text(cur, r)
    if psi:
        extra.append('memory pressure (PSI) ' + psi)
    if r is not None:
        extra.append('shrinkers freed %s objects/s' % fmt_rate(r['shrinker_freed_per_s']))
    if extra:
        out += fields('', extra, width, '  ', sep='; ')
    na = unavailable(cur)
    rates_by = {n['node']: n for n in r['nodes']} if r else {}
    rows = []
    for n in cur['nodes']:
        k = n['kswapd']
        state = 'hopeless' if k['hopeless'] else ('awake' if k['awake'] else 'asleep')
        e = rates_by.get(n['node'], {})

        def rate(key, item, scale=1.0):
            if is_unavailable(na, item):
                return 'n/a'
            v = e.get(key)
            return fmt_rate(None if v is None else v * scale)

        busy = e.get('kswapd_busy')
        rows.append([str(n['node']), state,
                     'n/a' if is_unavailable(na, 'kswapd.awake_ns_total') else
                     ('-' if busy is None else fmt_share(busy)),
                     rate('wakes_per_s', 'kswapd.wakes'),
                     rate('pages_reclaimed_per_s', 'shrink_list', PAGE_SIZE / (1 << 20)),
                     rate('stalls_per_s', 'direct_reclaim'),
                     rate('compactions_per_s', 'compaction.runs'),
                     '-' if n.get('vmstat') is None and r is not None
                     else rate('refaults_per_s', 'none'),
                     fmt_mib(sum(z['free'] for z in n['watermarks']['zones'].values()),
                             False)])
    table_lines = table(['node', 'kswapd', 'busy', 'wakes/s', 'MiB/s', 'stalls/s',
                         'compact/s', 'refault/s', 'free MiB'], rows, width, indent='',
                        right=range(2, 9))
    room = (height or 24) - len(out) - 2
    if len(table_lines) > room >= 2:
        hidden = len(table_lines) - room + 1
        table_lines = table_lines[:room - 1] + [
            '... %s more (a taller terminal shows them)' % plural(hidden, 'node')]
    out += table_lines
    out += wrap('busy: kswapd awake share of the interval; MiB/s: reclaimed; refault/s: '
                'pages read back after eviction (node vmstat)', width, '  ', first='')
    return out


class Screen:
    """The terminal while watch runs: alternate screen, hidden cursor,
    keys read without Enter (cbreak, so Ctrl-C still interrupts); all
    undone by close().

    wait() also watches a pipe that Python's signal handler writes to
    (signal.set_wakeup_fd()).  Python runs its own handler (the one that
    raises KeyboardInterrupt) only between bytecodes: a Ctrl-C that came
    after the last check but before select() started would otherwise
    sleep there for the whole interval."""

    def __init__(self, out, keys):
        self.out, self.keys, self.saved = out, keys, None
        self.wake, self.old_wake = None, None
        try:
            r, w = os.pipe()
        except OSError:
            r = w = None
        if r is not None:
            try:
                os.set_blocking(r, False)
                os.set_blocking(w, False)
                self.old_wake = signal.set_wakeup_fd(w)
                self.wake = (r, w)
            except (OSError, ValueError):     # not the main thread
                os.close(r)
                os.close(w)
        if keys is not None:
            try:
                import termios
                import tty
                self.saved = termios.tcgetattr(keys.fileno())
                tty.setcbreak(keys.fileno())
            except ImportError:
                self.keys = None
            except (OSError, ValueError, AttributeError):
                self.saved = None       # not a terminal: keys still read
            try:
                keys.fileno()
            except (OSError, ValueError, AttributeError):
                self.keys = None
        try:
            self.out.write('\x1b[?1049h\x1b[?25l')
            self.out.flush()
        except BaseException:       # the caller gets no Screen to close
            self.restore()
            self.unwake()
            raise

    def restore(self):
        """The terminal's modes as they were before (idempotent)."""
        if self.saved is not None:
            import termios
            saved, self.saved = self.saved, None
            termios.tcsetattr(self.keys.fileno(), termios.TCSADRAIN, saved)

    def draw(self, lines):
        self.out.write('\x1b[H' + '\x1b[K\n'.join(lines) + '\x1b[K\x1b[J')
        self.out.flush()

    def unwake(self):
        """Give the signal wakeup back (idempotent)."""
        if self.wake is not None:
            r, w = self.wake
            self.wake = None
            signal.set_wakeup_fd(self.old_wake)
            os.close(r)
            os.close(w)

    def wait(self, seconds):
        """Sleep @seconds or until a key: 'q' (quit), ' ' (redraw now), None.
        A signal ends the sleep too; its handler then runs (Ctrl-C raises
        KeyboardInterrupt) and wait() goes on sleeping if it returns."""
        fds = [f for f in (self.keys, self.wake and self.wake[0]) if f is not None]
        if not fds:
            time.sleep(max(0.0, seconds))
            return None
        import select
        end = time.monotonic() + max(0.0, seconds)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select(fds, [], [], left)
            if self.wake and self.wake[0] in ready:
                try:
                    os.read(self.wake[0], 512)
                except OSError:
                    pass
            if self.keys is not None and self.keys in ready:
                ch = os.read(self.keys.fileno(), 1).decode('ascii', 'replace')
                if ch in ('q', 'Q'):
                    return 'q'
                if ch == ' ':
                    return ' '

    def close(self):
        """Modes first: they come back even when the terminal is gone
        and the write fails."""
        self.restore()
        self.unwake()
        self.out.write('\x1b[?25h\x1b[?1049l')
        self.out.flush()


def render_diagnose(rep, width=None):
    width = width or text_width()
    out = wrap('diagnose: %s; %s' % (rep['window']['text'], count_findings(rep['findings'])),
               width, '  ', first='')
    references, advice_seen = [], {}
    for f in rep['findings']:
        out.append('')
        place = finding_place(f)
        out += wrap('[%s] %s%s (%s)' % (f['severity'], place + ': ' if place else '',
                                        f['summary'], f['rule']), width, '  ', first='')
        if f['window']['text'] != rep['window']['text']:
            out += wrap('window: ' + f['window']['text'], width, '    ', first='  ')
        for e in f['evidence']:
            out += wrap('evidence: ' + e, width, '    ', first='  ')
        advice = f['advice']
        within = [rule_name for seen, rule_name in advice_seen.items() if advice in seen]
        if within:
            advice = 'as for %s above' % within[0]
        else:
            advice_seen[advice] = f['rule']
            for seen, rule_name in list(advice_seen.items()):
                if seen != advice and seen in advice:     # a shared part, once
                    advice = advice.replace(seen, '(as for %s above)' % rule_name)
        out += wrap('next step: ' + advice, width, '    ', first='  ')
        if f['reference'] and f['reference'] not in references:
            references.append(f['reference'])
    if references or rep['notes']:
        out.append('')
    for ref in references:
        out += wrap('reference: ' + ref, width, '  ', first='')
    for note in rep['notes']:
        out += wrap('note: ' + note, width, '  ', first='')
    return '\n'.join(out)
