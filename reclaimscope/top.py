# SPDX-License-Identifier: GPL-2.0
"""top: the tasks and cgroups that stalled on reclaim in the last interval,
as pure functions (a frame from two readings, its lines), and the who-pays
tables snapshot shares."""

import time

from .tree import WHO_TABLES
from .text import (
    Column, display_name, fit_table, fmt_interval, fmt_mib, fmt_ns, fmt_share, wrap)
from .analysis import (
    STALL_KINDS, cgroup_events, cgroup_path, cgroup_psi, is_overflow, is_unavailable,
    kswapd_cpu, psi_share, rank_who, stall_count, unavailable, went_back, who_delta)


TOP_ROWS = 10                   # rows of each table in a frame on a pipe

# The files whose total_ns is each kind of stall: (frame key, file).
STALL_FILES = (('direct', 'direct_reclaim'), ('memcg', 'memcg_reclaim'),
               ('compact', 'direct_compaction'))


def top_frame(prev, cur, dt):
    """One frame of top: what happened between readings @prev and @cur
    (read_tree dicts) @dt seconds apart; @prev None: everything since
    load (the first screen).  A dict, the JSON of top --json:

    reset: the module was reset in between (counts are then since the
    reset); psi: the host's PSI over the interval and its avg10; kswapd:
    per node its CPU time and share of one CPU; stalled_ns: time stalled
    in each kind of stall (direct reclaim, memcg reclaim, direct
    compaction), None for a file the module lacks; unavailable: what
    hooks that did not attach leave unknown (as in snapshot); tasks,
    cgroups: the rows that stalled, slowest first (None without the
    file), each with 'stall_ns', 'stall_share' (of the interval: a
    cgroup's tasks can pass 100%) and 'share' (of the table's stall time
    in the window); tasks_other, cgroups_other: the overflow rows, None
    when they did not stall."""
    interval = prev is not None
    reset = interval and went_back(prev, cur)
    uptime = cur['proc'].get('uptime')
    frame = {'schema': 'reclaimscope.top', 'schema_version': 1, 't': cur.get('t'),
             'window': 'interval' if interval else 'since-load',
             'interval_s': dt if interval else None, 'reset': reset}
    psi = cur['proc'].get('pressure')
    if psi is None:
        frame['psi'] = None
    else:
        full = psi.get('full')
        frame['psi'] = {'some': psi_share(prev, cur, dt, 'some') if interval else None,
                        'full': psi_share(prev, cur, dt, 'full') if interval else None,
                        'some_avg10': psi['some']['avg10'] / 100,
                        'full_avg10': full['avg10'] / 100 if full else None}
    old_nodes = {n['node']: n for n in prev['nodes']} if interval else {}
    frame['kswapd'] = []
    for n in cur['nodes']:
        before = old_nodes.get(n['node'])
        if interval and before is None:
            cpu = None
        else:
            cpu = kswapd_cpu(n['kswapd'], before['kswapd'] if before else None,
                             dt if interval else uptime)
        frame['kswapd'].append({'node': n['node'],
                                'cpu_s': cpu['cpu_s'] if cpu else None,
                                'cpu_share': cpu['share'] if cpu else None,
                                'basis': 'interval' if interval else 'uptime'})
    frame['stalled_ns'] = {}
    for kind, fname in STALL_FILES:
        f, old = cur.get(fname), prev.get(fname) if interval else None
        if f is None or (interval and old is None):
            total = None
        elif not interval or reset or f['total_ns'] < old['total_ns']:
            total = f['total_ns']       # since load, or since the reset
        else:
            total = f['total_ns'] - old['total_ns']
        frame['stalled_ns'][kind] = total
    frame['unavailable'] = unavailable(cur)
    for name in WHO_TABLES:
        if cur.get(name) is None:
            frame[name] = frame[name + '_other'] = None
            continue
        rows = who_delta(name, prev.get(name) if interval else None, cur[name], reset)
        main, other = rank_who(name, rows)
        old_files = (prev.get('cgroup_files') or {}) if interval else {}
        total = sum(r['stall_ns'] for r in rows)
        for r in main + ([other] if other else []):
            r['stall_share'] = r['stall_ns'] / 1e9 / dt if interval and dt else None
            r['share'] = r['stall_ns'] / total if total else None
            if name == 'tasks':
                r['cgroup_path'] = cgroup_path(cur, r['cgroup'])
            else:
                r['path'] = cgroup_path(cur, r['cgroup'])
                files = (cur.get('cgroup_files') or {}).get(r['cgroup'])
                before = old_files.get(r['cgroup']) if interval else None
                r['pressure'] = cgroup_psi(files, before, dt if interval else None)
                r['events'] = cgroup_events(files, before)
        frame[name] = main
        frame[name + '_other'] = other if other and (
            other['stall_ns'] or other.get('throttled_ns', 0) or stall_count(other)) else None
    return frame

# The who-pays tables (top and snapshot): cells from rows, sized by
# fit_table.  STALL is direct + memcg reclaim + direct compaction.


def ns_cell(row, key):
    return fmt_ns(row.get(key, 0))


def share_cell(v):
    return '-' if v is None else fmt_share(v)


def events_cell(ev):
    """'0/2087/3': memory.events high/max/oom."""
    if ev is None:
        return '-'
    return '%d/%d/%d' % (ev['high'], ev['max'], ev['oom'])


def pressure_cell(p):
    return '-' if p is None else fmt_share(p['some'])


def who_lines(name, rows, other, width, share_key, share_head, indent=''):
    """The lines of a tasks or cgroups table: a heading, then @rows and
    @other (the overflow row, or None); @share_key: the row's share to
    show under @share_head (of the interval for top, of all stall time
    for snapshot)."""
    if name == 'tasks':
        cols = [Column('PID'), Column('COMM', right=False, flex=6, soft=15),
                Column('STALL'), Column(share_head, drop=7), Column('DIRECT', drop=5),
                Column('MEMCG', drop=6), Column('COMPACT', drop=4),
                Column('THROTTLED', drop=1), Column('STALLS', drop=3),
                Column('RECL_MiB', drop=2),
                Column('CGROUP', right=False, flex=8, soft=20, keep='tail')]
    else:
        cols = [Column('STALL'), Column(share_head, drop=7), Column('MEMCG', drop=9),
                Column('DIRECT', drop=5), Column('COMPACT', drop=4),
                Column('THROTTLED', drop=1), Column('STALLS', drop=2),
                Column('RECL_MiB', drop=3), Column('PSI', drop=8),
                Column('HIGH/MAX/OOM', drop=6),
                Column('CGROUP', right=False, flex=8, soft=24, keep='tail')]
    cells = []
    for r in rows + ([other] if other else []):
        common = [fmt_ns(r['stall_ns']), share_cell(r.get(share_key)), ns_cell(r, 'direct_ns'),
                  ns_cell(r, 'memcg_ns'), ns_cell(r, 'compact_ns'), ns_cell(r, 'throttled_ns'),
                  str(stall_count(r))]
        if name == 'tasks':
            overflow = is_overflow(r)
            cells.append([str(r['pid']), display_name(r['comm'])] + common[:2] +
                         common[2:] + [fmt_mib(r.get('nr_reclaimed', 0), False),
                                       '(past the table)' if overflow else
                                       display_name(r.get('cgroup_path', r['cgroup']))])
        else:
            overflow = is_overflow(r)
            cells.append(common[:2] + [common[3], common[2]] + common[4:] +
                         [fmt_mib(r.get('memcg_reclaimed', 0), False),
                          pressure_cell(r.get('pressure')), events_cell(r.get('events')),
                          'other (past the table)' if overflow else
                          display_name(r.get('path', r['cgroup']))])
    lines, _ = fit_table(cols, cells, width - len(indent))
    return [indent + l for l in lines]


def fmt_cpu(entry):
    if entry['cpu_share'] is not None:
        return 'node%d %s' % (entry['node'], fmt_share(entry['cpu_share']))
    if entry['cpu_s'] is not None:
        return 'node%d %s' % (entry['node'], fmt_ns(entry['cpu_s'] * 1e9))
    return 'node%d -' % entry['node']


def render_top(frame, width, height=None, interval=None, color=False, now=None):
    """The lines of one frame: a header, then the tasks and the cgroups
    that stalled, as many rows as @height allows (None: TOP_ROWS each, for
    a pipe), every line at most @width columns.  @color: the table
    headings in reverse video (a terminal)."""
    since = frame['window'] == 'since-load'
    head = 'reclaimscope top'
    if interval is not None:
        head += ', every %s' % fmt_interval(interval)
    head += ', %s' % time.strftime('%H:%M:%S', time.localtime(now))
    head += ': since load, the first interval in %s' % fmt_interval(interval) \
        if since and interval is not None else (': since load' if since else '')
    out = wrap(head, width, '  ', first='')
    info = []
    psi = frame['psi']
    if psi is not None:
        if psi['some'] is not None:
            text = 'PSI memory some %s' % fmt_share(psi['some'])
            if psi['full'] is not None:
                text += ' full %s' % fmt_share(psi['full'])
            info.append(text + ' of the interval')
        else:
            text = 'PSI memory avg10 some %s' % fmt_share(psi['some_avg10'])
            if psi['full_avg10'] is not None:
                text += ' full %s' % fmt_share(psi['full_avg10'])
            info.append(text)
    if any(k['cpu_s'] is not None for k in frame['kswapd']):
        info.append('kswapd CPU %s%s' % (', '.join(fmt_cpu(k) for k in frame['kswapd']),
                                        ' (since boot)' if since else ''))
    na = frame.get('unavailable') or {}
    stalled = ['%s %s' % (label, 'n/a' if is_unavailable(na, fname) else
                          fmt_ns(frame['stalled_ns'][kind]))
               for (kind, label), (_, fname) in zip(STALL_KINDS, STALL_FILES)
               if frame['stalled_ns'].get(kind) is not None]
    if stalled:
        info.append('stalled: ' + ', '.join(stalled))
    for item in info:
        out += wrap(item, width, '  ', first='')
    if frame['reset']:
        out += wrap('the module was reset during the interval: counts are since the reset',
                    width, '  ', first='')
    share_head, share_key = ('SHARE', 'share') if since else ('%TIME', 'stall_share')
    room = None if height is None else max(0, height - len(out) - 3 * len(WHO_TABLES) - 1)
    entries = {name: len(frame[name] or ()) + (1 if frame.get(name + '_other') else 0)
               for name in WHO_TABLES}
    if room is None:
        budget = dict.fromkeys(WHO_TABLES, TOP_ROWS)
    else:       # half each, and what one table does not need to the other
        budget = {'tasks': min(entries['tasks'], max(room // 2, room - entries['cgroups']))}
        budget['cgroups'] = min(entries['cgroups'], room - budget['tasks'])
    what = 'since load' if since else 'in the interval'
    for name in WHO_TABLES:
        out.append('')
        rows, other, n = frame[name], frame.get(name + '_other'), budget[name]
        if rows is None:
            out.append(clip_line('%s: none shown: the module has no %s file (an older '
                                 'module)' % (name, name), width))
            continue
        if not rows and not other:
            out.append(clip_line('%s: none stalled %s' % (name, what), width))
            continue
        if len(rows) + (1 if other else 0) > n:
            shown = rows[:max(0, n - 1)] if other else rows[:n]
            other = other if n else None
        else:
            shown = rows
        title = '%s stalled %s, slowest first' % (name, what)
        if len(rows) > len(shown):
            more = len(rows) - len(shown)
            title += ' (%d more %s)' % (more, 'row' if more == 1 else 'rows')
        out.append(clip_line(title, width))
        if not n:
            continue
        lines = who_lines(name, shown, other, width, share_key, share_head)
        if color:
            lines[0] = '\x1b[7m' + lines[0] + '\x1b[0m'
        out += lines
    if height is not None:
        out.append(clip_line('q quits, space redraws; STALL: direct + memcg reclaim + '
                             'direct compaction', width))
        out = out[:height]
    return out


def clip_line(text, width):
    return text if len(text) <= width else text[:max(0, width - 1)] + '~'
